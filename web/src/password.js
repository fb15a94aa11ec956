// The pool's password rules shown live under a new-password field (sign-up, reset, first sign-in,
// change password): one list per `ul.rules[data-rules-for=<input id>]`.
import { PASSWORD_RULES } from './auth.js';
import { h } from './ui.js';

/** The rules `password` does not meet yet, as lower-case labels ("a digit", …). */
export function passwordProblems(password) {
  return PASSWORD_RULES.filter((rule) => !rule.test(password)).map((rule) => rule.label.toLowerCase());
}

/** Fill `list` with the rules and tick them as the user types; `onInput(input)` runs after each update. */
export function renderPasswordRules(list, onInput = () => {}) {
  const input = document.getElementById(list.dataset.rulesFor);
  const items = PASSWORD_RULES.map((rule) =>
    h('li', { 'data-rule': rule.id }, h('span', { class: 'rule-mark', 'aria-hidden': 'true' }), h('span', {}, rule.label), h('span', { class: 'visually-hidden rule-state' })),
  );
  list.replaceChildren(...items);
  const update = () => {
    PASSWORD_RULES.forEach((rule, index) => {
      const met = rule.test(input.value);
      const item = items[index];
      item.dataset.met = String(met);
      item.querySelector('.rule-mark').textContent = met ? '✓' : '•';
      item.querySelector('.rule-state').textContent = met ? ' (met)' : ' (not met yet)';
    });
  };
  input.addEventListener('input', () => {
    update();
    onInput(input);
  });
  update();
}
