// Settings page: connect an AWS account (role + ExternalId, or access keys), status, enable/disable,
// import now, import history, remove; the default currency. A secret is never shown or kept.
import './styles.css';
import { mountAccountData } from './account-data.js';
import { ApiError, api, itemsOf } from './api.js';
import {
  $,
  $$,
  clearFieldErrors,
  confirmDialog,
  formatDateTime,
  formatMoney,
  formatMonth,
  h,
  requireSignIn,
  setStatus,
  showFatal,
  showFieldErrors,
  toast,
} from './ui.js';

const connectForm = $('#connect-form');
const importForm = $('#import-form');
const profileForm = $('#profile-form');
let status = null; // last GET /aws-credentials
let historyNext = null;
let roleSetupLoaded = false;

const pick = (obj, ...keys) => keys.map((k) => obj?.[k]).find((v) => v !== undefined && v !== null && v !== '');

// ---------------------------------------------------------------- status

async function loadStatus() {
  const message = $('#aws-status-message');
  try {
    status = await api('/aws-credentials');
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) status = { configured: false };
    else {
      setStatus(message, `Could not load the connection status: ${error.message}`, 'error');
      return;
    }
  }
  renderStatus();
}

function renderStatus() {
  const configured = Boolean(status?.configured);
  const message = $('#aws-status-message');
  $('#aws-status').hidden = !configured;
  $('#aws-actions').hidden = !configured;
  $('#import-section').hidden = !configured;
  if (!configured) {
    setStatus(message, 'No AWS account is connected yet. Connect one below.', 'info');
    $('#connect-submit').textContent = 'Validate and save';
    return;
  }
  setStatus(message, '');
  const enabled = Boolean(status.enabled);
  const type = pick(status, 'type', 'credentialType', 'method');
  $('#st-configured').textContent = 'Connected';
  $('#st-enabled').textContent = enabled ? 'On: costs are imported every month' : 'Paused';
  const identity = pick(status, 'roleArn', 'accessKeyId');
  const method = type === 'role' ? 'IAM role' : type === 'keys' ? 'Access keys' : type || '—';
  $('#st-type').textContent = identity ? `${method} (${identity})` : method;
  $('#st-account').textContent = pick(status, 'accountId', 'account') || '—';
  $('#st-region').textContent = pick(status, 'region') || '—';
  const last = pick(status, 'lastImport', 'lastImportAt', 'lastImportedAt');
  $('#st-last').textContent = describeLastImport(last);
  const toggle = $('#toggle-import');
  toggle.textContent = enabled ? 'Pause monthly import' : 'Resume monthly import';
  toggle.dataset.enabled = String(enabled);
  $('#connect-submit').textContent = 'Validate and replace';
}

function describeLastImport(last) {
  if (!last) return 'Never';
  if (typeof last === 'string') return formatDateTime(last);
  const when = formatDateTime(pick(last, 'finishedAt', 'startedAt', 'at', 'createdAt'));
  const outcome = STATUS_TEXT[last.status] || last.status;
  return [when, outcome, describeMonths(last)].filter(Boolean).join(' · ') || '—';
}

const STATUS_TEXT = { succeeded: 'Succeeded', failed: 'Failed', partial: 'Partly done' };

function describeMonths(run) {
  const months = Array.isArray(run?.months) ? run.months : run?.month ? [run.month] : [];
  return months.map(formatMonth).join(', ');
}

async function toggleImport() {
  const button = $('#toggle-import');
  const enable = button.dataset.enabled !== 'true';
  button.disabled = true;
  try {
    await api('/aws-credentials/toggle', { method: 'PUT', body: { enabled: enable } });
    toast(enable ? 'Monthly import resumed.' : 'Monthly import paused.', { kind: 'success' });
    await loadStatus();
  } catch (error) {
    toast(error.message, { kind: 'error' });
  } finally {
    button.disabled = false;
  }
}

async function removeCredentials() {
  const ok = await confirmDialog(
    'Remove the AWS connection?',
    'Outlay forgets the stored credentials and stops importing. Expenses already imported stay.',
    'Remove',
  );
  if (!ok) return;
  try {
    await api('/aws-credentials', { method: 'DELETE' });
    toast('AWS connection removed.', { kind: 'success' });
    await loadStatus();
  } catch (error) {
    toast(`Could not remove: ${error.message}`, { kind: 'error' });
  }
}

// ---------------------------------------------------------------- connect

function selectedType() {
  return connectForm.elements.type.value;
}

function showPanels() {
  const type = selectedType();
  $('#role-panel').hidden = type !== 'role';
  $('#keys-panel').hidden = type !== 'keys';
  if (type === 'role' && !roleSetupLoaded) loadRoleSetup();
}

async function loadRoleSetup() {
  const message = $('#role-setup-status');
  setStatus(message, 'Loading the role set-up…', 'info');
  try {
    const setup = await api('/aws-credentials/role-setup');
    roleSetupLoaded = true;
    setStatus(message, '');
    $('#external-id').textContent = pick(setup, 'externalId', 'external_id') || '—';
    const policy = pick(setup, 'policy', 'policyDocument', 'permissionsPolicy');
    $('#role-policy').textContent = typeof policy === 'string' ? policy : JSON.stringify(policy, null, 2);
    const links = [];
    const quick = pick(setup, 'quickCreateUrl');
    const template = pick(setup, 'templateBody', 'template');
    if (setup.templateHosted && quick) {
      // The template is hosted: quick-create opens the console with everything pre-filled.
      links.push(h('a', { href: quick, target: '_blank', rel: 'noopener', class: 'button primary small' }, 'Create the role in the AWS console'));
    }
    if (template) {
      const text = typeof template === 'string' ? template : JSON.stringify(template, null, 2);
      const blob = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
      links.push(h('a', { href: blob, download: 'outlay-role.json', class: 'button secondary small' }, 'Download the CloudFormation template'));
    }
    if (!setup.templateHosted && setup.createStackUrl) {
      links.push(h('a', { href: setup.createStackUrl, target: '_blank', rel: 'noopener', class: 'button secondary small' }, 'Open CloudFormation (upload the template)'));
    }
    $('#role-instructions').textContent = setup.templateHosted
      ? 'Sign in to the AWS account whose bill you want imported, open the console link, create the stack, then copy its RoleArn output into step 4.'
      : 'Download the template, open CloudFormation in the AWS account whose bill you want imported, choose “Upload a template file”, keep the pre-filled parameters, create the stack, then copy its RoleArn output into step 4.';
    const trust = setup.trustPolicy;
    $('#role-trust').textContent = trust ? (typeof trust === 'string' ? trust : JSON.stringify(trust, null, 2)) : '';
    $('#role-trust-box').hidden = !trust;
    $('#role-links').replaceChildren(...links);
  } catch (error) {
    setStatus(message, `Could not load the role set-up: ${error.message}`, 'error');
  }
}

function connectBody() {
  const el = connectForm.elements;
  const body = { type: selectedType(), region: el.region.value.trim(), enabled: el.enabled.checked };
  if (body.type === 'role') body.roleArn = el.roleArn.value.trim();
  else {
    body.accessKeyId = el.accessKeyId.value.trim();
    body.secretAccessKey = el.secretAccessKey.value;
  }
  return body;
}

function connectProblems(body) {
  const problems = [];
  if (body.type === 'role' && !/^arn:aws[a-z-]*:iam::\d{12}:role\/.+/.test(body.roleArn)) {
    problems.push({ field: 'roleArn', message: 'Paste the role ARN, like arn:aws:iam::123456789012:role/Name.' });
  }
  if (body.type === 'keys') {
    if (!/^(AKIA|ASIA)[A-Z0-9]{12,124}$/.test(body.accessKeyId)) {
      problems.push({ field: 'accessKeyId', message: 'Enter the access key ID: it starts with AKIA and has 16 or more letters and digits.' });
    }
    if (body.secretAccessKey.length < 16) problems.push({ field: 'secretAccessKey', message: 'Enter the secret access key (40 characters).' });
  }
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(body.region)) problems.push({ field: 'region', message: 'Enter an AWS region such as us-east-1.' });
  return problems;
}

async function submitConnect(event) {
  event.preventDefault();
  clearFieldErrors(connectForm);
  const message = $('#connect-status');
  setStatus(message, '');
  const body = connectBody();
  // The secret leaves the page's DOM right away, whatever happens next.
  connectForm.elements.secretAccessKey.value = '';
  const problems = connectProblems(body);
  if (problems.length) {
    showFieldErrors(connectForm, problems);
    setStatus(message, 'Please correct the highlighted fields.', 'error');
    return;
  }
  const button = $('#connect-submit');
  button.disabled = true;
  connectForm.setAttribute('aria-busy', 'true');
  setStatus(message, 'Checking the credentials with AWS…', 'info');
  try {
    const saved = await api('/aws-credentials', { method: 'POST', body });
    const account = pick(saved, 'accountId', 'account');
    connectForm.elements.accessKeyId.value = '';
    connectForm.elements.roleArn.value = '';
    setStatus(message, `Connected${account ? ` to AWS account ${account}` : ''}.`, 'success');
    await loadStatus();
    $('#import-now').focus();
  } catch (error) {
    const unmatched = showFieldErrors(connectForm, error.details || []);
    const extra = unmatched.map((d) => d.message).join(' ');
    setStatus(message, extra ? `${error.message} ${extra}` : error.message, 'error');
  } finally {
    body.secretAccessKey = undefined;
    button.disabled = false;
    connectForm.removeAttribute('aria-busy');
  }
}

// ---------------------------------------------------------------- import now + history

function describeTotal(result) {
  if (Array.isArray(result?.totals)) {
    return result.totals.map((t) => formatMoney(t.total, t.currency)).join(', ');
  }
  const total = pick(result, 'total', 'totalAmount');
  if (total === undefined) return '';
  return result.currency ? formatMoney(total, result.currency) : String(total);
}

async function submitImport(event) {
  event.preventDefault();
  clearFieldErrors(importForm);
  const month = importForm.elements.month.value;
  const progress = $('#import-progress');
  const result = $('#import-result');
  const button = $('#import-now');
  button.disabled = true;
  progress.hidden = false;
  importForm.setAttribute('aria-busy', 'true');
  setStatus(result, 'Import started…', 'info');
  try {
    const data = await api('/aws-cost-import', { method: 'POST', body: month ? { month } : {} });
    const created = Number(pick(data, 'created', 'expensesCreated') ?? 0);
    const updated = Number(pick(data, 'updated', 'expensesUpdated') ?? 0);
    const total = describeTotal(data);
    const months = describeMonths(data);
    const failed = data?.status && data.status !== 'succeeded';
    const summary = `${created} created, ${updated} updated${total ? `, total ${total}` : ''}`;
    setStatus(
      result,
      failed
        ? `Import ${data.status === 'partial' ? 'partly done' : 'failed'}${months ? ` for ${months}` : ''}: ${data.error || data.message || summary}.`
        : `Import finished${months ? ` for ${months}` : ''}: ${summary}.`,
      failed ? 'error' : 'success',
    );
    result.dataset.created = String(created);
    result.dataset.updated = String(updated);
    await Promise.all([loadStatus(), loadHistory()]);
  } catch (error) {
    showFieldErrors(importForm, error.details || []);
    setStatus(result, `Import failed: ${error.message}`, 'error');
  } finally {
    progress.hidden = true;
    button.disabled = false;
    importForm.removeAttribute('aria-busy');
  }
}

function historyRow(run) {
  const created = pick(run, 'created', 'expensesCreated') ?? '';
  const updated = pick(run, 'updated', 'expensesUpdated') ?? '';
  const outcome = STATUS_TEXT[run.status] || run.status || '';
  const error = pick(run, 'error');
  return h('tr', {},
    h('td', {}, formatDateTime(pick(run, 'startedAt', 'finishedAt', 'at', 'createdAt'))),
    h('td', {}, describeMonths(run) || '—'),
    h('td', {}, outcome, error && run.status !== 'succeeded' ? h('span', { class: 'hint block' }, error) : null),
    h('td', { class: 'num' }, String(created)),
    h('td', { class: 'num' }, String(updated)),
    h('td', {}, describeTotal(run)),
  );
}

async function loadHistory(next = null) {
  const message = $('#history-status');
  try {
    const data = await api('/aws-cost-import/history', { query: { limit: 20, next } });
    const rows = itemsOf(data).map(historyRow);
    if (next) $('#history-rows').append(...rows);
    else $('#history-rows').replaceChildren(...rows);
    historyNext = data?.next || null;
    const any = $('#history-rows').children.length > 0;
    $('#history-table').hidden = !any;
    $('#history-more').hidden = !historyNext;
    setStatus(message, any ? '' : 'No imports yet.', 'info');
  } catch (error) {
    setStatus(message, `Could not load the import history: ${error.message}`, 'error');
  }
}

// ---------------------------------------------------------------- preferences

async function loadProfile() {
  try {
    const profile = await api('/profile');
    profileForm.elements.defaultCurrency.value = pick(profile, 'defaultCurrency', 'currency') || '';
  } catch (error) {
    setStatus($('#profile-status'), `Could not load your preferences: ${error.message}`, 'error');
  }
}

async function submitProfile(event) {
  event.preventDefault();
  clearFieldErrors(profileForm);
  const message = $('#profile-status');
  const currency = profileForm.elements.defaultCurrency.value.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(currency)) {
    showFieldErrors(profileForm, [{ field: 'defaultCurrency', message: 'Use a three-letter currency code such as EUR.' }]);
    return;
  }
  try {
    await api('/profile', { method: 'PUT', body: { defaultCurrency: currency } });
    setStatus(message, `Default currency set to ${currency}.`, 'success');
  } catch (error) {
    showFieldErrors(profileForm, error.details || []);
    setStatus(message, error.message, 'error');
  }
}

// ---------------------------------------------------------------- start

async function start() {
  if (!requireSignIn()) return;
  for (const radio of $$('input[name="type"]', connectForm)) radio.addEventListener('change', showPanels);
  connectForm.addEventListener('submit', submitConnect);
  importForm.addEventListener('submit', submitImport);
  profileForm.addEventListener('submit', submitProfile);
  $('#toggle-import').addEventListener('click', toggleImport);
  $('#remove-credentials').addEventListener('click', removeCredentials);
  $('#history-more').addEventListener('click', () => loadHistory(historyNext));
  for (const input of $$('input.upper')) input.addEventListener('input', () => (input.value = input.value.toUpperCase()));
  showPanels();
  mountAccountData($('#account-data'));
  await Promise.all([loadStatus(), loadHistory(), loadProfile()]);
  document.body.dataset.ready = 'true';
}

start().catch(showFatal);
