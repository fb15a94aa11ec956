// Expenses page: add/edit/delete with field-level errors, filters + cursor pagination, receipts
// (presigned POST with progress), CSV export and summary charts. Each concern is a module in expenses/.
import './styles.css';
import { loadCategories, loadProfile } from './expenses/categories.js';
import { newExpense } from './expenses/editor.js';
import { loadCurrencies } from './expenses/currencies.js';
import { focusSearch, wireFilters } from './expenses/filters.js';
import { wireForm } from './expenses/form.js';
import { fetchPage, reloadList } from './expenses/list.js';
import { form, state } from './expenses/state.js';
import { drawCharts, loadForecast, loadSummary } from './expenses/summary.js';
import { startFrame } from './frame.js';
import { refreshAfterForecast, wireBudgets } from './budgets/budgets.js';
import { wireTrash } from './expenses/trash.js';
import { $, showFatal } from './ui.js';

async function start() {
  if (!startFrame({ '/': focusSearch, n: newExpense })) return;
  wireForm();
  wireBudgets();
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
  // Fetching the forecast stores it for the AWS budget's check: show budgets again once it is in.
  loadForecast().finally(refreshAfterForecast);
  // Other pages' "/" and "n" shortcuts land here as #search and #new.
  if (window.location.hash === '#new') newExpense();
  if (window.location.hash === '#search') focusSearch();
  document.body.dataset.ready = 'true';
}

start().catch(showFatal);
