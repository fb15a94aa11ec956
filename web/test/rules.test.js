// The Settings "Rules" section's pure helpers: how a rule reads, reordering, form checks, error paths.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeRule, detailsOfRule, moveRule, parseTags, ruleFromForm, rulesBody } from '../src/settings/rules-model.js';

test('a rule reads as what it matches, its category and its tags', () => {
  assert.equal(describeRule({ match: 'tag', tagKey: 'project', value: 'acme', category: 'Client work', tags: ['acme'] }),
    'Tag project = acme → Client work, tagged acme');
  assert.equal(describeRule({ match: 'service', value: 'AWS Lambda', category: 'Software', tags: [] }), 'Service AWS Lambda → Software');
  assert.equal(describeRule({ match: 'account', value: '111122223333', category: 'Other' }), 'Linked account 111122223333 → Other');
});

test('moving a rule swaps it with its neighbour and stops at the ends', () => {
  assert.deepEqual(moveRule(['a', 'b', 'c'], 2, -1), ['a', 'c', 'b']);
  assert.deepEqual(moveRule(['a', 'b', 'c'], 0, 1), ['b', 'a', 'c']);
  assert.deepEqual(moveRule(['a', 'b', 'c'], 0, -1), ['a', 'b', 'c']);
  assert.deepEqual(moveRule(['a', 'b', 'c'], 2, 1), ['a', 'b', 'c']);
});

test('the add form is checked before asking the API', () => {
  assert.deepEqual(parseTags(' a, b ,, c '), ['a', 'b', 'c']);
  assert.deepEqual(ruleFromForm({ match: 'tag', tagKey: '', value: 'acme', category: 'Other', tags: '' }).problems.map((p) => p.field), ['tagKey']);
  assert.deepEqual(ruleFromForm({ match: 'account', value: '123', category: 'Other' }).problems.map((p) => p.field), ['value']);
  assert.deepEqual(ruleFromForm({ match: 'service', value: 'AWS Lambda', category: '' }).problems.map((p) => p.field), ['category']);
  assert.deepEqual(ruleFromForm({ match: 'service', value: ' AWS Lambda ', tagKey: 'x', category: 'Software', tags: 'infra' }).rule,
    { match: 'service', value: 'AWS Lambda', category: 'Software', tags: ['infra'] });
});

test('the body leaves out null fields and error details map back to one rule', () => {
  assert.deepEqual(rulesBody([{ match: 'service', value: 'X', tagKey: null, connectionId: null, category: 'Other', tags: [] }], 'omit'),
    { rules: [{ match: 'service', value: 'X', category: 'Other', tags: [] }], credits: 'omit' });
  assert.deepEqual(detailsOfRule([{ field: 'rules.1.category', message: 'm' }, { field: 'rules.0.value', message: 'n' }], 1),
    [{ field: 'category', message: 'm' }]);
});

test('the preview reads as what the next import would do', async () => {
  const { describePreview } = await import('../src/settings/rules-model.js');
  assert.equal(describePreview({ moves: [{ category: 'Client work', lines: 3 }, { category: 'Other', lines: 1 }], removed: 1, keptUserEdits: 0, tagRules: false }, 'October 2026'),
    'At the next import of October 2026: 3 lines would move to Client work; 1 line would move to Other; 1 credit or refund line would be removed.');
  assert.equal(describePreview({ moves: [], removed: 0, keptUserEdits: 2, tagRules: true }, 'October 2026'),
    '2 lines you edited keep your category. Tag rules also split tagged costs into lines of their own at the next import.');
  assert.equal(describePreview({ moves: [], removed: 0, keptUserEdits: 0, tagRules: false }, 'October 2026'), '');
});
