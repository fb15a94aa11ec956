// Stacked bar charts of the AWS costs page (Chart.js, only the pieces used registered).
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import { PALETTES } from '../expenses/charts.js';
import { currentTheme } from '../theme.js';
import { formatMoney } from '../ui.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

const charts = new Map();
const reducedMotion = window.matchMedia('(prefers-reduced-motion: reduce)').matches;

/** Draw (or redraw) `series` ({labels, stacks}) as a stacked bar chart in `canvas`. */
export function drawStacked(canvas, series, currency, labelFormat = (x) => x) {
  canvas.dataset.labels = JSON.stringify(series.labels);
  canvas.dataset.stacks = JSON.stringify(series.stacks.map((s) => s.name));
  const palette = PALETTES[currentTheme()];
  const style = getComputedStyle(canvas.parentElement);
  const text = style.color;
  const grid = style.borderTopColor;
  const labels = series.labels.map(labelFormat);
  charts.get(canvas.id)?.destroy();
  const chart = new Chart(canvas, {
    type: 'bar',
    data: {
      labels,
      datasets: series.stacks.map((stack, i) => ({
        label: stack.name,
        data: stack.values.map(Number),
        exact: stack.values,
        backgroundColor: palette[i % palette.length],
        borderWidth: 0,
      })),
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: reducedMotion ? false : { duration: 300 },
      plugins: {
        legend: { position: 'bottom', labels: { color: text, boxWidth: 12 } },
        tooltip: {
          callbacks: {
            label: (ctx) => ` ${ctx.dataset.label}: ${formatMoney(ctx.dataset.exact[ctx.dataIndex], currency)}`,
          },
        },
      },
      scales: {
        x: { stacked: true, ticks: { color: text, autoSkip: true, maxRotation: 0 }, grid: { display: false } },
        y: {
          stacked: true,
          beginAtZero: true,
          ticks: { color: text, maxTicksLimit: 6 },
          grid: { color: grid },
          title: { display: true, text: `Amount (${currency})`, color: text },
        },
      },
    },
  });
  charts.set(canvas.id, chart);
}
