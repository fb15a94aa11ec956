// The add/edit form's values: reading them, the API's checks done locally, reset and start-edit.
import { $, clearFieldErrors, setStatus, todayIso } from '../ui.js';
import { fillCategorySelects } from './categories.js';
import { applyAmountRule, currentAmountRule } from './currencies.js';
import { checkReceipt, showReceiptPreview } from './receipts.js';
import { form, state } from './state.js';

const CURRENCY_RE = /^[A-Z]{3}$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

export function formValues() {
  const el = form.elements;
  return {
    date: el.date.value.trim(),
    amount: el.amount.value.trim().replace(',', '.'),
    currency: el.currency.value.trim().toUpperCase(),
    category: el.category.value,
    vendor: el.vendor.value.trim(),
    description: el.description.value.trim(),
    tags: el.tags.value
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean),
  };
}

/** The same checks the API makes, so most mistakes are caught before a round trip. */
export function localProblems(values) {
  const problems = [];
  if (!DATE_RE.test(values.date)) problems.push({ field: 'date', message: 'Enter the date of the expense.' });
  const rule = currentAmountRule();
  if (!rule.regex.test(values.amount)) {
    problems.push({ field: 'amount', message: `Enter an amount like ${rule.example} (${rule.code || 'this currency'}: ${rule.hint}).` });
  } else if (/^0+(\.0+)?$/.test(values.amount)) {
    problems.push({ field: 'amount', message: 'The amount must be more than zero.' });
  }
  if (!CURRENCY_RE.test(values.currency)) {
    problems.push({ field: 'currency', message: 'Use a three-letter currency code such as EUR.' });
  }
  if (!values.category) problems.push({ field: 'category', message: 'Choose a category.' });
  const file = form.elements.receipt.files[0];
  const receiptProblem = file && checkReceipt(file);
  if (receiptProblem) problems.push({ field: 'receipt', message: receiptProblem });
  return problems;
}

export function resetEditor() {
  state.editing = null;
  form.reset();
  clearFieldErrors(form);
  setStatus($('#form-status'), '');
  form.elements.id.value = '';
  form.elements.date.value = todayIso();
  form.elements.currency.value = state.defaultCurrency;
  applyAmountRule();
  if (state.categories.length) form.elements.category.value = state.categories[0];
  showReceiptPreview();
  $('#form-title').textContent = 'Add an expense';
  $('#save-expense').textContent = 'Add expense';
  $('#cancel-edit').hidden = true;
}

/** Show the editor (on phones it is folded away behind "New expense" until asked for). */
export function openEditor() {
  $('#expense-editor').dataset.open = 'true';
  $('#new-expense-toggle').setAttribute('aria-expanded', 'true');
}

export function closeEditor() {
  delete $('#expense-editor').dataset.open;
  $('#new-expense-toggle').setAttribute('aria-expanded', 'false');
}

/** "New expense" (button, shortcut, empty-state link): a fresh form, shown, focused on the amount. */
export function newExpense() {
  if (state.editing) resetEditor();
  openEditor();
  $('#expense-editor').scrollIntoView({ block: 'nearest' });
  form.elements.amount.focus();
}

export function startEdit(expense) {
  resetEditor();
  openEditor();
  state.editing = expense;
  const el = form.elements;
  el.id.value = expense.id;
  el.date.value = String(expense.date || '').slice(0, 10);
  el.amount.value = expense.amount;
  el.currency.value = expense.currency;
  applyAmountRule();
  if (expense.category && !state.categories.includes(expense.category)) {
    state.categories.push(expense.category);
    fillCategorySelects(expense.category);
  }
  el.category.value = expense.category || '';
  el.vendor.value = expense.vendor || '';
  el.description.value = expense.description || '';
  el.tags.value = (expense.tags || []).join(', ');
  $('#form-title').textContent = 'Edit expense';
  $('#save-expense').textContent = 'Save changes';
  $('#cancel-edit').hidden = false;
  $('#expense-editor').scrollIntoView({ block: 'start' });
  el.amount.focus();
}

export function changedFields(values, original) {
  const patch = {};
  for (const [key, value] of Object.entries(values)) {
    const before = original[key] ?? (key === 'tags' ? [] : '');
    if (JSON.stringify(value) !== JSON.stringify(before)) patch[key] = value;
  }
  return patch;
}

export function requestBody(values) {
  // Optional text fields are left out when empty rather than sent as "".
  const body = { ...values };
  for (const key of ['vendor', 'description']) if (!body[key]) delete body[key];
  if (!body.tags.length) delete body.tags;
  return body;
}
