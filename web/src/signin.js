// Sign-in page: sign in, sign up (live password rules), confirm, resend, forgot/reset, TOTP.
import './styles.css';
import {
  answerNewPassword,
  answerTotp,
  confirmForgotPassword,
  confirmSignUp,
  finishTotpSetup,
  forgotPassword,
  isSignedIn,
  resendCode,
  signIn,
  signUp,
  startTotpSetup,
  takeFlash,
} from './auth.js';
import { loadConfig } from './config.js';
import { passwordProblems, renderPasswordRules } from './password.js';
import { drawTotpQr } from './qr.js';
import { wireThemeToggle } from './theme.js';
import { $, $$, setStatus } from './ui.js';

wireThemeToggle();

const status = $('#page-status');
const errorBox = $('#auth-error');

// Kept in memory only (never stored) so a confirmed sign-up can sign straight in.
let pendingPassword = '';
let challenge = null;

function goToApp() {
  window.location.assign(new URL('expenses.html', document.baseURI));
}

function show(view, { focus = true } = {}) {
  for (const section of $$('.view')) section.hidden = section.id !== `view-${view}`;
  const section = $(`#view-${view}`);
  if (focus) {
    const target = $$('input', section).find((input) => !input.value) || $('h1', section);
    if (target === $('h1', section)) target.setAttribute('tabindex', '-1');
    target.focus();
  }
}

function say(message) {
  setStatus(errorBox, '');
  setStatus(status, message, 'success');
}

function fail(message) {
  setStatus(status, '');
  setStatus(errorBox, message, 'error');
}

function clearMessages() {
  setStatus(status, '');
  setStatus(errorBox, '');
}

/** Disable the form's submit button while `work` runs; report errors in the alert region. */
async function busy(form, work) {
  const button = $('button[type="submit"]', form);
  button.disabled = true;
  form.setAttribute('aria-busy', 'true');
  clearMessages();
  try {
    await work();
  } catch (error) {
    fail(error.message);
    if (error.type === 'UserNotConfirmedException') {
      $('#confirm-email').value = form.elements.email?.value || '';
      show('confirm');
    }
  } finally {
    button.disabled = false;
    form.removeAttribute('aria-busy');
  }
}

function valueOf(form, name) {
  return (form.elements[name]?.value || '').trim();
}

/** Browser validation messages for empty/malformed fields before anything goes over the wire. */
function checkRequired(form) {
  const invalid = $$('input', form).find((input) => !input.checkValidity());
  if (invalid) {
    const label = $(`label[for="${invalid.id}"]`)?.textContent || invalid.name;
    fail(`${label}: ${invalid.validationMessage}`);
    invalid.focus();
    return false;
  }
  return true;
}

// ---- live password rules ----

function clearPasswordMessage(input) {
  // A "password still needs…" message goes away once the password meets every rule.
  if (!passwordProblems(input.value).length && errorBox.textContent.startsWith('The password')) {
    setStatus(errorBox, '');
  }
}

// ---- flows ----

/** The form's new password when it meets the pool's rules; otherwise says what is missing. */
function acceptedNewPassword(form) {
  const password = form.elements.password.value;
  const problems = passwordProblems(password);
  if (!problems.length) return password;
  fail(`The password still needs: ${problems.join(', ')}.`);
  form.elements.password.focus();
  return null;
}

async function afterSignIn(outcome) {
  if (outcome.signedIn) {
    pendingPassword = '';
    goToApp();
    return;
  }
  challenge = outcome;
  if (outcome.challenge === 'SOFTWARE_TOKEN_MFA') {
    show('totp');
  } else if (outcome.challenge === 'MFA_SETUP') {
    challenge = await startTotpSetup(outcome);
    $('#totp-secret').textContent = challenge.secret || '';
    if (challenge.secret) await drawTotpQr($('#totp-qr'), challenge.secret, challenge.email);
    show('totp-setup');
  } else if (outcome.challenge === 'NEW_PASSWORD_REQUIRED') {
    show('new-password');
    say('Your account was created with a temporary password. Choose your own password to continue.');
  } else {
    fail(`This sign-in step (${outcome.challenge}) is not supported here. Contact your administrator.`);
  }
}

$('#signin-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  if (!checkRequired(form)) return;
  busy(form, async () => {
    const email = valueOf(form, 'email');
    pendingPassword = form.elements.password.value;
    const outcome = await signIn(email, pendingPassword);
    form.elements.password.value = '';
    await afterSignIn(outcome);
  });
});

$('#signup-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  if (!checkRequired(form)) return;
  const password = acceptedNewPassword(form);
  if (password === null) return;
  busy(form, async () => {
    const email = valueOf(form, 'email');
    const result = await signUp(email, password);
    pendingPassword = password;
    form.elements.password.value = '';
    $('#signin-email').value = email;
    if (result.UserConfirmed) {
      await afterSignIn(await signIn(email, pendingPassword));
      return;
    }
    $('#confirm-email').value = email;
    const where = result.CodeDeliveryDetails?.Destination;
    show('confirm');
    say(`Account created. We sent a confirmation code to ${where || email}.`);
  });
});

$('#confirm-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  if (!checkRequired(form)) return;
  busy(form, async () => {
    const email = valueOf(form, 'email');
    await confirmSignUp(email, valueOf(form, 'code'));
    form.elements.code.value = '';
    if (pendingPassword) {
      say('E-mail confirmed. Signing you in…');
      await afterSignIn(await signIn(email, pendingPassword));
      return;
    }
    $('#signin-email').value = email;
    show('signin');
    say('E-mail confirmed. You can sign in now.');
  });
});

$('#resend-code').addEventListener('click', async (event) => {
  const button = event.currentTarget;
  const email = $('#confirm-email').value.trim();
  if (!email) {
    fail('Enter your e-mail address first.');
    $('#confirm-email').focus();
    return;
  }
  button.disabled = true;
  clearMessages();
  try {
    await resendCode(email);
    say(`We sent a new code to ${email}.`);
  } catch (error) {
    fail(error.message);
  } finally {
    button.disabled = false;
  }
});

$('#forgot-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  if (!checkRequired(form)) return;
  busy(form, async () => {
    const email = valueOf(form, 'email');
    const result = await forgotPassword(email);
    $('#reset-email').value = email;
    show('reset');
    const where = result?.CodeDeliveryDetails?.Destination;
    say(`If an account exists for ${email}, a reset code is on its way${where ? ` to ${where}` : ''}.`);
  });
});

$('#reset-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  if (!checkRequired(form)) return;
  const password = acceptedNewPassword(form);
  if (password === null) return;
  busy(form, async () => {
    const email = valueOf(form, 'email');
    await confirmForgotPassword(email, valueOf(form, 'code'), password);
    form.elements.password.value = '';
    form.elements.code.value = '';
    $('#signin-email').value = email;
    show('signin');
    say('Password changed. Sign in with your new password.');
  });
});

$('#new-password-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  if (!checkRequired(form)) return;
  const password = acceptedNewPassword(form);
  if (password === null) return;
  busy(form, async () => {
    const outcome = await answerNewPassword(challenge, password);
    form.elements.password.value = '';
    await afterSignIn(outcome);
  });
});

// Both authenticator-code steps (sign-in challenge, first-time set-up) answer the challenge the same way.
for (const [selector, answer] of [
  ['#totp-form', answerTotp],
  ['#totp-setup-form', finishTotpSetup],
]) {
  $(selector).addEventListener('submit', (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    if (!checkRequired(form)) return;
    busy(form, async () => {
      const outcome = await answer(challenge, valueOf(form, 'code'));
      form.elements.code.value = '';
      await afterSignIn(outcome);
    });
  });
}

for (const button of $$('[data-view]')) {
  button.addEventListener('click', () => {
    clearMessages();
    // Carry the e-mail across views so nobody types it twice.
    const email = $$('input[type="email"]').map((i) => i.value.trim()).find(Boolean) || '';
    for (const input of $$('input[type="email"]')) if (!input.value) input.value = email;
    show(button.dataset.view);
  });
}

for (const list of $$('ul.rules')) renderPasswordRules(list, clearPasswordMessage);

// ---- start ----
if (isSignedIn()) {
  goToApp();
} else {
  const flash = takeFlash();
  if (flash) say(flash);
  // Fail early and visibly when config.json is missing, rather than at the first click.
  loadConfig().catch((error) => fail(error.message));
  show('signin', { focus: false });
}
