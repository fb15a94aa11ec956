// Pure helpers of the dashboard polish: chart series (every month, exact sums), category colour
// slots, and when a key press is a shortcut.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { SLOTS, colourSlot, monthsBetween, seriesBy } from '../src/expenses/series.js';
import { isTyping, shortcutFor } from '../src/shortcuts.js';

test('monthsBetween lists every month of the range, across a year end', () => {
  assert.deepEqual(monthsBetween('2025-11', '2026-02'), ['2025-11', '2025-12', '2026-01', '2026-02']);
  assert.deepEqual(monthsBetween('2026-03', '2026-03'), ['2026-03']);
  assert.deepEqual(monthsBetween('2026-04', '2026-03'), []);
  assert.deepEqual(monthsBetween(undefined, '2026-03'), []);
});

test('seriesBy month fills the months without spend with 0.00 and sums exactly', () => {
  const items = [
    { month: '2026-01', category: 'Food', currency: 'EUR', total: '0.10' },
    { month: '2026-01', category: 'Travel', currency: 'EUR', total: '0.20' },
    { month: '2026-03', category: 'Food', currency: 'EUR', total: '5.00' },
    { month: '2026-02', category: 'Food', currency: 'USD', total: '9.99' },
  ];
  assert.deepEqual(seriesBy(items, 'EUR', 'month', { from: '2025-12', to: '2026-04' }), {
    labels: ['2025-12', '2026-01', '2026-02', '2026-03', '2026-04'],
    values: ['0.00', '0.30', '0.00', '5.00', '0.00'],
  });
  // Without a range the months that have spend set it.
  assert.deepEqual(seriesBy(items, 'EUR', 'month').labels, ['2026-01', '2026-02', '2026-03']);
  assert.deepEqual(seriesBy(items, 'EUR', 'category'), { labels: ['Food', 'Travel'], values: ['5.10', '0.20'] });
});

test('each category keeps its colour slot: starters fixed and distinct, others by name', () => {
  const starters = ['Software', 'Food', 'Transport', 'Housing', 'Utilities', 'Travel', 'Health', 'Entertainment', 'Other'];
  assert.equal(new Set(starters.map(colourSlot)).size, starters.length);
  assert.equal(colourSlot('Coffee & Tea'), colourSlot('Coffee & Tea'));
  for (const name of ['Coffee & Tea', 'Books', '—', '']) {
    const slot = colourSlot(name);
    assert.ok(Number.isInteger(slot) && slot >= 0 && slot < SLOTS, `${name} -> ${slot}`);
  }
});

const key = (k, target = { tagName: 'BODY' }, extra = {}) => ({ key: k, target, ...extra });

test('shortcuts fire on the page, never while typing, with a modifier or under a dialog', () => {
  assert.equal(shortcutFor(key('/')), '/');
  assert.equal(shortcutFor(key('n', { tagName: 'BUTTON' })), 'n');
  assert.equal(shortcutFor(key('?')), '?');
  assert.equal(shortcutFor(key('x')), null);
  assert.equal(shortcutFor(key('n', { tagName: 'INPUT', type: 'text' })), null);
  assert.equal(shortcutFor(key('/', { tagName: 'INPUT', type: 'search' })), null);
  assert.equal(shortcutFor(key('n', { tagName: 'TEXTAREA' })), null);
  assert.equal(shortcutFor(key('n', { tagName: 'SELECT' })), null);
  assert.equal(shortcutFor(key('n', { tagName: 'DIV', isContentEditable: true })), null);
  assert.equal(shortcutFor(key('n', { tagName: 'BODY' }, { ctrlKey: true })), null);
  assert.equal(shortcutFor(key('n', { tagName: 'BODY' }, { metaKey: true })), null);
  assert.equal(shortcutFor(key('n'), { dialogOpen: true }), null);
  // A checkbox or radio takes no text: shortcuts still work there.
  assert.equal(isTyping({ tagName: 'INPUT', type: 'checkbox' }), false);
});

test('totpUri is the otpauth:// form authenticator apps read, with the e-mail escaped', async () => {
  const { totpUri } = await import('../src/auth.js');
  assert.equal(
    totpUri('JBSWY3DPEHPK3PXP', 'ann+work@example.com'),
    'otpauth://totp/Outlay:ann%2Bwork%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Outlay',
  );
});
