// Alert rules over the captured scenarios (real PG 13–18, repmgr 5.3, pgpool 4.3.5 replies) and
// over those states with one fault patched in at a time: each rule fires on its fault, names
// its subject, and stays quiet on a healthy or idle cluster.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CLEAR_RATIO, DEFAULT_ALERT_THRESHOLDS, evaluateAlerts, walSegmentNo } from '../../../src/model/alerts/rules.ts';
import type { BackupSourceState } from '../../../src/model/backups.ts';
import type { NodeSample } from '../../../src/model/types.ts';
import { SCENARIOS, type Scenario } from '../../helpers/states.ts';

const NOW = Date.UTC(2026, 10, 22, 6);
const codes = (s: Scenario, now = NOW) => evaluateAlerts(s.store.getState(), DEFAULT_ALERT_THRESHOLDS, now).map((a) => `${a.code} ${a.subject}`);

function patch(s: Scenario, node: string, f: (x: NodeSample) => NodeSample) {
  const st = s.store.getState();
  const n = st.nodes[node]!;
  s.store.setState({ nodes: { ...st.nodes, [node]: { ...n, sample: f(n.sample!) } } });
}

describe('alert rules on the captured scenarios', () => {
  const cases: Array<[keyof typeof SCENARIOS, string[]]> = [
    ['haLab', []],
    ['pg15', []],
    ['walStreamer', []],
    ['connecting', []],
    // the demo captures hold the faults the demo shows: a failing archive_command, a paused and a lagging standby
    ['healthy17', ['ARCHIVER_FAILING primary', 'LAG_BYTES standby3', 'REPLAY_PAUSED standby2']],
    ['splitBrain', ['ARCHIVER_FAILING primary', 'PRIMARY_SPLIT primary,standby1', 'LAG_BYTES standby3', 'REPLAY_PAUSED standby2']],
    ['haFailover', ['LAYERS_DISAGREE pgsql1', 'NODE_DOWN pgsql1', 'PGPOOL_DOWN pgpool2']],
  ];
  for (const [name, want] of cases) test(`${name} → ${want.length ? want.join(', ') : 'no alert'}`, () => assert.deepEqual(codes(SCENARIOS[name]()), want));
});

describe('one fault at a time on the healthy HA lab', () => {
  const lab = () => SCENARIOS.haLab();

  test('standby not streaming', () => {
    const s = lab();
    patch(s, 'pgsql3', (x) => ({ ...x, receiver: null }));
    assert.ok(codes(s).includes('STANDBY_NOT_STREAMING pgsql3'));
  });

  test('time lag only while bytes are behind: an idle primary raises nothing', () => {
    const s = lab();
    const senders = (bytes: number) => (x: NodeSample) => ({ ...x, senders: x.senders.map((r) => (r.applicationName === 'pgsql2' ? { ...r, replayLagBytes: bytes, replayLagSeconds: 120 } : r)) });
    patch(s, 'pgsql1', senders(0));
    assert.deepEqual(codes(s), []);
    patch(s, 'pgsql1', senders(8192));
    assert.deepEqual(codes(s), ['LAG_SECONDS pgsql2']);
  });

  test('slots: inactive and retaining, unreserved, lost', () => {
    const s = lab();
    patch(s, 'pgsql1', (x) => ({
      ...x,
      slots: [
        { ...x.slots[0]!, slotName: 'old', active: false, retainedBytes: 3 * 1024 ** 3 },
        { ...x.slots[0]!, slotName: 'edge', walStatus: 'unreserved' },
        { ...x.slots[0]!, slotName: 'gone', walStatus: 'lost', invalidationReason: 'wal_removed' },
      ],
    }));
    assert.deepEqual(codes(s).filter((c) => c.startsWith('SLOT')), ['SLOT_INVALIDATED pgsql1/gone', 'SLOT_INACTIVE_RETAINING pgsql1/old', 'SLOT_UNRESERVED pgsql1/edge']);
  });

  test('archiving: nothing archived for over an hour while segments pile up; quiet when current', () => {
    const s = lab();
    const at = (min: number) => new Date(NOW - min * 60_000).toISOString();
    patch(s, 'pgsql1', (x) => ({ ...x, archiver: { ...x.archiver, archiveMode: 'on', lastArchivedWal: '000000010000000000000010', lastArchivedTime: at(90), lastFailedTime: null, currentWalFile: '000000010000000000000014' } }));
    const a = evaluateAlerts(s.store.getState(), DEFAULT_ALERT_THRESHOLDS, NOW).find((x) => x.code === 'ARCHIVE_STALE')!;
    assert.match(a.message, /^3 WAL segment\(s\) written on pgsql1 but nothing archived for 90 min$/);
    patch(s, 'pgsql1', (x) => ({ ...x, archiver: { ...x.archiver, currentWalFile: '000000010000000000000011' } }));
    assert.ok(!codes(s).some((c) => c.startsWith('ARCHIVE')));
    assert.equal(walSegmentNo('0000000200000001000000FF'), 0x1ff);
  });

  test('archiving stalled right after a base backup: the last archived file is its backup history file', () => {
    // as on the demo cluster, whose archiver last archived its base backup's .backup file
    const s = lab();
    const at = (min: number) => new Date(NOW - min * 60_000).toISOString();
    patch(s, 'pgsql1', (x) => ({ ...x, archiver: { ...x.archiver, archiveMode: 'on', lastArchivedWal: '000000010000000000000010.00000028.backup', lastArchivedTime: at(90), lastFailedTime: null, currentWalFile: '000000010000000000000014' } }));
    assert.deepEqual(codes(s), ['ARCHIVE_STALE pgsql1']);
    patch(s, 'pgsql1', (x) => ({ ...x, archiver: { ...x.archiver, currentWalFile: '000000010000000000000011' } }));
    assert.deepEqual(codes(s), [], 'the segment after the backup is the one being written');
    for (const [name, no] of [['000000010000000000000002.00000028.backup', 2], ['000000030000000000000005.partial', 5], ['00000002.history', null], ['000000010000000000000002.bak', null], ['0000000100000000000000', null]] as const) {
      assert.equal(walSegmentNo(name), no, name);
    }
  });

  test('PG17 summarizer: on but not running', () => {
    const s = lab();
    patch(s, 'pgsql1', (x) => ({ ...x, walSummary: { summarizeWal: true, keepTimeMinutes: 14400, summarizedTli: 1, summarizedLsn: null, pendingLsn: null, summarizerPid: null, summaryCount: 0, oldestStartLsn: null, newestEndLsn: null, behindBytes: null } }));
    assert.deepEqual(codes(s), ['SUMMARIZER_DOWN pgsql1']);
  });

  test('repmgrd stopped on one node, paused on another', () => {
    const s = lab();
    const d = (running: boolean, paused: boolean) => (x: NodeSample) => ({ ...x, repmgr: x.repmgr?.available ? { ...x.repmgr, repmgrdRunning: running, repmgrdPaused: paused } : x.repmgr });
    patch(s, 'pgsql2', d(false, false));
    patch(s, 'pgsql3', d(true, true));
    assert.deepEqual(codes(s), ['REPMGRD_DOWN pgsql2', 'REPMGRD_PAUSED pgsql3']);
  });

  test('pgpool: a backend down while PostgreSQL answers; watchdog without quorum', () => {
    const s = lab();
    const st = s.store.getState();
    const p1 = st.pgpools.pgpool1!;
    const sample = p1.sample!;
    const wd = sample.watchdog!.ok ? { ok: true as const, info: { ...sample.watchdog!.info, quorumState: 'QUORUM ABSENT' as const } } : sample.watchdog!;
    s.store.setState({ pgpools: { ...st.pgpools, pgpool1: { ...p1, sample: { ...sample, nodes: sample.nodes.map((n) => (n.nodeId === 2 ? { ...n, status: 'down' } : n)), watchdog: wd } } } });
    assert.deepEqual(codes(s), ['WATCHDOG_QUORUM pgpool1', 'PGPOOL_BACKEND_DOWN pgpool1/pgsql3'], 'a detached standby is a warning, not a critical disagreement besides');
  });

  test('backups: a failing check, the newest usable too old, a broken chain, none at all', () => {
    const s = lab();
    const b = (id: string, end: string, status = 'DONE') => ({ id, name: null, type: 'full', status, parentId: null, childrenIds: [], beginTime: end, endTime: end, durationSeconds: 1, sizeBytes: 1, walBytes: 0, resourcesSavedBytes: null, retentionStatus: null, timeline: 1, beginLsn: null, endLsn: null, summarizeWal: null });
    const src = (over: Partial<BackupSourceState>): BackupSourceState => ({ source: 'barman', name: 'main', where: 'barman@b', reachable: true, error: null, at: NOW, backups: [], chains: [], checks: [], wal: null, ...over });
    s.store.setState({
      backupOrder: ['barman:main', 'barman:empty'],
      backups: {
        'barman:main': src({
          backups: [b('20261120T020000', '2026-11-20T02:05:00.000Z') as never],
          chains: [{ rootId: '20261120T020000', members: ['20261120T020000', 'x'], broken: true, reason: 'x hangs on a FAILED parent' }],
          checks: [{ name: 'receive wal running', ok: false, hint: 'See the Barman log file for more details' }],
        }),
        'barman:empty': src({ name: 'empty' }),
      },
    });
    assert.deepEqual(codes(s), ['BACKUP_CHAIN_BROKEN barman:main/20261120T020000', 'BACKUP_NONE barman:empty', 'BACKUP_STALE barman:main', 'BARMAN_CHECK barman:main']);
  });
});

describe('WAL summaries must reach back to the newest backup (PG17 incremental)', () => {
  // healthy17's primary: summarize_wal on, its oldest summary starts at OLDEST (captured)
  const withBackup = (beginLsn: string, patchSummary?: (w: NonNullable<NodeSample['walSummary']>) => NodeSample['walSummary']) => {
    const s = SCENARIOS.healthy17();
    if (patchSummary) patch(s, 'primary', (x) => ({ ...x, walSummary: patchSummary(x.walSummary!) }));
    const backup = { id: 'b1', name: null, type: 'full', status: 'DONE', parentId: null, childrenIds: [], beginTime: '2026-11-22T05:00:00Z', endTime: '2026-11-22T05:10:00Z', durationSeconds: 600, sizeBytes: 1, walBytes: 0, resourcesSavedBytes: null, retentionStatus: null, timeline: 1, beginLsn, endLsn: null, summarizeWal: true };
    s.store.setState({ backupOrder: ['dir:/b'], backups: { 'dir:/b': { source: 'basebackup_dir', name: '/b', where: 'local', reachable: true, error: null, at: NOW, backups: [backup as never], chains: [], checks: null, wal: null } } });
    return codes(s).filter((c) => c.startsWith('SUMMAR'));
  };
  const oldest = () => SCENARIOS.healthy17().store.getState().nodes.primary!.sample!.walSummary!.oldestStartLsn!;
  test('summaries cover the backup: quiet', () => assert.deepEqual(withBackup(oldest()), []));
  test('the backup began before the oldest summary: the next incremental would fail', () => assert.deepEqual(withBackup('0/1000000'), ['SUMMARIES_MISSING dir:/b']));
  test('no summaries at all', () => assert.deepEqual(withBackup(oldest(), (w) => ({ ...w, summaryCount: 0, oldestStartLsn: null })), ['SUMMARIES_MISSING dir:/b']));
  test('summarize_wal off: not this rule\'s business', () => assert.deepEqual(withBackup('0/1000000', (w) => ({ ...w, summarizeWal: false })), []));
});

describe('levels that wobble clear below a lower mark (hysteresis)', () => {
  const t = DEFAULT_ALERT_THRESHOLDS;
  const withLag = (bytes: number) => {
    const s = SCENARIOS.haLab();
    patch(s, 'pgsql1', (x) => ({ ...x, senders: x.senders.map((r) => (r.applicationName === 'pgsql2' ? { ...r, replayLagBytes: bytes } : r)) }));
    return s.store.getState();
  };
  const lagAlert = (bytes: number, open: string[]) => evaluateAlerts(withLag(bytes), t, NOW, new Set(open)).some((a) => a.code === 'LAG_BYTES' && a.subject === 'pgsql2');
  const between = Math.round(t.lagBytes * (1 + CLEAR_RATIO) / 2);
  const cases: Array<[string, number, string[], boolean]> = [
    ['over the threshold raises', t.lagBytes + 1, [], true],
    ['between the marks does not raise a new alert', between, [], false],
    ['between the marks keeps an open one', between, ['LAG_BYTES pgsql2'], true],
    ['below the lower mark clears it', Math.floor(t.lagBytes * CLEAR_RATIO) - 1, ['LAG_BYTES pgsql2'], false],
    ['another subject open does not hold this one', between, ['LAG_BYTES pgsql3'], false],
  ];
  for (const [name, bytes, open, want] of cases) test(name, () => assert.equal(lagAlert(bytes, open), want));
});
