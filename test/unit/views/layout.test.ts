// Where the panes go: heights add up to the body, never go negative, zoom takes everything.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { computeLayout, CORE_PANES as PANES, MIN_ROWS_FOR_ALL, type Natural, type PaneId, stack } from '../../../src/views/layout.ts';

const NATURALS: Record<string, Natural> = {
  small: { topology: 4, lag: 3, slots: 5, wal: 4 },
  none: { topology: 0, lag: 0, slots: 0, wal: 0 },
  big: { topology: 30, lag: 40, slots: 25, wal: 12 },
};

/**
 * Every size from 40×10 to 250×70 in steps that cross every layout threshold: 160 cols, 18 rows
 * (16 body rows: two columns) and 16 rows (14 body rows, MIN_ROWS_FOR_ALL: all four panes).
 */
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
    // want = 2 + natural: topology 6, lag 5, slots 7, wal 6 → 24; the rest goes to lag.
    // Past the 3-row minimum each pane grows to its want in priority order: topology, lag, wal, slots.
    ['small', 30, [6, 11, 7, 6]],
    ['small', 24, [6, 5, 7, 6]],
    ['small', 22, [6, 5, 5, 6]], // 10 spare: topology +3, lag +2, wal +3, slots only +2 of 4
    ['small', 16, [6, 4, 3, 3]], // 4 spare: topology +3, lag +1, nothing left for wal or slots
    ['small', 12, [3, 3, 3, 3]],
    ['none', 12, [3, 3, 3, 3]],
    ['none', 20, [3, 11, 3, 3]], // natural 0 still asks for one line; spare rows to lag
    // want: topology 32, lag 42, slots 27, wal 14
    ['big', 40, [31, 3, 3, 3]], // 28 spare all go to topology, which wants 29 of them
    ['big', 41, [32, 3, 3, 3]],
    ['big', 60, [32, 22, 3, 3]], // topology whole, lag takes the remaining 19
    ['big', 100, [32, 42, 12, 14]], // wal (whole) before slots (9 of 24)
    ['big', 120, [32, 47, 27, 14]], // everyone whole (115); the 5 spare go to lag
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
      [['topology', 80, 6], ['lag', 80, 5], ['slots', 80, 5], ['wal', 80, 6]], // slots falls short first
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

  test(`below ${MIN_ROWS_FOR_ALL} body rows only the focused pane is shown, at full size`, () => {
    assert.equal(MIN_ROWS_FOR_ALL, 14);
    for (const focus of PANES) {
      for (const [cols, body] of [[40, 8], [80, 13], [250, 13]] as const) {
        assert.deepEqual(computeLayout(cols, body, NATURALS.small!, null, focus), { columns: [[{ pane: focus, width: cols, height: body }]] }, `${focus} ${cols}×${body}`);
      }
    }
    // The focus defaults to the topology.
    assert.deepEqual(computeLayout(80, 13, NATURALS.small!, null), { columns: [[{ pane: 'topology', width: 80, height: 13 }]] });
    // At 14 rows all four panes are back, the focus changes nothing.
    const at14 = (focus: PaneId) => computeLayout(80, 14, NATURALS.small!, null, focus).columns.map((c) => c.map((r) => [r.pane, r.height]));
    assert.deepEqual(at14('slots'), [[['topology', 5], ['lag', 3], ['slots', 3], ['wal', 3]]]);
    assert.deepEqual(at14('wal'), at14('topology'));
    // Zoom still wins over the focus.
    assert.deepEqual(computeLayout(80, 13, NATURALS.small!, 'wal', 'slots'), { columns: [[{ pane: 'wal', width: 80, height: 13 }]] });
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
        const layout = computeLayout(cols, body, natural, null, 'lag');
        const where = `${cols}×${rows}`;
        assert.equal(layout.columns.reduce((a, c) => a + c[0]!.width, 0), cols, where);
        const panes = layout.columns.flat().map((r) => r.pane).sort();
        // Too few rows for four panes: the focused one alone, the whole body.
        if (body < MIN_ROWS_FOR_ALL) assert.deepEqual(layout, { columns: [[{ pane: 'lag', width: cols, height: body }]] }, where);
        else assert.deepEqual(panes, [...PANES].sort(), where);
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

  test('terminals too small for every pane: the focused pane alone takes exactly the body rows', () => {
    const bad: string[] = [];
    let seen = 0;
    for (const [cols, rows] of sizes()) {
      const body = rows - 2;
      if (body >= MIN_ROWS_FOR_ALL) continue;
      seen++;
      for (const focus of PANES) {
        const { columns } = computeLayout(cols, body, NATURALS.small!, null, focus);
        const got = columns.map((c) => c.map((r) => `${r.pane} ${r.width}×${r.height}`).join('+')).join(' | ');
        if (got !== `${focus} ${cols}×${body}`) bad.push(`${cols}×${rows} focus ${focus}: ${got}`);
      }
    }
    assert.deepEqual(bad, []);
    assert.equal(seen, 14 * 6); // 14 widths × 8 … 13 body rows (40×10 … 250×15)
  });

  test('zoom gives the zoomed pane one rect of the whole body', () => {
    for (const pane of PANES) {
      for (const [cols, rows] of [[40, 10], [80, 24], [120, 40], [250, 70]] as const) {
        assert.deepEqual(computeLayout(cols, rows - 2, NATURALS.big!, pane), { columns: [[{ pane, width: cols, height: rows - 2 }]] });
      }
    }
  });
});
