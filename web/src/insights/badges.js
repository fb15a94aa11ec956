// Waste badges on imported AWS expense rows ("1 unattached volume ~$9.60/month"). Reads only what
// the insights have cached (`cachedOnly`): a list page never makes Outlay call AWS.
import './insights.css';
import { api } from '../api.js';
import { $, h } from '../ui.js';

let badges = {};

/** The monthly summary (opt-in) as a banner at the top of the page, until dismissed. */
function showNotice(notice) {
  const main = $('#main');
  if (!main || $('#insights-notice')) return;
  const banner = h('p', { id: 'insights-notice', class: 'status insights-notice', role: 'status' },
    h('span', {}, notice.text), ' ',
    h('a', { href: './settings.html#insights-title' }, 'See the insights'), ' ',
    h('button', { type: 'button', class: 'link-button', onclick: async () => {
      banner.remove();
      try {
        await api('/aws-insights/notice', { method: 'DELETE' });
      } catch {
        /* shown again next time: nothing is lost */
      }
    } }, 'Dismiss'));
  // Below the page's title row (the h1 may share a row with buttons).
  const heading = main.querySelector('h1');
  const anchor = heading && heading.parentElement !== main ? heading.parentElement : heading;
  if (anchor) anchor.after(banner);
  else main.prepend(banner);
}

/** Loads the cached badges once; resolves true when there is at least one to show. */
export async function loadWasteBadges() {
  try {
    const data = await api('/aws-insights', { query: { cachedOnly: 'true' } });
    badges = data.badges || {};
    if (data.notice) showNotice(data.notice);
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
