// Totals in the user's base currency (GET /summary `converted`), shown beside the per-currency totals:
// never instead of them. Every rate used is listed with its ECB publication date; amounts ECB has no
// rate for stay in their own currency with the reason.
import { formatMoney, h } from '../ui.js';

function plural(n, word) {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function ratesTable(converted) {
  const rows = converted.rates.map((r) =>
    h(
      'tr',
      {},
      h('th', { scope: 'row' }, `1 ${r.currency}`),
      h('td', { class: 'num' }, `${r.rate} ${converted.base}`),
      h('td', {}, r.rateDate, r.provisional ? ' (provisional)' : ''),
      h('td', {}, r.forDates.filter((d) => d !== r.rateDate).join(', ') || '—'),
    ),
  );
  return h(
    'details',
    { class: 'rates-used' },
    h('summary', {}, `Rates used (${converted.rates.length})`),
    h(
      'table',
      { class: 'data-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'From'),
          h('th', { scope: 'col', class: 'num' }, 'Rate'),
          h('th', { scope: 'col' }, 'ECB date'),
          h('th', { scope: 'col' }, 'Also used for'),
        ),
      ),
      h('tbody', {}, rows),
    ),
    h(
      'p',
      { class: 'hint' },
      "Each expense is converted at the ECB reference rate of its own date. Weekends and holidays have no rate: " +
        'they use the last rate ECB published before them ("Also used for").',
    ),
  );
}

/** Fill `box` from a summary's `converted` (or hide it when there is no base currency). */
export function renderConverted(box, converted) {
  if (!converted) {
    box.hidden = true;
    box.replaceChildren();
    return;
  }
  const parts = [];
  if (converted.count > 0) {
    parts.push(
      h(
        'p',
        { class: 'converted-total', dataset: { base: converted.base, total: converted.total } },
        h('span', { class: 'label' }, `≈ Total in ${converted.base}`),
        ' ',
        h('strong', {}, formatMoney(converted.total, converted.base)),
        ` — ${plural(converted.count, 'expense')} at ECB reference rates; original amounts unchanged.`,
      ),
    );
  } else {
    parts.push(
      h('p', { class: 'converted-empty' }, `No totals in ${converted.base} yet: no ECB rate applies to these expenses.`),
    );
  }
  if (converted.provisional) {
    parts.push(
      h(
        'p',
        { class: 'hint converted-provisional' },
        "Some dates have no ECB rate yet (ECB publishes around 16:00 CET on working days): they use the newest rate, marked provisional, until the day's rate arrives.",
      ),
    );
  }
  for (const u of converted.unconverted) {
    parts.push(
      h(
        'p',
        { class: 'converted-missing', dataset: { currency: u.currency } },
        `${formatMoney(u.total, u.currency)} (${plural(u.count, 'expense')}) not converted: ${u.reason}.`,
      ),
    );
  }
  if (converted.missingFromDaily > 0) {
    parts.push(
      h(
        'p',
        { class: 'hint' },
        `${plural(converted.missingFromDaily, 'older expense')} are not in the daily totals yet and are left out of the converted total.`,
      ),
    );
  }
  if (converted.rates.length) parts.push(ratesTable(converted));
  box.replaceChildren(...parts);
  box.hidden = false;
}
