// Expenses page: add/edit/delete with field-level errors, filters + cursor pagination, receipts
// (presigned POST with progress), CSV export and summary charts.
import './styles.css';
import { ApiError, api, cleanQuery, itemsOf } from './api.js';
import {
  $,
  clearFieldErrors,
  confirmDialog,
  formatDate,
  formatMoney,
  h,
  requireSignIn,
  setStatus,
  showFatal,
  showFieldErrors,
  toast,
  todayIso,
} from './ui.js';

const PAGE_SIZE = 25;

// Chart.js is most of this page's JavaScript: load it after the form and the list are usable.
let chartsModule;
async function drawCharts() {
  chartsModule ??= import('./charts.js');
  const { renderSummaryCharts } = await chartsModule;
  renderSummaryCharts(state.summary.items, state.summaryCurrency);
}

const MAX_RECEIPT_BYTES = 10 * 1024 * 1024;
const RECEIPT_TYPES = {
  'image/jpeg': ['jpg', 'jpeg'],
  'image/png': ['png'],
  'image/webp': ['webp'],
  'image/heic': ['heic'],
  'application/pdf': ['pdf'],
};
const AMOUNT_RE = /^\d{1,12}(\.\d{1,2})?$/;
const CURRENCY_RE = /^[A-Z]{3}$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

const form = $('#expense-form');
const filterForm = $('#filter-form');
const state = {
  defaultCurrency: 'EUR',
  categories: [],
  filters: {},
  next: null,
  items: new Map(), // id -> expense, in list order
  summary: { items: [], totals: [] },
  summaryCurrency: null,
  editing: null,
};

// ---------------------------------------------------------------- categories and profile

function categoryName(entry) {
  return typeof entry === 'string' ? entry : entry?.name;
}

async function loadCategories(select) {
  const data = await api('/categories');
  state.categories = itemsOf(data).map(categoryName).filter(Boolean);
  fillCategorySelects(select);
}

function fillCategorySelects(selected) {
  const editor = $('#ex-category');
  const current = selected ?? editor.value;
  editor.replaceChildren(...state.categories.map((name) => h('option', { value: name }, name)));
  if (current && state.categories.includes(current)) editor.value = current;
  const filter = $('#f-category');
  const filterValue = filter.value;
  filter.replaceChildren(
    h('option', { value: '' }, 'All categories'),
    ...state.categories.map((name) => h('option', { value: name }, name)),
  );
  filter.value = state.categories.includes(filterValue) ? filterValue : '';
}

async function loadProfile() {
  try {
    const profile = await api('/profile');
    const currency = profile?.defaultCurrency || profile?.default_currency || profile?.currency;
    if (currency) state.defaultCurrency = String(currency).toUpperCase();
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 404) throw error;
  }
  if (!form.elements.currency.value) form.elements.currency.value = state.defaultCurrency;
}

function wireNewCategory() {
  const toggle = $('#new-category-toggle');
  const panel = $('#new-category');
  const input = $('#new-category-name');
  const message = $('#new-category-status');
  toggle.addEventListener('click', () => {
    const open = panel.hidden;
    panel.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
    if (open) input.focus();
  });
  const add = async () => {
    const name = input.value.trim();
    setStatus(message, '');
    if (!name) {
      setStatus(message, 'Enter a name for the new category.', 'error');
      input.focus();
      return;
    }
    $('#new-category-add').disabled = true;
    try {
      await api('/categories', { method: 'POST', body: { name } });
      await loadCategories(name);
      input.value = '';
      panel.hidden = true;
      toggle.setAttribute('aria-expanded', 'false');
      $('#ex-category').focus();
      toast(`Category “${name}” added.`, { kind: 'success' });
    } catch (error) {
      const detail = error.details?.[0]?.message;
      setStatus(message, detail ? `${error.message} ${detail}` : error.message, 'error');
      input.focus();
    } finally {
      $('#new-category-add').disabled = false;
    }
  };
  $('#new-category-add').addEventListener('click', add);
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      add();
    }
  });
}

// ---------------------------------------------------------------- the editor form

function formValues() {
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
function localProblems(values) {
  const problems = [];
  if (!DATE_RE.test(values.date)) problems.push({ field: 'date', message: 'Enter the date of the expense.' });
  if (!AMOUNT_RE.test(values.amount)) {
    problems.push({ field: 'amount', message: 'Enter an amount like 12.50 (at most 2 decimals).' });
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

function receiptType(file) {
  if (RECEIPT_TYPES[file.type]) return file.type;
  const ext = file.name.split('.').pop().toLowerCase();
  return Object.keys(RECEIPT_TYPES).find((type) => RECEIPT_TYPES[type].includes(ext)) || null;
}

function checkReceipt(file) {
  if (!receiptType(file)) return 'Receipts can be JPEG, PNG, WebP, HEIC or PDF files.';
  if (file.size > MAX_RECEIPT_BYTES) return 'The receipt is larger than 10 MB.';
  if (file.size === 0) return 'The receipt file is empty.';
  return null;
}

let previewUrl = null;

function showReceiptPreview() {
  const box = $('#receipt-preview');
  const file = form.elements.receipt.files[0];
  if (previewUrl) URL.revokeObjectURL(previewUrl);
  previewUrl = null;
  const slot = $('#ex-receipt-error');
  slot.hidden = true;
  form.elements.receipt.removeAttribute('aria-invalid');
  if (!file) {
    box.hidden = true;
    box.replaceChildren();
    return;
  }
  const problem = checkReceipt(file);
  if (problem) {
    showFieldErrors(form, [{ field: 'receipt', message: problem }]);
    box.hidden = true;
    return;
  }
  const type = receiptType(file);
  const size = `${Math.max(1, Math.round(file.size / 1024))} KB`;
  // Browsers cannot draw HEIC; PDFs get a name instead of a thumbnail.
  if (type.startsWith('image/') && type !== 'image/heic') {
    previewUrl = URL.createObjectURL(file);
    box.replaceChildren(h('img', { src: previewUrl, alt: `Preview of ${file.name}` }), h('span', {}, `${file.name} · ${size}`));
  } else {
    box.replaceChildren(h('span', { class: 'file-badge' }, type === 'application/pdf' ? 'PDF' : 'HEIC'), h('span', {}, `${file.name} · ${size}`));
  }
  box.hidden = false;
}

function resetEditor() {
  state.editing = null;
  form.reset();
  clearFieldErrors(form);
  setStatus($('#form-status'), '');
  form.elements.id.value = '';
  form.elements.date.value = todayIso();
  form.elements.currency.value = state.defaultCurrency;
  if (state.categories.length) form.elements.category.value = state.categories[0];
  showReceiptPreview();
  $('#form-title').textContent = 'Add an expense';
  $('#save-expense').textContent = 'Add expense';
  $('#cancel-edit').hidden = true;
}

function startEdit(expense) {
  resetEditor();
  state.editing = expense;
  const el = form.elements;
  el.id.value = expense.id;
  el.date.value = String(expense.date || '').slice(0, 10);
  el.amount.value = expense.amount;
  el.currency.value = expense.currency;
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

function changedFields(values, original) {
  const patch = {};
  for (const [key, value] of Object.entries(values)) {
    const before = original[key] ?? (key === 'tags' ? [] : '');
    if (JSON.stringify(value) !== JSON.stringify(before)) patch[key] = value;
  }
  return patch;
}

function requestBody(values) {
  // Optional text fields are left out when empty rather than sent as "".
  const body = { ...values };
  for (const key of ['vendor', 'description']) if (!body[key]) delete body[key];
  if (!body.tags.length) delete body.tags;
  return body;
}

async function submitExpense(event) {
  event.preventDefault();
  clearFieldErrors(form);
  const status = $('#form-status');
  setStatus(status, '');
  const values = formValues();
  const problems = localProblems(values);
  if (problems.length) {
    showFieldErrors(form, problems);
    setStatus(status, 'Please correct the highlighted fields.', 'error');
    return;
  }
  const file = form.elements.receipt.files[0];
  const button = $('#save-expense');
  button.disabled = true;
  form.setAttribute('aria-busy', 'true');
  try {
    let saved;
    if (state.editing) {
      const patch = changedFields(values, state.editing);
      saved = Object.keys(patch).length
        ? await api(`/expenses/${encodeURIComponent(state.editing.id)}`, { method: 'PATCH', body: patch })
        : state.editing;
    } else {
      saved = await api('/expenses', { method: 'POST', body: requestBody(values) });
    }
    const wasEditing = Boolean(state.editing);
    if (file && saved?.id) {
      try {
        await uploadReceipt(saved.id, file);
      } catch (error) {
        toast(`The expense was saved but the receipt was not: ${error.message}`, { kind: 'error', timeout: 10000 });
      }
    }
    resetEditor();
    toast(wasEditing ? 'Expense updated.' : 'Expense added.', { kind: 'success' });
    await Promise.all([reloadList(), loadSummary()]);
  } catch (error) {
    if (error instanceof ApiError && error.details.length) {
      const unmatched = showFieldErrors(form, error.details);
      const extra = unmatched.map((d) => `${d.field}: ${d.message}`).join('; ');
      setStatus(status, extra ? `${error.message} (${extra})` : error.message, 'error');
    } else {
      setStatus(status, error.message, 'error');
    }
  } finally {
    button.disabled = false;
    form.removeAttribute('aria-busy');
  }
}

// ---------------------------------------------------------------- receipts

async function uploadReceipt(expenseId, file) {
  const contentType = receiptType(file);
  const presigned = await api(`/expenses/${encodeURIComponent(expenseId)}/receipt`, {
    method: 'POST',
    body: { contentType, fileName: file.name.slice(0, 200) },
  });
  const box = $('#upload-progress');
  const bar = $('#upload-bar');
  bar.value = 0;
  box.hidden = false;
  try {
    await new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', presigned.url);
      xhr.upload.addEventListener('progress', (event) => {
        if (event.lengthComputable) bar.value = Math.round((event.loaded / event.total) * 100);
      });
      xhr.addEventListener('load', () => {
        if (xhr.status >= 200 && xhr.status < 300) resolve();
        else reject(new Error(`the storage service answered HTTP ${xhr.status}`));
      });
      xhr.addEventListener('error', () => reject(new Error('the upload could not reach the storage service')));
      const data = new FormData();
      for (const [key, value] of Object.entries(presigned.fields || {})) data.append(key, value);
      data.append('file', file); // S3 requires the file to be the last field
      xhr.send(data);
    });
    bar.value = 100;
  } finally {
    box.hidden = true;
  }
}

async function viewReceipt(expense) {
  try {
    const link = await api(`/expenses/${encodeURIComponent(expense.id)}/receipt`);
    const url = link.url;
    const type = link.contentType || expense.receiptContentType || '';
    const titleId = 'receipt-dialog-title';
    const dialog = h(
      'dialog',
      { class: 'dialog', 'aria-labelledby': titleId },
      h('form', { method: 'dialog' },
        h('h2', { id: titleId }, `Receipt: ${expense.vendor || expense.category || formatDate(expense.date)}`),
        type.startsWith('image/') && type !== 'image/heic'
          ? h('img', { src: url, alt: `Receipt for ${expense.vendor || 'this expense'}`, class: 'receipt-full' })
          : null,
        h('p', {}, h('a', { href: url, target: '_blank', rel: 'noopener', id: 'receipt-link' }, 'Open the receipt in a new tab')),
        h('p', { class: 'hint' }, 'The link works for a few minutes.'),
        h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'secondary', autofocus: true }, 'Close')),
      ),
    );
    dialog.addEventListener('close', () => dialog.remove());
    document.body.append(dialog);
    dialog.showModal();
  } catch (error) {
    toast(error.status === 404 ? 'This expense has no receipt yet.' : error.message, { kind: 'error' });
  }
}

function hasReceipt(expense) {
  return Boolean(expense.receiptContentType);
}

// ---------------------------------------------------------------- the list

function expenseRow(expense) {
  const imported = expense.source === 'aws' || String(expense.vendor || '').startsWith('AWS - ');
  const label = `${expense.vendor || expense.category} ${formatDate(expense.date)}`;
  const actions = h('div', { class: 'row-actions' },
    h('button', { type: 'button', class: 'secondary small', 'aria-label': `Edit ${label}`, onclick: () => startEdit(expense) }, 'Edit'),
    hasReceipt(expense)
      ? h('button', { type: 'button', class: 'secondary small', 'aria-label': `View receipt of ${label}`, onclick: () => viewReceipt(expense) }, 'Receipt')
      : null,
    h('button', { type: 'button', class: 'danger small', 'aria-label': `Delete ${label}`, onclick: () => deleteExpense(expense) }, 'Delete'),
  );
  const tags = (expense.tags || []).map((tag) => h('span', { class: 'tag' }, tag));
  return h('tr', { dataset: { id: expense.id } },
    h('td', { 'data-label': 'Date' }, h('time', { datetime: expense.date }, formatDate(expense.date))),
    h('td', { 'data-label': 'Vendor' }, expense.vendor || '—', imported ? h('span', { class: 'badge' }, 'imported') : null),
    h('td', { 'data-label': 'Category' }, expense.category || '—'),
    h('td', { 'data-label': 'Description' }, expense.description || '', tags.length ? h('span', { class: 'tags' }, tags) : null),
    h('td', { 'data-label': 'Amount', class: 'num' }, formatMoney(expense.amount, expense.currency)),
    h('td', { class: 'actions-cell' }, actions),
  );
}

function renderList() {
  const rows = [...state.items.values()].map(expenseRow);
  $('#expense-rows').replaceChildren(...rows);
  $('#expense-table').hidden = rows.length === 0;
  $('#empty-state').hidden = rows.length !== 0;
  const filtered = Object.keys(state.filters).length > 0;
  $('#empty-state').querySelector('strong').textContent = filtered
    ? 'No expenses match these filters.'
    : 'No expenses yet.';
  $('#load-more').hidden = !state.next;
}

// Answers that arrive after a newer request was made (filters changed again) are dropped.
let listSeq = 0;
let summarySeq = 0;

async function fetchPage(next) {
  const region = $('#list-region');
  const status = $('#list-status');
  const seq = ++listSeq;
  region.setAttribute('aria-busy', 'true');
  setStatus(status, next ? 'Loading more expenses…' : 'Loading expenses…', 'info');
  try {
    const data = await api('/expenses', { query: { ...state.filters, limit: PAGE_SIZE, next } });
    if (seq !== listSeq) return;
    if (!next) state.items.clear();
    for (const item of itemsOf(data)) state.items.set(item.id, item);
    state.next = data?.next || null;
    renderList();
    const count = state.items.size;
    setStatus(status, count ? `Showing ${count} expense${count === 1 ? '' : 's'}${state.next ? ' (more available)' : ''}.` : '', 'info');
  } catch (error) {
    if (seq !== listSeq) return;
    setStatus(status, `Could not load expenses: ${error.message}`, 'error');
    if (!next) {
      $('#expense-table').hidden = true;
      $('#empty-state').hidden = true;
    }
  } finally {
    if (seq === listSeq) region.setAttribute('aria-busy', 'false');
  }
}

function reloadList() {
  state.next = null;
  return fetchPage(null);
}

async function deleteExpense(expense) {
  const label = `${expense.vendor || expense.category || 'this expense'} (${formatMoney(expense.amount, expense.currency)}, ${formatDate(expense.date)})`;
  const ok = await confirmDialog('Delete this expense?', `${label} will be deleted together with its receipt.`, 'Delete');
  if (!ok) return;
  try {
    await api(`/expenses/${encodeURIComponent(expense.id)}`, { method: 'DELETE' });
  } catch (error) {
    toast(`Could not delete: ${error.message}`, { kind: 'error' });
    return;
  }
  state.items.delete(expense.id);
  if (state.editing?.id === expense.id) resetEditor();
  renderList();
  loadSummary();
  // The row (and the focused Delete button) is gone: put focus on Undo, then back on the list.
  toast('Expense deleted.', {
    timeout: 8000,
    focusAction: true,
    returnFocus: $('#list-title'),
    action: {
      label: 'Undo',
      run: async () => {
        const { date, amount, currency, category, vendor, description, tags } = expense;
        try {
          await api('/expenses', {
            method: 'POST',
            body: requestBody({ date, amount, currency, category, vendor: vendor || '', description: description || '', tags: tags || [] }),
          });
          toast(hasReceipt(expense) ? 'Expense restored (without its receipt).' : 'Expense restored.', { kind: 'success' });
          await Promise.all([reloadList(), loadSummary()]);
        } catch (error) {
          toast(`Could not restore: ${error.message}`, { kind: 'error' });
        }
      },
    },
  });
}

// ---------------------------------------------------------------- filters and export

function readFilters() {
  const el = filterForm.elements;
  return cleanQuery({
    from: el.from.value,
    to: el.to.value,
    category: el.category.value,
    tag: el.tag.value,
    vendor: el.vendor.value,
    currency: el.currency.value.toUpperCase(),
    min: el.min.value.replace(',', '.'),
    max: el.max.value.replace(',', '.'),
  });
}

async function exportCsv() {
  const status = $('#export-status');
  const button = $('#export-csv');
  button.disabled = true;
  setStatus(status, 'Preparing the CSV export…', 'info');
  try {
    const data = await api('/expenses/export', { query: state.filters });
    const rows = Number(data?.rows ?? 0);
    status.replaceChildren(
      `Export ready: ${rows} row${rows === 1 ? '' : 's'}. `,
      h('a', { href: data.url, id: 'export-link', download: 'outlay-expenses.csv', rel: 'noopener' }, 'Download the CSV'),
      ' (the link works for a few minutes).',
    );
    status.dataset.kind = 'success';
    status.dataset.rows = String(rows);
    status.hidden = false;
  } catch (error) {
    setStatus(status, `Export failed: ${error.message}`, 'error');
  } finally {
    button.disabled = false;
  }
}

// ---------------------------------------------------------------- summary

async function loadSummary() {
  const status = $('#summary-status');
  try {
    // The summary is monthly: a date filter selects the months it falls in (default: last 12 months).
    const { from, to } = state.filters;
    const seq = ++summarySeq;
    const data = await api('/summary', { query: { from: from?.slice(0, 7), to: to?.slice(0, 7) } });
    if (seq !== summarySeq) return;
    state.summary = { items: itemsOf(data), totals: Array.isArray(data?.totals) ? data.totals : [] };
    await renderSummary();
    setStatus(status, state.summary.items.length ? '' : 'Add expenses to see where your money goes.', 'info');
  } catch (error) {
    setStatus(status, `Could not load the summary: ${error.message}`, 'error');
  }
}

function renderSummary() {
  const currencies = [
    ...new Set([...state.summary.totals.map((t) => t.currency), ...state.summary.items.map((i) => i.currency)]),
  ].sort();
  if (!currencies.includes(state.summaryCurrency)) {
    state.summaryCurrency = currencies.includes(state.defaultCurrency) ? state.defaultCurrency : currencies[0] || state.defaultCurrency;
  }
  const select = $('#summary-currency');
  select.replaceChildren(...currencies.map((c) => h('option', { value: c }, c)));
  select.value = state.summaryCurrency;
  $('#summary-currency-field').hidden = currencies.length < 2;
  $('#summary-totals').replaceChildren(
    ...state.summary.totals.map((t) =>
      h('li', { dataset: { currency: t.currency } }, h('span', { class: 'label' }, `Total ${t.currency}`), h('strong', {}, formatMoney(t.total, t.currency))),
    ),
  );
  return drawCharts();
}

// ---------------------------------------------------------------- start

async function start() {
  if (!requireSignIn()) return;
  form.elements.date.value = todayIso();
  form.addEventListener('submit', submitExpense);
  form.elements.receipt.addEventListener('change', showReceiptPreview);
  form.elements.currency.addEventListener('input', (e) => {
    e.target.value = e.target.value.toUpperCase();
  });
  $('#cancel-edit').addEventListener('click', () => {
    resetEditor();
    form.elements.amount.focus();
  });
  wireNewCategory();
  filterForm.addEventListener('submit', (event) => {
    event.preventDefault();
    state.filters = readFilters();
    reloadList();
    loadSummary();
  });
  filterForm.addEventListener('reset', () => {
    // Let the browser clear the inputs first.
    setTimeout(() => {
      state.filters = {};
      setStatus($('#export-status'), '');
      reloadList();
      loadSummary();
    });
  });
  $('#load-more').addEventListener('click', () => fetchPage(state.next));
  $('#export-csv').addEventListener('click', exportCsv);
  $('#summary-currency').addEventListener('change', (event) => {
    state.summaryCurrency = event.target.value;
    drawCharts().catch(showFatal);
  });

  await Promise.all([loadCategories(), loadProfile()]);
  if (state.categories.length && !form.elements.category.value) form.elements.category.value = state.categories[0];
  await Promise.all([reloadList(), loadSummary()]);
  document.body.dataset.ready = 'true';
}

start().catch(showFatal);
