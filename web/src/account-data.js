// Account self-service, self-contained: "Download all my data" and "Delete my account".
// mountAccountData(container) renders both into the element it is given (a page only provides the
// container). Deleting first shows what will go (GET /account counts) and asks the user to type the
// confirmation word the API names; DELETE /account answers 202 while work remains, so it is called
// again until it answers 200, then the session is forgotten and the sign-in page says why.
import { api as defaultApi } from './api.js';
import { goToSignIn as defaultGoToSignIn } from './auth.js';
import { h, setStatus } from './ui.js';

// What each count means, in the order the confirmation lists them: [key, singular, plural].
const KINDS = [
  ['expenses', 'expense', 'expenses'],
  ['receipts', 'receipt file', 'receipt files'],
  ['categories', 'category of your own', 'categories of your own'],
  ['connections', 'AWS connection (with its stored secret)', 'AWS connections (with their stored secrets)'],
  ['importRuns', 'import run in your history', 'import runs in your history'],
  ['exports', 'earlier export file', 'earlier export files'],
  ['lakeMonths', 'month of analytics data', 'months of analytics data'],
  ['otherItems', 'bookkeeping record (totals, preferences)', 'bookkeeping records (totals, preferences)'],
];

/** counts {expenses: 3, ...} -> ["3 expenses", "1 receipt file", ...]; kinds with 0 are left out. */
export function describeCounts(counts) {
  return KINDS.filter(([key]) => Number(counts?.[key]) > 0).map(([key, one, many]) => {
    const n = Number(counts[key]);
    return `${n} ${n === 1 ? one : many}`;
  });
}

/** The typed text must be exactly the word the API asked for (no trimming, no case folding). */
export function confirmationMatches(typed, expected) {
  return typeof expected === 'string' && expected !== '' && typed === expected;
}

let uid = 0;

export function mountAccountData(container, { api = defaultApi, goToSignIn = defaultGoToSignIn } = {}) {
  const id = (name) => `account-data-${name}-${++uid}`;
  const exportStatus = h('p', { class: 'status', role: 'status', 'aria-live': 'polite', hidden: true });
  const exportButton = h('button', { type: 'button', class: 'secondary' }, 'Download all my data');
  const downloadHeading = id('download');
  const deleteHeading = id('delete');

  exportButton.addEventListener('click', async () => {
    exportButton.disabled = true;
    setStatus(exportStatus, 'Preparing your data…');
    try {
      const result = await api('/account/export', { method: 'POST' });
      const minutes = Math.max(1, Math.round(result.expiresIn / 60));
      const link = h('a', { href: result.url, download: '' }, 'Download the file');
      setStatus(exportStatus, '');
      exportStatus.append(
        `Ready: ${describeCounts(result.counts).join(', ') || 'no data yet'}. `,
        link,
        ` (link valid ${minutes} min; receipt links inside stay valid ${Math.round(result.receiptLinksExpireIn / 60)} min).`,
      );
      exportStatus.hidden = false;
    } catch (error) {
      setStatus(exportStatus, `Could not export your data: ${error.message}`, 'error');
    } finally {
      exportButton.disabled = false;
    }
  });

  const deleteStatus = h('p', { class: 'status', role: 'status', 'aria-live': 'polite', hidden: true });
  const startDelete = h('button', { type: 'button', class: 'danger' }, 'Delete my account…');
  const confirmArea = h('div', { hidden: true });
  startDelete.addEventListener('click', () => showConfirmation());

  async function showConfirmation() {
    startDelete.disabled = true;
    setStatus(deleteStatus, 'Counting what your account holds…');
    let inventory;
    try {
      inventory = await api('/account');
    } catch (error) {
      setStatus(deleteStatus, `Could not load your account: ${error.message}`, 'error');
      startDelete.disabled = false;
      return;
    }
    setStatus(deleteStatus, '');
    const inputId = id('confirm');
    const hintId = id('confirm-hint');
    const input = h('input', {
      id: inputId,
      type: 'text',
      autocomplete: 'off',
      spellcheck: 'false',
      'aria-describedby': hintId,
    });
    const confirmButton = h('button', { type: 'submit', class: 'danger', disabled: true }, 'Delete everything');
    const cancelButton = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
    const kinds = describeCounts(inventory.counts);
    const form = h(
      'form',
      { novalidate: true },
      h('p', {}, `This permanently deletes the account ${inventory.email || ''} and everything in it:`),
      h('ul', { class: 'account-data-kinds' }, ...(kinds.length ? kinds : ['no data yet']).map((k) => h('li', {}, k))),
      h('p', {}, 'and your sign-in. It cannot be undone; download your data first if you want a copy.'),
      h(
        'div',
        { class: 'field' },
        h('label', { for: inputId }, `Type ${inventory.confirmation} to confirm`),
        input,
        h('p', { id: hintId, class: 'hint' }, `Exactly "${inventory.confirmation}", in capitals.`),
      ),
      h('div', { class: 'actions' }, cancelButton, confirmButton),
    );
    input.addEventListener('input', () => {
      confirmButton.disabled = !confirmationMatches(input.value, inventory.confirmation);
    });
    cancelButton.addEventListener('click', () => {
      confirmArea.replaceChildren();
      confirmArea.hidden = true;
      startDelete.disabled = false;
      startDelete.focus();
    });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (!confirmationMatches(input.value, inventory.confirmation)) return;
      confirmButton.disabled = true;
      cancelButton.disabled = true;
      input.disabled = true;
      await deleteAll(input.value);
      cancelButton.disabled = false;
      input.disabled = false;
    });
    confirmArea.replaceChildren(form);
    confirmArea.hidden = false;
    input.focus();
  }

  async function deleteAll(confirm) {
    let items = 0;
    setStatus(deleteStatus, 'Deleting your data…');
    try {
      for (;;) {
        const result = await api('/account', { method: 'DELETE', body: { confirm } });
        items = Math.max(items, result.itemsDeleted || 0);
        if (result.status === 'deleted') break;
        setStatus(deleteStatus, `Deleting your data… (${items} records so far)`);
      }
    } catch (error) {
      setStatus(
        deleteStatus,
        `Deletion stopped: ${error.message} Nothing is lost by trying again: sign-in stays until everything is gone.`,
        'error',
      );
      return;
    }
    goToSignIn('Your account and all its data were deleted.');
  }

  container.replaceChildren(
    h('h2', { id: downloadHeading }, 'Your data'),
    h('p', {}, 'One file with your expenses (and links to their receipts), categories, preferences, AWS connections (never their secrets) and import history.'),
    h('div', { class: 'actions' }, exportButton),
    exportStatus,
    h('h2', { id: deleteHeading }, 'Delete my account'),
    h('p', {}, 'Deletes everything Outlay stores for you and your sign-in.'),
    h('div', { class: 'actions' }, startDelete),
    confirmArea,
    deleteStatus,
  );
  container.setAttribute('aria-labelledby', downloadHeading);
  return container;
}
