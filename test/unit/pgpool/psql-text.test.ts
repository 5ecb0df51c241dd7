import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromAligned, fromUnaligned } from './psql-text.ts';

// The converter is test infrastructure; it must fail on the inputs it cannot represent faithfully.
test('unaligned: values stay strings, empty cells stay ""', () => {
  const [r] = fromUnaligned('a|b|c\n1||x\n(1 row)\n');
  assert.deepEqual(r, { fields: [{ name: 'a' }, { name: 'b' }, { name: 'c' }], rows: [{ a: '1', b: '', c: 'x' }] });
});

test('row count and cell count are checked', () => {
  assert.throws(() => fromUnaligned('a|b\n1|2\n(2 rows)\n'), /footer says 2/);
  assert.throws(() => fromUnaligned('a|b\n1|2|3\n(1 row)\n'), /3 cells/);
  assert.throws(() => fromUnaligned('a|b\n1|2\n'), /footer/);
  assert.throws(() => fromAligned(' a | b \n 1 | 2\n(1 row)\n'), /rule/);
});

test('aligned: padding trimmed, several result sets', () => {
  const out = fromAligned(' v \n---\n(0 rows)\n\n  v  \n-----\n 4.3 \n(1 row)\n');
  assert.deepEqual(out.map((r) => r.rows), [[], [{ v: '4.3' }]]);
});
