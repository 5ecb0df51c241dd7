// Cell helpers, sparklines and line fitting: every line handed to Ink must already be its width.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fitLine } from '../../../src/views/format/clip.ts';
import { type Line, lineText, seg } from '../../../src/views/format/line.ts';
import { sparkline } from '../../../src/views/format/sparkline.ts';
import { type Column, cell, fitColumns, padEnd, padStart, truncate, width } from '../../../src/views/format/text.ts';

describe('width', () => {
  const cases: Array<[string, number]> = [
    ['', 0],
    ['abc', 3],
    ['NODE  ROLE', 10],
    ['é', 1], // precomposed
    ['e\u0301', 1], // combining acute accent takes no column
    ['a\u200bb', 2], // zero-width space
    ['日本', 4],
    ['한국', 4],
    ['😀', 2],
    ['▁▂▃█', 4],
    ['└─standby3', 10],
    ['┌─ ▶ Topology ─┐', 16],
    ['…', 1],
  ];
  for (const [s, w] of cases) test(`${JSON.stringify(s)} is ${w} wide`, () => assert.equal(width(s), w));
});

describe('truncate / padEnd / padStart', () => {
  const trunc: Array<[string, number, string]> = [
    ['hello', 5, 'hello'],
    ['hello', 9, 'hello'],
    ['hello world', 5, 'hell…'],
    ['hello', 1, '…'],
    ['hello', 0, ''],
    ['hello', -3, ''],
    ['日本語', 6, '日本語'],
    ['日本語', 5, '日本…'],
    ['日本語', 4, '日…'], // a wide glyph never straddles the limit
    ['standby-with-a-long-name', 16, 'standby-with-a-…'],
  ];
  for (const [s, w, want] of trunc) {
    test(`truncate(${JSON.stringify(s)}, ${w}) → ${JSON.stringify(want)}`, () => {
      const got = truncate(s, w);
      assert.equal(got, want);
      assert.ok(width(got) <= Math.max(0, w));
    });
  }

  const pads: Array<[string, number, string, string]> = [
    ['ab', 4, 'ab  ', '  ab'],
    ['abcd', 4, 'abcd', 'abcd'],
    ['abcdef', 4, 'abc…', 'abc…'],
    ['', 3, '   ', '   '],
    ['日本', 5, '日本 ', ' 日本'],
    ['日本語', 5, '日本…', '日本…'],
    ['日本語', 4, '日… ', ' 日…'], // padded back to the exact width after a wide cut
  ];
  for (const [s, w, left, right] of pads) {
    test(`pad ${JSON.stringify(s)} to ${w}`, () => {
      assert.equal(padEnd(s, w), left);
      assert.equal(padStart(s, w), right);
      assert.equal(width(padEnd(s, w)), w);
      assert.equal(width(padStart(s, w)), w);
    });
  }

  test('cell aligns by the column', () => {
    assert.equal(cell('42', { title: 'N', width: 5, align: 'right' }), '   42');
    assert.equal(cell('42', { title: 'N', width: 5 }), '42   ');
    assert.equal(cell('123456', { title: 'N', width: 5, align: 'right' }), '1234…');
  });
});

describe('fitColumns', () => {
  const cols: Column[] = [
    { title: 'A', width: 10 },
    { title: 'B', width: 10, drop: 3 },
    { title: 'C', width: 10, drop: 1 },
    { title: 'D', width: 10 },
    { title: 'E', width: 10, drop: 2 },
  ];
  const titles = (total: number) => fitColumns(cols, total).map((c) => c.title).join('');
  // Five columns take 5×10 + 4 separators = 54.
  const cases: Array<[number, string]> = [
    [200, 'ABCDE'],
    [54, 'ABCDE'],
    [53, 'ABDE'], // rank 1 (C) goes first
    [43, 'ABDE'],
    [42, 'ABD'], // then rank 2 (E)
    [32, 'ABD'],
    [31, 'AD'], // then rank 3 (B)
    [21, 'AD'],
    [20, 'AD'], // nothing droppable left: keeps the rest even if it overflows
    [0, 'AD'],
  ];
  for (const [total, want] of cases) test(`${total} columns keep ${want}`, () => assert.equal(titles(total), want));

  test('keeps the original order and does not mutate its input', () => {
    const copy = cols.map((c) => ({ ...c }));
    const kept = fitColumns(cols, 43);
    assert.deepEqual(kept.map((c) => c.title), ['A', 'B', 'D', 'E']);
    assert.deepEqual(cols, copy);
  });
});

describe('sparkline', () => {
  const cases: Array<[number[], number, boolean, string]> = [
    [[0, 1, 2, 3, 4, 5, 6, 7], 8, false, '▁▂▃▄▅▆▇█'],
    [[0, 1, 2, 3, 4, 5, 6, 7], 8, true, '_.-~=+*#'],
    [[1, NaN, 4], 5, false, '  ▃ █'], // padded on the left, NaN is a gap
    [[], 3, false, '   '],
    [[0, 0], 2, false, '▁▁'], // all zero: baseline, not a gap
    [[5, 5, 5], 3, false, '███'],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 4, false, '▆▇▇█'], // only the newest `width`, scaled to them
    [[-1, 0, 1], 3, false, '▁▁█'],
    [[1000, 1], 2, false, '█▂'], // tiny but non-zero still leaves the baseline
    [[Infinity, 1], 2, false, ' █'],
  ];
  for (const [values, w, ascii, want] of cases) {
    test(`${JSON.stringify(values)} at ${w}${ascii ? ' ascii' : ''} → ${JSON.stringify(want)}`, () => {
      const got = sparkline(values, w, ascii);
      assert.equal(got, want);
      assert.equal(width(got), w);
    });
  }

  const floors: Array<[number[], number, string]> = [
    [[0, 0.001, 0.002, 0.004], 1, '▁▂▂▂'], // ms of jitter on a 1 s floor stays one step above zero…
    [[0.001, 0.5, 1], 1, '▂▅█'], // …while a real second fills the row
    [[100, 512, 1024], 1024, '▂▅█'],
    [[100, 200, 300], 1024, '▂▂▃'],
    [[2048, 4096], 1024, '▅█'], // above the floor: scaled to the row maximum as before
    [[], 1024, '  '],
  ];
  for (const [values, floor, want] of floors) {
    test(`${JSON.stringify(values)} with floor ${floor} → ${JSON.stringify(want)}`, () => {
      assert.equal(sparkline(values, want.length, false, floor), want);
    });
  }

  test('width 0 draws nothing (values.slice(-0) would keep every value)', () => {
    assert.equal(sparkline([1, 2], 0), '');
  });
});

describe('fitLine', () => {
  const text = (l: Line) => lineText(l);
  test('pads a short line with an unstyled segment', () => {
    assert.deepEqual(fitLine([seg('ab', 'ok')], 5), [{ text: 'ab', tone: 'ok' }, { text: '   ' }]);
  });
  test('pads into a trailing plain segment', () => {
    assert.deepEqual(fitLine([seg('ab', 'ok'), seg('cd')], 6), [{ text: 'ab', tone: 'ok' }, { text: 'cd  ' }]);
  });
  test('merges neighbours of the same style', () => {
    assert.deepEqual(fitLine([seg('a', 'bad', true), seg('b', 'bad', true), seg('c', 'dim')], 3), [
      { text: 'ab', tone: 'bad', bold: true },
      { text: 'c', tone: 'dim' },
    ]);
  });
  test('cuts a long line with … and drops what follows', () => {
    const got = fitLine([seg('hello '), seg('world', 'warn'), seg(' and more')], 8);
    assert.deepEqual(got, [{ text: 'hello ' }, { text: 'w…', tone: 'warn' }]);
  });
  test('an exact fit is untouched', () => {
    assert.deepEqual(fitLine([seg('abc'), seg('de', 'ok')], 5), [{ text: 'abc' }, { text: 'de', tone: 'ok' }]);
  });
  test('width 0 gives an empty line; an empty line pads to the width', () => {
    assert.deepEqual(fitLine([seg('abc')], 0), []);
    assert.deepEqual(fitLine([], 3), [{ text: '   ' }]);
  });
  test('does not mutate the input segments', () => {
    const input: Line = [seg('ab'), seg('cd')];
    fitLine(input, 10);
    assert.deepEqual(input, [{ text: 'ab' }, { text: 'cd' }]);
  });
  for (const w of [0, 1, 2, 3, 4, 5, 7, 10, 40]) {
    test(`always exactly ${w} wide`, () => {
      for (const l of [[seg('日本語', 'ok'), seg('xyz')], [seg('└─standby3 ', 'accent'), seg('streaming')], [seg('')], []] as Line[]) {
        assert.equal(width(text(fitLine(l, w))), w, JSON.stringify(l));
      }
    });
  }
  test('a wide glyph cut short is padded, not followed by the next segment ("日……" before the fix)', () => {
    assert.equal(text(fitLine([seg('日本語'), seg('xyz', 'ok')], 4)), '日… ');
  });
});
