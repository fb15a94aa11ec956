// The dashboard's pure helpers under Node's built-in test runner (no DOM, no extra dependency).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { cleanQuery } from '../src/api.js';
import { PASSWORD_RULES } from '../src/auth.js';
import { addDecimals, amountRule, formatMoney, fractionDigits } from '../src/ui.js';

test('addDecimals sums decimal strings exactly, where floats would not', () => {
  assert.equal(0.1 + 0.2 === 0.3, false); // the reason this helper exists
  assert.equal(addDecimals(['0.10', '0.20']), '0.30');
  assert.equal(addDecimals(['1.5', '2.25']), '3.75');
  assert.equal(addDecimals(['99.99', '0.84', '3.12']), '103.95');
  assert.equal(addDecimals(Array(1000).fill('0.01')), '10.00');
});

test('addDecimals keeps signs (AWS credits are negative)', () => {
  assert.equal(addDecimals(['-5.00', '3.12']), '-1.88');
  assert.equal(addDecimals(['-0.05', '0.05']), '0.00');
  assert.equal(addDecimals(['-0.5']), '-0.5');
  assert.equal(addDecimals(['+2.00', '1']), '3.00');
});

test('addDecimals handles large totals without losing cents', () => {
  assert.equal(addDecimals(['999999999.99', '0.01']), '1000000000.00');
  assert.equal(addDecimals(['9007199254740993.01', '0.01']), '9007199254740993.02');
});

const failing = (password) => PASSWORD_RULES.filter((rule) => !rule.test(password)).map((rule) => rule.id);

test('password rules match the pool policy: 8+, upper, lower, digit, symbol', () => {
  assert.deepEqual(failing('Outlay-e2e-9!'), []);
  assert.deepEqual(failing('abc'), ['length', 'upper', 'digit', 'symbol']);
  assert.deepEqual(failing('ABCDEFGH1!'), ['lower']);
  assert.deepEqual(failing('abcdefgH!'), ['digit']);
  assert.deepEqual(failing('abcdefgH1'), ['symbol']);
});

test("password rules accept each of Cognito's symbols, including space", () => {
  for (const symbol of '^$*.[]{}()?"!@#%&/\\,><\':;|_~`=+- ') {
    assert.deepEqual(failing(`Abcdefg1${symbol}`), [], `symbol ${JSON.stringify(symbol)}`);
  }
  assert.deepEqual(failing('Abcdefg1é'), ['symbol']);
});

test('cleanQuery drops filters that are not set and trims the rest', () => {
  assert.deepEqual(cleanQuery({ from: '', to: '2026-11-30', vendor: '  Metro ', min: null, max: undefined, limit: 25 }), {
    to: '2026-11-30',
    vendor: 'Metro',
    limit: '25',
  });
});

test('formatMoney shows the digits the server sent: never rounded, never forced to 2 decimals', () => {
  assert.match(formatMoney('1200', 'JPY'), /^[^\d]*1,200[^\d]*$/);
  assert.match(formatMoney('1.234', 'KWD'), /1\.234/);
  assert.match(formatMoney('12.50', 'USD'), /12\.50/);
  // Intl thinks IQD has 0 decimals; ISO 4217 says 3, and the server's string wins.
  assert.match(formatMoney('1.250', 'IQD'), /1\.250/);
  assert.equal(fractionDigits('1200'), 0);
  assert.equal(fractionDigits('1.234'), 3);
});

test("amountRule follows the currency's minor units", () => {
  assert.equal(amountRule(0).regex.test('1200'), true);
  assert.equal(amountRule(0).regex.test('5.50'), false);
  assert.equal(amountRule(2).regex.test('5.50'), true);
  assert.equal(amountRule(2).regex.test('5.505'), false);
  assert.equal(amountRule(3).regex.test('1.234'), true);
  assert.deepEqual([amountRule(0).step, amountRule(2).step, amountRule(3).step], ['1', '0.01', '0.001']);
  assert.equal(amountRule(undefined).regex.test('1.2345'), true); // unknown: the API decides
});

test('describeCounts names every kind the account holds, singular or plural, and skips empty ones', async () => {
  const { describeCounts } = await import('../src/account-data.js');
  assert.deepEqual(describeCounts({ expenses: 3, receipts: 1, categories: 0, connections: 1, lakeMonths: 2 }), [
    '3 expenses',
    '1 receipt file',
    '1 AWS connection (with its stored secret)',
    '2 months of analytics data',
  ]);
  assert.deepEqual(describeCounts({}), []);
});

test('confirmationMatches wants exactly the word the API asked for', async () => {
  const { confirmationMatches } = await import('../src/account-data.js');
  assert.equal(confirmationMatches('DELETE', 'DELETE'), true);
  for (const typed of ['delete', 'DELETE ', ' DELETE', '', 'DELET']) assert.equal(confirmationMatches(typed, 'DELETE'), false);
  assert.equal(confirmationMatches('', ''), false); // no word from the API: never confirmed
});
