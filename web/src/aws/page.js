// AWS costs page: GET /aws-costs/overview for one connection or all of them, month to date by day
// and service, the forecast next to last month, and 12 months by service. Figures come from the
// server's cache (Cost Explorer bills $0.01 per request); "Refresh from AWS" asks for new ones.
import '../styles.css';
import './aws.css';
import { api } from '../api.js';
import { startFrame } from '../frame.js';
import { onThemeChange } from '../theme.js';
import { $, formatDate, formatDateTime, formatMoney, formatMonth, h, setStatus, showFatal, toast } from '../ui.js';
import { drawStacked } from './charts.js';
import { stackedSeries } from './series.js';

const state = { connection: 'all', data: null, loading: false };

function plural(n, word) {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function describeError(error) {
  if (error?.status === 503) return 'AWS is busy or unavailable right now. Please try again in a minute.';
  if (error?.status === 404) return 'That AWS account is no longer connected.';
  return error?.message || 'The AWS costs could not be loaded.';
}

function renderConnections(data) {
  const select = $('#aws-connection');
  const current = state.connection;
  const options = [h('option', { value: 'all' }, 'All accounts')];
  for (const c of data.connections) options.push(h('option', { value: c.id }, `${c.name} (${c.accountId})`));
  if (current !== 'all' && !data.connections.some((c) => c.id === current)) options.push(h('option', { value: current }, current));
  select.replaceChildren(...options);
  select.value = current;

  const list = $('#aws-connection-list');
  list.replaceChildren(
    ...data.connections.map((c) =>
      h(
        'li',
        { 'data-connection': c.id },
        h('span', { class: 'aws-connection-name' }, `${c.name} · ${c.accountId}`),
        c.error
          ? h('span', { class: 'status', 'data-kind': 'error' }, c.error)
          : h('span', { class: 'hint' }, c.fetchedAt ? `figures from ${formatDateTime(c.fetchedAt)}` : ''),
      ),
    ),
  );
  list.hidden = data.connections.length < 2 && !data.connections.some((c) => c.error);
}

function renderFreshness(data) {
  const line = $('#aws-freshness');
  const requests = data.requestsPerRefresh || 3;
  const cost = formatMoney((requests * Number(data.costPerRequestUsd || '0.01')).toFixed(2), 'USD');
  const parts = [];
  if (data.fetchedAt) parts.push(`Figures from ${formatDateTime(data.fetchedAt)}, refreshed at most every ${data.cacheHours} hours.`);
  parts.push(`A refresh costs ${plural(requests, 'Cost Explorer request')} (${cost}) on your AWS bill.`);
  line.textContent = parts.join(' ');
  line.hidden = false;
  const refresh = data.refresh || {};
  if (refresh.status === 'too_soon') {
    setStatus(
      $('#page-status'),
      `The figures were refreshed a few minutes ago. Each refresh costs money on your AWS bill, so the next one is possible at ${formatDateTime(refresh.retryAfter)}.`,
      'info',
    );
  }
  if (refresh.status === 'failed') {
    const reason = data.connections.find((c) => c.error)?.error || 'AWS did not answer.';
    setStatus($('#page-status'), `The refresh did not work: ${reason} The figures shown are the last ones fetched.`, 'error');
  }
}

function renderStats(figures) {
  const { currency } = figures;
  $('#aws-mtd').textContent = formatMoney(figures.monthToDate.total, currency);
  const forecast = $('#aws-forecast');
  if (figures.forecast.available) {
    forecast.textContent = formatMoney(figures.forecast.amount, figures.forecast.currency || currency);
  } else {
    forecast.replaceChildren(h('span', { class: 'hint' }, figures.forecast.message || 'No forecast yet'));
  }
  const last = figures.lastMonth;
  $('#aws-last-month').replaceChildren(
    last ? `${formatMoney(last.total, currency)}` : '—',
    last ? h('span', { class: 'hint aws-stat-note' }, formatMonth(last.month)) : '',
  );
}

function renderServices(figures) {
  const rows = figures.monthToDate.services.map((s) =>
    h('tr', {}, h('th', { scope: 'row' }, s.service), h('td', { class: 'amount' }, formatMoney(s.amount, figures.currency))),
  );
  const table = $('#aws-services');
  table.replaceChildren(
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Service'), h('th', { scope: 'col', class: 'amount' }, 'Month to date'))),
    h('tbody', {}, ...(rows.length ? rows : [h('tr', {}, h('td', { colspan: '2' }, 'No charges this month yet.'))])),
  );
}

function renderMonthsTable(figures, series) {
  const head = h('tr', {}, h('th', { scope: 'col' }, 'Month'), ...series.stacks.map((s) => h('th', { scope: 'col', class: 'amount' }, s.name)), h('th', { scope: 'col', class: 'amount' }, 'Total'));
  const body = figures.months.map((m, i) =>
    h(
      'tr',
      {},
      h('th', { scope: 'row' }, formatMonth(m.month)),
      ...series.stacks.map((s) => h('td', { class: 'amount' }, formatMoney(s.values[i], figures.currency))),
      h('td', { class: 'amount' }, formatMoney(m.total, figures.currency)),
    ),
  );
  $('#aws-months-table').replaceChildren(h('thead', {}, head), h('tbody', {}, ...body));
}

function drawCharts(figures) {
  const order = figures.services;
  const days = stackedSeries(
    figures.monthToDate.days.map((d) => ({ label: d.date, services: d.services })),
    order,
  );
  drawStacked($('#aws-chart-daily'), days, figures.currency, (iso) => formatDate(iso).replace(/,? \d{4}$/, ''));
  const months = stackedSeries(
    figures.months.map((m) => ({ label: m.month, services: m.services })),
    order,
  );
  drawStacked($('#aws-chart-months'), months, figures.currency, formatMonth);
  renderMonthsTable(figures, months);
}

function render(data) {
  state.data = data;
  $('#aws-loading').hidden = true;
  $('#main').setAttribute('aria-busy', 'false');
  if (!data.configured) {
    $('#aws-empty').hidden = false;
    $('#aws-sections').hidden = true;
    $('#aws-toolbar').hidden = true;
    return;
  }
  $('#aws-empty').hidden = true;
  $('#aws-toolbar').hidden = false;
  renderConnections(data);
  renderFreshness(data);
  const figures = data.figures;
  if (!figures) {
    $('#aws-sections').hidden = true;
    const failed = data.connections.find((c) => c.error);
    setStatus($('#page-status'), failed ? failed.error : 'No figures yet. Try refreshing in a minute.', 'error');
    return;
  }
  $('#aws-sections').hidden = false;
  renderStats(figures);
  renderServices(figures);
  drawCharts(figures);
}

async function load({ refresh = false } = {}) {
  if (state.loading) return;
  state.loading = true;
  const button = $('#aws-refresh');
  button.disabled = true;
  $('#main').setAttribute('aria-busy', 'true');
  if (refresh) button.textContent = 'Refreshing…';
  setStatus($('#page-status'), '');
  try {
    const data = await api('/aws-costs/overview', { query: { connection: state.connection, refresh: refresh ? 'true' : '' } });
    render(data);
    if (refresh && data.refresh?.status === 'refreshed') {
      toast(`Refreshed from AWS: ${plural(data.refresh.requests, 'Cost Explorer request')} (${formatMoney(data.refresh.costUsd, 'USD')}).`);
    }
  } catch (error) {
    $('#aws-loading').hidden = true;
    $('#main').setAttribute('aria-busy', 'false');
    setStatus($('#page-status'), describeError(error), 'error');
  } finally {
    state.loading = false;
    button.disabled = false;
    button.textContent = 'Refresh from AWS';
    document.body.dataset.ready = 'true';
  }
}

function start() {
  if (!startFrame()) return;
  const params = new URLSearchParams(window.location.search);
  state.connection = params.get('connection') || 'all';
  $('#aws-connection').addEventListener('change', (event) => {
    state.connection = event.target.value;
    const url = new URL(window.location.href);
    if (state.connection === 'all') url.searchParams.delete('connection');
    else url.searchParams.set('connection', state.connection);
    window.history.replaceState(null, '', url);
    load();
  });
  $('#aws-refresh').addEventListener('click', () => load({ refresh: true }));
  onThemeChange(() => {
    if (state.data?.figures) drawCharts(state.data.figures);
  });
  load().catch(showFatal);
}

start();
