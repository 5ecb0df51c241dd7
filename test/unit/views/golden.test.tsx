// Golden frames: the whole console and each pane rendered by Ink for fixed store states
// (test/helpers/states.ts), compared with test/golden/<name>.txt.
//
//   UPDATE_GOLDEN=1 node scripts/run-tests.mjs unit    writes the files (and says which changed)
//
// Without UPDATE_GOLDEN a missing or different file fails. Every frame is also checked for what
// must hold at any size: no more lines than rows, no line wider than the terminal, and every line
// the panes, header and footer hand to Ink shows up whole on its own row (nothing wrapped).
import assert from 'node:assert/strict';
import { after, describe, mock, test } from 'node:test';
import { renderToString } from 'ink';
import React from 'react';
import { runBackupFlow } from '../../../src/actions/backup-flow.ts';
import { runSwitchWal } from '../../../src/actions/switch-wal-flow.ts';
import type { Job } from '../../../src/state/store.ts';
import { jobArea } from '../../../src/views/components/JobPanel.tsx';
import type { AuditLog } from '../../../src/actions/audit.ts';
import { alertCounts } from '../../../src/model/alerts/tracker.ts';
import { App, type AppControls } from '../../../src/views/App.tsx';
import { Dialog, type DialogState } from '../../../src/views/components/Dialog.tsx';
import { footerLine } from '../../../src/views/frame/footer.ts';
import { headerLine } from '../../../src/views/frame/header.ts';
import { Help, helpLines } from '../../../src/views/components/Help.tsx';
import { frameTitle, paneBody } from '../../../src/views/components/PaneBox.tsx';
import { type Line, lineText } from '../../../src/views/format/line.ts';
import { width } from '../../../src/views/format/text.ts';
import { computeLayout, CORE_PANES, PANE_TITLES, PANES, type PaneId } from '../../../src/views/layout.ts';
import { activePanes, naturalHeights, paneLines } from '../../../src/views/panes/pane-lines.ts';
import { golden, UPDATE_GOLDEN, writtenGoldens } from '../../helpers/golden.ts';
import { type Scenario, type ScenarioName, SCENARIOS, THRESHOLDS, paneData, VIEW_NOW } from '../../helpers/states.ts';


const controls: AppControls = { refreshNow() {}, requestAction() {}, quit() {} };

after(() => {
  if (UPDATE_GOLDEN) {
    process.stderr.write(
      writtenGoldens.length === 0
        ? 'UPDATE_GOLDEN=1: every golden frame was already up to date\n'
        : `UPDATE_GOLDEN=1: wrote ${writtenGoldens.length} golden file(s) in test/golden/ — review them (git diff test/golden):\n  ${writtenGoldens.join('\n  ')}\n`,
    );
  }
});

// ---- golden files -------------------------------------------------------------------------


// ---- invariants ---------------------------------------------------------------------------

/** The characters of `line` in display columns [from, from + w). */
function sliceCols(line: string, from: number, w: number): string {
  let col = 0;
  let out = '';
  for (const ch of line) {
    const cw = width(ch);
    if (col >= from && col + cw <= from + w) out += ch;
    col += cw;
    if (col >= from + w) break;
  }
  return out;
}

const shown = (l: Line) => lineText(l).trimEnd();

function assertFits(frame: string, columns: number, rows: number): string[] {
  const lines = frame.split('\n');
  assert.ok(lines.length <= rows, `${lines.length} lines for ${rows} rows`);
  lines.forEach((l, i) => assert.ok(width(l) <= columns, `line ${i + 1} is ${width(l)} wide for ${columns} columns: ${JSON.stringify(l)}`));
  return lines;
}

/**
 * A pane box at (x, y): title in the top border, every body line that PaneBox was given whole on
 * its own row between the side borders, the bottom border last. A wrapped line would push its
 * tail onto the next row and the rows below it out of the box.
 */
function assertPane(lines: string[], x: number, y: number, w: number, h: number, title: string, focused: boolean, body: Line[], ascii: boolean): void {
  const at = `pane "${title}" at ${x},${y} ${w}×${h}`;
  const [v, bl, br] = ascii ? ['|', '+', '+'] : ['│', '└', '┘'];
  const { body: inner, hidden } = paneBody(body, w - 2, h - 2, ascii);
  assert.equal(sliceCols(lines[y] ?? '', x, w), frameTitle(title, w, ascii, focused, hidden), `${at}: top border`);
  for (let r = 0; r < h - 2; r++) {
    const row = lines[y + 1 + r] ?? '';
    const want = r < inner.length ? lineText(inner[r]!) : ' '.repeat(w - 2);
    const got = sliceCols(row, x, w);
    // Ink trims trailing blanks of a terminal row, so the rightmost pane may lose its padding.
    assert.equal(got.padEnd(w, ' '), `${v}${want}${v}`.padEnd(w, ' '), `${at}: body row ${r + 1}`);
  }
  const bottom = sliceCols(lines[y + h - 1] ?? '', x, w);
  assert.ok(bottom.startsWith(bl) && bottom.endsWith(br), `${at}: bottom border ${JSON.stringify(bottom)}`);
}

interface AppFrameOpts {
  columns: number;
  rows: number;
  initialPane?: PaneId;
  ascii?: boolean;
}

function renderApp(s: Scenario, o: AppFrameOpts): string {
  return renderToString(
    <App store={s.store} controls={controls} thresholds={THRESHOLDS} ascii={o.ascii ?? false} size={{ columns: o.columns, rows: o.rows }}
      now={() => s.now} initialPane={o.initialPane} />,
    { columns: o.columns },
  );
}

/** Everything App promises about a frame, recomputed from the pure functions it is built from. */
function assertAppFrame(frame: string, s: Scenario, o: AppFrameOpts): void {
  const { columns, rows } = o;
  const ascii = o.ascii ?? false;
  const lines = assertFits(frame, columns, rows);
  // One row short of the terminal: a frame as tall as the terminal makes Ink clear and repaint it.
  const frameRows = rows - 1;
  assert.equal(lines.length, frameRows, 'App fills the terminal height but its last row');
  const st = s.store.getState();
  const list = Object.values(st.nodes);
  const header = headerLine({
    cluster: st.cluster, paused: st.paused, readOnly: st.readOnly, intervalMs: st.intervalMs, lastRefreshAt: st.lastRefreshAt,
    up: list.filter((n) => n.health.kind === 'ok').length, total: list.length,
    primaries: list.filter((n) => n.health.kind === 'ok' && n.sample?.role === 'primary').map((n) => n.name),
    answered: list.some((n) => n.health.kind !== 'connecting'),
    alerts: alertCounts(st.alerts),
  }, s.now, columns, ascii);
  assert.equal(lines[0], shown(header), 'header is one whole row');
  assert.equal(lines[frameRows - 1], shown(footerLine(st.flash, st.readOnly, columns, ascii)), 'footer is one whole row');

  const data = paneData(s);
  const body = frameRows - 2;
  const layout = computeLayout(columns, body, naturalHeights(data, columns, ascii), o.initialPane ?? null, o.initialPane ?? 'topology', activePanes(data));
  let x = 0;
  for (const col of layout.columns) {
    let y = 1;
    for (const r of col) {
      if (r.height > 0) {
        // PaneBox draws nothing below 3 rows or 4 columns.
        if (r.height >= 3 && r.width >= 4) {
          const lines2 = paneLines(r.pane, data, { width: r.width - 2, height: r.height - 2, ascii });
          assertPane(lines, x, y, r.width, r.height, PANE_TITLES[r.pane], r.pane === (o.initialPane ?? 'topology'), lines2, ascii);
        }
        y += r.height;
      }
    }
    for (; y <= body; y++) assert.equal(sliceCols(lines[y]!, x, col[0]!.width).trim(), '', `row ${y} below the panes is blank`);
    x += col[0]!.width;
  }
}

// ---- the frames ---------------------------------------------------------------------------

const SIZES = { small: [40, 10], std: [80, 24], mid: [120, 40], big: [250, 70] } as const;
const sizeName = (c: number, r: number) => `${c}x${r}`;
const SCENARIO_NAMES: ScenarioName[] = ['healthy17', 'standbyDown', 'pg15', 'walStreamer', 'splitBrain', 'connecting', 'pg13'];

describe('golden frames: whole console', () => {
  const frames: Array<[ScenarioName, number, number, boolean?]> = [];
  for (const n of SCENARIO_NAMES) for (const [c, r] of [SIZES.std, SIZES.mid]) frames.push([n, c, r]);
  for (const n of ['healthy17', 'standbyDown', 'splitBrain'] as ScenarioName[]) for (const [c, r] of [SIZES.small, SIZES.big]) frames.push([n, c, r]);
  frames.push(['healthy17', 80, 24, true]);
  frames.push(['healthy17', 160, 40]); // the first width with two columns
  // The HA stack: every layer side by side, the pgpool and repmgr events panes.
  for (const n of ['haLab', 'haFailover'] as ScenarioName[]) for (const [c, r] of [SIZES.std, SIZES.mid, [160, 40], SIZES.big] as const) frames.push([n, c, r]);
  for (const [n, c, r, ascii] of frames) {
    const name = `app-${n}-${sizeName(c, r)}${ascii ? '-ascii' : ''}`;
    test(name, (t) => {
      const s = SCENARIOS[n]();
      const o = { columns: c, rows: r, ascii };
      const frame = renderApp(s, o);
      assertAppFrame(frame, s, o);
      golden(t, name, frame);
    });
  }
});

describe('golden frames: each pane zoomed', () => {
  const frames: Array<[ScenarioName, PaneId, number, number]> = [];
  for (const p of [...CORE_PANES, 'alerts', 'timeline'] as PaneId[]) {
    for (const n of SCENARIO_NAMES) frames.push([n, p, ...SIZES.std]);
    frames.push(['healthy17', p, ...SIZES.mid]);
  }
  for (const n of ['haLab', 'haFailover'] as ScenarioName[]) {
    for (const p of ['topology', 'pgpool', 'repmgr', 'alerts', 'timeline'] as PaneId[]) for (const size of [SIZES.small, SIZES.std, SIZES.mid]) frames.push([n, p, ...size]);
  }
  for (const [n, p, c, r] of frames) {
    const name = `pane-${p}-${n}-${sizeName(c, r)}`;
    test(name, (t) => {
      const s = SCENARIOS[n]();
      const o = { columns: c, rows: r, initialPane: p };
      const frame = renderApp(s, o);
      assertAppFrame(frame, s, o);
      golden(t, name, frame);
    });
  }
});

describe('golden frames: help and dialog', () => {
  for (const [c, r] of [SIZES.std, SIZES.mid]) {
    for (const readOnly of [false, true]) {
      const name = `help-${sizeName(c, r)}${readOnly ? '-read-only' : ''}`;
      test(name, (t) => {
        // What App puts between header and footer when `?` is pressed.
        const h = r - 2;
        const frame = renderToString(<Help width={c} height={h} readOnly={readOnly} ascii={false} />, { columns: c });
        const lines = assertFits(frame, c, h);
        assert.equal(lines.length, h);
        assertPane(lines, 0, 0, c, h, 'Keys', true, helpLines(readOnly), false);
        golden(t, name, frame);
      });
    }
  }

  function switchWalDialog(s: Scenario): DialogState {
    let dialog: DialogState | null = null;
    const audit = { write() { throw new Error('opening the dialog must not write the audit log'); } } as unknown as AuditLog;
    runSwitchWal({ store: s.store, cluster: s.cluster, audit, openDialog: (d) => { dialog = d; } });
    assert.ok(dialog, 'runSwitchWal opened a dialog');
    return dialog;
  }

  for (const [c, r] of [SIZES.std, SIZES.mid, SIZES.small]) {
    const name = `dialog-switch-wal-${sizeName(c, r)}`;
    test(name, (t) => {
      const s = SCENARIOS.healthy17();
      const dialog = switchWalDialog(s);
      const h = r - 2;
      const frame = renderToString(<Dialog dialog={dialog} width={c} height={h} ascii={false} />, { columns: c });
      const lines = assertFits(frame, c, h);
      // Centred: the box is min(width, 76) wide and as tall as its lines (+2), cut to the height.
      const bw = Math.min(c, 76);
      const bh = Math.min(h, dialog.lines.length + 2);
      const top = lines.findIndex((l) => l.includes('Switch WAL'));
      assert.ok(top >= 0, 'dialog title shown');
      const x = lines[top]!.indexOf(lines[top]!.trimStart()[0]!);
      // Yoga rounds a half row either way.
      assert.ok(Math.abs(x - (c - bw) / 2) <= 0.5, `centred horizontally (x=${x})`);
      assert.ok(Math.abs(top - (h - bh) / 2) <= 0.5, `centred vertically (y=${top})`);
      assertPane(lines, x, top, bw, bh, 'Switch WAL', true, dialog.lines, false);
      golden(t, name, frame);
    });
  }

  test('the switch-WAL dialog names the primary and defaults to No', () => {
    const d = switchWalDialog(SCENARIOS.healthy17());
    assert.deepEqual(d.lines.map((l) => lineText(l)), [
      'Run SELECT pg_switch_wal() on the primary',
      '  primary (pgtop_probe@127.0.0.1:5432/postgres)',
      'It closes the current WAL segment so it can be archived.',
      '',
      'Proceed? [y/N]  y runs it; any other key cancels',
    ]);
  });

  test('split brain: switch WAL refuses to pick a primary', () => {
    const s = SCENARIOS.splitBrain();
    let opened = false;
    const entries: unknown[] = [];
    const audit = { write: (e: unknown) => entries.push(e) } as unknown as AuditLog;
    runSwitchWal({ store: s.store, cluster: s.cluster, audit, openDialog: () => { opened = true; } });
    assert.equal(opened, false);
    assert.deepEqual(s.store.getState().flash && { text: s.store.getState().flash!.text, tone: s.store.getState().flash!.tone }, {
      text: 'switch WAL: more than one primary (primary, standby1): refusing to guess',
      tone: 'error',
    });
    assert.equal((entries[0] as { outcome: string }).outcome, 'refused');
  });
});

describe('golden frames: the HA actions (barman configured)', () => {
  const withBarman = (s: Scenario) => ({ ...s.cluster, barman: [{ server: 'main', ssh: 'barman@backup1', configFile: '/etc/barman.d/main.conf' }] });
  const noAudit = { write() { throw new Error('opening a dialog must not write the audit log'); } } as unknown as AuditLog;
  const noSsh = { run: () => Promise.reject(new Error('not here')), stream: () => Promise.reject(new Error('not here')) };
  const dialogs: Record<string, (s: Scenario) => DialogState> = {
    'switch-wal-barman': (s) => {
      let d: DialogState | null = null;
      runSwitchWal({ store: s.store, cluster: withBarman(s), audit: noAudit, openDialog: (x) => { d = x; }, ssh: noSsh });
      return d!;
    },
    backup: (s) => {
      let d: DialogState | null = null;
      runBackupFlow({ store: s.store, cluster: withBarman(s), audit: noAudit, openDialog: (x) => { d = x; }, ssh: noSsh, refreshBackups: () => undefined });
      return d!;
    },
  };
  for (const [kind, open] of Object.entries(dialogs)) {
    for (const [c, r] of [SIZES.std, SIZES.mid]) {
      const name = `dialog-${kind}-${sizeName(c, r)}`;
      test(name, (t) => {
        const dialog = open(SCENARIOS.haLab());
        assert.ok(dialog, 'a dialog opened');
        const h = r - 2;
        const frame = renderToString(<Dialog dialog={dialog} width={c} height={h} ascii={false} />, { columns: c });
        const lines = assertFits(frame, c, h);
        const top = lines.findIndex((l) => l.includes(dialog.title));
        const x = lines[top]!.indexOf(lines[top]!.trimStart()[0]!);
        // Every line of the dialog shows whole: nothing a DBA must read before saying yes is cut.
        for (const l of dialog.lines) assert.ok(width(lineText(l)) <= Math.min(c, 76) - 2, `cut at ${c} columns: ${lineText(l)}`);
        assertPane(lines, x, top, Math.min(c, 76), Math.min(h, dialog.lines.length + 2), dialog.title, true, dialog.lines, false);
        golden(t, name, frame);
      });
    }
  }

  const job = (ok: boolean | null): Job => ({
    title: 'barman backup main', target: 'barman@backup1: barman -c /etc/barman.d/main.conf backup --wait main',
    startedAt: VIEW_NOW - 83_000, finishedAt: ok === null ? null : VIEW_NOW - 1_000, ok, hidden: false,
    result: ok === null ? null : ok ? 'backup 20261122T120000 done' : 'Backup failed issuing start backup command.',
    progress: ok === null ? 'Starting backup copy via pg_basebackup for 20261122T120000' : null,
    // The real barman 3.4 output of a backup in the lab (test/fixtures/barman-actions).
    lines: ['Starting backup using postgres method for server main in /var/lib/barman/main/base/20261122T120000', 'Backup start at LSN: 0/B000028 (00000001000000000000000B, 00000028)', 'Starting backup copy via pg_basebackup for 20261122T120000', ...(ok === false ? ['ERROR: Backup failed issuing start backup command.'] : [])],
  });
  for (const [state, ok] of [['running', null], ['done', true], ['failed', false]] as const) {
    for (const [c, r] of [SIZES.std, SIZES.mid]) {
      const name = `job-${state}-${sizeName(c, r)}`;
      test(name, (t) => {
        const lines = jobArea(job(ok), c, r - 2, false, VIEW_NOW).map(lineText);
        for (const l of lines) assert.ok(width(l) <= c, `wider than ${c}: ${l}`);
        golden(t, name, lines.join('\n'));
      });
    }
  }
});

describe('--ascii', () => {
  // --ascii is chosen for terminals whose locale is not UTF-8 (src/cli/main.ts wantsAscii).
  test('an ascii frame is 7-bit ASCII only, cut lines included', () => {
    for (const n of ['healthy17', 'connecting', 'standbyDown', 'splitBrain'] as const) {
      const frame = renderApp(SCENARIOS[n](), { columns: 80, rows: 24, ascii: true });
      const odd = [...new Set(frame.replace(/[\x20-\x7e\n]/g, ''))];
      assert.deepEqual(odd, [], `${n}: non-ASCII characters in an ascii frame`);
    }
  });
});

describe('frames do not depend on the real clock', () => {
  // Header used to read Date.now() instead of App's `now`: a golden frame then said "refreshed 3d04h ago".
  test('the header uses the time App is given, not the wall clock', () => {
    const s = SCENARIOS.healthy17();
    const clock = mock.method(Date, 'now', () => VIEW_NOW + 86_400_000); // a day later on the wall clock
    try {
      const frame = renderApp(s, { columns: 80, rows: 24 });
      assert.equal(frame.split('\n')[0], 'pgtop-ha prod-eu 4/4 up primary primary · 1 CRIT 2 WARN · refreshed 12:00:00 · …');
    } finally {
      clock.mock.restore();
    }
  });
});
