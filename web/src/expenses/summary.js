// The summary: totals per currency, the currency picker, the AWS forecast and the charts (Chart.js
// loaded lazily, and not at all while there is nothing to chart).
import { api, itemsOf } from '../api.js';
import { refreshBudgets } from '../budgets/budgets.js';
import { onThemeChange } from '../theme.js';
import { $, formatMoney, formatMonth, h, setStatus } from '../ui.js';
import { renderConverted } from './converted.js';
import { state } from './state.js';

// Picker value of the totals converted to the base currency ("≈EUR"), next to plain currency codes.
const CONVERTED = '≈';

let chartsModule;
export async function drawCharts() {
  if (!state.summary.items.length) return;
  chartsModule ??= import('./charts.js');
  const { renderSummaryCharts } = await chartsModule;
  // "≈EUR": the totals converted to the base currency (items of `converted`), not EUR's own expenses.
  const base = state.summaryCurrency?.startsWith(CONVERTED) ? state.summary.converted : null;
  const shown = base ? { ...state.summary, items: base.items } : state.summary;
  renderSummaryCharts(shown, base ? base.base : state.summaryCurrency);
}


// Colours come from the theme: redraw when it changes (only once the charts exist).
onThemeChange(() => {
  if (chartsModule) drawCharts();
});

// Answers that arrive after a newer request was made (filters changed again) are dropped.
let summarySeq = 0;

export async function loadSummary() {
  const status = $('#summary-status');
  refreshBudgets(); // spending changed (or may have): this month's budgets follow
  try {
    // The summary is monthly: a date filter selects the months it falls in (default: last 12 months).
    // Category and currency filters apply exactly; the others cannot, and the note says so.
    const { from, to, category, currency } = state.filters;
    const seq = ++summarySeq;
    const data = await api('/summary', { query: { from: from?.slice(0, 7), to: to?.slice(0, 7), category, currency } });
    if (seq !== summarySeq) return;
    state.summary = {
      items: itemsOf(data),
      totals: Array.isArray(data?.totals) ? data.totals : [],
      from: data?.from,
      to: data?.to,
      converted: data?.converted || null,
    };
    await renderSummary();
    setStatus(status, summaryNote(data), 'info');
  } catch (error) {
    setStatus(status, `Could not load the summary: ${error.message}`, 'error');
  }
}

// What the totals cover, said plainly whenever a filter is set.
function summaryNote(data) {
  const filtered = Object.keys(state.filters).length > 0;
  if (!filtered) return ''; // the empty state (#summary-empty) speaks for an empty ledger
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
  const empty = state.summary.items.length === 0;
  $('#summary-empty').hidden = !empty;
  $('#summary-charts').hidden = empty;
  $('#summary-empty strong').textContent = Object.keys(state.filters).length
    ? 'Nothing to chart for these filters.'
    : 'Nothing to chart yet.';
  const currencies = [
    ...new Set([...state.summary.totals.map((t) => t.currency), ...state.summary.items.map((i) => i.currency)]),
  ].sort();
  const converted = state.summary.converted;
  if (converted?.items?.length) currencies.push(`${CONVERTED}${converted.base}`);
  // A filter (category, currency) may hide the chosen currency for a while: fall back without
  // forgetting the user's choice, so clearing the filter brings it back.
  if (state.summaryCurrency !== lastShown) chosen = state.summaryCurrency; // set by the picker
  const fallback = currencies.includes(state.defaultCurrency) ? state.defaultCurrency : currencies[0] || state.defaultCurrency;
  state.summaryCurrency = currencies.includes(chosen) ? chosen : fallback;
  lastShown = state.summaryCurrency;
  const select = $('#summary-currency');
  const label = (c) => (c.startsWith(CONVERTED) ? `${c.slice(1)}, all converted` : c);
  select.replaceChildren(...currencies.map((c) => h('option', { value: c }, label(c))));
  select.value = state.summaryCurrency;
  $('#summary-currency-field').hidden = currencies.length < 2;
  $('#summary-totals').replaceChildren(
    ...state.summary.totals.map((t) =>
      h('li', { dataset: { currency: t.currency } }, h('span', { class: 'label' }, `Total ${t.currency}`), h('strong', {}, formatMoney(t.total, t.currency))),
    ),
  );
  renderConverted($('#summary-converted'), converted);
  return drawCharts();
}

/** This month's AWS forecast, next to the totals, when an AWS account is connected. */
export async function loadForecast() {
  const box = $('#summary-forecast');
  try {
    const forecast = await api('/aws-costs/forecast');
    if (!forecast?.available) return;
    box.replaceChildren(
      h('span', { class: 'label' }, `AWS forecast for ${formatMonth(forecast.month)}`),
      h('strong', {}, formatMoney(forecast.amount, forecast.currency)),
      ' ',
      h('a', { href: './settings.html#aws-title' }, 'AWS details'),
    );
    box.hidden = false;
  } catch {
    box.hidden = true; // the forecast is extra: the summary stands without it
  }
}
