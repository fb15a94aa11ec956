// The summary: totals per currency, the currency picker and the charts (Chart.js loaded lazily).
import { api, itemsOf } from '../api.js';
import { $, formatMoney, h, setStatus } from '../ui.js';
import { state } from './state.js';

// Chart.js is most of this page's JavaScript: load it after the form and the list are usable.
let chartsModule;
export async function drawCharts() {
  chartsModule ??= import('./charts.js');
  const { renderSummaryCharts } = await chartsModule;
  renderSummaryCharts(state.summary.items, state.summaryCurrency, state.summary.from, state.summary.to);
}

// Answers that arrive after a newer request was made (filters changed again) are dropped.
let summarySeq = 0;

export async function loadSummary() {
  const status = $('#summary-status');
  try {
    // The summary is monthly: a date filter selects the months it falls in (default: last 12 months).
    // Category and currency filters apply exactly; the others cannot, and the note says so.
    const { from, to, category, currency } = state.filters;
    const seq = ++summarySeq;
    const data = await api('/summary', { query: { from: from?.slice(0, 7), to: to?.slice(0, 7), category, currency } });
    if (seq !== summarySeq) return;
    state.summary = { items: itemsOf(data), totals: Array.isArray(data?.totals) ? data.totals : [], from: data?.from, to: data?.to };
    await renderSummary();
    setStatus(status, summaryNote(data), 'info');
  } catch (error) {
    setStatus(status, `Could not load the summary: ${error.message}`, 'error');
  }
}

// What the totals cover, said plainly whenever a filter is set.
function summaryNote(data) {
  const filtered = Object.keys(state.filters).length > 0;
  if (!filtered) return state.summary.items.length ? '' : 'Add expenses to see where your money goes.';
  const scope = [data?.category && `category ${data.category}`, data?.currency && `currency ${data.currency}`].filter(Boolean);
  const ignored = ['q', 'vendor', 'tag', 'min', 'max'].filter((name) => state.filters[name]);
  const names = { q: 'search', vendor: 'vendor', tag: 'tag', min: 'min amount', max: 'max amount' };
  let note = `Totals cover whole months ${data?.from} to ${data?.to}${scope.length ? `, ${scope.join(', ')}` : ''}.`;
  if (ignored.length) note += ` The ${ignored.map((n) => names[n]).join(', ')} filter${ignored.length > 1 ? 's do' : ' does'} not apply to totals.`;
  return note;
}

let chosen = null;
let lastShown = null;

function renderSummary() {
  const currencies = [
    ...new Set([...state.summary.totals.map((t) => t.currency), ...state.summary.items.map((i) => i.currency)]),
  ].sort();
  // A filter (category, currency) may hide the chosen currency for a while: fall back without
  // forgetting the user's choice, so clearing the filter brings it back.
  if (state.summaryCurrency !== lastShown) chosen = state.summaryCurrency; // set by the picker
  const fallback = currencies.includes(state.defaultCurrency) ? state.defaultCurrency : currencies[0] || state.defaultCurrency;
  state.summaryCurrency = currencies.includes(chosen) ? chosen : fallback;
  lastShown = state.summaryCurrency;
  const select = $('#summary-currency');
  select.replaceChildren(...currencies.map((c) => h('option', { value: c }, c)));
  select.value = state.summaryCurrency;
  $('#summary-currency-field').hidden = currencies.length < 2;
  $('#summary-totals').replaceChildren(
    ...state.summary.totals.map((t) =>
      h('li', { dataset: { currency: t.currency } }, h('span', { class: 'label' }, `Total ${t.currency}`), h('strong', {}, formatMoney(t.total, t.currency))),
    ),
  );
  return drawCharts();
}
