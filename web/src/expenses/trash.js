// The trash: deleted expenses kept 30 days with their receipts; Restore brings back the same id.
import { api, itemsOf } from '../api.js';
import { $, confirmDialog, formatDate, formatMoney, h, setStatus, toast } from '../ui.js';
import { PAGE_SIZE } from './state.js';

const trash = { items: new Map(), next: null, open: false };
let onRestored = async () => {};

function daysLeft(expiresAt) {
  const ms = Date.parse(expiresAt) - Date.now();
  return Math.max(0, Math.ceil(ms / 86_400_000));
}

function describe(expense) {
  return `${expense.vendor || expense.category || 'expense'} (${formatMoney(expense.amount, expense.currency)}, ${formatDate(expense.date)})`;
}

function trashRow(expense) {
  const label = describe(expense);
  const left = daysLeft(expense.expiresAt);
  return h('tr', { dataset: { id: expense.id } },
    h('td', { 'data-label': 'Deleted' }, h('time', { datetime: expense.deletedAt }, formatDate(expense.deletedAt)),
      h('span', { class: 'hint' }, ` · ${left} day${left === 1 ? '' : 's'} left`)),
    h('td', { 'data-label': 'Vendor' }, expense.vendor || '—'),
    h('td', { 'data-label': 'Category' }, expense.category || '—'),
    h('td', { 'data-label': 'Amount', class: 'num' }, formatMoney(expense.amount, expense.currency)),
    h('td', { class: 'actions-cell' }, h('div', { class: 'row-actions' },
      h('button', { type: 'button', class: 'secondary small', 'aria-label': `Restore ${label}`, onclick: () => restoreFromTrash(expense.id) }, 'Restore'),
      h('button', { type: 'button', class: 'danger small', 'aria-label': `Delete ${label} for good`, onclick: () => purge(expense) }, 'Delete for good'),
    )),
  );
}

function render() {
  // Newest deletion first within what has been loaded.
  const items = [...trash.items.values()].sort((a, b) => String(b.deletedAt).localeCompare(String(a.deletedAt)));
  $('#trash-rows').replaceChildren(...items.map(trashRow));
  $('#trash-table').hidden = items.length === 0;
  $('#trash-empty').hidden = items.length !== 0;
  $('#trash-more').hidden = !trash.next;
  $('#trash-empty-all').hidden = items.length === 0;
}

async function loadTrash(next) {
  const status = $('#trash-status');
  setStatus(status, 'Loading the trash…', 'info');
  try {
    const data = await api('/trash', { query: { limit: PAGE_SIZE, next } });
    if (!next) trash.items.clear();
    for (const item of itemsOf(data)) trash.items.set(item.id, item);
    trash.next = data?.next || null;
    render();
    setStatus(status, '');
  } catch (error) {
    setStatus(status, `Could not load the trash: ${error.message}`, 'error');
  }
}

/** Undo and the trash's Restore: the same expense (id, receipt) comes back. Throws on failure. */
export async function restoreExpense(id) {
  const restored = await api(`/trash/${encodeURIComponent(id)}/restore`, { method: 'POST' });
  trash.items.delete(id);
  if (trash.open) render();
  await onRestored(restored);
  return restored;
}

async function restoreFromTrash(id) {
  try {
    await restoreExpense(id);
    toast('Expense restored.', { kind: 'success' });
  } catch (error) {
    toast(`Could not restore: ${error.message}`, { kind: 'error' });
  }
  $('#trash-title').focus();
}

async function purge(expense) {
  const ok = await confirmDialog('Delete for good?', `${describe(expense)} and its receipt will be gone for good.`, 'Delete for good');
  if (!ok) return;
  try {
    await api(`/trash/${encodeURIComponent(expense.id)}`, { method: 'DELETE' });
    trash.items.delete(expense.id);
    render();
    toast('Deleted for good.', { kind: 'success' });
  } catch (error) {
    toast(`Could not delete: ${error.message}`, { kind: 'error' });
  }
  $('#trash-title').focus();
}

async function emptyTrash() {
  const ok = await confirmDialog('Empty the trash?', 'Every expense in the trash and its receipt will be gone for good.', 'Empty trash');
  if (!ok) return;
  try {
    const result = await api('/trash', { method: 'DELETE' });
    toast(`${result?.deleted ?? 0} deleted for good.`, { kind: 'success' });
  } catch (error) {
    toast(`Could not empty the trash: ${error.message}`, { kind: 'error' });
  }
  await loadTrash(null);
  $('#trash-title').focus();
}

/** After a delete elsewhere on the page, an open trash shows the newcomer. */
export function refreshTrash() {
  if (trash.open) loadTrash(null);
}

export function wireTrash(restored) {
  onRestored = restored;
  const toggle = $('#trash-toggle');
  toggle.addEventListener('click', () => {
    trash.open = !trash.open;
    $('#trash-body').hidden = !trash.open;
    toggle.setAttribute('aria-expanded', String(trash.open));
    toggle.textContent = trash.open ? 'Hide trash' : 'Show trash';
    if (trash.open) loadTrash(null);
  });
  $('#trash-more').addEventListener('click', () => loadTrash(trash.next));
  $('#trash-empty-all').addEventListener('click', emptyTrash);
}
