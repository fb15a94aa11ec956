// Waste badges on imported AWS expense rows ("1 unattached volume ~$9.60/month"). Reads only what
// the insights have cached (`cachedOnly`): a list page never makes Outlay call AWS.
import './insights.css';
import { api } from '../api.js';
import { h } from '../ui.js';

let badges = {};

/** Loads the cached badges once; resolves true when there is at least one to show. */
export async function loadWasteBadges() {
  try {
    const data = await api('/aws-insights', { query: { cachedOnly: 'true' } });
    badges = data.badges || {};
  } catch {
    badges = {}; // badges are a hint: never an error on the expense list
  }
  return Object.keys(badges).length > 0;
}

function recent(isoDate) {
  const now = new Date();
  const cutoff = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 10);
  return String(isoDate || '') >= cutoff;
}

/** The badge for an imported line of the current or last month whose service has waste, or null. */
export function wasteBadgeFor(expense) {
  const vendor = String(expense.vendor || '');
  if (expense.source !== 'aws' || !vendor.startsWith('AWS - ') || !recent(expense.date)) return null;
  const text = badges[vendor.slice('AWS - '.length)];
  if (!text) return null;
  return h('a', { class: 'badge waste', href: './settings.html#insights-title', title: 'Idle AWS resources that keep billing: see the insights' }, text);
}
