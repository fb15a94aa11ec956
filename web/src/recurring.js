// Recurring page: create rules (field-level errors from the API), list them with their next due date,
// pause/resume, skip the next occurrence, delete, and "Run now" (writes what is due for the caller).
import './styles.css';
import { api, itemsOf } from './api.js';
import { startFrame } from './frame.js';
import { $, clearFieldErrors, confirmDialog, formatDate, formatMoney, h, setStatus, showFatal, showFieldErrors, toast, todayIso } from './ui.js';

const form = $('#rule-form');
const UNIT_NAMES = { day: ['day', 'days'], week: ['week', 'weeks'], month: ['month', 'months'] };
let next = null;

/** "Every month on day 31 (the last day in shorter months)", "Every 2 weeks from 5 Jan 2026". */
export function describeSchedule(rule) {
  const [one, many] = UNIT_NAMES[rule.unit] || [rule.unit, rule.unit];
  const every = rule.every === 1 ? `Every ${one}` : `Every ${rule.every} ${many}`;
  let text = every;
  if (rule.unit === 'month') {
    const day = rule.dayOfMonth || Number(String(rule.startDate).slice(8, 10));
    text += ` on day ${day}${day > 28 ? ' (the last day in shorter months)' : ''}`;
  } else {
    text += ` from ${formatDate(rule.startDate)}`;
  }
  if (rule.endDate) text += `, until ${formatDate(rule.endDate)}`;
  return text;
}

function statusBadge(rule) {
  if (rule.status === 'active') return null;
  return h('span', { class: 'badge', dataset: { status: rule.status } }, rule.status);
}

async function act(rule, path, message) {
  try {
    await api(`/recurring/${encodeURIComponent(rule.id)}${path}`, { method: 'POST' });
    toast(message);
    await reload();
  } catch (error) {
    toast(`Could not change the rule: ${error.message}`, { kind: 'error' });
  }
}

async function deleteRule(rule, label) {
  const ok = await confirmDialog('Delete this rule?', `${label} stops recurring. The expenses it already wrote stay.`, 'Delete');
  if (!ok) return;
  try {
    await api(`/recurring/${encodeURIComponent(rule.id)}`, { method: 'DELETE' });
    toast('Rule deleted; its expenses stay.');
    await reload();
  } catch (error) {
    toast(`Could not delete: ${error.message}`, { kind: 'error' });
  }
}

function ruleRow(rule) {
  const label = rule.vendor || rule.category;
  const buttons = [];
  if (rule.status === 'active') buttons.push(h('button', { type: 'button', class: 'secondary small', 'aria-label': `Pause ${label}`, onclick: () => act(rule, '/pause', `${label} paused.`) }, 'Pause'));
  if (rule.status === 'paused') buttons.push(h('button', { type: 'button', class: 'secondary small', 'aria-label': `Resume ${label}`, onclick: () => act(rule, '/resume', `${label} resumed from today.`) }, 'Resume'));
  if (rule.nextDue) buttons.push(h('button', { type: 'button', class: 'secondary small', 'aria-label': `Skip next ${label}`, onclick: () => act(rule, '/skip', `Skipped ${formatDate(rule.nextDue)}.`) }, 'Skip next'));
  buttons.push(h('button', { type: 'button', class: 'danger small', 'aria-label': `Delete ${label}`, onclick: () => deleteRule(rule, label) }, 'Delete'));
  return h('tr', { dataset: { id: rule.id } },
    h('td', { 'data-label': 'Vendor' }, label, statusBadge(rule), h('span', { class: 'hint rule-category' }, ` ${rule.category}`)),
    h('td', { 'data-label': 'Schedule', class: 'rule-when' }, describeSchedule(rule)),
    h('td', { 'data-label': 'Next due', class: 'rule-next' }, rule.nextDue ? h('time', { datetime: rule.nextDue }, formatDate(rule.nextDue)) : '—'),
    h('td', { 'data-label': 'Amount', class: 'num rule-amount' }, formatMoney(rule.amount, rule.currency)),
    h('td', {}, h('div', { class: 'rule-actions' }, buttons)),
  );
}

async function fetchRules(cursor) {
  const data = await api('/recurring', { query: { limit: 50, next: cursor } });
  const rows = itemsOf(data).map(ruleRow);
  const body = $('#rules-body');
  if (cursor) body.append(...rows);
  else body.replaceChildren(...rows);
  next = data?.next || null;
  const empty = body.children.length === 0;
  $('#rules-table').hidden = empty;
  $('#rules-empty').hidden = !empty;
  $('#rules-more').hidden = !next;
}

function reload() {
  return fetchRules(null);
}

function ruleBody() {
  const values = Object.fromEntries(new FormData(form).entries());
  const body = {
    every: /^\d+$/.test(String(values.every).trim()) ? Number(values.every) : values.every,
    unit: values.unit,
    startDate: values.startDate,
    amount: String(values.amount || '').trim(),
    category: values.category,
    vendor: String(values.vendor || '').trim(),
    description: String(values.description || '').trim(),
    tags: String(values.tags || '').split(',').map((tag) => tag.trim()).filter(Boolean),
  };
  if (values.currency) body.currency = values.currency.trim().toUpperCase();
  if (values.endDate) body.endDate = values.endDate;
  const day = String(values.dayOfMonth || '').trim();
  if (values.unit === 'month' && day) body.dayOfMonth = /^\d+$/.test(day) ? Number(day) : day;
  return body;
}

async function submitRule(event) {
  event.preventDefault();
  clearFieldErrors(form);
  const status = $('#rule-form-status');
  setStatus(status, '');
  const button = $('button[type="submit"]', form);
  button.disabled = true;
  try {
    const rule = await api('/recurring', { method: 'POST', body: ruleBody() });
    toast(rule.nextDue ? `Rule added; next on ${formatDate(rule.nextDue)}.` : 'Rule added.');
    form.reset();
    form.elements.startDate.value = todayIso();
    await reload();
  } catch (error) {
    const unmatched = showFieldErrors(form, error.details);
    if (unmatched.length || !error.details.length) setStatus(status, error.message, 'error');
  } finally {
    button.disabled = false;
  }
}

async function runNow() {
  const button = $('#run-now');
  button.disabled = true;
  try {
    const result = await api('/recurring/run', { method: 'POST' });
    toast(result.created ? `${result.created} expense${result.created === 1 ? '' : 's'} written.` : 'Nothing is due; everything is up to date.');
    await reload();
  } catch (error) {
    toast(`Could not run: ${error.message}`, { kind: 'error' });
  } finally {
    button.disabled = false;
  }
}

async function start() {
  if (!startFrame({ n: () => form.elements.vendor.focus() })) return;
  form.addEventListener('submit', submitRule);
  form.elements.unit.addEventListener('change', () => {
    form.elements.dayOfMonth.disabled = form.elements.unit.value !== 'month';
  });
  $('#run-now').addEventListener('click', runNow);
  $('#rules-more').addEventListener('click', () => fetchRules(next).catch(showFatal));
  form.elements.startDate.value = todayIso();
  const [categories, profile] = await Promise.all([api('/categories'), api('/profile')]);
  form.elements.category.replaceChildren(...itemsOf(categories).map((c) => h('option', { value: c.name }, c.name)));
  form.elements.currency.value = profile?.defaultCurrency || '';
  await reload();
  document.body.dataset.ready = 'true';
}

start().catch(showFatal);
