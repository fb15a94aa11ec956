// ISO 4217 currencies from GET /currencies (the server's one table): the currency suggestions and
// the amount input's rule (JPY 0 decimals, USD 2, KWD 3), kept in step with the chosen currency.
import { api, itemsOf } from '../api.js';
import { $, amountRule, h } from '../ui.js';
import { form, state } from './state.js';

export async function loadCurrencies() {
  try {
    const data = await api('/currencies');
    state.minorUnits = new Map(itemsOf(data).map((c) => [c.code, c.minorUnits]));
    $('#currency-list').replaceChildren(
      ...itemsOf(data)
        .filter((c) => !c.withdrawn)
        .map((c) => h('option', { value: c.code }, c.name)),
    );
  } catch {
    // The form still works: the API checks the digits and names the field.
    state.minorUnits = new Map();
  }
  applyAmountRule();
}

/** The rule for the editor's current currency (an unknown code: up to 4, the API decides). */
export function currentAmountRule() {
  const code = form.elements.currency.value.trim().toUpperCase();
  return { code, ...amountRule(state.minorUnits.get(code)) };
}

/** Placeholder, step, keyboard and hint of the amount input follow the currency. */
export function applyAmountRule() {
  const rule = currentAmountRule();
  const input = form.elements.amount;
  input.placeholder = rule.placeholder;
  input.setAttribute('pattern', rule.pattern);
  input.dataset.step = rule.step;
  input.inputMode = rule.inputMode;
  const known = state.minorUnits.has(rule.code);
  $('#ex-amount-hint').textContent = known ? `${rule.code}: ${rule.hint}` : '';
}
