// The pure pane formatters on the scenario states (test/helpers/states.ts). Values that differ on
// every fixture capture (LSNs, captured lag, ages of captured timestamps) are read from the
// sample; everything the views decide (columns, order, words, tones) is literal.
import { buildConsistency } from '../../../src/model/consistency.ts';
import assert from 'node:assert/strict';
import { Ring } from '../../../src/state/ring.ts';
import type { History } from '../../../src/state/store.ts';
import { describe, test } from 'node:test';
import type { NodeSample, NodeState } from '../../../src/model/types.ts';
import { fitLine } from '../../../src/views/format/clip.ts';
import { type Line, lineText } from '../../../src/views/format/line.ts';
import { formatAge, formatBytes, formatSeconds } from '../../../src/views/format/units.ts';
import { lagChart, lagLines } from '../../../src/views/panes/lag-lines.ts';
import { naturalHeights } from '../../../src/views/panes/pane-lines.ts';
import { slotsLines } from '../../../src/views/panes/slots-lines.ts';
import { topologyLines } from '../../../src/views/panes/topology-lines.ts';
import { archiverFailing, walLines } from '../../../src/views/panes/wal-lines.ts';
import { HISTORY_TICKS, INTERVAL_MS, NOW, paneData, type Scenario, SCENARIOS, THRESHOLDS, VIEW_NOW } from '../../helpers/states.ts';

const text = (lines: Line[]) => lines.map(lineText);
const size = (width: number, height = 0, ascii = false) => ({ width, height, ascii });
/** Tones of the non-blank segments of a line, "tone" or "tone!" when bold. */
const tones = (l: Line) => l.filter((s) => s.text.trim() !== '').map((s) => `${s.tone ?? '-'}${s.bold ? '!' : ''}`);

function sample(s: Scenario, name: string): NodeSample {
  return s.store.getState().nodes[name]!.sample!;
}
function node(s: Scenario, name: string): NodeState {
  return s.store.getState().nodes[name]!;
}
const rj = (v: string, w: number) => v.padStart(w);
/** Whether a standby of healthy17 is over the lag thresholds, from the captured data itself. */
function over(name: string): boolean {
  const l = paneData(SCENARIOS.healthy17()).topo.entries.find((e) => e.name === name)!.link!;
  return (l.replayLagBytes ?? 0) > THRESHOLDS.lagBytesWarn || (l.replayLagSeconds ?? 0) > THRESHOLDS.lagSecondsWarn;
}

describe('topologyLines', () => {
  const H78 = 'NODE               ROLE    STATE       TL         LSN       LAG TIME LAG VER  ';

  test('healthy17 at 78 columns: tree order, cascade indented under its upstream, SYNC and RTT dropped', () => {
    const s = SCENARIOS.healthy17();
    const d = paneData(s);
    const lines = topologyLines(d.topo, d.nodes, size(78), d);
    const link = (n: string) => d.topo.entries.find((e) => e.name === n)!.link!;
    const lag = (n: string) => `${rj(formatBytes(link(n).replayLagBytes), 9)} ${rj((link(n).replayLagSeconds === null ? 'idle' : formatSeconds(link(n).replayLagSeconds)), 8)}`;
    assert.deepEqual(text(lines), [
      H78,
      `primary            primary read-write   1 ${rj(sample(s, 'primary').currentLsn!, 11)}                    17.10`,
      `└─standby1         standby streaming    1 ${rj(sample(s, 'standby1').replayLsn!, 11)} ${lag('standby1')} 17.10`,
      `  └─standby3       standby streaming    1 ${rj(sample(s, 'standby3').replayLsn!, 11)} ${lag('standby3')} 17.10`,
      `└─standby2         standby paused       1 ${rj(sample(s, 'standby2').replayLsn!, 11)} ${lag('standby2')} 17.10`,
    ]);
    // name role STATE tl lsn LAG time ver
    const standby = (state: string, lag = '-') => ['-', '-', state, '-', '-', lag, '-', '-'];
    assert.deepEqual(lines.map(tones), [
      ['title'],
      ['accent!', '-', 'ok', '-', '-', '-'],
      standby('ok'),
      standby('warn', 'warn'), // streaming, but over the lag threshold: STATE and LAG warn
      standby('warn', over('standby2') ? 'warn' : '-'), // paused is warn already; LAG warns only over the thresholds
    ]);
    // The captured state itself: standby2 paused (its lag near the 16 MiB threshold varies by
    // capture, so its LAG tone above follows the data), standby3 ~48 MiB behind standby1.
    assert.equal(sample(s, 'standby2').replayPaused, true);
    assert.ok(link('standby3').replayLagBytes! > THRESHOLDS.lagBytesWarn);
    assert.ok(link('standby1').replayLagBytes! <= THRESHOLDS.lagBytesWarn && link('standby1').replayLagSeconds! <= THRESHOLDS.lagSecondsWarn);
  });

  test('the lag warning follows the thresholds it is given', () => {
    const d = paneData(SCENARIOS.healthy17());
    const row = (thresholds: { lagBytesWarn: number; lagSecondsWarn: number }) =>
      tones(topologyLines(d.topo, d.nodes, size(78), { now: d.now, thresholds })[3]!); // standby3, 48 MiB and 1.6 s behind
    assert.deepEqual(row({ lagBytesWarn: 64 * 1024 ** 2, lagSecondsWarn: 30 }), ['-', '-', 'ok', '-', '-', '-', '-', '-']);
    assert.deepEqual(row({ lagBytesWarn: 64 * 1024 ** 2, lagSecondsWarn: 1 }), ['-', '-', 'warn', '-', '-', 'warn', '-', '-']); // seconds alone
    assert.deepEqual(row(THRESHOLDS), ['-', '-', 'warn', '-', '-', 'warn', '-', '-']);
  });

  test('wide: SYNC and RTT come back, in that order', () => {
    const d = paneData(SCENARIOS.healthy17());
    const lines = text(topologyLines(d.topo, d.nodes, size(118), d));
    assert.equal(lines[0], 'NODE               ROLE    STATE       TL         LSN       LAG TIME LAG SYNC  VER      RTT');
    assert.match(lines[2]!, /^└─standby1 .* async 17\.10 +\d+(\.\d)?ms$/);
  });

  test('ascii: the cascade is drawn with `-', () => {
    const d = paneData(SCENARIOS.healthy17());
    assert.deepEqual(text(topologyLines(d.topo, d.nodes, size(78, 0, true), d)).map((l) => l.slice(0, 19)), [
      'NODE               ', 'primary            ', '`-standby1         ', '  `-standby3       ', '`-standby2         ',
    ]);
  });

  test('standbyDown: the down node says why, in red, after its name', () => {
    const s = SCENARIOS.standbyDown();
    const d = paneData(s);
    const n = node(s, 'standby2');
    assert.equal(n.health.kind, 'down');
    const since = n.health.kind === 'down' ? n.health.since : 0;
    // How long it has been unreachable: counted from the last good reply, not from the failed one.
    const down = `DOWN ${formatSeconds((d.now - n.lastOkAt!) / 1000)}`;
    assert.notEqual(down, `DOWN ${formatSeconds((d.now - since) / 1000)}`, 'the two starting points read differently');
    const lines = topologyLines(d.topo, d.nodes, size(200), d);
    const row = lines.find((l) => lineText(l).includes('standby2'))!;
    assert.equal(
      lineText(row).trimEnd(),
      `└─standby2         ${down}: connection refused at pgtop_probe@127.0.0.1:5434/postgres (is PostgreSQL running?)`,
    );
    assert.deepEqual(tones(row), ['-', 'bad!', 'bad']); // bold red DOWN …, then the reason in red
    // At 78 the other rows are laid out to the width; the down row is cut by PaneBox (fitLine),
    // after the duration, so only the reason loses its tail.
    const at78 = topologyLines(d.topo, d.nodes, size(78), d);
    const row78 = at78.find((l) => lineText(l).includes('standby2'))!;
    assert.equal(lineText(fitLine(row78, 78)), `└─standby2         ${down}: connection refused at pgtop_probe@127.0.0.1:54…`);
    assert.equal(width78(at78.filter((l) => l !== row78)).every((w) => w <= 78), true);
  });

  test('splitBrain: a red line names both primaries, each primary roots its own tree', () => {
    const s = SCENARIOS.splitBrain();
    const d = paneData(s);
    const lines = topologyLines(d.topo, d.nodes, size(78), d);
    assert.equal(lineText(lines[1]!), '!! 2 primaries: primary, standby1 (split brain?)'.padEnd(78));
    assert.deepEqual(tones(lines[1]!), ['bad!']);
    assert.deepEqual(text(lines).slice(2).map((l) => l.slice(0, 42)), [
      'primary            primary read-write   1 ',
      '└─standby2         standby paused       1 ',
      'standby1           primary read-write   2 ', // promoted: timeline 2
      '└─standby3         standby streaming    1 ',
    ]);
  });

  test('pg15: the pg_receivewal row is listed apart as a WAL streamer, with its slot', () => {
    const s = SCENARIOS.pg15();
    const d = paneData(s);
    const row = sample(s, 'primary').senders.find((r) => r.applicationName === 'barman_receive_wal')!;
    const lines = topologyLines(d.topo, d.nodes, size(120), d);
    assert.deepEqual(text(lines).slice(1).map((l) => l.trimEnd()), [
      `primary            primary read-write   1 ${rj(sample(s, 'primary').currentLsn!, 11)}                          15.18 ${rj(`${sample(s, 'primary').roundTripMs.toFixed(1)}ms`, 6)}`,
      `└─standby1         standby streaming    1 ${rj(sample(s, 'standby1').replayLsn!, 11)}       0 B ${rj(d.topo.entries.find((e) => e.name === 'standby1')!.link!.replayLagSeconds === null ? 'idle' : formatSeconds(d.topo.entries.find((e) => e.name === 'standby1')!.link!.replayLagSeconds), 8)} async 15.18 ${rj(`${sample(s, 'standby1').roundTripMs < 10 ? sample(s, 'standby1').roundTripMs.toFixed(1) : Math.round(sample(s, 'standby1').roundTripMs)}ms`, 6)}`,
      `  barman_receive_wal on primary: WAL streamer ${formatBytes(row.flushLagBytes)} behind, slot barman, streaming, flushed ${row.flushLsn}`,
    ]);
    assert.deepEqual(tones(lines[3]!), ['dim']);
  });

  test('a REPMGRD column appears only when some node reports repmgr, with repmgrd per node', () => {
    const s = SCENARIOS.healthy17();
    const d = paneData(s);
    assert.doesNotMatch(text(topologyLines(d.topo, d.nodes, size(120), d))[0]!, /REPMGRD/);
    const base = { available: true as const, extVersion: '5.3', localNodeId: 1, repmgrdRunning: true, repmgrdPaused: false, upstreamLastSeenSeconds: null, nodes: [] };
    const set = (name: string, repmgr: NodeSample['repmgr']) => {
      d.nodes[name] = { ...d.nodes[name]!, sample: { ...d.nodes[name]!.sample!, repmgr } };
    };
    set('primary', base);
    set('standby1', { ...base, repmgrdPaused: true });
    set('standby2', { ...base, repmgrdRunning: false });
    set('standby3', { available: false, extVersion: '5.3', unavailable: 'role x lacks USAGE on schema repmgr' });
    d.consistency = buildConsistency({ order: d.order, nodes: d.nodes, topo: d.topo, pgpoolOrder: [], pgpools: {}, vip: null });
    const lines = topologyLines(d.topo, d.nodes, size(120), d);
    const header = text(lines)[0]!;
    const at = header.indexOf('REPMGRD');
    assert.ok(at > header.indexOf('SYNC') && at < header.indexOf('VER'), header);
    // repmgr.nodes is empty here, so the cross-check says repmgr registers no primary: shown above the rows.
    const checks = text(lines).slice(1).filter((l) => l.startsWith('!!')).map((l) => l.trimEnd());
    assert.equal(checks[0], "!! postgres ≠ repmgr: repmgr registers no node as primary; PostgreSQL's primary is primary");
    const byName = Object.fromEntries(text(lines).slice(1).filter((l) => !l.startsWith('!!')).map((l) => [l.trim().split(/\s+/)[0]!.replace(/^└─/, ''), l.slice(at, at + 7).trim()]));
    assert.deepEqual(byName, { primary: 'running', standby1: 'paused', standby3: 'no priv', standby2: 'stopped' });
  });

  test('walStreamer: an unlisted standby is not called a WAL streamer', () => {
    const s = SCENARIOS.walStreamer();
    const d = paneData(s);
    const lines = text(topologyLines(d.topo, d.nodes, size(200), d)).map((l) => l.trimEnd());
    assert.deepEqual(lines.slice(2).map((l) => l.replace(/ \S+ \S+ behind/, ' … behind').replace(/flushed [0-9A-F]+\/[0-9A-F]+$/, 'flushed …')), [
      '  barman_receive_wal on primary: WAL streamer … behind, slot barman, streaming, flushed …',
      '  standby1 on primary: unlisted standby … behind, slot standby1, streaming, flushed …',
    ]);
  });

  test('connecting: every node listed, nothing known', () => {
    const d = paneData(SCENARIOS.connecting());
    const lines = topologyLines(d.topo, d.nodes, size(78), d);
    assert.deepEqual(text(lines).slice(1), ['primary', 'standby1', 'standby2'].map((n) => `${n.padEnd(18)} ?       connecting   -           -                         `));
    assert.deepEqual(tones(lines[1]!), ['-', 'dim', 'dim', '-', '-']);
  });
});

function width78(lines: Line[]): number[] {
  return lines.map((l) => lineText(l).length);
}

describe('lagLines', () => {
  const H78 = 'STANDBY          REPLAY LAG     TIME BYTES TREND          TIME TREND          ';

  test('healthy17 at 78: a row per standby in tree order, the one over the byte threshold in warn', () => {
    const s = SCENARIOS.healthy17();
    const d = paneData(s);
    const lines = lagLines(d.topo, d.history, d.historyVersion, THRESHOLDS, size(78));
    assert.equal(lineText(lines[0]!), H78);
    assert.deepEqual(text(lines).slice(1).map((l) => l.slice(0, 16).trimEnd()), ['standby1', 'standby3', 'standby2']);
    const link = (n: string) => d.topo.entries.find((e) => e.name === n)!.link!;
    for (const [i, n] of [[1, 'standby1'], [2, 'standby3'], [3, 'standby2']] as const) {
      assert.equal(lineText(lines[i]!).slice(16, 36), ` ${rj(formatBytes(link(n).replayLagBytes), 10)} ${rj((link(n).replayLagSeconds === null ? 'idle' : formatSeconds(link(n).replayLagSeconds)), 8)}`);
    }
    assert.deepEqual(lines.slice(1).map(tones), [
      ['-', '-', '-', 'accent', 'accent'],
      ['-', 'warn', 'warn', 'accent', 'accent'], // 48 MiB > 16 MiB
      over('standby2') ? ['-', 'warn', 'warn', 'accent', 'accent'] : ['-', '-', '-', 'accent', 'accent'],
    ]);
  });

  test('sparklines show the pushed history: standby2 climbs since replay paused', () => {
    const d = paneData(SCENARIOS.healthy17());
    const row = lineText(lagLines(d.topo, d.history, d.historyVersion, THRESHOLDS, size(78))[3]!);
    assert.equal(row.slice(37, 57), '▂▂▂▂▃▃▃▄▄▅▅▅▆▆▆▇▇▇██');
    assert.equal(d.history.lagBytes.get('standby2')!.length, HISTORY_TICKS);
  });

  test('standbyDown: no link any more, the history stops where it was', () => {
    const d = paneData(SCENARIOS.standbyDown());
    const row = (nodes?: Record<string, NodeState>) => lineText(lagLines(d.topo, d.history, d.historyVersion, THRESHOLDS, size(78), nodes)[3]!);
    assert.equal(row(d.nodes).slice(0, 36), 'standby2               down        -');
    // Without the node states, or while the node is not known to be down, it only has no link.
    assert.equal(row().slice(0, 36), 'standby2            no link        -');
    const connecting = { ...d.nodes, standby2: { ...d.nodes.standby2!, health: { kind: 'connecting' as const } } };
    assert.equal(row(connecting).slice(0, 36), 'standby2            no link        -');
    assert.equal(d.history.lagBytes.get('standby2')!.length, HISTORY_TICKS - 3);
  });

  test('charts: one per standby when each gets 5 rows, else only the one lagging most', () => {
    const d = paneData(SCENARIOS.healthy17());
    const titles = (h: number) => text(lagLines(d.topo, d.history, d.historyVersion, THRESHOLDS, size(78, h))).filter((l) => l.includes('replay lag in bytes'));
    assert.deepEqual(titles(4), []);
    assert.deepEqual(titles(10), ['standby3: replay lag in bytes, last 60 samples']);
    assert.deepEqual(titles(19), [
      'standby1: replay lag in bytes, last 60 samples',
      'standby3: replay lag in bytes, last 60 samples',
      'standby2: replay lag in bytes, last 60 samples',
    ]);
    const lines = lagLines(d.topo, d.history, d.historyVersion, THRESHOLDS, size(78, 19));
    assert.equal(lines.length, 19);
    for (const l of lines) assert.ok(lineText(l).length <= 78, lineText(l));
  });

  test('trend columns go first as the pane narrows (time trend, then bytes trend)', () => {
    const d = paneData(SCENARIOS.healthy17());
    const head = (w: number) => lineText(lagLines(d.topo, d.history, d.historyVersion, THRESHOLDS, size(w))[0]!);
    assert.equal(head(78), H78);
    assert.equal(head(60), 'STANDBY          REPLAY LAG     TIME BYTES TREND TIME TREND ');
    assert.equal(head(38), 'STANDBY          REPLAY LAG     TIME');
    assert.equal(head(20), 'STANDBY          REPLAY LAG     TIME'); // the rest never drops: PaneBox cuts
  });

  test('lagChart: two stores with the same standby name and version never share a chart', () => {
    const mk = (values: number[]) => {
      const h = { lagBytes: new Map([['cache-probe', new Ring(10)]]), lagSeconds: new Map(), walRate: new Map() } as History;
      for (const v of values) h.lagBytes.get('cache-probe')!.push(v);
      return h;
    };
    const ha = mk([0, 1024, 2048, 4096]);
    const a = lagChart(ha, 'cache-probe', 40, 5, false, 7);
    const b = lagChart(mk([4096, 2048, 1024, 0]), 'cache-probe', 40, 5, false, 7);
    assert.notDeepEqual(b, a);
    // The same history at the same version and size is served from its cache (the very array)…
    assert.equal(lagChart(ha, 'cache-probe', 40, 5, false, 7), a);
    // …until the version moves on.
    ha.lagBytes.get('cache-probe')!.push(0);
    assert.notDeepEqual(lagChart(ha, 'cache-probe', 40, 5, false, 8), a);
  });

  test('no standby: says so', () => {
    const w = paneData(SCENARIOS.walStreamer());
    assert.deepEqual(text(lagLines(w.topo, w.history, w.historyVersion, THRESHOLDS, size(78))), ['no standby reports to a reachable upstream yet']);
    assert.deepEqual(text(lagLines({ entries: [], primaries: [], external: [] }, w.history, 0, THRESHOLDS, size(78))), ['no nodes']);
  });
});

describe('slotsLines', () => {
  test('healthy17 at 78: every slot of every node; TYPE and SAFE SIZE dropped, no INVALIDATED column when nothing is invalidated', () => {
    const s = SCENARIOS.healthy17();
    const d = paneData(s);
    const lines = slotsLines(d.order, d.nodes, size(78), d.now);
    const slot = (n: string, name: string) => sample(s, n).slots.find((x) => x.slotName === name)!;
    const ret = (n: string, name: string) => rj(formatBytes(slot(n, name).retainedBytes), 10);
    const since = (n: string, name: string) => formatAge(slot(n, name).inactiveSince, VIEW_NOW).padEnd(14);
    assert.deepEqual(text(lines), [
      'NODE         SLOT               ACTIVE WAL          RETAINED INACTIVE SINCE',
      `primary      app_logical        no     reserved   ${ret('primary', 'app_logical')} ${since('primary', 'app_logical')}`,
      `primary      old_standby        no     reserved   ${ret('primary', 'old_standby')} ${since('primary', 'old_standby')}`,
      `primary      standby1           yes    reserved   ${ret('primary', 'standby1')}               `,
      `primary      standby2           yes    reserved   ${ret('primary', 'standby2')}               `,
      `standby1     app_logical        synced reserved   ${ret('standby1', 'app_logical')}               `, // synced from the primary (17+)
      `standby1     cascade            yes    reserved   ${ret('standby1', 'cascade')}               `,
    ]);
    assert.deepEqual(tones(lines[1]!), ['-', '-', 'warn', '-', '-', '-']);
    assert.deepEqual(tones(lines[3]!), ['-', '-', 'ok', '-', '-']);
    assert.deepEqual(tones(lines[5]!), ['-', '-', 'dim', '-', '-']); // synced: dim, not a warning
    // The synced slot is inactive with an inactive_since of its own: neither is shown.
    assert.equal(slot('standby1', 'app_logical').synced, true);
    assert.equal(slot('standby1', 'app_logical').active, false);
    assert.ok(slot('standby1', 'app_logical').inactiveSince);
  });

  test('wide: the synced failover slot on the standby is marked logical*, inactive slots say since when', () => {
    const s = SCENARIOS.healthy17();
    const d = paneData(s);
    const lines = text(slotsLines(d.order, d.nodes, size(118), d.now));
    assert.equal(lines[0], 'NODE         SLOT               TYPE     ACTIVE WAL          RETAINED  SAFE SIZE INACTIVE SINCE');
    const synced = lines.find((l) => l.startsWith('standby1     app_logical'))!;
    assert.equal(synced.slice(32, 40), 'logical*');
    assert.equal(synced.slice(41, 47), 'synced');
    assert.equal(synced.slice(81), ' '.repeat(14)); // no INACTIVE SINCE for a synced slot
    const old = sample(s, 'primary').slots.find((x) => x.slotName === 'old_standby')!;
    const oldLine = lines.find((l) => l.startsWith('primary      old_standby'))!;
    assert.equal(oldLine.slice(32, 96).trimEnd(), `physical no     reserved   ${rj(formatBytes(old.retainedBytes), 10)} ${rj(formatBytes(old.safeWalSize), 10)} ${formatAge(old.inactiveSince, VIEW_NOW)}`);
  });

  test('standbyDown: the slot of the stopped standby turned inactive when it went down', () => {
    const d = paneData(SCENARIOS.standbyDown());
    const line = text(slotsLines(d.order, d.nodes, size(118), d.now)).find((l) => l.startsWith('primary      standby2'))!;
    // down at NOW - 3 ticks + 700 ms, looked at NOW + 400 ms
    assert.equal(VIEW_NOW - (NOW - 3 * INTERVAL_MS + 700), 5700);
    assert.match(line, /^primary {6}standby2 {11}physical no {5}reserved {10}0 B +[\d.]+ GiB 5\.7 s ago +$/);
  });

  test('pg15: no max_slot_wal_keep_size (unlimited) and no inactive_since before 17', () => {
    const d = paneData(SCENARIOS.pg15());
    const lines = text(slotsLines(d.order, d.nodes, size(118), d.now));
    assert.deepEqual(lines.slice(1).map((l) => [l.slice(13, 31).trimEnd(), l.slice(70, 80).trim(), l.slice(81, 95).trim()]), [
      ['barman', 'unlimited', ''],
      ['old_standby', 'unlimited', '(17+)'],
      ['standby1', 'unlimited', ''],
    ]);
  });

  test('INVALIDATED appears as soon as one slot has an invalidation reason', () => {
    const s = SCENARIOS.healthy17();
    const d = paneData(s);
    const p = d.nodes.primary!;
    const lost = {
      ...p,
      sample: { ...p.sample!, slots: p.sample!.slots.map((x) => (x.slotName === 'old_standby' ? { ...x, walStatus: 'lost', invalidationReason: 'wal_removed' } : x)) },
    } as NodeState;
    const nodes = { ...d.nodes, primary: lost };
    const wide = slotsLines(d.order, nodes, size(118), d.now);
    assert.equal(lineText(wide[0]!), 'NODE         SLOT               TYPE     ACTIVE WAL          RETAINED  SAFE SIZE INACTIVE SINCE INVALIDATED   ');
    const row = wide.find((l) => lineText(l).startsWith('primary      old_standby'))!;
    assert.equal(lineText(row).slice(48, 58), 'lost      ');
    assert.equal(lineText(row).slice(96), 'wal_removed   ');
    assert.deepEqual(tones(row).slice(-1), ['bad']);
    // At 78 it outranks INACTIVE SINCE (dropped third, before INVALIDATED).
    assert.equal(lineText(slotsLines(d.order, nodes, size(78), d.now)[0]!), 'NODE         SLOT               ACTIVE WAL          RETAINED INVALIDATED   ');
  });

  test('no slots anywhere: says so', () => {
    const d = paneData(SCENARIOS.connecting());
    assert.deepEqual(text(slotsLines(d.order, d.nodes, size(78), d.now)).slice(1), ['no replication slots on any reachable node'.padEnd(78)]);
  });
});

describe('walLines', () => {
  const H78 = 'NODE           WAL RATE ARCHIVED      AGE FAILED SUMMARIZER     BEHIND FILES';

  test('healthy17 at 78: rate from the pushed history, failing archiver on the primary, summarizer per node', () => {
    const s = SCENARIOS.healthy17();
    const d = paneData(s);
    const a = sample(s, 'primary').archiver;
    const w = sample(s, 'primary').walSummary!;
    const lines = walLines(d.order, d.nodes, d.history, size(78), d.now);
    const age = rj(formatAge(a.lastArchivedTime, VIEW_NOW).replace(' ago', ''), 8);
    const behind = (n: string) => rj(formatBytes(sample(s, n).walSummary!.behindBytes), 9);
    const files = (n: string) => rj(String(sample(s, n).walSummary!.summaryCount), 5);
    // LAST FAILED (rank 6) and the wider optional columns go; FILES (5, 5 wide) comes back into the room they left.
    assert.deepEqual(text(lines), [
      H78,
      `primary      80.0 KiB/s ${rj(String(a.archivedCount), 8)} ${age} ${rj(`${a.failedCount}!`, 6)} running     ${behind('primary')} ${files('primary')}`,
      `standby1     80.0 KiB/s  standby        -      - running     ${behind('standby1')} ${files('standby1')}`,
      `standby2     80.0 KiB/s  standby        -      - off                 - ${files('standby2')}`,
      `standby3     80.0 KiB/s  standby        -      - off                 - ${files('standby3')}`,
    ]);
    assert.equal(archiverFailing(a), true, 'captured after archive_command started failing');
    assert.equal(w.summarizeWal, true);
    assert.deepEqual(tones(lines[1]!), ['accent', '-', '-', '-', 'bad', 'ok', '-', '-']);
    assert.deepEqual(tones(lines[3]!), ['-', '-', 'dim', 'dim', 'dim', 'warn', 'dim', '-']); // off, but summaries exist (FILES)
    assert.ok(sample(s, 'standby2').walSummary!.summaryCount > 0);
  });

  test('wide: the failed WAL file and the summary range appear', () => {
    const s = SCENARIOS.healthy17();
    const d = paneData(s);
    const a = sample(s, 'primary').archiver;
    const lines = text(walLines(d.order, d.nodes, d.history, size(200), d.now));
    assert.equal(lines[0], 'NODE           WAL RATE ARCHIVED      AGE FAILED SUMMARIZER     BEHIND FILES LAST ARCHIVED            LAST FAILED               SUMMARIZED OLDEST SUMMARY   KEEP');
    assert.ok(lines[1]!.includes(` ${a.lastArchivedWal} ${a.lastFailedWal} `), lines[1]);
  });

  test('drop order: OLDEST SUMMARY, KEEP, LAST ARCHIVED, SUMMARIZED, FILES, LAST FAILED, WAL RATE', () => {
    const d = paneData(SCENARIOS.healthy17());
    const head = (w: number) => lineText(walLines(d.order, d.nodes, d.history, size(w), d.now)[0]!).trimEnd();
    const base = 'NODE           WAL RATE ARCHIVED      AGE FAILED SUMMARIZER     BEHIND';
    // Each width is the widest at which the next column by rank is gone; columns dropped before it
    // come back where they fit in the room it left.
    assert.equal(head(160), `${base} FILES LAST ARCHIVED            LAST FAILED               SUMMARIZED OLDEST SUMMARY   KEEP`);
    assert.equal(head(159), `${base} FILES LAST ARCHIVED            LAST FAILED               SUMMARIZED   KEEP`); // 1 OLDEST SUMMARY
    assert.equal(head(144), `${base} FILES LAST ARCHIVED            LAST FAILED               SUMMARIZED`); // 2 KEEP
    assert.equal(head(137), `${base} FILES LAST FAILED               SUMMARIZED OLDEST SUMMARY   KEEP`); // 3 LAST ARCHIVED: 1 and 2 fit again
    assert.equal(head(112), `${base} FILES LAST FAILED                KEEP`); // 4 SUMMARIZED
    assert.equal(head(100), `${base} LAST FAILED`); // 5 FILES
    assert.equal(head(94), `${base} FILES  SUMMARIZED`); // 6 LAST FAILED: 5 and 4 fit again
    assert.equal(head(64), 'NODE         ARCHIVED      AGE FAILED SUMMARIZER     BEHIND'); // 7 WAL RATE
  });

  test('LAST FAILED takes room only when some node has a failed WAL', () => {
    const d = paneData(SCENARIOS.pg15());
    assert.equal(sample(SCENARIOS.pg15(), 'primary').archiver.lastFailedWal, null);
    assert.equal(
      lineText(walLines(d.order, d.nodes, d.history, size(200), d.now)[0]!),
      'NODE           WAL RATE ARCHIVED      AGE FAILED SUMMARIZER     BEHIND FILES LAST ARCHIVED             SUMMARIZED OLDEST SUMMARY   KEEP',
    );
  });

  test('pg15: no WAL summaries before 17', () => {
    const d = paneData(SCENARIOS.pg15());
    assert.deepEqual(text(walLines(d.order, d.nodes, d.history, size(78), d.now)).slice(1).map((l) => l.slice(49)), [
      'n/a (<17)           -     -',
      'n/a (<17)           -     -',
    ]);
  });

  test('down and connecting nodes', () => {
    const down = paneData(SCENARIOS.standbyDown());
    const lines = walLines(down.order, down.nodes, down.history, size(78), down.now);
    assert.equal(lineText(lines[3]!), 'standby2     down');
    assert.deepEqual(tones(lines[3]!), ['-', 'bad']);
    const c = paneData(SCENARIOS.connecting());
    const cl = walLines(c.order, c.nodes, c.history, size(78), c.now);
    assert.deepEqual(text(cl).slice(1), ['primary      connecting', 'standby1     connecting', 'standby2     connecting']);
    assert.deepEqual(tones(cl[1]!), ['-', 'dim']);
  });

  test('archiverFailing: the newest failure is newer than the newest success', () => {
    const a = sample(SCENARIOS.pg15(), 'primary').archiver;
    const at = (s: number) => new Date(NOW + s * 1000).toISOString();
    const cases: Array<[string | null, string | null, boolean]> = [
      [null, null, false],
      [at(0), null, false],
      [null, at(0), true],
      [at(0), at(1), true],
      [at(1), at(0), false],
      [at(0), at(0), false],
    ];
    for (const [ok, failed, want] of cases) {
      assert.equal(archiverFailing({ ...a, lastArchivedTime: ok, lastFailedTime: failed }), want, `${ok} / ${failed}`);
    }
  });
});

describe('naturalHeights', () => {
  test('what each pane asks for at 80 columns', () => {
    assert.deepEqual(naturalHeights(paneData(SCENARIOS.healthy17()), 80, false), { topology: 5, lag: 4, slots: 7, wal: 5, alerts: 6, timeline: 10 });
    assert.deepEqual(naturalHeights(paneData(SCENARIOS.splitBrain()), 80, false), { topology: 6, lag: 3, slots: 7, wal: 5, alerts: 7, timeline: 13 });
    assert.deepEqual(naturalHeights(paneData(SCENARIOS.connecting()), 80, false), { topology: 4, lag: 1, slots: 2, wal: 4, alerts: 1, timeline: 2 });
  });
});

