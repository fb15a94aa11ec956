// Pure helpers of the Settings "Rules" section (no DOM): how a rule reads, moving one in the ordered
// list, the request body, and where the API's error details point.

export const MATCH_LABELS = { service: 'Service', account: 'Linked account', tag: 'Tag' };

/** "Tag project = acme → Client work, tagged acme" */
export function describeRule(rule) {
  const what = rule.match === 'tag' ? `Tag ${rule.tagKey} = ${rule.value}` : `${MATCH_LABELS[rule.match] || rule.match} ${rule.value}`;
  const tags = (rule.tags || []).length ? `, tagged ${rule.tags.join(', ')}` : '';
  return `${what} → ${rule.category}${tags}`;
}

/** A copy of `rules` with the rule at `index` moved by `step` (-1 up, +1 down); unchanged at the ends. */
export function moveRule(rules, index, step) {
  const target = index + step;
  if (index < 0 || index >= rules.length || target < 0 || target >= rules.length) return rules.slice();
  const copy = rules.slice();
  [copy[index], copy[target]] = [copy[target], copy[index]];
  return copy;
}

/** "a, b ,, c" -> ["a", "b", "c"] */
export function parseTags(text) {
  return String(text || '').split(',').map((t) => t.trim()).filter(Boolean);
}

/** The add form's values -> a rule, or a list of {field, message} problems found before asking the API. */
export function ruleFromForm({ match, tagKey, value, category, tags }) {
  const rule = { match, value: String(value || '').trim(), category, tags: parseTags(tags) };
  const problems = [];
  if (match === 'tag') {
    rule.tagKey = String(tagKey || '').trim();
    if (!rule.tagKey) problems.push({ field: 'tagKey', message: 'Enter the tag key, such as project.' });
    else if (rule.tagKey.includes('$')) problems.push({ field: 'tagKey', message: 'A tag key cannot contain $.' });
  }
  if (!rule.value) problems.push({ field: 'value', message: 'Enter what the rule matches.' });
  else if (match === 'account' && !/^\d{12}$/.test(rule.value)) problems.push({ field: 'value', message: 'An AWS account id has 12 digits.' });
  if (!category) problems.push({ field: 'category', message: 'Choose a category.' });
  return problems.length ? { problems } : { rule };
}

/** The PUT body: the rules as the API returned them (null fields left out) and the credits choice. */
export function rulesBody(rules, credits) {
  const clean = rules.map((rule) => Object.fromEntries(Object.entries(rule).filter(([, v]) => v !== null && v !== undefined)));
  return { rules: clean, credits };
}

/** API details for `rules.<index>.<field>` -> [{field, message}] of that rule; others untouched. */
export function detailsOfRule(details, index) {
  const prefix = `rules.${index}.`;
  return (details || []).filter((d) => String(d.field || '').startsWith(prefix))
    .map((d) => ({ ...d, field: String(d.field).slice(prefix.length) }));
}

const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

/** GET /aws-cost-rules/preview -> one sentence ("" when nothing would change and no tag rule waits). */
export function describePreview(preview, monthLabel) {
  const parts = (preview?.moves || []).map((m) => `${plural(m.lines, 'line', 'lines')} would move to ${m.category}`);
  if (preview?.removed) parts.push(`${plural(preview.removed, 'credit or refund line', 'credit and refund lines')} would be removed`);
  let text = parts.length ? `At the next import of ${monthLabel}: ${parts.join('; ')}.` : '';
  if (preview?.keptUserEdits) text += `${text ? ' ' : ''}${plural(preview.keptUserEdits, 'line you edited keeps', 'lines you edited keep')} your category.`;
  if (preview?.tagRules) text += `${text ? ' ' : ''}Tag rules also split tagged costs into lines of their own at the next import.`;
  return text;
}
