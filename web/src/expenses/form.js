// Saving the add/edit form: local checks, POST or PATCH (only what changed), then the receipt.
import { ApiError, api } from '../api.js';
import { $, clearFieldErrors, setStatus, showFieldErrors, todayIso, toast } from '../ui.js';
import { wireNewCategory } from './categories.js';
import { applyAmountRule } from './currencies.js';
import { changedFields, closeEditor, formValues, localProblems, newExpense, requestBody, resetEditor } from './editor.js';
import { reloadList } from './list.js';
import { showReceiptPreview, uploadReceipt } from './receipts.js';
import { form, state } from './state.js';
import { loadSummary } from './summary.js';

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
    // Named, so a few quick adds in a row say which is which.
    const name = saved?.vendor || saved?.category || values.vendor || values.category;
    toast(`${wasEditing ? 'Expense updated' : 'Expense added'}: ${name}.`, { kind: 'success' });
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

/** Wire the editor form: submit, receipt preview, upper-case currency, cancel, new category. */
export function wireForm() {
  form.elements.date.value = todayIso();
  form.addEventListener('submit', submitExpense);
  form.elements.receipt.addEventListener('change', showReceiptPreview);
  form.elements.currency.addEventListener('input', (e) => {
    e.target.value = e.target.value.toUpperCase();
    applyAmountRule();
  });
  $('#cancel-edit').addEventListener('click', () => {
    resetEditor();
    form.elements.amount.focus();
  });
  $('#new-expense-toggle').addEventListener('click', (event) => {
    if (event.currentTarget.getAttribute('aria-expanded') === 'true') closeEditor();
    else newExpense();
  });
  $('#summary-add').addEventListener('click', newExpense);
  wireNewCategory();
}
