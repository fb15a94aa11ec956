// Account page: two-step verification (TOTP) on/off with a QR code drawn here (never by a third-party
// image service), change password, sign out of all devices. Everything talks to Cognito directly
// with the user's access token, like the sign-in page does.
import './styles.css';
import {
  CognitoError,
  associateTotp,
  changePassword,
  disableTotp,
  enableTotp,
  getAccount,
  signOutEverywhere,
} from './auth.js';
import { mountAccountData } from './account-data.js';
import { startFrame } from './frame.js';
import { passwordProblems, renderPasswordRules } from './password.js';
import { drawTotpQr } from './qr.js';
import { $, clearFieldErrors, confirmDialog, copyButton, setStatus, showFatal, showFieldErrors, toast } from './ui.js';

const mfaForm = $('#mfa-form');
const passwordForm = $('#password-form');
let account = { email: '', totpEnabled: false };

// ---------------------------------------------------------------- two-step verification

function renderMfa() {
  const on = account.totpEnabled;
  const badge = $('#mfa-state');
  badge.textContent = on ? 'On' : 'Off';
  badge.dataset.on = String(on);
  $('#mfa-on').hidden = on || !$('#mfa-setup').hidden;
  $('#mfa-off').hidden = !on;
}

async function startMfaSetup() {
  const status = $('#mfa-status');
  setStatus(status, '');
  $('#mfa-on').disabled = true;
  try {
    const secret = await associateTotp();
    await drawTotpQr($('#mfa-qr'), secret, account.email);
    // Groups of four are easier to type into an app by hand; the copy button copies it whole.
    $('#mfa-key').textContent = secret.replace(/(.{4})(?=.)/g, '$1 ');
    $('#mfa-key-line .copy-button')?.remove();
    $('#mfa-key-line').append(copyButton(() => secret, 'key'));
    $('#mfa-setup').hidden = false;
    renderMfa();
    mfaForm.reset();
    $('#mfa-setup-title').scrollIntoView({ block: 'nearest' });
    mfaForm.elements.code.focus();
  } catch (error) {
    setStatus(status, `Could not start the set-up: ${error.message}`, 'error');
  } finally {
    $('#mfa-on').disabled = false;
  }
}

function cancelMfaSetup() {
  $('#mfa-setup').hidden = true;
  $('#mfa-key').textContent = '';
  renderMfa();
  $('#mfa-on').focus();
}

async function submitMfa(event) {
  event.preventDefault();
  clearFieldErrors(mfaForm);
  const code = mfaForm.elements.code.value.trim();
  if (!/^\d{6}$/.test(code)) {
    showFieldErrors(mfaForm, [{ field: 'code', message: 'Enter the 6-digit code from your authenticator app.' }]);
    return;
  }
  const button = $('button[type="submit"]', mfaForm);
  button.disabled = true;
  try {
    await enableTotp(code);
    account.totpEnabled = true;
    $('#mfa-setup').hidden = true;
    $('#mfa-key').textContent = '';
    renderMfa();
    setStatus($('#mfa-status'), 'Two-step verification is on. Next time you sign in, Outlay asks for a code from your app.', 'success');
    $('#mfa-off').focus();
  } catch (error) {
    const wrongCode = error instanceof CognitoError && ['CodeMismatchException', 'EnableSoftwareTokenMFAException'].includes(error.type);
    if (wrongCode) showFieldErrors(mfaForm, [{ field: 'code', message: 'That code is not right. Enter the code the app shows now.' }]);
    else setStatus($('#mfa-status'), `Could not turn it on: ${error.message}`, 'error');
  } finally {
    button.disabled = false;
  }
}

async function turnMfaOff() {
  const ok = await confirmDialog(
    'Turn off two-step verification?',
    'Signing in will ask only for your password. You can turn it on again at any time (with a new QR code).',
    'Turn off',
  );
  if (!ok) return;
  try {
    await disableTotp();
    account.totpEnabled = false;
    renderMfa();
    setStatus($('#mfa-status'), 'Two-step verification is off.', 'info');
    $('#mfa-on').focus();
  } catch (error) {
    // A pool that requires MFA (MfaConfiguration ON) refuses: say so rather than pretend.
    const required = error instanceof CognitoError && error.type === 'InvalidParameterException';
    setStatus(
      $('#mfa-status'),
      required ? 'This Outlay requires two-step verification for every account, so it cannot be turned off.' : `Could not turn it off: ${error.message}`,
      'error',
    );
  }
}

// ---------------------------------------------------------------- password

async function submitPassword(event) {
  event.preventDefault();
  clearFieldErrors(passwordForm);
  const status = $('#password-status');
  setStatus(status, '');
  const current = passwordForm.elements.current.value;
  const proposed = passwordForm.elements.password.value;
  const problems = [];
  if (!current) problems.push({ field: 'current', message: 'Enter your current password.' });
  const missing = passwordProblems(proposed);
  if (missing.length) problems.push({ field: 'password', message: `The new password still needs: ${missing.join(', ')}.` });
  else if (proposed === current) problems.push({ field: 'password', message: 'The new password must differ from the current one.' });
  if (problems.length) {
    showFieldErrors(passwordForm, problems);
    return;
  }
  const button = $('button[type="submit"]', passwordForm);
  button.disabled = true;
  try {
    await changePassword(current, proposed);
    passwordForm.reset();
    passwordForm.elements.password.dispatchEvent(new Event('input'));
    setStatus(status, 'Password changed. Use the new one next time you sign in.', 'success');
  } catch (error) {
    if (error instanceof CognitoError && error.type === 'NotAuthorizedException') {
      showFieldErrors(passwordForm, [{ field: 'current', message: 'The current password is not right.' }]);
    } else if (error instanceof CognitoError && error.type === 'InvalidPasswordException') {
      showFieldErrors(passwordForm, [{ field: 'password', message: error.message }]);
    } else {
      setStatus(status, error.message, 'error');
    }
  } finally {
    button.disabled = false;
  }
}

// ---------------------------------------------------------------- sign out everywhere

async function confirmSignOutEverywhere() {
  const ok = await confirmDialog(
    'Sign out of all devices?',
    'Every browser and device signed in to your account, this one included, is signed out and needs your password again.',
    'Sign out everywhere',
  );
  if (!ok) return;
  try {
    await signOutEverywhere();
  } catch (error) {
    setStatus($('#everywhere-status'), `Could not sign out everywhere: ${error.message}`, 'error');
  }
}

// ---------------------------------------------------------------- start

async function start() {
  if (!startFrame()) return;
  mountAccountData($('#account-data'));
  $('#mfa-on').addEventListener('click', startMfaSetup);
  $('#mfa-cancel').addEventListener('click', cancelMfaSetup);
  $('#mfa-off').addEventListener('click', turnMfaOff);
  mfaForm.addEventListener('submit', submitMfa);
  passwordForm.addEventListener('submit', submitPassword);
  renderPasswordRules($('#change-rules'));
  $('#sign-out-everywhere').addEventListener('click', confirmSignOutEverywhere);
  try {
    account = await getAccount();
  } catch (error) {
    toast(`Could not load your account: ${error.message}`, { kind: 'error' });
  }
  $('#account-email').textContent = account.email;
  renderMfa();
  document.body.dataset.ready = 'true';
}

start().catch(showFatal);
