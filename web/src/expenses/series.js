// Chart data, pure (no DOM, no Chart.js) so it is unit-tested under Node: grouping with exact sums,
// every month of a range, and a fixed colour slot per category name.
import { addDecimals } from '../ui.js';

/** Every "YYYY-MM" from `from` to `to` inclusive (empty when either is missing or from > to). */
export function monthsBetween(from, to) {
  const parse = (m) => /^(\d{4})-(\d{2})$/.exec(String(m || ''));
  const a = parse(from);
  const b = parse(to);
  if (!a || !b) return [];
  let year = Number(a[1]);
  let month = Number(a[2]);
  const end = Number(b[1]) * 12 + Number(b[2]);
  const out = [];
  while (year * 12 + month <= end && out.length < 1200) {
    out.push(`${year}-${String(month).padStart(2, '0')}`);
    month += 1;
    if (month > 12) {
      month = 1;
      year += 1;
    }
  }
  return out;
}

/**
 * Group summary rows of one currency by `key`, summing exactly (decimal strings). By month, every
 * month of `range` ({from, to} as YYYY-MM) is there, months without spend as "0.00".
 */
export function seriesBy(items, currency, key, range = {}) {
  const groups = new Map();
  for (const item of items) {
    if (item.currency !== currency) continue;
    const label = item[key] || '—';
    if (!groups.has(label)) groups.set(label, []);
    groups.get(label).push(item.total);
  }
  if (key !== 'month') {
    const labels = [...groups.keys()];
    return { labels, values: labels.map((label) => addDecimals(groups.get(label))) };
  }
  const present = [...groups.keys()].sort();
  const from = [range.from, present[0]].filter(Boolean).sort()[0];
  const to = [range.to, present.at(-1)].filter(Boolean).sort().at(-1);
  const labels = monthsBetween(from, to);
  return { labels, values: labels.map((label) => (groups.has(label) ? addDecimals(groups.get(label)) : '0.00')) };
}

// The starter categories keep their own slot; any other name hashes to one (stable across renders,
// pages and sessions: the colour depends on the name only).
const FIXED_SLOTS = ['Software', 'Food', 'Transport', 'Housing', 'Utilities', 'Travel', 'Health', 'Entertainment', 'Other'];
export const SLOTS = 10;

export function colourSlot(name) {
  const fixed = FIXED_SLOTS.indexOf(name);
  if (fixed >= 0) return fixed;
  let hash = 2166136261; // FNV-1a over the UTF-16 code units
  for (const unit of String(name)) {
    hash ^= unit.codePointAt(0);
    hash = Math.imul(hash, 16777619) >>> 0;
  }
  return hash % SLOTS;
}
