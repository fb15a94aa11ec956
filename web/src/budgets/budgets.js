// Budgets on the expenses page: this month's progress per budget (spent, remaining, days left), the
// over-budget flag, the AWS forecast warning, and set / edit / delete (with Undo). GET /budgets reads
// the monthly aggregates, so refreshing after every change is cheap.
import './budgets.css';
import { ApiError, api, itemsOf } from '../api.js';
import { $, clearFieldErrors, formatDateTime, formatMonth, formatMoney, h, setStatus, showFieldErrors, toast } from '../ui.js';
import { state as page } from '../expenses/state.js';

const form = $('#budget-form');
const budgets = { month: null, daysLeft: 0, awsCategory: null, items: [], editing: null };
let loading = null;
let again = false;

function nameOf(budget) {
  return budget.category ?? 'All spending';
}

function labelOf(budget) {
  return `${nameOf(budget)} (${budget.currency})`;
}

/** Reload the budgets; calls made while one is in flight coalesce into one more load. */
export function refreshBudgets() {
  if (loading) {
    again = true;
    return loading;
  }
  loading = loadBudgets().finally(() => {
    loading = null;
    if (again) {
      again = false;
      refreshBudgets();
    }
  });
  return loading;
}

/** After the page fetched the AWS forecast (the costs function stores it): reload only when an AWS
 * budget is there to be checked against it. */
export async function refreshAfterForecast() {
  if (loading) await loading; // a load still under way may have read the forecast before it was stored
  if (budgets.items.some((b) => b.category === budgets.awsCategory)) await refreshBudgets();
}

async function loadBudgets() {
  const status = $('#budgets-status');
  try {
    const data = await api('/budgets');
    budgets.month = data?.month;
    budgets.daysLeft = Number(data?.daysLeft ?? 0);
    budgets.awsCategory = data?.awsCategory ?? null;
    budgets.items = itemsOf(data);
    render();
    setStatus(status, '');
  } catch (error) {
    setStatus(status, `Could not load the budgets: ${error.message}`, 'error');
  }
}

function percent(spent, available) {
  const a = Number(available);
  if (!(a > 0)) return Number(spent) > 0 ? 100 : 0;
  return Math.min(100, Math.round((Number(spent) / a) * 100));
}

function forecastLine(budget) {
  const check = budget.awsForecast;
  if (!check) return null;
  const when = `Cost Explorer forecast as of ${formatDateTime(check.fetchedAt)}`;
  if (check.exceeds) {
    return h('p', { class: 'budget-warning', role: 'note' },
      h('strong', {}, `Forecast ${formatMoney(check.projected, budget.currency)} will exceed your ${formatMoney(budget.available, budget.currency)} AWS budget`),
      h('span', { class: 'hint' }, ` · spent ${formatMoney(budget.spent, budget.currency)} + AWS forecast ${formatMoney(check.forecast, budget.currency)}; ${when}`),
    );
  }
  return h('p', { class: 'hint' }, `AWS forecast: ${formatMoney(check.projected, budget.currency)} by month end, within budget (${when})`);
}

// The fill's width is set through the CSSOM: the page's CSP refuses style attributes.
function bar(pct) {
  const fill = h('span');
  fill.style.width = `${pct}%`;
  return fill;
}

function budgetItem(budget) {
  const over = Boolean(budget.over);
  const remaining = String(budget.remaining);
  const left = over
    ? h('span', { class: 'budget-over-text' }, `${formatMoney(remaining.replace('-', ''), budget.currency)} over`)
    : `${formatMoney(remaining, budget.currency)} left`;
  const carried = Number(budget.carried) !== 0
    ? h('p', { class: 'hint' }, `${Number(budget.carried) > 0 ? 'Includes' : 'Less'} ${formatMoney(String(budget.carried).replace('-', ''), budget.currency)} ${Number(budget.carried) > 0 ? 'left over from' : 'overspent in'} last month`)
    : null;
  const pct = percent(budget.spent, budget.available);
  return h('li', { class: `budget${over ? ' is-over' : ''}${budget.awsForecast?.exceeds ? ' is-warned' : ''}`, dataset: { category: budget.category ?? '', currency: budget.currency } },
    h('div', { class: 'budget-head' },
      h('span', { class: 'budget-name' }, nameOf(budget), h('span', { class: 'hint' }, ` ${budget.currency}`),
        budget.rollover ? h('span', { class: 'badge' }, 'rollover') : null,
        over ? h('span', { class: 'badge badge-over' }, 'Over budget') : null),
      h('span', { class: 'row-actions' },
        h('button', { type: 'button', class: 'link-button', 'aria-label': `Edit budget ${labelOf(budget)}`, onclick: () => openForm(budget) }, 'Edit'),
        h('button', { type: 'button', class: 'link-button danger-link', 'aria-label': `Delete budget ${labelOf(budget)}`, onclick: () => remove(budget) }, 'Delete'),
      ),
    ),
    h('div', {
      class: 'budget-bar',
      role: 'progressbar',
      'aria-label': `${labelOf(budget)} spent`,
      'aria-valuemin': '0',
      'aria-valuemax': '100',
      'aria-valuenow': String(pct),
      'aria-valuetext': `${formatMoney(budget.spent, budget.currency)} of ${formatMoney(budget.available, budget.currency)}`,
    }, bar(pct)),
    h('p', { class: 'budget-figures' },
      `Spent ${formatMoney(budget.spent, budget.currency)} of ${formatMoney(budget.available, budget.currency)} · `, left,
      ` · ${budgets.daysLeft} day${budgets.daysLeft === 1 ? '' : 's'} left`),
    carried,
    forecastLine(budget),
  );
}

function render() {
  $('#budgets-month').textContent = budgets.month ? `· ${formatMonth(budgets.month)}` : '';
  $('#budget-list').replaceChildren(...budgets.items.map(budgetItem));
  $('#budget-list').hidden = budgets.items.length === 0;
  $('#budgets-empty').hidden = budgets.items.length !== 0;
}

function fillCategories(selected) {
  const select = form.elements.category;
  select.replaceChildren(
    h('option', { value: '' }, 'All spending (overall)'),
    ...page.categories.map((name) => h('option', { value: name }, name)),
  );
  select.value = selected ?? '';
}

function openForm(budget = null) {
  budgets.editing = budget;
  clearFieldErrors(form);
  setStatus($('#budget-form-status'), '');
  fillCategories(budget ? budget.category ?? '' : page.categories[0]);
  form.elements.currency.value = budget?.currency ?? page.defaultCurrency;
  form.elements.amount.value = budget?.amount ?? '';
  form.elements.rollover.checked = Boolean(budget?.rollover);
  // A budget is known by its category and currency: editing changes the amount and rollover only.
  form.elements.category.disabled = Boolean(budget);
  form.elements.currency.disabled = Boolean(budget);
  form.hidden = false;
  $('#budget-new').setAttribute('aria-expanded', 'true');
  (budget ? form.elements.amount : form.elements.category).focus();
}

function closeForm() {
  form.hidden = true;
  budgets.editing = null;
  $('#budget-new').setAttribute('aria-expanded', 'false');
  $('#budget-new').focus();
}

function bodyOf(values) {
  const body = { currency: values.currency, amount: values.amount, rollover: Boolean(values.rollover) };
  if (values.category) body.category = values.category;
  return body;
}

async function save(event) {
  event.preventDefault();
  clearFieldErrors(form);
  const status = $('#budget-form-status');
  const body = bodyOf({
    category: form.elements.category.value,
    currency: form.elements.currency.value.trim().toUpperCase(),
    amount: form.elements.amount.value.trim(),
    rollover: form.elements.rollover.checked,
  });
  try {
    const saved = await api('/budgets', { method: 'PUT', body });
    closeForm();
    toast(`Budget saved: ${labelOf(saved)}`, { kind: 'success' });
    await refreshBudgets();
  } catch (error) {
    const unmatched = error instanceof ApiError ? showFieldErrors(form, error.details) : [];
    if (!(error instanceof ApiError) || unmatched.length || !error.details.length) setStatus(status, error.message, 'error');
  }
}

async function remove(budget) {
  const query = { currency: budget.currency, category: budget.category ?? undefined };
  try {
    const gone = await api('/budgets', { method: 'DELETE', query });
    await refreshBudgets();
    toast(`Budget deleted: ${labelOf(gone)}`, {
      action: {
        label: 'Undo',
        run: () => api('/budgets', { method: 'PUT', body: bodyOf(gone) }).then(refreshBudgets, (error) => toast(error.message, { kind: 'error' })),
      },
    });
  } catch (error) {
    toast(`Could not delete the budget: ${error.message}`, { kind: 'error' });
  }
}

export function wireBudgets() {
  $('#budget-new').addEventListener('click', () => (form.hidden ? openForm() : closeForm()));
  $('#budget-cancel').addEventListener('click', closeForm);
  form.addEventListener('submit', save);
}
