// Settings page: connect an AWS account (role + ExternalId, or access keys), status, enable/disable,
// import now, import history, remove; the default currency. A secret is never shown or kept.
import './styles.css';
import { ApiError, api, itemsOf } from './api.js';
import {
  $,
  $$,
  breakable,
  clearFieldErrors,
  copyButton,
  confirmDialog,
  formatDateTime,
  formatMoney,
  formatMonth,
  h,
  setStatus,
  showFatal,
  showFieldErrors,
  toast,
} from './ui.js';
import { startBaseCurrency } from './base-currency.js';
import { startFrame } from './frame.js';
import { loadConnections, startConnections } from './connections.js';
import { startRules } from './settings/rules.js';

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
  loadConnections(); // the first connection is also the one listed first
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
  // Connected: a summary with "Change connection"; the full form only when asked for (or not connected).
  showConnectForm(!configured);
  $('#connect-title').textContent = configured ? 'Change the AWS connection' : 'Connect an AWS account';
  if (!configured) {
    setStatus(message, 'No AWS account is connected yet. Connect one below.', 'info');
    $('#connect-submit').textContent = 'Validate and save';
    $('#st-identity').hidden = true;
    $('#st-forecast-box').hidden = true;
    return;
  }
  setStatus(message, '');
  const enabled = Boolean(status.enabled);
  const type = pick(status, 'type', 'credentialType', 'method');
  $('#st-configured').textContent = 'Connected';
  $('#st-enabled').textContent = enabled ? 'On, every month' : 'Paused';
  const identity = pick(status, 'roleArn', 'accessKeyId');
  const method = type === 'role' ? 'IAM role' : type === 'keys' ? 'Access keys' : type || '—';
  // A role's ARN gets a line of its own below (with a copy button); a masked key ID fits here.
  $('#st-type').textContent = identity && type !== 'role' ? `${method} (${identity})` : method;
  // The role ARN is worth copying (to find the role in the console); an access key ID comes back masked.
  const roleArn = type === 'role' ? identity : null;
  $('#st-identity').replaceChildren(
    ...(roleArn ? [h('span', { class: 'label' }, 'Role ARN'), h('code', { class: 'arn' }, breakable(roleArn)), copyButton(() => roleArn, 'role ARN')] : []),
  );
  $('#st-identity').hidden = !roleArn;
  $('#st-account').textContent = pick(status, 'accountId', 'account') || '—';
  $('#st-region').textContent = pick(status, 'region') || '—';
  const last = pick(status, 'lastImport', 'lastImportAt', 'lastImportedAt');
  $('#st-last').textContent = describeLastImport(last);
  const toggle = $('#toggle-import');
  toggle.textContent = enabled ? 'Pause monthly import' : 'Resume monthly import';
  toggle.dataset.enabled = String(enabled);
  $('#connect-submit').textContent = 'Validate and replace';
}

function showConnectForm(show) {
  $('#connect-section').hidden = !show;
  $('#change-connection').setAttribute('aria-expanded', String(show));
}

async function loadForecast() {
  try {
    const forecast = await api('/aws-costs/forecast');
    const box = $('#st-forecast-box');
    if (forecast?.available) {
      $('#st-forecast').replaceChildren(
        formatMoney(forecast.amount, forecast.currency),
        h('span', { class: 'hint block' }, `AWS's estimate for all of ${formatMonth(forecast.month)}`),
      );
    } else {
      $('#st-forecast').textContent = forecast?.message || 'Not available yet.';
    }
    box.hidden = !status?.configured;
  } catch (error) {
    $('#st-forecast').textContent = `Not available: ${error.message}`;
    $('#st-forecast-box').hidden = !status?.configured;
  }
}

function describeLastImport(last) {
  if (!last) return 'Never';
  if (typeof last === 'string') return formatDateTime(last);
  const when = formatDateTime(pick(last, 'finishedAt', 'startedAt', 'at', 'createdAt'));
  const outcome = STATUS_TEXT[last.status] || last.status;
  return [when, outcome, describeMonths(last)].filter(Boolean).join(' · ') || '—';
}

const STATUS_TEXT = { succeeded: 'Succeeded', failed: 'Failed', partial: 'Partly done', running: 'Running' };

// Months still estimated by Cost Explorer say so; the re-sync on the 8th imports the final bill.
function describeMonths(run) {
  const months = Array.isArray(run?.months) ? run.months : run?.month ? [run.month] : [];
  const estimated = new Set(run?.estimatedMonths || []);
  return months.map((m) => (estimated.has(m) ? `${formatMonth(m)} (estimated)` : formatMonth(m))).join(', ');
}

// What happened to the lines you changed or deleted (empty when nothing did).
function describeOwnership(run) {
  const parts = [];
  if (run?.expensesKeptUserEdits) parts.push(`${run.expensesKeptUserEdits} kept your edits`);
  if (run?.expensesDismissedSkipped) parts.push(`${run.expensesDismissedSkipped} dismissed (skipped)`);
  if (run?.expensesRemoved) parts.push(`${run.expensesRemoved} removed`);
  return parts.join(', ');
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
    const externalId = pick(setup, 'externalId', 'external_id') || '';
    $('#external-id').textContent = externalId || '—';
    if (externalId) $('#external-id-line').append(copyButton(() => externalId, 'External ID'));
    const principal = pick(setup, 'principal');
    if (principal) {
      $('#principal-arn').replaceChildren(...breakable(principal));
      $('#principal-line').append(copyButton(() => principal, 'trusted principal ARN'));
      $('#principal-line').hidden = false;
    }
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
    await loadStatus();
    loadForecast();
    // The form folds away once connected: the outcome is said next to the summary.
    setStatus($('#aws-status-message'), `Connected${account ? ` to AWS account ${account}` : ''}.`, 'success');
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
    const ownership = describeOwnership(data);
    const summary = `${created} created, ${updated} updated${ownership ? `, ${ownership}` : ''}${total ? `, total ${total}` : ''}`;
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
    h('td', {}, outcome, error && run.status !== 'succeeded' ? h('span', { class: 'hint block' }, error) : null,
      describeOwnership(run) ? h('span', { class: 'hint block' }, describeOwnership(run)) : null),
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
    showScrollCue();
    $('#history-more').hidden = !historyNext;
    setStatus(message, any ? '' : 'No imports yet.', 'info');
  } catch (error) {
    setStatus(message, `Could not load the import history: ${error.message}`, 'error');
  }
}

/** Say so when the history table is wider than its box (phones): the box scrolls sideways. */
function showScrollCue() {
  const box = $('#history-table').parentElement;
  $('#history-cue').hidden = $('#history-table').hidden || box.scrollWidth <= box.clientWidth + 1;
}

// ---------------------------------------------------------------- backfill (queued, month by month)

const MONTH_STATUS = { pending: 'waiting', succeeded: 'done', failed: 'failed' };
let backfillTimer = null;

function renderBackfill(run) {
  const list = $('#backfill-progress');
  list.hidden = false;
  list.replaceChildren(...(run.progress || []).map((p) => h('li', { dataset: { status: p.status } },
    `${formatMonth(p.month)}: ${MONTH_STATUS[p.status] || p.status}`,
    p.error ? h('span', { class: 'hint block' }, p.error) : null)));
  const done = (run.progress || []).filter((p) => p.status !== 'pending').length;
  const total = (run.progress || []).length;
  const running = run.status === 'running';
  setStatus(
    $('#backfill-status'),
    running ? `Importing in the background: ${done} of ${total} months done…` : `Backfill ${(STATUS_TEXT[run.status] || run.status).toLowerCase()}: ${run.message}.`,
    running ? 'info' : run.status === 'succeeded' ? 'success' : 'error',
  );
}

async function followBackfill(runId) {
  clearTimeout(backfillTimer);
  try {
    const run = await api(`/aws-cost-import/runs/${encodeURIComponent(runId)}`);
    renderBackfill(run);
    if (run.status === 'running') {
      backfillTimer = setTimeout(() => followBackfill(runId), 1500);
      return;
    }
    $('#backfill-start').disabled = false;
    await Promise.all([loadStatus(), loadHistory()]);
  } catch (error) {
    $('#backfill-start').disabled = false;
    setStatus($('#backfill-status'), `Could not follow the backfill: ${error.message}`, 'error');
  }
}

async function submitBackfill(event) {
  event.preventDefault();
  const form = $('#backfill-form');
  clearFieldErrors(form);
  const from = form.elements.from.value;
  const to = form.elements.to.value;
  const problems = [];
  if (!from) problems.push({ field: 'from', message: 'Choose the first month.' });
  if (!to) problems.push({ field: 'to', message: 'Choose the last month.' });
  if (problems.length) {
    showFieldErrors(form, problems);
    return;
  }
  $('#backfill-start').disabled = true;
  try {
    const run = await api('/aws-cost-import', { method: 'POST', body: { from, to } });
    renderBackfill(run);
    if (run.status === 'running') await followBackfill(run.runId);
    else {
      $('#backfill-start').disabled = false;
      await Promise.all([loadStatus(), loadHistory()]);
    }
  } catch (error) {
    $('#backfill-start').disabled = false;
    const unmatched = showFieldErrors(form, error.details || []);
    setStatus($('#backfill-status'), [error.message, ...unmatched.map((d) => d.message)].join(' '), 'error');
  }
}

// ---------------------------------------------------------------- dismissed imported lines

let dismissedNext = null;

function dismissedItem(line) {
  const e = line.expense;
  const label = `${e.vendor || e.category}, ${formatMonth(String(e.date).slice(0, 7))}, ${formatMoney(e.amount, e.currency)}`;
  return h('li', { dataset: { id: e.id } }, h('span', {}, label), ' ',
    h('button', { type: 'button', class: 'secondary small', 'aria-label': `Restore ${label}`, onclick: () => restoreDismissed(line) }, 'Restore'));
}

async function loadDismissed(next = null) {
  const message = $('#dismissed-status');
  try {
    const data = await api('/aws-cost-import/dismissed', { query: { limit: 20, next } });
    const items = itemsOf(data).map(dismissedItem);
    if (next) $('#dismissed-list').append(...items);
    else $('#dismissed-list').replaceChildren(...items);
    dismissedNext = data?.next || null;
    $('#dismissed-more').hidden = !dismissedNext;
    setStatus(message, $('#dismissed-list').children.length ? '' : 'No dismissed lines.', 'info');
  } catch (error) {
    setStatus(message, `Could not load the dismissed lines: ${error.message}`, 'error');
  }
}

async function restoreDismissed(line) {
  try {
    await api(`/aws-cost-import/dismissed/${encodeURIComponent(line.expense.id)}/restore`, { method: 'POST' });
    toast('Line restored: it is back in your expenses and imports update it again.', { kind: 'success' });
    await loadDismissed();
  } catch (error) {
    toast(`Could not restore: ${error.message}`, { kind: 'error' });
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
  if (!startFrame()) return;
  for (const radio of $$('input[name="type"]', connectForm)) radio.addEventListener('change', showPanels);
  connectForm.addEventListener('submit', submitConnect);
  importForm.addEventListener('submit', submitImport);
  profileForm.addEventListener('submit', submitProfile);
  startBaseCurrency();
  $('#toggle-import').addEventListener('click', toggleImport);
  $('#remove-credentials').addEventListener('click', removeCredentials);
  $('#change-connection').addEventListener('click', () => {
    const show = $('#connect-section').hidden;
    showConnectForm(show);
    if (show) $('#connect-title').scrollIntoView({ block: 'start' });
    if (show) connectForm.querySelector('input[name="type"]:checked').focus();
  });
  window.addEventListener('resize', showScrollCue);
  $('#history-more').addEventListener('click', () => loadHistory(historyNext));
  $('#backfill-form').addEventListener('submit', submitBackfill);
  $('#dismissed-more').addEventListener('click', () => loadDismissed(dismissedNext));
  for (const input of $$('input.upper')) input.addEventListener('input', () => (input.value = input.value.toUpperCase()));
  showPanels();
  startConnections({ onChange: loadStatus });
  await Promise.all([loadStatus(), loadHistory(), loadProfile(), loadDismissed(), startRules()]);
  if (status?.configured) await loadForecast();
  document.body.dataset.ready = 'true';
}

start().catch(showFatal);
