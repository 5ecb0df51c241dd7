// Where the panes go: heights add up to the body, never go negative, zoom takes everything.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { computeLayout, type Natural, PANES, stack } from '../../../src/views/layout.ts';

const NATURALS: Record<string, Natural> = {
  small: { topology: 4, lag: 3, slots: 5, wal: 4 },
  none: { topology: 0, lag: 0, slots: 0, wal: 0 },
  big: { topology: 30, lag: 40, slots: 25, wal: 12 },
};

/** Every size from 40×10 to 250×70 in steps that cross both layout thresholds (160 cols, 18 rows). */
function sizes(): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const cols of [40, 41, 60, 79, 80, 100, 119, 120, 121, 159, 160, 161, 200, 250]) {
    for (let rows = 10; rows <= 70; rows++) out.push([cols, rows]);
  }
  return out;
}

/** Every pane of a column can have its borders and one line (3 rows). */
function minFits(col: unknown[], body: number): boolean {
  return col.length * 3 <= body;
}

describe('stack', () => {
  const all = [...PANES];
  const cases: Array<[string, number, number[]]> = [
    // want = 2 + natural: topology 6, lag 5, slots 7, wal 6 → 24; the rest goes to lag
    ['small', 30, [6, 11, 7, 6]],
    ['small', 24, [6, 5, 7, 6]],
    ['small', 22, [6, 5, 6, 5]], // round-robin: the last ones fall short first
    ['small', 12, [3, 3, 3, 3]],
    ['none', 12, [3, 3, 3, 3]],
    ['none', 20, [3, 11, 3, 3]], // natural 0 still asks for one line; spare rows to lag
    ['big', 40, [10, 10, 10, 10]],
    ['big', 41, [11, 10, 10, 10]],
  ];
  for (const [nat, total, want] of cases) {
    test(`${nat} in ${total} rows → ${want.join('/')}`, () => assert.deepEqual(stack(all, NATURALS[nat]!, total), want));
  }

  test('without the flex pane the spare rows go to the last pane', () => {
    assert.deepEqual(stack(['slots', 'wal'], NATURALS.small!, 38), [7, 31]);
  });

  test('too small for every pane: the first ones get one line each, the rest nothing', () => {
    assert.deepEqual(stack(all, NATURALS.small!, 9), [3, 3, 3, 0]);
    assert.deepEqual(stack(all, NATURALS.small!, 3), [3, 0, 0, 0]);
    assert.deepEqual(stack(all, NATURALS.small!, 2), [0, 0, 0, 0]);
    assert.deepEqual(stack(all, NATURALS.small!, 0), [0, 0, 0, 0]);
  });
});

describe('computeLayout', () => {
  test('80×24 and 120×40 are one column, 250×70 two (topology+lag | slots+wal)', () => {
    const one = computeLayout(80, 22, NATURALS.small!, null);
    assert.deepEqual(one.columns.map((c) => c.map((r) => [r.pane, r.width, r.height])), [
      [['topology', 80, 6], ['lag', 80, 5], ['slots', 80, 6], ['wal', 80, 5]],
    ]);
    const mid = computeLayout(120, 38, NATURALS.small!, null);
    assert.deepEqual(mid.columns.map((c) => c.map((r) => [r.pane, r.width, r.height])), [
      [['topology', 120, 6], ['lag', 120, 19], ['slots', 120, 7], ['wal', 120, 6]],
    ]);
    const two = computeLayout(250, 68, NATURALS.small!, null);
    assert.deepEqual(two.columns.map((c) => c.map((r) => [r.pane, r.width, r.height])), [
      [['topology', 138, 6], ['lag', 138, 62]],
      [['slots', 112, 7], ['wal', 112, 61]],
    ]);
  });

  test('two columns need 160 columns and 16 body rows', () => {
    assert.equal(computeLayout(159, 60, NATURALS.small!, null).columns.length, 1);
    assert.equal(computeLayout(160, 15, NATURALS.small!, null).columns.length, 1);
    assert.equal(computeLayout(160, 16, NATURALS.small!, null).columns.length, 2);
  });

  for (const [name, natural] of Object.entries(NATURALS)) {
    test(`${name}: heights never negative, never above the body, widths fill the screen (40×10 … 250×70)`, () => {
      for (const [cols, rows] of sizes()) {
        const body = rows - 2;
        const layout = computeLayout(cols, body, natural, null);
        const where = `${cols}×${rows}`;
        assert.equal(layout.columns.reduce((a, c) => a + c[0]!.width, 0), cols, where);
        const panes = layout.columns.flat().map((r) => r.pane).sort();
        assert.deepEqual(panes, [...PANES].sort(), where);
        for (const col of layout.columns) {
          for (const r of col) {
            assert.ok(Number.isInteger(r.height) && r.height >= 0, `${where} ${r.pane} ${r.height}`);
            assert.ok(r.height === 0 || r.height >= 3, `${where} ${r.pane}: a pane is 0 or at least 3 rows, got ${r.height}`);
            assert.equal(r.width, col[0]!.width, where);
          }
          assert.ok(col.reduce((a, r) => a + r.height, 0) <= body, where);
        }
      }
    });

    test(`${name}: each column's heights sum to exactly the body rows when every pane fits`, () => {
      for (const [cols, rows] of sizes()) {
        const body = rows - 2;
        for (const col of computeLayout(cols, body, natural, null).columns) {
          if (!minFits(col, body)) continue;
          assert.equal(col.reduce((a, r) => a + r.height, 0), body, `${cols}×${rows}: ${col.map((r) => r.height).join('+')}`);
        }
      }
    });
  }

  test('heights sum to exactly the body rows on terminals too small for every pane', () => {
    const bad: string[] = [];
    for (const [cols, rows] of sizes()) {
      const body = rows - 2;
      for (const col of computeLayout(cols, body, NATURALS.small!, null).columns) {
        if (minFits(col, body)) continue;
        const sum = col.reduce((a, r) => a + r.height, 0);
        if (sum !== body) bad.push(`${cols}×${rows}: ${col.map((r) => r.height).join('+')}=${sum}≠${body}`);
      }
    }
    assert.deepEqual(bad, []);
  });

  test('zoom gives the zoomed pane one rect of the whole body', () => {
    for (const pane of PANES) {
      for (const [cols, rows] of [[40, 10], [80, 24], [120, 40], [250, 70]] as const) {
        assert.deepEqual(computeLayout(cols, rows - 2, NATURALS.big!, pane), { columns: [[{ pane, width: cols, height: rows - 2 }]] });
      }
    }
  });
});
