import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { NodeSample } from '../../src/model/types.ts';
import { parseLsn, timelineFromWalFileName } from '../../src/model/lsn.ts';
import { buildProbeQuery, type ProbeQueryOptions } from '../../src/probes/pg/probe-query.ts';
import { ProbeParseError, parseProbeResults, type ProbeResult } from '../../src/probes/pg/parse-probe.ts';

interface Fixture {
  serverVersionNum: number;
  role: 'primary' | 'standby';
  sections: string[];
  results: ProbeResult[];
  /** buildProbeQuery options of the capture (repmgr fixtures). */
  probeOptions?: ProbeQueryOptions;
}

const dir = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/pg');
const load = (file: string): Fixture => JSON.parse(readFileSync(join(dir, file), 'utf8')) as Fixture;
const parse = (fx: Fixture): NodeSample => parseProbeResults(fx.results, fx.sections, { takenAt: 1, roundTripMs: 2 });
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const names = (rows: Array<{ applicationName?: string; slotName?: string | null }>, key: 'applicationName' | 'slotName') =>
  rows.map((r) => r[key]);

/** repmgr.nodes of the HA lab (test/lab): pgsql1 primary, pgsql2/3 standbys of it. */
const LAB_REPMGR_NODES = [
  { id: 1, name: 'pgsql1', type: 'primary', upstreamId: null, active: true, priority: 100, location: 'dc1' },
  { id: 2, name: 'pgsql2', type: 'standby', upstreamId: 1, active: true, priority: 90, location: 'dc1' },
  { id: 3, name: 'pgsql3', type: 'standby', upstreamId: 1, active: true, priority: 50, location: 'dc1' },
];

/** What the capture scenario built, per node kind (scripts/capture-pg-fixtures.ts, scripts/capture-repmgr-fixtures.ts). */
const kinds: Record<string, (s: NodeSample, major: number) => void> = {
  repmgrPrimary(s) {
    assert.equal(s.role, 'primary');
    assert.deepEqual(names(s.senders, 'applicationName').sort(), ['pgsql2', 'pgsql3']);
    const r = s.repmgr;
    assert.ok(r?.available, JSON.stringify(r));
    // get_upstream_last_seen() is -1 on a primary: unknown, not "0 s ago".
    assert.deepEqual([r.extVersion, r.localNodeId, r.repmgrdRunning, r.repmgrdPaused, r.upstreamLastSeenSeconds], ['5.3', 1, true, false, null]);
    assert.deepEqual(r.nodes, LAB_REPMGR_NODES);
    // repmgrd on a primary writes no monitoring_history (test/unit/repmgr-events.test.ts has the events).
    assert.ok(r.events && r.events.length > 0);
    assert.equal(r.replicationStatus, null);
  },
  repmgrStandby(s) {
    assert.equal(s.role, 'standby');
    assert.equal(s.receiver?.status, 'streaming');
    const r = s.repmgr;
    assert.ok(r?.available, JSON.stringify(r));
    assert.deepEqual([r.extVersion, r.localNodeId, r.repmgrdRunning, r.repmgrdPaused], ['5.3', 2, true, false]);
    // Seconds since repmgrd last saw pgsql1 (monitor_interval_secs apart): small, never unknown here.
    assert.ok(r.upstreamLastSeenSeconds !== null && r.upstreamLastSeenSeconds >= 0 && r.upstreamLastSeenSeconds < 10);
    assert.deepEqual(r.nodes, LAB_REPMGR_NODES, 'a standby reads the replicated repmgr.nodes');
    assert.ok(r.events && r.events.length > 0);
    assert.equal(r.replicationStatus?.standbyNodeId, 2);
  },
  coldPrimary(s, major) {
    assert.equal(s.role, 'primary');
    assert.equal(s.timeline, 1);
    assert.ok(s.currentLsn);
    assert.deepEqual([s.receiveLsn, s.replayLsn, s.replayPaused, s.lastReplayTime], [null, null, null, null]);
    assert.deepEqual(names(s.senders, 'applicationName'), ['standby1', 'standby2']);
    assert.deepEqual(names(s.senders, 'slotName'), ['standby1', 'standby2']);
    for (const w of s.senders) {
      assert.equal(w.state, 'streaming');
      assert.equal(w.syncState, 'async');
      assert.equal(w.clientAddr, '127.0.0.1');
      assert.ok(w.clientPort !== null && w.clientPort > 0);
    }
    // standby2 had replay paused before the last rows were written.
    assert.ok(s.senders[1].replayLagBytes! > 0, 'paused standby shows replay lag');
    assert.deepEqual(names(s.slots, 'slotName'), ['app_logical', 'old_standby', 'standby1', 'standby2']);
    const [logical, old, sb1] = s.slots;
    assert.deepEqual([logical.slotType, logical.plugin, logical.database, logical.active], ['logical', 'test_decoding', 'postgres', false]);
    assert.ok(logical.confirmedFlushLsn);
    assert.deepEqual([old.slotType, old.active, old.activePid, old.walStatus], ['physical', false, null, 'reserved']);
    assert.ok(old.retainedBytes! > 16 * 1024 * 1024, 'inactive slot holds WAL back');
    assert.equal(sb1.activePid, s.senders[0].pid);
    assert.ok(s.slots.every((x) => x.safeWalSize !== null && x.safeWalSize > 0), 'max_slot_wal_keep_size is set');
    if (major >= 17) {
      assert.ok(old.inactiveSince && ISO.test(old.inactiveSince));
      assert.equal(sb1.inactiveSince, null);
      assert.deepEqual([logical.failover, logical.synced, old.failover], [true, false, false]);
    } else {
      assert.ok(s.slots.every((x) => [x.inactiveSince, x.invalidationReason, x.failover, x.synced].every((v) => v === null)));
    }
    const a = s.archiver;
    assert.deepEqual([a.archiveMode, a.archiveCommandSet], ['on', true]);
    assert.ok(a.archivedCount >= 2 && a.failedCount >= 1);
    assert.ok(a.lastFailedWal! > a.lastArchivedWal!, 'the failing WAL follows the last archived one');
    assert.ok(a.lastFailedTime! > a.lastArchivedTime!);
    assert.equal(a.currentWalFile !== null && timelineFromWalFileName(a.currentWalFile), 1);
    if (major >= 17) {
      const w = s.walSummary!;
      assert.deepEqual([w.summarizeWal, w.keepTimeMinutes, w.summarizedTli], [true, 14400, 1]);
      assert.ok(w.summarizerPid! > 0 && w.summaryCount > 0 && w.behindBytes! >= 0);
    } else {
      assert.equal(s.walSummary, null);
    }
  },
  coldStandby(s, major) {
    assert.equal(s.role, 'standby');
    assert.equal(s.timeline, 1);
    assert.equal(s.currentLsn, null);
    assert.ok(s.receiveLsn && s.replayLsn);
    assert.equal(s.replayPaused, false);
    assert.equal(s.recoveryMinApplyDelayMs, 0);
    assert.equal(s.receiver?.status, 'streaming');
    assert.deepEqual([s.receiver?.slotName, s.receiver?.applicationName, s.receiver?.receivedTli], ['standby1', 'standby1', 1]);
    assert.deepEqual(names(s.senders, 'applicationName'), ['standby3']);
    assert.deepEqual(names(s.senders, 'slotName'), ['cascade']);
    const cascade = s.slots.find((x) => x.slotName === 'cascade');
    assert.equal(cascade?.active, true);
    if (major >= 17) {
      const synced = s.slots.find((x) => x.slotName === 'app_logical');
      assert.deepEqual([synced?.synced, synced?.failover, synced?.temporary], [true, true, false]);
      assert.equal(s.walSummary?.summarizeWal, true);
    } else {
      assert.deepEqual(names(s.slots, 'slotName'), ['cascade']);
      assert.equal(s.walSummary, null);
    }
    assert.deepEqual([s.archiver.archivedCount, s.archiver.currentWalFile], [0, null]);
  },
  pausedStandby(s) {
    assert.equal(s.role, 'standby');
    assert.equal(s.replayPaused, true);
    assert.ok(parseLsn(s.replayLsn!) < parseLsn(s.receiveLsn!));
    const w = s.walSummary!;
    assert.deepEqual([w.summarizeWal, w.summarizerPid, w.summarizedTli, w.summarizedLsn, w.pendingLsn, w.behindBytes],
      [false, null, null, null, null, null]);
  },
  cascaded(s) {
    assert.equal(s.role, 'standby');
    assert.equal(s.recoveryMinApplyDelayMs, 2000);
    assert.deepEqual([s.receiver?.slotName, s.receiver?.applicationName], ['cascade', 'standby3']);
    assert.deepEqual([s.senders, s.slots], [[], []]);
  },
  baseBackupPrimary(s) {
    assert.equal(s.role, 'primary');
    assert.deepEqual(names(s.senders, 'applicationName'), ['barman_receive_wal', 'standby1']);
    assert.deepEqual(names(s.senders, 'slotName'), ['barman', 'standby1']);
    const [barman, sb1] = s.senders;
    // pg_receivewal never replays, and only reports flush at segment ends. (Its replay_lag is not
    // reliably NULL: the lag tracker may still time the invalid replay position it reports.)
    assert.deepEqual([barman.replayLsn, barman.replayLagBytes], [null, null]);
    assert.ok(barman.flushLagBytes! > 0);
    assert.ok(sb1.replayLsn);
    assert.deepEqual(names(s.slots, 'slotName'), ['barman', 'old_standby', 'standby1']);
    assert.ok(s.slots.every((x) => x.safeWalSize === null), 'max_slot_wal_keep_size = -1');
    assert.ok(s.archiver.archivedCount >= 2);
    assert.deepEqual([s.archiver.failedCount, s.archiver.lastFailedWal], [0, null]);
    assert.equal(s.walSummary, null);
  },
  baseBackupStandby(s) {
    assert.equal(s.role, 'standby');
    // primary_conninfo from pg_basebackup -R has no application_name: cluster_name is the fallback.
    assert.deepEqual([s.receiver?.applicationName, s.receiver?.slotName], ['standby1', 'standby1']);
    assert.deepEqual([s.senders, s.slots, s.walSummary], [[], [], null]);
  },
};

const table: Array<[file: string, kind: keyof typeof kinds]> = [
  ['13-primary.json', 'coldPrimary'], ['13-standby.json', 'coldStandby'],
  ['14-primary.json', 'coldPrimary'], ['14-standby.json', 'coldStandby'],
  ['15-primary.json', 'baseBackupPrimary'], ['15-standby.json', 'baseBackupStandby'],
  ['15-repmgr-primary.json', 'repmgrPrimary'], ['15-repmgr-standby.json', 'repmgrStandby'],
  ['16-primary.json', 'coldPrimary'], ['16-standby.json', 'coldStandby'],
  ['17-primary.json', 'coldPrimary'], ['17-standby.json', 'coldStandby'],
  ['17-standby-paused.json', 'pausedStandby'], ['17-cascaded.json', 'cascaded'],
  ['18-primary.json', 'coldPrimary'], ['18-standby.json', 'coldStandby'],
];

/**
 * Cross-checks that hold for any capture: what SQL computed vs what the parsed LSNs imply. Each
 * statement reads the node's position itself, so WAL written between statements (a running-xacts
 * record, say) can move it forward by a few bytes from one section to the next, never back.
 */
function checkInvariants(s: NodeSample, fx: Fixture): void {
  assert.equal(s.serverVersionNum, fx.serverVersionNum);
  assert.equal(s.role, fx.role);
  assert.deepEqual([s.takenAt, s.roundTripMs], [1, 2]);
  assert.match(s.systemIdentifier ?? '', /^\d{15,20}$/);
  const own = s.role === 'primary'
    ? parseLsn(s.currentLsn!)
    : [parseLsn(s.receiveLsn!), parseLsn(s.replayLsn!)].reduce((a, b) => (a > b ? a : b));
  const samePosition = (implied: bigint, what: string) =>
    assert.ok(implied >= own && implied - own < 4096n, `${what}: position ${implied} vs node ${own}`);
  const implied = (lsn: string | null, bytes: number | null): bigint | null =>
    lsn === null ? (assert.equal(bytes, null), null) : parseLsn(lsn) + BigInt(bytes!);

  if (s.role === 'primary') assert.equal(timelineFromWalFileName(s.archiver.currentWalFile!), s.timeline);
  for (const w of s.senders) {
    const pos = implied(w.sentLsn, w.sentLagBytes)!;
    samePosition(pos, `sender ${w.applicationName}`);
    assert.equal(implied(w.writeLsn, w.writeLagBytes), pos);
    assert.equal(implied(w.flushLsn, w.flushLagBytes), pos);
    const replay = implied(w.replayLsn, w.replayLagBytes);
    assert.ok(replay === null || replay === pos);
    for (const sec of [w.writeLagSeconds, w.flushLagSeconds, w.replayLagSeconds]) {
      assert.ok(sec === null || (typeof sec === 'number' && sec >= 0 && sec < 60));
    }
    assert.match(w.replyTime ?? '', ISO);
    assert.equal(w.slotName, s.slots.find((x) => x.activePid === w.pid)?.slotName ?? null);
  }
  for (const x of s.slots) {
    const pos = implied(x.restartLsn, x.retainedBytes);
    if (pos !== null) samePosition(pos, `slot ${x.slotName}`);
  }
  const w = s.walSummary;
  // behind_bytes is measured to pending_lsn (what the summarizer has read), falling back to
  // summarized_lsn: summarized_lsn only moves when a summary file is finished.
  const readTo = w?.pendingLsn ?? w?.summarizedLsn;
  if (w && readTo) {
    const summaryOwn = s.role === 'primary' ? s.currentLsn! : s.replayLsn!;
    const pos = parseLsn(readTo) + BigInt(w.behindBytes!);
    assert.ok(pos >= parseLsn(summaryOwn) && pos - parseLsn(summaryOwn) < 4096n, 'walsummary behind_bytes');
  }
  for (const t of [s.archiver.lastArchivedTime, s.archiver.lastFailedTime, s.archiver.statsReset, s.lastReplayTime,
    s.receiver?.lastMsgReceiptTime]) {
    assert.ok(t == null || ISO.test(t), `timestamp ${t}`);
  }
}

describe('parseProbeResults over captured fixtures', () => {
  test('every fixture file has an expectation row', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
    assert.deepEqual(files, table.map(([f]) => f).sort());
  });
  for (const [file, kind] of table) {
    test(`${file} (${kind})`, () => {
      const fx = load(file);
      assert.deepEqual(fx.sections, [...buildProbeQuery(fx.serverVersionNum, fx.probeOptions).sections], 'fixture is stale: re-capture');
      const s = parse(fx);
      checkInvariants(s, fx);
      kinds[kind](s, Math.floor(fx.serverVersionNum / 10000));
    });
  }
});

/** A deep copy with one section's column removed from fields and rows. */
function without(fx: Fixture, section: string, column: string): Fixture {
  const copy = structuredClone(fx);
  const r = copy.results[copy.sections.indexOf(section)];
  r.fields = r.fields.filter((f) => f.name !== column);
  for (const row of r.rows) delete (row as Record<string, unknown>)[column];
  return copy;
}

function throwsProbe(fn: () => unknown, section: string, column: string | null, text?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ProbeParseError, String(err));
    assert.equal(err.section, section);
    assert.equal(err.column, column);
    if (text) assert.match(err.message, text);
    return true;
  });
}

describe('parseProbeResults strictness', () => {
  const p17 = load('17-primary.json');
  const s13 = load('13-standby.json');

  test('a missing required column names its section and column, even with zero rows', () => {
    throwsProbe(() => parse(without(p17, 'slots', 'retained_bytes')), 'slots', 'retained_bytes', /missing/);
    throwsProbe(() => parse(without(p17, 'receiver', 'sender_port')), 'receiver', 'sender_port', /missing/);
    throwsProbe(() => parse(without(p17, 'node', 'in_recovery')), 'node', 'in_recovery');
  });

  test('missing version-dependent columns read as null', () => {
    let fx = p17;
    for (const c of ['inactive_since', 'invalidation_reason', 'failover', 'synced']) fx = without(fx, 'slots', c);
    const s = parse(without(without(fx, 'receiver', 'conninfo'), 'node', 'replay_pause_state'));
    assert.ok(s.slots.every((x) => x.inactiveSince === null && x.failover === null && x.synced === null));
    assert.equal(s.slots.length, 4);
  });

  test('13 reports pause as a boolean, 14+ as a state', () => {
    assert.equal(parse(s13).replayPaused, false);
    assert.equal(parse(load('17-standby-paused.json')).replayPaused, true);
  });

  test('walsummary section is optional; node, senders, receiver, slots, archiver are not', () => {
    const fx = structuredClone(p17);
    const i = fx.sections.indexOf('walsummary');
    fx.sections.splice(i, 1);
    fx.results.splice(i, 1);
    assert.equal(parse(fx).walSummary, null);
    const j = fx.sections.indexOf('archiver');
    fx.sections.splice(j, 1);
    fx.results.splice(j, 1);
    throwsProbe(() => parse(fx), 'archiver', null, /section missing/);
  });

  test('sections are found by name, not position', () => {
    const fx = structuredClone(p17);
    fx.sections.reverse();
    fx.results.reverse();
    assert.deepEqual(parse(fx), parse(p17));
  });

  test('result count must match the section list', () => {
    throwsProbe(() => parseProbeResults(p17.results.slice(1), p17.sections, { takenAt: 0, roundTripMs: 0 }), '*', null);
  });

  test('unexpected NULL and malformed values are reported with their column', () => {
    const fx = structuredClone(p17);
    const node = fx.results[fx.sections.indexOf('node')];
    node.rows[0].max_wal_senders = null;
    throwsProbe(() => parse(fx), 'node', 'max_wal_senders', /NULL/);
    const fy = structuredClone(p17);
    fy.results[fy.sections.indexOf('senders')].rows[0].sent_lsn = '0/XYZ';
    throwsProbe(() => parse(fy), 'senders', 'sent_lsn', /LSN/);
    const fz = structuredClone(p17);
    fz.results[fz.sections.indexOf('archiver')].rows[0].archived_count = 'lots';
    throwsProbe(() => parse(fz), 'archiver', 'archived_count', /number/);
  });

  test('node and archiver must have exactly one row; receiver at most one', () => {
    const fx = structuredClone(p17);
    const node = fx.results[fx.sections.indexOf('node')];
    node.rows = [node.rows[0], node.rows[0]];
    throwsProbe(() => parse(fx), 'node', null, /1 row/);
    const fy = structuredClone(s13);
    const rec = fy.results[fy.sections.indexOf('receiver')];
    rec.rows = [rec.rows[0], rec.rows[0]];
    throwsProbe(() => parse(fy), 'receiver', null, /0 or 1/);
  });

  test('Unix-socket senders (client_port -1) get a null port', () => {
    const fx = structuredClone(p17);
    const row = fx.results[fx.sections.indexOf('senders')].rows[0];
    row.client_port = -1;
    row.client_addr = null;
    const w = parse(fx).senders[0];
    assert.deepEqual([w.clientAddr, w.clientPort], [null, null]);
  });

  test('repmgr: absent extension reads null, unreadable reads unavailable, sections come in pairs', () => {
    const rp = load('15-repmgr-primary.json');
    assert.equal(parse(p17).repmgr, null);
    const stripped = structuredClone(rp);
    for (const name of ['repmgrstatus', 'repmgrevents', 'repmgrd', 'repmgr']) {
      const i = stripped.sections.indexOf(name);
      stripped.sections.splice(i, 1);
      stripped.results.splice(i, 1);
    }
    assert.equal(parse(stripped).repmgr, null);
    const denied = parseProbeResults(stripped.results, stripped.sections, {
      takenAt: 1, roundTripMs: 2, repmgr: { extVersion: '5.3', unavailable: 'role mon lacks USAGE on schema repmgr' },
    });
    assert.deepEqual(denied.repmgr, { available: false, extVersion: '5.3', unavailable: 'role mon lacks USAGE on schema repmgr' });
    assert.equal(denied.role, 'primary', 'the rest of the sample is complete');
    const half = structuredClone(rp);
    const i = half.sections.indexOf('repmgrd');
    half.sections.splice(i, 1);
    half.results.splice(i, 1);
    throwsProbe(() => parse(half), 'repmgrd', null, /section missing/);
    throwsProbe(() => parse(without(rp, 'repmgr', 'priority')), 'repmgr', 'priority', /missing/);
    const nulls = structuredClone(rp);
    Object.assign(nulls.results[nulls.sections.indexOf('repmgrd')].rows[0], { local_node_id: null, repmgrd_running: null, repmgrd_paused: null });
    const r = parse(nulls).repmgr;
    assert.ok(r?.available);
    assert.deepEqual([r.localNodeId, r.repmgrdRunning, r.repmgrdPaused], [null, null, null]);
  });

  test('timestamps in another zone or as Date objects normalise to UTC ISO', () => {
    const fx = structuredClone(p17);
    const arch = fx.results[fx.sections.indexOf('archiver')].rows[0];
    arch.last_archived_time = '2026-11-22 05:23:07.932448+01';
    arch.stats_reset = new Date(Date.UTC(2026, 0, 2, 3, 4, 5)) as unknown as string;
    const a = parse(fx).archiver;
    assert.equal(a.lastArchivedTime, '2026-11-22T04:23:07.932Z');
    assert.equal(a.statsReset, '2026-01-02T03:04:05.000Z');
  });
});

describe('buildProbeQuery', () => {
  const versions = [130023, 140023, 150018, 160014, 170010, 180004, 190000];
  for (const v of versions) {
    test(`${v}: one named statement per section, no SELECT *`, () => {
      const q = buildProbeQuery(v);
      const statements = q.text.split(/;\s*(?:\n|$)/).filter((x) => x.trim());
      assert.equal(statements.length, q.sections.length);
      assert.doesNotMatch(q.text, /select\s+\*|\.\*|,\s*\*/i);
      assert.deepEqual(q.sections.slice(0, 5), ['node', 'senders', 'receiver', 'slots', 'archiver']);
      assert.equal(q.sections.includes('walsummary'), v >= 170000);
      assert.ok(!q.sections.includes('repmgr') && !/repmgr/.test(q.text), 'repmgr only on request');
      const withRepmgr = buildProbeQuery(v, { repmgr: true });
      assert.deepEqual(withRepmgr.sections, [...q.sections, 'repmgr', 'repmgrd']);
      assert.equal(withRepmgr.text.split(/;\s*(?:\n|$)/).filter((x) => x.trim()).length, withRepmgr.sections.length);
      assert.equal(/pg_get_wal_replay_pause_state/.test(q.text), v >= 140000);
      assert.equal(/archive_library/.test(q.text), v >= 150000);
      assert.equal(/inactive_since/.test(q.text), v >= 170000);
      // Every pg_current_wal_lsn() sits behind a recovery check.
      for (const stmt of statements) {
        if (stmt.includes('pg_current_wal_lsn()')) assert.match(stmt, /pg_is_in_recovery\(\)|r\.in_recovery/);
      }
    });
  }
  test('refuses servers older than 13', () => {
    assert.throws(() => buildProbeQuery(120022), RangeError);
    assert.throws(() => buildProbeQuery(Number.NaN), RangeError);
  });
});
