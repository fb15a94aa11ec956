// The expense list: rows, cursor paging ("Load more"), delete with confirm and undo.
import { api, itemsOf } from '../api.js';
import { $, confirmDialog, formatDate, formatMoney, h, setStatus, toast } from '../ui.js';
import { requestBody, resetEditor, startEdit } from './editor.js';
import { hasReceipt, viewReceipt } from './receipts.js';
import { PAGE_SIZE, state } from './state.js';
import { loadSummary } from './summary.js';

// Imported AWS lines: what an edit or a delete does to them (issue 11: ownership of imported lines).
const IMPORTED_EDIT_HINT = 'Imported from your AWS bill: what you change here stays when the month is imported again; fields you leave alone keep following AWS.';
const IMPORTED_DELETE_HINT = 'It was imported from your AWS bill: deleting dismisses it, so later imports will not bring it back. You can restore it under Settings → Dismissed imported lines.';

function importBadges(expense) {
  const badges = [];
  if (expense.estimated) badges.push(h('span', { class: 'badge', title: 'AWS has not finalized this month yet; the amount may still change.' }, 'estimated'));
  const reported = expense.awsReported;
  if (reported?.amount !== undefined && reported?.amount !== null) {
    const now = formatMoney(reported.amount, reported.currency || expense.currency);
    badges.push(h('span', { class: 'badge', title: 'You changed the amount; imports keep your value.' }, `AWS now reports ${now}`));
  }
  return badges;
}

function expenseRow(expense) {
  const fromAws = expense.source === 'aws';
  const imported = fromAws || String(expense.vendor || '').startsWith('AWS - ');
  const label = `${expense.vendor || expense.category} ${formatDate(expense.date)}`;
  const edit = () => {
    startEdit(expense);
    if (fromAws) setStatus($('#form-status'), IMPORTED_EDIT_HINT, 'info');
  };
  const actions = h('div', { class: 'row-actions' },
    h('button', { type: 'button', class: 'secondary small', 'aria-label': `Edit ${label}`, title: fromAws ? IMPORTED_EDIT_HINT : null, onclick: edit }, 'Edit'),
    hasReceipt(expense)
      ? h('button', { type: 'button', class: 'secondary small', 'aria-label': `View receipt of ${label}`, onclick: () => viewReceipt(expense) }, 'Receipt')
      : null,
    h('button', { type: 'button', class: 'danger small', 'aria-label': `Delete ${label}`, onclick: () => deleteExpense(expense) }, 'Delete'),
  );
  const tags = (expense.tags || []).map((tag) => h('span', { class: 'tag' }, tag));
  return h('tr', { dataset: { id: expense.id } },
    h('td', { 'data-label': 'Date' }, h('time', { datetime: expense.date }, formatDate(expense.date))),
    h('td', { 'data-label': 'Vendor' }, expense.vendor || '—', imported ? h('span', { class: 'badge' }, 'imported') : null, ...importBadges(expense)),
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

export async function fetchPage(next) {
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

export function reloadList() {
  state.next = null;
  return fetchPage(null);
}

async function deleteExpense(expense) {
  const label = `${expense.vendor || expense.category || 'this expense'} (${formatMoney(expense.amount, expense.currency)}, ${formatDate(expense.date)})`;
  const fromAws = expense.source === 'aws';
  const what = `${label} will be deleted together with its receipt.${fromAws ? ` ${IMPORTED_DELETE_HINT}` : ''}`;
  const ok = await confirmDialog(fromAws ? 'Delete this imported line?' : 'Delete this expense?', what, 'Delete');
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
          if (fromAws) {
            // An imported line comes back under its own id, and imports update it again.
            await api(`/aws-cost-import/dismissed/${encodeURIComponent(expense.id)}/restore`, { method: 'POST' });
            toast('Imported line restored.', { kind: 'success' });
            await Promise.all([reloadList(), loadSummary()]);
            return;
          }
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
