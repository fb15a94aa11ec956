// Small DOM helpers shared by the pages: element builder, status messages, field errors, toasts,
// an accessible confirm dialog, money and date formatting.
import { currentUser, isSignedIn, goToSignIn, signOut } from './auth.js';

/** h('p', {class: 'x', onclick: fn}, 'text', child) -> element. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

/** Show a message in a status element (role=status / role=alert is set in the HTML). */
export function setStatus(el, message, kind = 'info') {
  el.textContent = message || '';
  el.dataset.kind = kind;
  el.hidden = !message;
}

/** Clear the field-level errors of a form. */
export function clearFieldErrors(form) {
  for (const input of $$('[aria-invalid="true"]', form)) input.removeAttribute('aria-invalid');
  for (const msg of $$('.field-error', form)) {
    msg.textContent = '';
    msg.hidden = true;
  }
}

/**
 * Put the API's {"details": [{"field", "message"}]} next to the matching inputs (by name).
 * Returns the details that had no matching input, for the form-level message.
 */
export function showFieldErrors(form, details) {
  const unmatched = [];
  let first = null;
  for (const detail of details || []) {
    const name = String(detail.field || '').split('.').pop();
    const input = name && form.elements.namedItem(name);
    const slot = input && form.querySelector(`#${CSS.escape(input.id)}-error`);
    if (!input || !slot) {
      unmatched.push(detail);
      continue;
    }
    input.setAttribute('aria-invalid', 'true');
    slot.textContent = humanise(detail.message);
    slot.hidden = false;
    first ??= input;
  }
  first?.focus();
  return unmatched;
}

function humanise(message) {
  const text = String(message || 'Invalid value').replace(/^Value error, /, '');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export const MAX_TOASTS = 3;

/**
 * A toast in the polite live region; `action` = {label, run} adds a button (e.g. Undo).
 * It stays while it has keyboard focus, and hands focus back to `returnFocus` when it goes.
 * (Not paused on hover: a toast left under a resting pointer would never go and would keep covering
 * the page beneath it.)
 */
export function toast(message, { action, timeout = 6000, kind = 'info', focusAction = false, returnFocus } = {}) {
  const region = $('#toasts');
  const item = h('div', { class: `toast toast-${kind}` }, h('span', {}, message));
  let timer;
  const close = () => {
    clearTimeout(timer);
    const hadFocus = item.contains(document.activeElement);
    item.remove();
    if (hadFocus) (returnFocus || $('#main'))?.focus();
  };
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(close, timeout);
  };
  let actionButton;
  if (action) {
    actionButton = h('button', {
      type: 'button',
      class: 'link-button',
      onclick: () => {
        close();
        action.run();
      },
    }, action.label);
    item.append(actionButton);
  }
  item.append(h('button', { type: 'button', class: 'icon-button', 'aria-label': 'Dismiss', onclick: close }, '×'));
  item.addEventListener('focusin', () => clearTimeout(timer));
  item.addEventListener('focusout', arm);
  // Newest on top; at most MAX_TOASTS on show: the oldest that does not hold focus makes room.
  region.prepend(item);
  const stale = [...region.children].slice(MAX_TOASTS).filter((el) => !el.contains(document.activeElement));
  for (const el of stale) el.remove();
  arm();
  if (focusAction && actionButton) actionButton.focus();
  return close;
}

/** An accessible modal confirm built on <dialog> (focus is trapped and Esc cancels natively). */
export function confirmDialog(title, message, confirmLabel = 'Confirm') {
  return new Promise((resolve) => {
    const titleId = `dlg-${Math.random().toString(36).slice(2)}`;
    const dialog = h(
      'dialog',
      { class: 'dialog', 'aria-labelledby': titleId },
      h('form', { method: 'dialog' },
        h('h2', { id: titleId }, title),
        h('p', {}, message),
        h('div', { class: 'actions' },
          h('button', { type: 'submit', value: 'cancel', class: 'secondary', autofocus: true }, 'Cancel'),
          h('button', { type: 'submit', value: 'confirm', class: 'danger' }, confirmLabel),
        ),
      ),
    );
    dialog.addEventListener('close', () => {
      resolve(dialog.returnValue === 'confirm');
      dialog.remove();
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

/** A "Copy" button for `text()` (a function, so it copies what is shown at the time of the click). */
export function copyButton(text, label) {
  const button = h('button', { type: 'button', class: 'secondary small copy-button', 'aria-label': `Copy ${label}` }, 'Copy');
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(text());
      toast(`${label} copied.`, { kind: 'success', timeout: 3000 });
    } catch {
      toast(`Could not copy: select the ${label} and copy it by hand.`, { kind: 'error' });
    }
  });
  return button;
}

/** Text with line-break opportunities after ':' and '/' only, so an ARN wraps between its parts, never mid-word. */
export function breakable(text) {
  const parts = String(text ?? '').split(/(?<=[:/])/);
  return parts.flatMap((part, i) => (i ? [document.createElement('wbr'), part] : [part]));
}

// ---- money and dates (amounts are decimal strings; Intl formats strings exactly) ----

const formatters = new Map();

/** How many decimals a decimal string has ("1.234" -> 3, "1200" -> 0). */
export function fractionDigits(amount) {
  return (String(amount).split('.')[1] || '').length;
}

/**
 * The server sends each amount with its currency's ISO 4217 minor units ("1200" JPY, "12.50" USD,
 * "1.234" KWD), so the string's own digits are shown: never rounded to Intl's idea of the currency
 * (which differs from ISO 4217 for a few, e.g. IQD) and never forced to 2 decimals.
 */
export function formatMoney(amount, currency) {
  const code = String(currency || '').toUpperCase();
  const text = String(amount);
  const digits = Math.min(fractionDigits(text), 20);
  const key = `${code}/${digits}`;
  let nf = formatters.get(key);
  if (!nf) {
    try {
      nf = new Intl.NumberFormat(undefined, {
        style: 'currency',
        currency: code,
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
      });
    } catch {
      nf = { format: (v) => `${v} ${code}` };
    }
    formatters.set(key, nf);
  }
  return nf.format(text);
}

/** What an amount input accepts for a currency with `digits` minor units (undefined: up to 4). */
export function amountRule(digits) {
  const places = digits ?? 4;
  const fraction = places === 0 ? '' : `(\\.\\d{1,${places}})?`;
  return {
    pattern: `\\d{1,10}${fraction}`,
    regex: new RegExp(`^\\d{1,10}${fraction}$`),
    placeholder: places === 0 ? '0' : `0.${'0'.repeat(places)}`,
    example: places === 0 ? '1200' : `12.${'5'.padEnd(places, '0')}`,
    step: places === 0 ? '1' : `0.${'0'.repeat(places - 1)}1`,
    inputMode: places === 0 ? 'numeric' : 'decimal',
    hint: places === 0 ? 'no decimals' : `at most ${places} decimal${places === 1 ? '' : 's'}`,
  };
}

export function formatDate(iso) {
  if (!iso) return '';
  const [y, m, d] = String(iso).slice(0, 10).split('-').map(Number);
  if (!y || !m || !d) return String(iso);
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' }).format(Date.UTC(y, m - 1, d));
}

export function formatMonth(yyyyMm) {
  const [y, m] = String(yyyyMm).split('-').map(Number);
  if (!y || !m) return String(yyyyMm);
  return new Intl.DateTimeFormat(undefined, { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(Date.UTC(y, m - 1, 1));
}

export function formatDateTime(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : date.toLocaleString();
}

export function todayIso() {
  const now = new Date();
  const local = new Date(now.getTime() - now.getTimezoneOffset() * 60000);
  return local.toISOString().slice(0, 10);
}

/** Exact sum of decimal strings (BigInt on a common scale): totals shown to users never use floats. */
export function addDecimals(values) {
  let scale = 0;
  const parsed = values.map((v) => {
    const text = String(v).trim();
    const negative = text.startsWith('-');
    const [int, frac = ''] = text.replace(/^[-+]/, '').split('.');
    scale = Math.max(scale, frac.length);
    return { negative, int: int || '0', frac };
  });
  let total = 0n;
  for (const p of parsed) {
    const n = BigInt(p.int + p.frac.padEnd(scale, '0'));
    total += p.negative ? -n : n;
  }
  const negative = total < 0n;
  const digits = (negative ? -total : total).toString().padStart(scale + 1, '0');
  const int = digits.slice(0, digits.length - scale);
  const frac = scale ? `.${digits.slice(digits.length - scale)}` : '';
  return `${negative ? '-' : ''}${int}${frac}`;
}

// ---- page frame ----

/** Pages behind sign-in: redirect when there is no session, fill the nav, wire Sign out. */
export function requireSignIn() {
  if (!isSignedIn()) {
    goToSignIn('Please sign in to continue.');
    return false;
  }
  const email = currentUser()?.email || '';
  const who = $('#nav-user');
  if (who) who.textContent = email;
  const button = $('#sign-out');
  if (button) {
    button.setAttribute('aria-label', email ? `Sign out ${email}` : 'Sign out');
    button.addEventListener('click', () => signOut());
  }
  return true;
}

/** Report an error nobody caught, instead of leaving the page silently broken. */
export function showFatal(error) {
  const el = $('#page-status');
  if (el) setStatus(el, error?.message || String(error), 'error');
}
