// Keyboard shortcuts: "/" search, "n" new expense, "?" this help. They never fire while the user types
// in a field, holds a modifier, or has a dialog open.
import { h } from './ui.js';

export const SHORTCUTS = [
  { key: '/', label: 'Search expenses' },
  { key: 'n', label: 'New expense' },
  { key: '?', label: 'Show these shortcuts' },
];

const TYPING_INPUTS = new Set(['text', 'search', 'email', 'password', 'number', 'tel', 'url', 'date', 'month', 'time', 'datetime-local', 'week']);

/** True when a key press on `target` is text entry (or choosing in a select) rather than a command. */
export function isTyping(target) {
  if (!target || typeof target !== 'object') return false;
  if (target.isContentEditable) return true;
  const tag = String(target.tagName || '').toLowerCase();
  if (tag === 'textarea' || tag === 'select') return true;
  if (tag === 'input') return TYPING_INPUTS.has(String(target.type || 'text').toLowerCase());
  return false;
}

/** The shortcut a keydown asks for, or null. Pure, so it is unit-tested without a browser. */
export function shortcutFor(event, { dialogOpen = false } = {}) {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return null;
  if (dialogOpen || isTyping(event.target)) return null;
  return SHORTCUTS.some((s) => s.key === event.key) ? event.key : null;
}

export function showShortcutHelp() {
  if (document.getElementById('shortcuts-dialog')) return;
  const dialog = h(
    'dialog',
    { class: 'dialog', id: 'shortcuts-dialog', 'aria-labelledby': 'shortcuts-title' },
    h('form', { method: 'dialog' },
      h('h2', { id: 'shortcuts-title' }, 'Keyboard shortcuts'),
      h('dl', { class: 'shortcut-list' },
        SHORTCUTS.map((s) => h('div', {}, h('dt', {}, h('kbd', {}, s.key)), h('dd', {}, s.label)))),
      h('p', { class: 'hint' }, 'Shortcuts do nothing while you type in a field.'),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'secondary', autofocus: true }, 'Close')),
    ),
  );
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}

/**
 * Listen for the shortcuts. `actions` maps "/" and "n" to what they do on this page; pages without
 * the expense list pass nothing and the keys open the expenses page at the search or the form.
 */
export function installShortcuts(actions = {}) {
  const fallback = (hash) => () => window.location.assign(new URL(`expenses.html#${hash}`, document.baseURI));
  const run = { '/': actions['/'] ?? fallback('search'), n: actions.n ?? fallback('new'), '?': showShortcutHelp };
  document.addEventListener('keydown', (event) => {
    const key = shortcutFor(event, { dialogOpen: Boolean(document.querySelector('dialog[open]')) });
    if (!key) return;
    event.preventDefault();
    run[key]();
  });
  for (const button of document.querySelectorAll('[data-shortcuts-help]')) button.addEventListener('click', showShortcutHelp);
}
