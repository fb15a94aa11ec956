// Summary charts: spend by category (doughnut) and by month (bar) for one currency at a time.
// Only the Chart.js pieces used here are registered, so the rest is tree-shaken out of the bundle.
import {
  ArcElement,
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  DoughnutController,
  Legend,
  LinearScale,
  Tooltip,
} from 'chart.js';
import { addDecimals, formatMoney, formatMonth, h } from '../ui.js';

Chart.register(DoughnutController, BarController, ArcElement, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

// Distinguishable colours that keep >= 3:1 against white (graphical objects, WCAG 1.4.11).
const PALETTE = ['#1d4ed8', '#b45309', '#047857', '#be123c', '#6d28d9', '#0e7490', '#4d7c0f', '#a21caf', '#475569', '#c2410c'];

const charts = new Map();
const reducedMotion = window.matchMedia('(prefers-reduced-motion: reduce)').matches;

/** Every month YYYY-MM from `from` to `to` inclusive (both YYYY-MM). */
export function monthsBetween(from, to) {
  if (!from || !to) return [];
  const months = [];
  let [year, month] = from.split('-').map(Number);
  for (let guard = 0; guard < 240; guard += 1) {
    const label = `${year}-${String(month).padStart(2, '0')}`;
    if (label > to) break;
    months.push(label);
    [year, month] = month === 12 ? [year + 1, 1] : [year, month + 1];
  }
  return months;
}

// A category keeps its colour for the whole session, whatever else the chart shows.
const categoryColours = new Map();
function colourOf(category) {
  if (!categoryColours.has(category)) categoryColours.set(category, PALETTE[categoryColours.size % PALETTE.length]);
  return categoryColours.get(category);
}

/** Group summary rows of one currency by `key`, summing exactly (decimal strings); `months` (for
 * key 'month') lists every month of the period so months without spend show as zero. */
export function seriesBy(items, currency, key, months = []) {
  const groups = new Map(months.map((month) => [month, ['0']]));
  for (const item of items) {
    if (item.currency !== currency) continue;
    const label = item[key] || '—';
    if (!groups.has(label)) groups.set(label, []);
    groups.get(label).push(item.total);
  }
  const labels = [...groups.keys()];
  if (key === 'month') labels.sort();
  return { labels, values: labels.map((label) => addDecimals(groups.get(label))) };
}

function draw(canvas, type, series, currency) {
  // Exact values stay on the element (for the table, tests and tooling); floats are for drawing only.
  canvas.dataset.currency = currency;
  canvas.dataset.labels = JSON.stringify(series.labels);
  canvas.dataset.values = JSON.stringify(series.values);
  const numbers = series.values.map(Number);
  const colours = type === 'doughnut' ? series.labels.map(colourOf) : PALETTE[0];
  const label = (context) => ` ${formatMoney(series.values[context.dataIndex], currency)}`;
  let chart = charts.get(canvas.id);
  if (chart && chart.config.type === type) {
    chart.data.labels = type === 'bar' ? series.labels.map(formatMonth) : series.labels;
    chart.data.datasets[0].data = numbers;
    chart.data.datasets[0].backgroundColor = colours;
    chart.options.plugins.tooltip.callbacks.label = label;
    chart.update();
    return;
  }
  chart?.destroy();
  chart = new Chart(canvas, {
    type,
    data: {
      labels: type === 'bar' ? series.labels.map(formatMonth) : series.labels,
      datasets: [{ label: currency, data: numbers, backgroundColor: colours, borderWidth: type === 'bar' ? 0 : 2 }],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: reducedMotion ? false : { duration: 300 },
      plugins: {
        legend: { display: type === 'doughnut', position: 'bottom', labels: { color: '#1f2937' } },
        tooltip: { callbacks: { label } },
      },
      scales:
        type === 'bar'
          ? {
              x: { ticks: { color: '#374151' }, grid: { display: false } },
              y: { beginAtZero: true, ticks: { color: '#374151' } },
            }
          : {},
    },
  });
  charts.set(canvas.id, chart);
}

function table(container, heading, series, currency, formatLabel = (x) => x) {
  const rows = series.labels.map((label, i) =>
    h('tr', {}, h('th', { scope: 'row' }, formatLabel(label)), h('td', { class: 'num' }, formatMoney(series.values[i], currency))),
  );
  container.replaceChildren(
    rows.length
      ? h('table', { class: 'data-table' },
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, heading), h('th', { scope: 'col', class: 'num' }, `Total (${currency})`))),
          h('tbody', {}, rows))
      : h('p', { class: 'hint' }, 'Nothing to show yet.'),
  );
}

/** Draw both charts (and their table alternatives) for `currency` from GET /summary items. */
export function renderSummaryCharts(items, currency, from, to) {
  const byCategory = seriesBy(items, currency, 'category');
  const byMonth = seriesBy(items, currency, 'month', monthsBetween(from, to));
  draw(document.getElementById('chart-category'), 'doughnut', byCategory, currency);
  draw(document.getElementById('chart-month'), 'bar', byMonth, currency);
  table(document.getElementById('table-category'), 'Category', byCategory, currency);
  table(document.getElementById('table-month'), 'Month', byMonth, currency, formatMonth);
}
