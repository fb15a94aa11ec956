// The AWS costs page's chart series: the biggest services stacked by name, the rest in one "Other"
// stack with exact decimal sums, a zero where a period has no charge for a service.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { OTHER, stackedSeries } from '../src/aws/series.js';

const periods = [
  { label: '2026-10', services: { A: '10.00', B: '5.10', C: '0.10', D: '0.20' } },
  { label: '2026-11', services: { A: '12.00', C: '0.30' } },
];

test('stackedSeries keeps the top services by name and folds the rest into Other, exactly', () => {
  const series = stackedSeries(periods, ['A', 'B', 'C', 'D'], 2);
  assert.deepEqual(series.labels, ['2026-10', '2026-11']);
  assert.deepEqual(series.stacks, [
    { name: 'A', values: ['10.00', '12.00'] },
    { name: 'B', values: ['5.10', '0.00'] },
    { name: OTHER, values: ['0.30', '0.30'] },
  ]);
});

test('stackedSeries has no Other stack when every service is named', () => {
  const series = stackedSeries(periods, ['A', 'B', 'C', 'D'], 7);
  assert.deepEqual(
    series.stacks.map((s) => s.name),
    ['A', 'B', 'C', 'D'],
  );
});
