// Filters (applied to the list and the summary) and the CSV export of what they select.
import { api, cleanQuery } from '../api.js';
import { $, h, setStatus } from '../ui.js';
import { reloadList } from './list.js';
import { filterForm, state } from './state.js';
import { loadSummary } from './summary.js';

function readFilters() {
  const el = filterForm.elements;
  return cleanQuery({
    q: el.q.value.trim(),
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

function showFilterCount() {
  const count = Object.keys(state.filters).length;
  const badge = $('#filter-count');
  badge.textContent = count ? `${count} on` : '';
  badge.hidden = !count;
}

/** "/": the search (vendor) filter, with the filters unfolded. */
export function focusSearch() {
  $('#filters-box').open = true;
  filterForm.elements.q.focus();
  filterForm.elements.q.select();
}

/** Wire the filter form (apply / clear) and the export button. On phones the filters start folded. */
export function wireFilters() {
  if (window.matchMedia('(width <= 640px)').matches) $('#filters-box').open = false;
  filterForm.addEventListener('submit', (event) => {
    event.preventDefault();
    state.filters = readFilters();
    showFilterCount();
    reloadList();
    loadSummary();
  });
  filterForm.addEventListener('reset', () => {
    // Let the browser clear the inputs first.
    setTimeout(() => {
      state.filters = {};
      showFilterCount();
      setStatus($('#export-status'), '');
      reloadList();
      loadSummary();
    });
  });
  $('#export-csv').addEventListener('click', exportCsv);
}
