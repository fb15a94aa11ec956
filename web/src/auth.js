// A small fetch-based Cognito user pool client: the handful of public (unauthenticated) operations a
// browser needs, plus the session kept in sessionStorage. No SDK: each call is one JSON POST.
import { loadConfig } from './config.js';

const SESSION_KEY = 'outlay.session';
const FLASH_KEY = 'outlay.flash';
// Refresh a little before the ID token expires so a request never leaves with a stale token.
const REFRESH_MARGIN_S = 120;

const FRIENDLY = {
  UserNotFoundException: 'Incorrect e-mail or password.',
  NotAuthorizedException: 'Incorrect e-mail or password.',
  UsernameExistsException: 'An account with this e-mail already exists. Sign in or reset the password.',
  CodeMismatchException: 'That code is not right. Check the latest e-mail and try again.',
  ExpiredCodeException: 'That code has expired. Ask for a new one.',
  InvalidPasswordException:
    'The password does not meet the rules: at least 8 characters with upper case, lower case, a digit and a symbol.',
  LimitExceededException: 'Too many attempts. Please wait a few minutes and try again.',
  TooManyRequestsException: 'Too many attempts. Please wait a few minutes and try again.',
  TooManyFailedAttemptsException: 'Too many attempts. Please wait a few minutes and try again.',
  UserNotConfirmedException: 'Your e-mail address is not confirmed yet. Enter the code we sent you.',
  InvalidParameterException: 'Please check the values you entered.',
  CodeDeliveryFailureException: 'We could not send the code. Please try again later.',
  EnableSoftwareTokenMFAException: 'That authenticator code is not right. Try the next one.',
  PasswordResetRequiredException: 'You need to reset your password before signing in.',
};

export class CognitoError extends Error {
  constructor(type, detail) {
    super(FRIENDLY[type] || detail || 'Something went wrong. Please try again.');
    this.name = 'CognitoError';
    this.type = type;
    this.detail = detail;
  }
}

/**
 * One Cognito call. Public (client) operations carry the app client id; operations authorised by the
 * user's access token (GetUser, ChangePassword, …) take no ClientId.
 */
async function cognito(operation, body, { client = true } = {}) {
  const config = await loadConfig();
  let response;
  try {
    response = await fetch(config.cognitoEndpoint, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': `AWSCognitoIdentityProviderService.${operation}`,
      },
      body: JSON.stringify(client ? { ClientId: config.userPoolClientId, ...body } : body),
    });
  } catch {
    throw new CognitoError('NetworkError', 'The sign-in service cannot be reached. Check your connection.');
  }
  const text = await response.text();
  let data = {};
  try {
    data = text ? JSON.parse(text) : {};
  } catch {
    data = {};
  }
  if (!response.ok) {
    // "__type" is either "NotAuthorizedException" or "com.amazonaws...#NotAuthorizedException".
    const type = String(data.__type || data.code || 'UnknownError').split('#').pop();
    throw new CognitoError(type, data.message || data.Message);
  }
  return data;
}

// ---- session (sessionStorage only: gone when the tab closes) ----

function decodeClaims(jwt) {
  try {
    const part = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const json = new TextDecoder().decode(Uint8Array.from(atob(part), (c) => c.charCodeAt(0)));
    return JSON.parse(json);
  } catch {
    return {};
  }
}

function readSession() {
  try {
    return JSON.parse(sessionStorage.getItem(SESSION_KEY) || 'null');
  } catch {
    return null;
  }
}

function storeTokens(result, previous = {}) {
  const claims = decodeClaims(result.IdToken);
  const session = {
    idToken: result.IdToken,
    accessToken: result.AccessToken,
    // A refresh does not return a new refresh token: keep the one we have.
    refreshToken: result.RefreshToken || previous.refreshToken,
    expiresAt: claims.exp || Math.floor(Date.now() / 1000) + (result.ExpiresIn || 3600),
    email: claims.email || previous.email || '',
  };
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  return session;
}

export function currentUser() {
  const session = readSession();
  return session ? { email: session.email } : null;
}

export function isSignedIn() {
  return Boolean(readSession()?.idToken);
}

let refreshing = null;

/** Exchange the refresh token for new ID/access tokens (one request even if several callers ask). */
export function refreshTokens() {
  refreshing ??= (async () => {
    const session = readSession();
    if (!session?.refreshToken) throw new CognitoError('NotAuthorizedException', 'No session');
    const data = await cognito('InitiateAuth', {
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      AuthParameters: { REFRESH_TOKEN: session.refreshToken },
    });
    return storeTokens(data.AuthenticationResult, session);
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

/** The ID token for the API's Cognito authorizer, refreshed first when it is about to expire. */
export async function idToken() {
  let session = readSession();
  if (!session?.idToken) return null;
  if (session.expiresAt - REFRESH_MARGIN_S <= Date.now() / 1000) {
    try {
      session = await refreshTokens();
    } catch {
      return null;
    }
  }
  return session.idToken;
}

// One trip to the sign-in page per page: a request failing while we already leave (say, during
// sign-out) must not start a second navigation that aborts the first.
let leaving = false;

/** Forget the session and go to the sign-in page, optionally with a message shown there. */
export function goToSignIn(message) {
  sessionStorage.removeItem(SESSION_KEY);
  if (leaving) return;
  leaving = true;
  if (message) sessionStorage.setItem(FLASH_KEY, message);
  window.location.assign(new URL('index.html', document.baseURI));
}

export function takeFlash() {
  const message = sessionStorage.getItem(FLASH_KEY);
  sessionStorage.removeItem(FLASH_KEY);
  return message;
}

export async function signOut() {
  if (leaving) return;
  leaving = true;
  const session = readSession();
  sessionStorage.removeItem(SESSION_KEY);
  if (session?.accessToken) {
    // Revoke the refresh token server-side too; signing out locally must not wait on it failing.
    try {
      await cognito('GlobalSignOut', { AccessToken: session.accessToken }, { client: false });
    } catch {
      /* already signed out locally */
    }
  }
  sessionStorage.setItem(FLASH_KEY, 'You have signed out.');
  window.location.assign(new URL('index.html', document.baseURI));
}

// ---- the signed-in user's own account (authorised by the access token) ----

/** The access token, refreshed first when it is about to expire (it expires with the ID token). */
async function accessToken() {
  let session = readSession();
  if (!session?.accessToken) throw new CognitoError('NotAuthorizedException', 'No session');
  if (session.expiresAt - REFRESH_MARGIN_S <= Date.now() / 1000) session = await refreshTokens();
  return session.accessToken;
}

async function asUser(operation, body = {}) {
  return cognito(operation, { AccessToken: await accessToken(), ...body }, { client: false });
}

/** {email, totpEnabled} from GetUser. */
export async function getAccount() {
  const user = await asUser('GetUser');
  const attribute = (name) => (user.UserAttributes || []).find((a) => a.Name === name)?.Value || '';
  return {
    email: attribute('email'),
    totpEnabled: (user.UserMFASettingList || []).includes('SOFTWARE_TOKEN_MFA'),
  };
}

/** Step 1 of turning on TOTP: a new shared secret for the authenticator app. */
export async function associateTotp() {
  const data = await asUser('AssociateSoftwareToken');
  return data.SecretCode;
}

/** Step 2: prove the app works with one code, then make TOTP the user's (preferred) second step. */
export async function enableTotp(code) {
  const verified = await asUser('VerifySoftwareToken', { UserCode: code, FriendlyDeviceName: 'Outlay authenticator' });
  if (verified.Status && verified.Status !== 'SUCCESS') {
    throw new CognitoError('EnableSoftwareTokenMFAException', 'The code was not accepted.');
  }
  await asUser('SetUserMFAPreference', { SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } });
}

export async function disableTotp() {
  await asUser('SetUserMFAPreference', { SoftwareTokenMfaSettings: { Enabled: false, PreferredMfa: false } });
}

export async function changePassword(previous, proposed) {
  await asUser('ChangePassword', { PreviousPassword: previous, ProposedPassword: proposed });
}

/** Revoke every refresh token of the user (all browsers and devices), then leave this one too. */
export async function signOutEverywhere() {
  await asUser('GlobalSignOut');
  sessionStorage.removeItem(SESSION_KEY);
  leaving = true;
  sessionStorage.setItem(FLASH_KEY, 'You have been signed out on all your devices.');
  window.location.assign(new URL('index.html', document.baseURI));
}

/** The otpauth:// URI authenticator apps read from a QR code (RFC 6238 defaults: SHA1, 6 digits, 30 s). */
export function totpUri(secret, email, issuer = 'Outlay') {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(email)}`;
  const query = new URLSearchParams({ secret, issuer });
  return `otpauth://totp/${label}?${query}`;
}

// ---- the public flows ----

function authOutcome(data, email) {
  if (data.AuthenticationResult) {
    storeTokens(data.AuthenticationResult, { email });
    return { signedIn: true };
  }
  return { challenge: data.ChallengeName, session: data.Session, email };
}

export async function signIn(email, password) {
  const data = await cognito('InitiateAuth', {
    AuthFlow: 'USER_PASSWORD_AUTH',
    AuthParameters: { USERNAME: email, PASSWORD: password },
  });
  return authOutcome(data, email);
}

export async function answerTotp(challenge, code) {
  const data = await cognito('RespondToAuthChallenge', {
    ChallengeName: 'SOFTWARE_TOKEN_MFA',
    Session: challenge.session,
    ChallengeResponses: { USERNAME: challenge.email, SOFTWARE_TOKEN_MFA_CODE: code },
  });
  return authOutcome(data, challenge.email);
}

/** NEW_PASSWORD_REQUIRED: an administrator created the account with a temporary password. */
export async function answerNewPassword(challenge, password) {
  const data = await cognito('RespondToAuthChallenge', {
    ChallengeName: 'NEW_PASSWORD_REQUIRED',
    Session: challenge.session,
    ChallengeResponses: { USERNAME: challenge.email, NEW_PASSWORD: password },
  });
  return authOutcome(data, challenge.email);
}

/** MFA_SETUP step 1: get the shared secret to put into an authenticator app. */
export async function startTotpSetup(challenge) {
  const data = await cognito('AssociateSoftwareToken', { Session: challenge.session });
  return { ...challenge, session: data.Session || challenge.session, secret: data.SecretCode };
}

/** MFA_SETUP step 2: prove the app works, then finish the sign-in. */
export async function finishTotpSetup(challenge, code) {
  const verified = await cognito('VerifySoftwareToken', {
    Session: challenge.session,
    UserCode: code,
    FriendlyDeviceName: 'Outlay authenticator',
  });
  const data = await cognito('RespondToAuthChallenge', {
    ChallengeName: 'MFA_SETUP',
    Session: verified.Session || challenge.session,
    ChallengeResponses: { USERNAME: challenge.email },
  });
  return authOutcome(data, challenge.email);
}

export function signUp(email, password) {
  return cognito('SignUp', {
    Username: email,
    Password: password,
    UserAttributes: [{ Name: 'email', Value: email }],
  });
}

export function confirmSignUp(email, code) {
  return cognito('ConfirmSignUp', { Username: email, ConfirmationCode: code });
}

export function resendCode(email) {
  return cognito('ResendConfirmationCode', { Username: email });
}

export function forgotPassword(email) {
  return cognito('ForgotPassword', { Username: email });
}

export function confirmForgotPassword(email, code, password) {
  return cognito('ConfirmForgotPassword', { Username: email, ConfirmationCode: code, Password: password });
}

/** The pool's password rules, checked live as the user types (the server checks them again). */
export const PASSWORD_RULES = [
  { id: 'length', label: 'At least 8 characters', test: (p) => p.length >= 8 },
  { id: 'upper', label: 'An upper-case letter', test: (p) => /[A-Z]/.test(p) },
  { id: 'lower', label: 'A lower-case letter', test: (p) => /[a-z]/.test(p) },
  { id: 'digit', label: 'A digit', test: (p) => /[0-9]/.test(p) },
  // Cognito's symbol set: ^ $ * . [ ] { } ( ) ? " ! @ # % & / \ , > < ' : ; | _ ~ ` = + - and space.
  { id: 'symbol', label: 'A symbol such as ! @ # $ %', test: (p) => /[\^$*.[\]{}()?"!@#%&/\\,><':;|_~`=+\- ]/.test(p) },
];
