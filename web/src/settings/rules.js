// Settings "Rules" section: the ordered rules from AWS lines to categories (add, move, delete) and the
// credits choice. Every change saves the whole list (PUT /aws-cost-rules); the next import applies it.
import { api, itemsOf } from '../api.js';
import { $, clearFieldErrors, formatMonth, h, setStatus, showFieldErrors } from '../ui.js';
import { describePreview, describeRule, detailsOfRule, moveRule, ruleFromForm, rulesBody } from './rules-model.js';

const VALUE_LABELS = { service: 'Service name', account: 'Account id (12 digits)', tag: 'Tag value' };
let rules = [];
let credits = 'show';

function render() {
  const list = $('#rules-list');
  list.replaceChildren(...rules.map((rule, index) => {
    const text = describeRule(rule);
    const button = (label, action, disabled) => h('button', {
      type: 'button', class: 'secondary small', 'aria-label': `${label}: ${text}`, disabled, onclick: action,
    }, label);
    return h('li', { dataset: { index: String(index) } }, h('span', { class: 'rule-text' }, text), ' ',
      button('Move up', () => save(moveRule(rules, index, -1), credits, 'Rule moved up.'), index === 0), ' ',
      button('Move down', () => save(moveRule(rules, index, 1), credits, 'Rule moved down.'), index === rules.length - 1), ' ',
      button('Delete', () => save(rules.filter((_, i) => i !== index), credits, 'Rule deleted.')));
  }));
  list.hidden = !rules.length;
  $('#rules-credits').value = credits;
  if (!rules.length) setStatus($('#rules-status'), 'No rules yet: every imported AWS line goes to Software.', 'info');
}

/** What the saved rules would change on last month's imported lines (no Cost Explorer call). */
async function loadPreview() {
  const note = $('#rules-preview');
  try {
    const preview = await api('/aws-cost-rules/preview');
    note.textContent = describePreview(preview, formatMonth(preview.month));
  } catch {
    note.textContent = '';
  }
  note.hidden = !note.textContent;
}

async function save(nextRules, nextCredits, done) {
  const message = $('#rules-status');
  try {
    const saved = await api('/aws-cost-rules', { method: 'PUT', body: rulesBody(nextRules, nextCredits) });
    rules = saved.rules || [];
    credits = saved.credits || 'show';
    render();
    setStatus(message, `${done} The next import applies your rules to lines you have not edited.`, 'success');
    await loadPreview();
    return null;
  } catch (error) {
    setStatus(message, `Could not save the rules: ${error.message}`, 'error');
    render();
    return error;
  }
}

function showMatch() {
  const match = $('#rule-match').value;
  $('#rule-tag-key-field').hidden = match !== 'tag';
  $('#rule-value-label').textContent = VALUE_LABELS[match];
  if (match === 'service') $('#rule-value').setAttribute('list', 'rule-services');
  else $('#rule-value').removeAttribute('list');
}

async function addRule(event) {
  event.preventDefault();
  const form = $('#rule-form');
  clearFieldErrors(form);
  const values = Object.fromEntries(new FormData(form).entries());
  const { rule, problems } = ruleFromForm(values);
  if (problems) {
    showFieldErrors(form, problems);
    return;
  }
  const error = await save([...rules, rule], credits, 'Rule added.');
  if (error) showFieldErrors(form, detailsOfRule(error.details, rules.length));
  else {
    form.reset();
    showMatch();
  }
}

async function loadCategories() {
  const select = $('#rule-category');
  const names = itemsOf(await api('/categories')).map((c) => c.name);
  select.replaceChildren(h('option', { value: '' }, 'Choose…'), ...names.map((name) => h('option', { value: name }, name)));
}

/** Service names the user's imports already have, as suggestions for a service rule. */
async function loadServiceSuggestions() {
  const data = await api('/expenses', { query: { vendor: 'AWS - ', limit: 100 } });
  const names = new Set(itemsOf(data).filter((e) => e.aws?.recordType === 'Usage').map((e) => e.vendor.replace(/^AWS - /, '')));
  $('#rule-services').replaceChildren(...[...names].sort().map((name) => h('option', { value: name })));
}

export async function startRules() {
  $('#rule-match').addEventListener('change', showMatch);
  $('#rule-form').addEventListener('submit', addRule);
  $('#rules-credits').addEventListener('change', (event) => {
    const choice = event.target.value;
    save(rules, choice, choice === 'omit' ? 'Credits and refunds will be left out.' : 'Credits and refunds will be shown.');
  });
  showMatch();
  try {
    const [saved] = await Promise.all([api('/aws-cost-rules'), loadCategories()]);
    rules = saved.rules || [];
    credits = saved.credits || 'show';
    render();
    await loadPreview();
  } catch (error) {
    setStatus($('#rules-status'), `Could not load your rules: ${error.message}`, 'error');
  }
  loadServiceSuggestions().catch(() => {}); // suggestions only: the field takes any name
}
