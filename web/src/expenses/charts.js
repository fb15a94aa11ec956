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
  Title,
  Tooltip,
} from 'chart.js';
import { currentTheme } from '../theme.js';
import { formatMoney, formatMonth, h } from '../ui.js';
import { SLOTS, colourSlot, seriesBy } from './series.js';

Chart.register(DoughnutController, BarController, ArcElement, BarElement, CategoryScale, LinearScale, Title, Tooltip, Legend);

// One colour per slot (see series.js), each >= 3:1 against the card in its theme (WCAG 1.4.11).
export const PALETTES = {
  light: ['#1d4ed8', '#b45309', '#047857', '#be123c', '#6d28d9', '#0e7490', '#4d7c0f', '#a21caf', '#475569', '#c2410c'],
  dark: ['#8ab4ff', '#fbbf24', '#34d399', '#fb7185', '#c4b5fd', '#22d3ee', '#a3e635', '#f0abfc', '#cbd5e1', '#fdba74'],
};
if (PALETTES.light.length !== SLOTS || PALETTES.dark.length !== SLOTS) throw new Error('one colour per slot');

const charts = new Map();
const reducedMotion = window.matchMedia('(prefers-reduced-motion: reduce)').matches;

/** Compact money for axis ticks ("€1.2K"); tooltips and tables show the exact amount. */
function axisMoney(currency) {
  let nf;
  try {
    nf = new Intl.NumberFormat(undefined, { style: 'currency', currency, notation: 'compact', maximumFractionDigits: 1 });
  } catch {
    nf = { format: (v) => `${v} ${currency}` };
  }
  return (value) => nf.format(value);
}

function draw(canvas, type, series, currency) {
  // Exact values stay on the element (for the table, tests and tooling); floats are for drawing only.
  canvas.dataset.currency = currency;
  canvas.dataset.labels = JSON.stringify(series.labels);
  canvas.dataset.values = JSON.stringify(series.values);
  const palette = PALETTES[currentTheme()];
  const style = getComputedStyle(canvas.parentElement);
  const text = style.color;
  const grid = style.borderTopColor;
  const numbers = series.values.map(Number);
  const labels = type === 'bar' ? series.labels.map(formatMonth) : series.labels;
  const colours = type === 'doughnut' ? series.labels.map((name) => palette[colourSlot(name)]) : palette[0];
  canvas.dataset.colours = JSON.stringify(colours);
  const tooltip = (context) => ` ${labels[context.dataIndex]}: ${formatMoney(series.values[context.dataIndex], currency)}`;
  charts.get(canvas.id)?.destroy();
  const chart = new Chart(canvas, {
    type,
    data: {
      labels,
      datasets: [{ label: currency, data: numbers, backgroundColor: colours, borderColor: style.backgroundColor, borderWidth: type === 'bar' ? 0 : 2 }],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: reducedMotion ? false : { duration: 300 },
      plugins: {
        legend: { display: type === 'doughnut', position: 'bottom', labels: { color: text } },
        tooltip: { callbacks: { label: tooltip, title: () => '' } },
      },
      scales:
        type === 'bar'
          ? {
              x: { ticks: { color: text, autoSkip: true, maxRotation: 0 }, grid: { display: false } },
              y: {
                beginAtZero: true,
                ticks: { color: text, callback: axisMoney(currency), maxTicksLimit: 6 },
                grid: { color: grid },
                title: { display: true, text: `Amount (${currency})`, color: text },
              },
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
    h('table', { class: 'data-table' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, heading), h('th', { scope: 'col', class: 'num' }, `Total (${currency})`))),
      h('tbody', {}, rows)),
  );
}

/** Draw both charts (and their table alternatives) for `currency` from GET /summary. */
export function renderSummaryCharts(summary, currency) {
  const range = { from: summary.from, to: summary.to };
  const byCategory = seriesBy(summary.items, currency, 'category');
  const byMonth = seriesBy(summary.items, currency, 'month', range);
  draw(document.getElementById('chart-category'), 'doughnut', byCategory, currency);
  draw(document.getElementById('chart-month'), 'bar', byMonth, currency);
  table(document.getElementById('table-category'), 'Category', byCategory, currency);
  table(document.getElementById('table-month'), 'Month', byMonth, currency, formatMonth);
}
