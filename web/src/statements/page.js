// Import a bank statement: upload (presigned POST straight to storage) -> preview and column mapping ->
// bad lines and likely duplicates -> import in the background -> progress -> result with bad lines.
import '../styles.css';
import './statements.css';
import { api, ApiError, itemsOf } from '../api.js';
import { startFrame } from '../frame.js';
import { $, formatDateTime, h, setStatus, showFatal } from '../ui.js';

const DATE_FORMATS = ['YYYY-MM-DD', 'DD.MM.YYYY', 'MM/DD/YYYY', 'DD/MM/YYYY', 'YYYY/MM/DD', 'DD-MM-YYYY', 'YYYYMMDD',
  'DD.MM.YY', 'MM/DD/YY', 'DD/MM/YY'];
const DELIMITERS = { ',': 'Comma ,', ';': 'Semicolon ;', '\t': 'Tab', '|': 'Bar |' };
const MAX_BYTES = 5 * 1024 * 1024;
const state = { uploadId: null, fileName: '', analysis: null, keep: new Set() };

function errorText(error) {
  if (error instanceof ApiError && error.details.length) {
    return `${error.message}: ${error.details.map((d) => `${d.field} ${d.message}`).join('; ')}`;
  }
  return error.message;
}

// ---------------------------------------------------------------- 1. upload

async function postToStorage(presigned, file) {
  const data = new FormData();
  for (const [key, value] of Object.entries(presigned.fields || {})) data.append(key, value);
  data.append('file', file); // S3 requires the file to be the last field
  let response;
  try {
    response = await fetch(presigned.url, { method: 'POST', body: data });
  } catch {
    throw new Error('the upload could not reach the storage service');
  }
  if (!response.ok) throw new Error(`the storage service answered HTTP ${response.status}`);
}

async function upload(event) {
  event.preventDefault();
  const input = $('#statement-file');
  const error = $('#statement-file-error');
  const file = input.files?.[0];
  error.hidden = true;
  input.removeAttribute('aria-invalid');
  const problem = !file ? 'Choose a CSV file.' : file.size === 0 ? 'The file is empty.'
    : file.size > MAX_BYTES ? 'The file is larger than 5 MB; split it into smaller statements.' : '';
  if (problem) {
    error.textContent = problem;
    error.hidden = false;
    input.setAttribute('aria-invalid', 'true');
    input.focus();
    return;
  }
  const status = $('#upload-status');
  const button = $('#upload-button');
  button.disabled = true;
  setStatus(status, 'Uploading…');
  try {
    const presigned = await api('/imports/statements', { method: 'POST' });
    await postToStorage(presigned, file);
    state.uploadId = presigned.uploadId;
    state.fileName = file.name.slice(0, 200);
    state.keep = new Set();
    setStatus(status, 'Reading the file…');
    await analyze(undefined);
    setStatus(status, '');
  } catch (err) {
    setStatus(status, `The statement could not be read: ${errorText(err)}`, 'error');
  } finally {
    button.disabled = false;
  }
}

// ---------------------------------------------------------------- 2. mapping, bad lines, duplicates

async function analyze(mapping) {
  const body = mapping ? { mapping } : {};
  state.analysis = await api(`/imports/statements/${state.uploadId}/analyze`, { method: 'POST', body });
  renderAnalysis();
}

function columnSelect(name, label, value, headers, optional) {
  const id = `map-${name}`;
  const options = headers.map((header, index) => h('option', { value: String(index), selected: value === index }, `${index + 1}: ${header}`));
  if (optional) options.unshift(h('option', { value: '', selected: value === null || value === undefined }, '(none)'));
  return h('div', { class: 'field compact' }, h('label', { for: id }, label), h('select', { id, name }, options));
}

function choiceSelect(name, label, value, choices) {
  const id = `map-${name}`;
  return h('div', { class: 'field compact' }, h('label', { for: id }, label),
    h('select', { id, name }, Object.entries(choices).map(([v, text]) => h('option', { value: v, selected: v === value }, text))));
}

function renderMappingFields(mapping, headers) {
  const m = mapping || {};
  const formats = Object.fromEntries(DATE_FORMATS.map((f) => [f, f]));
  $('#mapping-fields').replaceChildren(
    columnSelect('date', 'Date column', m.date ?? 0, headers, false),
    columnSelect('amount', 'Amount column', m.amount ?? 1, headers, false),
    columnSelect('vendor', 'Vendor column', m.vendor, headers, true),
    columnSelect('description', 'Description column', m.description, headers, true),
    columnSelect('currency', 'Currency column', m.currency, headers, true),
    h('div', { class: 'field compact' }, h('label', { for: 'map-fixedCurrency' }, 'Currency when no column has it'),
      h('input', { type: 'text', id: 'map-fixedCurrency', name: 'fixedCurrency', value: m.fixedCurrency || 'USD', maxlength: 3, size: 4 })),
    choiceSelect('dateFormat', 'Date format', m.dateFormat || 'YYYY-MM-DD', formats),
    choiceSelect('decimal', 'Decimal mark', m.decimal || '.', { '.': 'Point 1,234.56', ',': 'Comma 1.234,56' }),
    choiceSelect('delimiter', 'Delimiter', m.delimiter || ',', DELIMITERS),
    choiceSelect('hasHeader', 'First line', String(m.hasHeader ?? true), { true: 'is a header', false: 'is data' }),
    choiceSelect('spending', 'Spending is', m.spending || 'negative', { negative: 'negative (most banks)', positive: 'positive' }),
    h('div', { class: 'field compact' }, h('label', { for: 'map-category' }, 'Category'),
      h('input', { type: 'text', id: 'map-category', name: 'category', value: m.category || 'Other', maxlength: 40 })),
  );
}

function mappingFromForm() {
  const form = $('#mapping-form');
  const value = (name) => form.elements[name].value;
  const column = (name) => (value(name) === '' ? null : Number(value(name)));
  const mapping = {
    delimiter: value('delimiter'), hasHeader: value('hasHeader') === 'true', date: column('date'), amount: column('amount'),
    dateFormat: value('dateFormat'), decimal: value('decimal'), spending: value('spending'),
    category: value('category').trim() || 'Other',
  };
  for (const name of ['vendor', 'description', 'currency']) if (column(name) !== null) mapping[name] = column(name);
  if (column('currency') === null) mapping.fixedCurrency = value('fixedCurrency').trim().toUpperCase();
  return mapping;
}

function table(caption, head, rows) {
  return h('div', { class: 'statement-scroll', tabindex: 0, role: 'region', 'aria-label': caption }, h('table', { class: 'statement-table' }, h('caption', {}, caption),
    h('thead', {}, h('tr', {}, head.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, c)))))));
}

function badRowsTable(rows, total) {
  if (!total) return null;
  const more = total > rows.length ? ` (first ${rows.length} of ${total})` : '';
  return table(`Lines that will not be imported${more}`, ['Line', 'Field', 'Why'], rows.map((b) => [String(b.line), b.field, b.reason]));
}

function renderAnalysis() {
  const a = state.analysis;
  $('#step-mapping').hidden = false;
  $('#mapping-remembered').hidden = !a.remembered;
  const [first, ...rest] = a.preview;
  const header = a.mapping?.hasHeader ?? a.detected?.hasHeader ?? true;
  const headRow = header ? first : a.headers;
  const bodyRows = header ? rest : a.preview;
  $('#preview-table').replaceChildren(
    h('caption', {}, 'The first rows of the file'),
    h('thead', {}, h('tr', {}, headRow.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, bodyRows.map((r) => h('tr', {}, r.map((c) => h('td', {}, c))))),
  );
  renderMappingFields(a.mapping, a.headers);
  const c = a.counts;
  const importable = c.valid - c.duplicates + state.keep.size;
  setStatus($('#counts'), a.mapping
    ? `${c.total} rows: ${importable} to import, ${c.credits} credits skipped, ${c.bad} bad, ${c.duplicates} likely duplicates.`
    : 'Choose the date and amount columns, then check again.', a.mapping ? 'info' : 'error');
  $('#commit-button').textContent = `Import ${Math.max(importable, 0)} rows`;
  $('#commit-button').disabled = !a.mapping || importable <= 0;
  $('#bad-rows').replaceChildren(badRowsTable(a.badRows, c.bad) || '');
  $('#duplicates').replaceChildren(a.duplicates.length ? duplicatesTable(a.duplicates) : '');
}

function duplicatesTable(duplicates) {
  const rows = duplicates.map((d) => {
    const id = `keep-${d.line}`;
    const box = h('input', { type: 'checkbox', id, checked: state.keep.has(d.line), onchange: (e) => {
      if (e.target.checked) state.keep.add(d.line); else state.keep.delete(d.line);
      renderAnalysis();
    } });
    const existing = d.matches.map((m) => `${m.date} ${m.amount} ${m.currency} ${m.vendor}`).join('; ');
    return h('tr', {}, h('td', {}, String(d.line)), h('td', {}, `${d.date} ${d.amount} ${d.currency} ${d.vendor}`),
      h('td', {}, existing), h('td', {}, box, h('label', { for: id }, ' Import anyway')));
  });
  return h('div', { class: 'statement-scroll', tabindex: 0, role: 'region', 'aria-label': 'Likely duplicates' }, h('table', { class: 'statement-table' }, h('caption', {}, 'Likely duplicates of expenses you already have (skipped unless you keep them)'),
    h('thead', {}, h('tr', {}, ['Line', 'In the file', 'Already recorded', ''].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, rows)));
}

async function recheck(event) {
  event.preventDefault();
  try {
    await analyze(mappingFromForm());
    setStatus($('#commit-status'), '');
  } catch (err) {
    setStatus($('#commit-status'), errorText(err), 'error');
  }
}

// ---------------------------------------------------------------- 3. commit, progress, result

async function commit() {
  const button = $('#commit-button');
  button.disabled = true;
  try {
    const run = await api(`/imports/statements/${state.uploadId}/commit`, {
      method: 'POST', body: { mapping: mappingFromForm(), keep: [...state.keep], fileName: state.fileName },
    });
    $('#step-mapping').hidden = true;
    $('#step-progress').hidden = false;
    await follow(run);
  } catch (err) {
    setStatus($('#commit-status'), `Nothing was imported: ${errorText(err)}`, 'error');
    button.disabled = false;
  }
}

function runSummary(run) {
  return `${run.created} new expenses, ${run.unchanged + run.updated + run.keptUserEdits} already imported, `
    + `${run.duplicatesSkipped} duplicates skipped, ${run.creditsSkipped} credits skipped, `
    + `${run.dismissedSkipped} you had deleted, ${run.bad} bad lines.`;
}

async function follow(run) {
  const bar = $('#run-progress');
  for (;;) {
    bar.value = run.total ? Math.round((run.done / run.total) * 100) : 100;
    setStatus($('#run-status'), run.status === 'succeeded' ? `Done: ${runSummary(run)}` : `${run.done} of ${run.total} rows…`);
    if (run.status === 'succeeded' || run.status === 'failed') break;
    await new Promise((resolve) => { setTimeout(resolve, 1000); });
    run = await api(`/imports/statements/runs/${run.runId}`);
  }
  $('#run-bad-rows').replaceChildren(badRowsTable(run.badRows, run.bad) || '');
  $('#to-expenses').hidden = false;
  await loadRuns();
}

async function loadRuns() {
  const runs = itemsOf(await api('/imports/statements/runs', { query: { limit: 10 } }));
  $('#runs-empty').hidden = runs.length > 0;
  $('#runs-list').replaceChildren(...runs.map((r) => h('li', {},
    h('strong', {}, r.fileName), ` · ${formatDateTime(r.startedAt)} · ${r.status} · ${r.done}/${r.total} rows · ${runSummary(r)}`)));
}

function startOver() {
  state.uploadId = null;
  state.analysis = null;
  $('#step-mapping').hidden = true;
  $('#upload-form').reset();
  $('#statement-file').focus();
}

if (startFrame()) {
  $('#upload-form').addEventListener('submit', upload);
  $('#mapping-form').addEventListener('submit', recheck);
  $('#commit-button').addEventListener('click', commit);
  $('#start-over').addEventListener('click', startOver);
  loadRuns()
    .catch((err) => {
      if (err instanceof ApiError) setStatus($('#page-status'), `Recent imports could not be loaded: ${err.message}`, 'error');
      else showFatal(err);
    })
    .finally(() => { document.body.dataset.ready = 'true'; });
}
