// The expense list: rows, cursor paging ("Load more"), delete with confirm and undo.
import { api, itemsOf } from '../api.js';
import { $, confirmDialog, formatDate, formatMoney, h, setStatus, toast } from '../ui.js';
import { requestBody, resetEditor, startEdit } from './editor.js';
import { hasReceipt, viewReceipt } from './receipts.js';
import { PAGE_SIZE, state } from './state.js';
import { loadSummary } from './summary.js';

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
  // "No match" only once the API says nothing is left to read (`next` absent).
  $('#empty-state').hidden = rows.length !== 0 || Boolean(state.next);
  const filtered = Object.keys(state.filters).length > 0;
  $('#empty-state').querySelector('strong').textContent = filtered
    ? 'No expenses match these filters.'
    : 'No expenses yet.';
  $('#load-more').hidden = !state.next;
  $('#load-more').textContent = rows.length ? 'Load more' : 'Keep searching';
}

// A page of combined filters may come back empty with `next`: keep reading a few pages before
// asking the user (each page is bounded by the API, so this never runs away).
const AUTO_CONTINUE = 5;

// Answers that arrive after a newer request was made (filters changed again) are dropped.
let listSeq = 0;

export async function fetchPage(next, emptyRounds = 0) {
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
    const added = itemsOf(data).length;
    if (!added && state.next && emptyRounds < AUTO_CONTINUE) {
      return fetchPage(state.next, emptyRounds + 1);
    }
    renderList();
    const count = state.items.size;
    if (count) {
      setStatus(status, `Showing ${count} expense${count === 1 ? '' : 's'}${state.next ? ' (more available)' : ''}.`, 'info');
    } else {
      setStatus(status, state.next ? 'No matches in the expenses searched so far; there are more to search.' : '', 'info');
    }
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

export function reloadList() {
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
