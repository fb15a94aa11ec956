// Expenses page: add/edit/delete with field-level errors, filters + cursor pagination, receipts
// (presigned POST with progress), CSV export and summary charts. Each concern is a module in expenses/.
import './styles.css';
import { loadCategories, loadProfile } from './expenses/categories.js';
import { loadCurrencies } from './expenses/currencies.js';
import { wireFilters } from './expenses/filters.js';
import { wireForm } from './expenses/form.js';
import { fetchPage, reloadList } from './expenses/list.js';
import { form, state } from './expenses/state.js';
import { drawCharts, loadSummary } from './expenses/summary.js';
import { wireTrash } from './expenses/trash.js';
import { $, requireSignIn, showFatal } from './ui.js';

async function start() {
  if (!requireSignIn()) return;
  wireForm();
  wireFilters();
  wireTrash(() => Promise.all([reloadList(), loadSummary()]));
  $('#load-more').addEventListener('click', () => fetchPage(state.next));
  $('#summary-currency').addEventListener('change', (event) => {
    state.summaryCurrency = event.target.value;
    drawCharts().catch(showFatal);
  });

  await Promise.all([loadCategories(), loadProfile()]);
  await loadCurrencies();
  if (state.categories.length && !form.elements.category.value) form.elements.category.value = state.categories[0];
  await Promise.all([reloadList(), loadSummary()]);
  document.body.dataset.ready = 'true';
}

start().catch(showFatal);
