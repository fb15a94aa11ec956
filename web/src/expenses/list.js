// The expense list: rows, cursor paging ("Load more"), delete with confirm and undo.
import { api, itemsOf } from '../api.js';
import { $, confirmDialog, formatDate, formatMoney, h, setStatus, toast } from '../ui.js';
import { resetEditor, startEdit } from './editor.js';
import { hasReceipt, viewReceipt } from './receipts.js';
import { PAGE_SIZE, state } from './state.js';
import { loadSummary } from './summary.js';
import { refreshTrash, restoreExpense } from './trash.js';
import { loadWasteBadges, wasteBadgeFor } from '../insights/badges.js';

let menuSeq = 0;

/** Close every open row menu (optionally keeping one). */
function closeMenus(except = null) {
  for (const toggle of document.querySelectorAll('.row-menu > button[aria-expanded="true"]')) {
    if (toggle === except) continue;
    toggle.setAttribute('aria-expanded', 'false');
    document.getElementById(toggle.getAttribute('aria-controls')).hidden = true;
  }
}

document.addEventListener('click', (event) => {
  if (!event.target.closest?.('.row-menu')) closeMenus();
});

/**
 * A row's actions behind one compact "⋯" button (a disclosure of ordinary buttons): Enter/Space
 * opens it on the first action, arrows move, Escape closes it and returns to the button.
 */
function rowMenu(label, items) {
  const id = `row-menu-${++menuSeq}`;
  const toggle = h('button', { type: 'button', class: 'icon-button menu-toggle', 'aria-expanded': 'false', 'aria-controls': id, 'aria-label': `Actions for ${label}` }, h('span', { 'aria-hidden': 'true' }, '⋯'));
  const buttons = items.filter(Boolean).map(({ text, aria, kind, run }) =>
    h('button', {
      type: 'button',
      class: `menu-item ${kind || ''}`,
      'aria-label': aria,
      onclick: () => {
        closeMenus();
        toggle.focus(); // a dialog opened by the action hands focus back here
        run();
      },
    }, text),
  );
  const menu = h('div', { class: 'menu', id, hidden: true }, buttons);
  const open = (focusIndex = 0) => {
    closeMenus(toggle);
    toggle.setAttribute('aria-expanded', 'true');
    menu.hidden = false;
    buttons[focusIndex]?.focus();
  };
  const close = () => {
    toggle.setAttribute('aria-expanded', 'false');
    menu.hidden = true;
  };
  toggle.addEventListener('click', () => (menu.hidden ? open() : close()));
  menu.addEventListener('keydown', (event) => {
    const index = buttons.indexOf(document.activeElement);
    if (event.key === 'Escape') {
      event.preventDefault();
      close();
      toggle.focus();
    } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      buttons[(index + step + buttons.length) % buttons.length].focus();
    }
  });
  menu.addEventListener('focusout', (event) => {
    if (!menu.contains(event.relatedTarget) && event.relatedTarget !== toggle) close();
  });
  return h('div', { class: 'row-menu' }, toggle, menu);
}

// Imported AWS lines: what an edit or a delete does to them (issue 11: ownership of imported lines).
const IMPORTED_EDIT_HINT = 'Imported from your AWS bill: what you change here stays when the month is imported again; fields you leave alone keep following AWS.';
const IMPORTED_DELETE_HINT = 'It was imported from your AWS bill: deleting dismisses it, so later imports will not bring it back. You can restore it under Settings → Dismissed imported lines.';

function importBadges(expense) {
  const badges = [];
  const account = expense.aws?.accountId;
  if (account) {
    const name = expense.aws.accountName;
    badges.push(h('span', { class: 'badge', 'data-aws-account': account, title: `AWS account ${account}${name ? ` (${name})` : ''}` }, name || account));
  }
  if (expense.estimated) badges.push(h('span', { class: 'badge', title: 'AWS has not finalized this month yet; the amount may still change.' }, 'estimated'));
  const reported = expense.awsReported;
  if (reported?.amount !== undefined && reported?.amount !== null) {
    const now = formatMoney(reported.amount, reported.currency || expense.currency);
    badges.push(h('span', { class: 'badge', title: 'You changed the amount; imports keep your value.' }, `AWS now reports ${now}`));
  }
  const waste = wasteBadgeFor(expense);
  if (waste) badges.push(waste);
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
  const actions = rowMenu(label, [
    { text: 'Edit', aria: `Edit ${label}`, run: edit },
    hasReceipt(expense) ? { text: 'Receipt', aria: `View receipt of ${label}`, run: () => viewReceipt(expense) } : null,
    { text: 'Delete', aria: `Delete ${label}`, kind: 'danger-text', run: () => deleteExpense(expense) },
  ]);
  const tags = (expense.tags || []).map((tag) => h('span', { class: 'tag' }, tag));
  const description = expense.description || '';
  return h('tr', { dataset: { id: expense.id } },
    h('td', { 'data-label': 'Date', class: 'c-date' }, h('time', { datetime: expense.date }, formatDate(expense.date))),
    h('td', { 'data-label': 'Vendor', class: 'c-vendor', title: expense.vendor || undefined }, expense.vendor || '—', imported ? h('span', { class: 'badge' }, 'imported') : null, expense.recurringRuleId ? h('a', { class: 'badge badge-recurring', href: './recurring.html', title: 'Written by a recurring rule; editing it leaves the rule as it is, deleting it keeps it from coming back.' }, 'recurring') : null, ...importBadges(expense)),
    h('td', { 'data-label': 'Category', class: 'c-category' }, expense.category || '—'),
    h('td', { 'data-label': 'Description', class: 'c-desc', title: description || undefined }, description, tags.length ? h('span', { class: 'tags' }, tags) : null),
    h('td', { 'data-label': 'Amount', class: 'num c-amount' }, formatMoney(expense.amount, expense.currency)),
    h('td', { class: 'actions-cell' }, actions),
  );
}

// Waste badges come from the cached AWS insights; rows already shown get them when they arrive.
loadWasteBadges().then((any) => {
  if (any && state.items.size) renderList();
});

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
  const fromAws = expense.source === 'aws';
  const what = `${label} moves to the trash with its receipt; you can restore it for 30 days.${fromAws ? ` ${IMPORTED_DELETE_HINT}` : ''}`;
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
  refreshTrash();
  // The row (and the focused Delete button) is gone: put focus on Undo, then back on the list.
  toast('Expense moved to the trash.', {
    timeout: 8000,
    focusAction: true,
    returnFocus: $('#list-title'),
    action: {
      label: 'Undo',
      // The same expense comes back from the trash: same id, same receipt.
      run: async () => {
        try {
          await restoreExpense(expense.id);
          toast(hasReceipt(expense) ? 'Expense restored with its receipt.' : 'Expense restored.', { kind: 'success' });
        } catch (error) {
          toast(`Could not restore: ${error.message}`, { kind: 'error' });
        }
      },
    },
  });
}
