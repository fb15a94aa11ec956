// Categories (the editor's and the filter's selects, "New category") and the default currency.
import { ApiError, api, itemsOf } from '../api.js';
import { $, h, setStatus, toast } from '../ui.js';
import { form, state } from './state.js';

function categoryName(entry) {
  return typeof entry === 'string' ? entry : entry?.name;
}

export async function loadCategories(select) {
  const data = await api('/categories');
  state.categories = itemsOf(data).map(categoryName).filter(Boolean);
  fillCategorySelects(select);
}

export function fillCategorySelects(selected) {
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

export async function loadProfile() {
  try {
    const profile = await api('/profile');
    const currency = profile?.defaultCurrency || profile?.default_currency || profile?.currency;
    if (currency) state.defaultCurrency = String(currency).toUpperCase();
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 404) throw error;
  }
  if (!form.elements.currency.value) form.elements.currency.value = state.defaultCurrency;
}

export function wireNewCategory() {
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
