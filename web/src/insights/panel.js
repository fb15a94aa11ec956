// AWS insights (issue 17): waste with monthly estimates, cost anomalies, commitments, and what Outlay
// may not read, per connection. `renderInsights(container)` fills any element; the page decides where.
import './insights.css';
import { ApiError, api } from '../api.js';
import { formatDate, formatDateTime, formatMoney, formatMonth, h, setStatus } from '../ui.js';

const KIND_LABEL = {
  unattached_volume: 'Unattached volume',
  idle_address: 'Idle Elastic IP',
  old_snapshot: 'Old snapshot',
  stopped_instance: 'Stopped instance',
};
let settings = { monthlySummary: false };

const REGIONS_FROM = {
  preference: 'the regions you chose',
  spend: 'regions with spend last month',
  connection: "the connection's region",
  none: 'none',
};

export async function renderInsights(container, { refresh = false } = {}) {
  container.classList.add('insights');
  const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' }, refresh ? 'Reading from AWS…' : 'Loading insights…');
  if (!container.querySelector('.insights-head')) container.replaceChildren(status);
  else container.prepend(status);
  let data;
  try {
    [data, settings] = await Promise.all([
      api('/aws-insights', { query: refresh ? { refresh: 'true' } : {} }),
      api('/aws-insights/settings'),
    ]);
  } catch (error) {
    const message = error instanceof ApiError ? error.message : 'The insights could not be loaded.';
    setStatus(status, `Could not read the insights: ${message}`, 'error');
    return null;
  }
  container.replaceChildren(...view(container, data));
  return data;
}

function view(container, data) {
  if (!data.configured) {
    return [h('p', { class: 'hint' }, 'Connect an AWS account to see the waste behind your bill, cost anomalies and commitments.')];
  }
  const refresh = h('button', { type: 'button', class: 'secondary small', onclick: () => renderInsights(container, { refresh: true }) }, 'Read again from AWS');
  const readAt = data.connections.map((c) => c.readAt).sort()[0];
  const head = h('div', { class: 'insights-head' },
    h('p', { class: 'hint' }, `Read from AWS ${formatDateTime(readAt)}.`),
    refresh);
  const many = data.connections.length > 1;
  return [head, ...data.connections.flatMap((c) => connectionView(container, c, many)), summaryView()];
}

function connectionView(container, conn, many) {
  const parts = [];
  if (many) parts.push(h('h3', {}, `${conn.name} (${conn.accountId})`));
  for (const problem of conn.problems) parts.push(h('p', { class: 'status', 'data-kind': 'info' }, problem.message));
  parts.push(...wasteView(conn), ...anomaliesView(conn), ...commitmentsView(conn), regionsView(container, conn));
  return parts;
}

function wasteView(conn) {
  const { items, totalMonthly, currency } = conn.waste;
  const title = h('h3', {}, 'Waste');
  if (!items.length) return [title, h('p', { class: 'hint' }, `Nothing idle found in ${conn.regions.join(', ') || 'the scanned regions'}.`)];
  const rows = items.map((f) => h('tr', {},
    h('td', { 'data-label': 'What' }, h('strong', {}, KIND_LABEL[f.kind] || f.kind), h('br'), f.description),
    h('td', { 'data-label': 'Region' }, f.region),
    h('td', { 'data-label': 'Per month', class: 'num' }, `~${formatMoney(f.monthlyCost, f.currency)}`, f.approximate ? ' *' : ''),
    h('td', {}, h('a', { href: f.consoleUrl, target: '_blank', rel: 'noopener noreferrer' }, 'Open in the AWS console'))));
  return [
    title,
    h('p', { class: 'waste-total' }, `About ${formatMoney(totalMonthly, currency)} a month goes to ${items.length} idle resource${items.length === 1 ? '' : 's'}.`),
    h('div', { class: 'table-scroll' }, h('table', { class: 'data-table' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'What'), h('th', { scope: 'col' }, 'Region'), h('th', { scope: 'col', class: 'num' }, 'Per month'), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Link')))),
      h('tbody', {}, rows))),
    h('p', { class: 'hint' }, 'Estimates from AWS list prices (storage only; snapshots at full size). * region priced as us-east-1.'),
  ];
}

function anomaliesView(conn) {
  const { items, note } = conn.anomalies;
  const title = h('h3', {}, 'Cost anomalies');
  const list = items.map((a) => h('li', {},
    h('strong', {}, a.service),
    ` · account ${a.account} · expected ${formatMoney(a.expected, a.currency)}, ${a.source === 'outlay' ? 'on track for' : 'actual'} ${formatMoney(a.actual, a.currency)} · since ${formatDate(a.since)} `,
    h('span', { class: 'source' }, a.source === 'aws' ? '(AWS Cost Anomaly Detection)' : "(Outlay's run-rate check)")));
  return [
    title,
    list.length ? h('ul', { class: 'plain' }, list) : h('p', { class: 'hint' }, 'No anomalies.'),
    note ? h('p', { class: 'hint' }, note) : null,
  ].filter(Boolean);
}

function commitment(label, c, unusedLabel) {
  if (!c.has) return h('li', {}, `${label}: none`);
  const bits = [`utilization ${c.utilizationPercent ?? '—'}%`, `coverage ${c.coveragePercent ?? '—'}%`];
  if (unusedLabel) bits.push(unusedLabel);
  return h('li', {}, h('strong', {}, label), `: ${bits.join(', ')}`);
}

function commitmentsView(conn) {
  const { month, reservations, savingsPlans } = conn.commitments;
  return [
    h('h3', {}, `Commitments${month ? ` in ${formatMonth(month)}` : ''}`),
    h('ul', { class: 'plain' },
      commitment('Reservations', reservations, reservations.has ? `${reservations.unusedHours} unused hours` : ''),
      commitment('Savings Plans', savingsPlans, savingsPlans.has ? `${formatMoney(savingsPlans.unusedCommitment, 'USD')} unused` : '')),
  ];
}

function summaryView() {
  const message = h('p', { class: 'hint', role: 'status', 'aria-live': 'polite' });
  const box = h('input', { type: 'checkbox', id: 'insights-summary', checked: Boolean(settings.monthlySummary), onchange: async () => {
    try {
      settings = await api('/aws-insights/settings', { method: 'PUT', body: { monthlySummary: box.checked } });
      message.textContent = box.checked ? 'You will find a summary here after each monthly import.' : 'No summary after the monthly import.';
    } catch (error) {
      box.checked = !box.checked;
      message.textContent = `Could not save: ${error.message}`;
    }
  } });
  return h('div', {},
    h('h3', {}, 'Monthly summary'),
    h('label', { class: 'checkbox' }, box, ' After each monthly import, show me a summary of these insights in Outlay'),
    message);
}

function regionsView(container, conn) {
  const id = `regions-${conn.id}`;
  const input = h('input', { id, name: 'regions', type: 'text', value: conn.regionsFrom === 'preference' ? conn.regions.join(', ') : '', placeholder: conn.regions.join(', '), 'aria-describedby': `${id}-hint` });
  const message = h('p', { class: 'status', role: 'status', 'aria-live': 'polite', hidden: true });
  const form = h('form', { class: 'regions-form', novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    const regions = input.value.split(/[\s,]+/).filter(Boolean);
    try {
      await api('/aws-insights/settings', { method: 'PUT', body: { regions } });
      await renderInsights(container, { refresh: true });
    } catch (error) {
      setStatus(message, error.message, 'error');
      input.setAttribute('aria-invalid', 'true');
    }
  } },
  h('div', { class: 'field' }, h('label', { for: id }, 'Regions to scan for waste'), input),
  h('button', { type: 'submit', class: 'secondary' }, 'Save regions'));
  return h('div', {},
    h('h3', {}, 'Regions'),
    h('p', { class: 'hint', id: `${id}-hint` }, `Scanned: ${conn.regions.join(', ') || 'none'} (${REGIONS_FROM[conn.regionsFrom] || conn.regionsFrom}). Leave empty to scan the regions with spend last month.`),
    form, message);
}
