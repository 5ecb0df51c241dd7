// Cell helpers, sparklines and line fitting: every line handed to Ink must already be its width.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { frameTitle, paneBody } from '../../../src/views/components/PaneBox.tsx';
import { fitLine, toAscii } from '../../../src/views/format/clip.ts';
import { type Line, lineText, seg } from '../../../src/views/format/line.ts';
import { sparkline } from '../../../src/views/format/sparkline.ts';
import { type Column, cell, fitColumns, padEnd, padStart, truncate, width, wrapText } from '../../../src/views/format/text.ts';

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

  test('a column dropped early comes back, in its place, when it fits in the room a wider one left', () => {
    const mixed: Column[] = [
      { title: 'A', width: 10 },
      { title: 'B', width: 3, drop: 1 },
      { title: 'C', width: 20, drop: 2 },
      { title: 'D', width: 10 },
    ];
    const t = (total: number) => fitColumns(mixed, total).map((c) => c.title).join('');
    // All four take 43 + 3 separators = 46.
    assert.equal(t(46), 'ABCD');
    assert.equal(t(45), 'ACD'); // B (rank 1) dropped: 42; B back would be 46
    assert.equal(t(41), 'ABD'); // B, then C dropped (AD = 21): B fits again (25), between A and D
    assert.equal(t(25), 'ABD');
    assert.equal(t(24), 'AD');
  });

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
  // barman's backup output indents its WAL list with a tab: written raw it tore the job panel's border
  test('tool output with control characters cannot move the cursor', () => {
    const cases: Array<[string, Line, string]> = [
      ['tab to the next 8-column stop (counted from the line start)', [seg('ab'), seg('\t0000000C')], 'ab      0000000C  '],
      ['colour codes dropped', [seg('\x1b[31mERROR\x1b[0m: x')], 'ERROR: x          '],
      ['OSC title and a bare ESC dropped', [seg('a\x1b]0;pwn\x07b\x1bc')], 'abc               '],
      ['CR, BEL, backspace shown harmless', [seg('50%\r60%\x07\x08')], '50% 60%??         '],
      ['C1 control', [seg('x\x9by')], 'x?y               '],
    ];
    for (const [what, l, want] of cases) {
      const got = text(fitLine(l, 18));
      assert.equal(got, want, what);
      assert.ok(!/[\x00-\x1f\x7f-\x9f]/.test(got), what);
    }
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
  test('ascii: every glyph outside ASCII gets a one-column stand-in', () => {
    const input: Line = [seg('… 3 more · ▶ x', 'dim'), seg(' └─a ●')];
    assert.deepEqual(fitLine(input, 20, true), [{ text: '~ 3 more - > x', tone: 'dim' }, { text: ' `-a *' }]);
    assert.deepEqual(input, [seg('… 3 more · ▶ x', 'dim'), seg(' └─a ●')]); // input untouched
    assert.equal(text(fitLine([seg('a…b')], 3)), 'a…b'); // only in ascii mode
    assert.equal(toAscii('日本'), '??'); // unknown glyphs, wide ones too, become one "?"
    assert.equal(toAscii('plain'), 'plain');
  });
  test('ascii: a cut line is marked with "~", not "…"', () => {
    assert.equal(text(fitLine([seg('hello world')], 5, true)), 'hell~');
  });
});

describe('paneBody / frameTitle (PaneBox)', () => {
  const rows: Line[] = [[seg('NODE', 'title')], [seg('a')], [seg('b')], [seg('c')], [seg('d')]];
  const body = (lines: Line[], w: number, h: number, ascii = false) => {
    const r = paneBody(lines, w, h, ascii);
    return { body: r.body.map(lineText), hidden: r.hidden };
  };

  test('the lines that fit, fitted to the width; how many did not fit is counted, not drawn', () => {
    assert.deepEqual(body(rows, 6, 9), { body: ['NODE  ', 'a     ', 'b     ', 'c     ', 'd     '], hidden: 0 });
    assert.deepEqual(body(rows, 6, 5), { body: ['NODE  ', 'a     ', 'b     ', 'c     ', 'd     '], hidden: 0 });
    assert.deepEqual(body(rows, 6, 4), { body: ['NODE  ', 'a     ', 'b     ', 'c     '], hidden: 1 });
    assert.deepEqual(body(rows, 6, 3), { body: ['NODE  ', 'a     ', 'b     '], hidden: 2 });
  });

  test('below 3 inner rows the header gives way to data, but only when lines are cut', () => {
    assert.deepEqual(body(rows, 1, 2), { body: ['a', 'b'], hidden: 2 });
    assert.deepEqual(body(rows, 1, 1), { body: ['a'], hidden: 3 });
    assert.deepEqual(body(rows.slice(0, 2), 4, 2), { body: ['NODE', 'a   '], hidden: 0 }); // everything fits
    assert.deepEqual(body([[seg('x')], [seg('y')], [seg('z')]], 1, 2), { body: ['x', 'y'], hidden: 1 }); // no title line
  });

  test('ascii fits the body in ascii', () => {
    assert.deepEqual(body([[seg('a … b · c ▶')]], 11, 1, true), { body: ['a ~ b - c >'], hidden: 0 });
  });

  test('frameTitle: the count goes into the border, with the zoom hint on the focused pane', () => {
    assert.equal(frameTitle('Slots', 30, false, false), '┌─ Slots ────────────────────┐');
    assert.equal(frameTitle('Slots', 30, false, false, 0), '┌─ Slots ────────────────────┐');
    assert.equal(frameTitle('Slots', 40, false, false, 5), '┌─ Slots (+5 more) ────────────────────┐');
    assert.equal(frameTitle('Slots', 50, false, true, 5), '┌─ ▶ Slots (+5 more, Enter zooms) ───────────────┐');
    assert.equal(frameTitle('Slots', 50, true, true, 5), '+- > Slots (+5 more, Enter zooms) ---------------+');
    assert.equal(frameTitle('Replication slots', 20, false, true, 5), '┌─ ▶ Replication sl┐'); // cut to the width
    for (const w of [4, 10, 20, 50]) assert.equal(width(frameTitle('Replication slots', w, false, true, 12)), w);
  });
});

describe('wrapText', () => {
  test('wraps on words, keeps the first line\'s indentation, indents continuations, cuts the last line', () => {
    assert.deepEqual(wrapText('  alpha beta gamma delta', 12, 3, 4), ['  alpha beta', '    gamma   ', '    delta   '].map((l) => l.padEnd(12)));
    assert.deepEqual(wrapText('one two three four five six', 10, 2, 2), ['one two   ', '  three f…']);
    assert.deepEqual(wrapText('short', 10, 2), ['short     ']);
  });
});
