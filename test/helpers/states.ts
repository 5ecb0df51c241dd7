// Deterministic AppStore states for view tests and golden frames.
//
// Every sample comes from a real probe reply captured from PostgreSQL (test/fixtures/pg/*.json),
// parsed by the production parser (parseProbeResults) and fed through createAppStore + applyBatch,
// exactly as the scheduler does. What the builders change, and only that:
//   - the clock: each fixture's capture instant is moved so the last tick's replies land on NOW
//     (every ISO timestamp in the sample moves by the same amount, so ages stay as captured);
//   - ports: the capture ran on random ports; nodes get fixed endpoints (127.0.0.1:5432, 5433, …)
//     and each standby's wal receiver sender_port is pointed at its upstream's fixed port, so
//     topology matching works the way it does against a real cluster;
//   - history: earlier ticks are the final sample moved back along a fixed WAL-rate pattern, with
//     replay lag taken from fixed per-standby patterns; the last tick is the capture unchanged;
//   - where a scenario says so (standby down, split brain), the change PostgreSQL itself would show,
//     derived from the captured sample and named in the scenario's description.
// Nothing here reads the real clock or a random source: the same build gives the same store.

import { readFileSync } from 'node:fs';
import type { PgpoolSample } from '../../src/model/pgpool.ts';
import type { WatchdogInfo } from '../../src/probes/pgpool/pcp-text.ts';
import { parsePoolNodes } from '../../src/probes/pgpool/pool-nodes.ts';
import { parseBackendStats, parseHealthCheckStats } from '../../src/probes/pgpool/pool-stats.ts';
import { parsePoolVersion } from '../../src/probes/pgpool/pool-version.ts';
import type { PgpoolResult } from '../../src/probes/pgpool/result-table.ts';
import { parseWatchdogJson } from '../../src/probes/pgpool/watchdog-json.ts';
import { fromUnaligned, only } from '../unit/pgpool/psql-text.ts';
import { parseClusterShow } from '../../src/probes/repmgr/cluster-show.ts';
import { parseServiceStatusCsv } from '../../src/probes/repmgr/service-status.ts';
import { type RepmgrCliResult, repmgrRunProblem } from '../../src/probes/ssh/repmgr-cli.ts';
import { parseIpAddrShow, type VipState } from '../../src/probes/ssh/vip.ts';
import { fileURLToPath } from 'node:url';
import { type ClusterConfig, DEFAULT_THRESHOLDS } from '../../src/config/schema.ts';
import { formatLsn, parseLsn } from '../../src/model/lsn.ts';
import { buildTopology } from '../../src/model/topology.ts';
import type { NodeSample, NodeState, RepmgrEvent, SenderRow } from '../../src/model/types.ts';
import { describePgError } from '../../src/probes/pg/describe-error.ts';
import { parseProbeResults } from '../../src/probes/pg/parse-probe.ts';
import { storeNodesFromConfig, storePgpoolsFromConfig } from '../../src/probes/scheduler.ts';
import { type AppStore, createAppStore } from '../../src/state/store.ts';
import type { LagThresholds } from '../../src/views/panes/lag-lines.ts';
import type { PaneData } from '../../src/views/panes/pane-lines.ts';
import { buildPaneData } from '../../src/views/panes/pane-data.ts';

/** The last tick's replies arrive at NOW (2026-11-22 12:00:00 UTC). */
export const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);
/** What views are told the time is: a moment after the last replies. */
export const VIEW_NOW = NOW + 400;
export const INTERVAL_MS = 2000;
/** Ticks of history pushed before the scenario's final state (the last one is the capture as is). */
export const HISTORY_TICKS = 60;
/** The defaults from src/config/schema.ts. */
export const THRESHOLDS: LagThresholds = { lagBytesWarn: 16 * 1024 * 1024, lagSecondsWarn: 30 };
export const PORTS = { primary: 5432, standby1: 5433, standby2: 5434, standby3: 5435 } as const;

const FIXTURES = fileURLToPath(new URL('../fixtures/pg/', import.meta.url));

export interface Fixture {
  file: string;
  capturedAt: number;
  sample: NodeSample;
}

const fixtureCache = new Map<string, { capturedAt: number; raw: string }>();

/** A captured probe reply parsed by the production parser; a fresh copy on every call. */
export function loadFixture(file: string): Fixture {
  let f = fixtureCache.get(file);
  if (!f) {
    const raw = readFileSync(`${FIXTURES}${file}.json`, 'utf8');
    const json = JSON.parse(raw) as { captured: { at: string }; roundTripMs: number; sections: string[]; results: never[] };
    const capturedAt = Date.parse(json.captured.at);
    f = { capturedAt, raw: JSON.stringify(parseProbeResults(json.results, json.sections, { takenAt: capturedAt, roundTripMs: json.roundTripMs })) };
    fixtureCache.set(file, f);
  }
  return { file, capturedAt: f.capturedAt, sample: JSON.parse(f.raw) as NodeSample };
}

// ---- sample transforms -------------------------------------------------------------------

function shiftIso(iso: string | null, ms: number): string | null {
  return iso === null ? null : new Date(Date.parse(iso) + ms).toISOString();
}

/** Moves every timestamp of a sample by `ms` (takenAt included). */
export function rebaseTime(s: NodeSample, ms: number): NodeSample {
  return {
    ...s,
    takenAt: s.takenAt + ms,
    lastReplayTime: shiftIso(s.lastReplayTime, ms),
    senders: s.senders.map((r) => ({ ...r, replyTime: shiftIso(r.replyTime, ms) })),
    receiver: s.receiver && { ...s.receiver, lastMsgReceiptTime: shiftIso(s.receiver.lastMsgReceiptTime, ms) },
    slots: s.slots.map((sl) => ({ ...sl, inactiveSince: shiftIso(sl.inactiveSince, ms) })),
    archiver: {
      ...s.archiver,
      lastArchivedTime: shiftIso(s.archiver.lastArchivedTime, ms),
      lastFailedTime: shiftIso(s.archiver.lastFailedTime, ms),
      statsReset: shiftIso(s.archiver.statsReset, ms),
    },
    repmgr: s.repmgr?.available
      ? {
          ...s.repmgr,
          events: s.repmgr.events?.map((e) => ({ ...e, timestamp: shiftIso(e.timestamp, ms)! })),
          replicationStatus: s.repmgr.replicationStatus && {
            ...s.repmgr.replicationStatus,
            lastMonitorTime: shiftIso(s.repmgr.replicationStatus.lastMonitorTime, ms)!,
            lastApplyTime: shiftIso(s.repmgr.replicationStatus.lastApplyTime, ms),
          },
        }
      : s.repmgr,
  };
}

function back(lsn: string | null, bytes: number): string | null {
  return lsn === null ? null : formatLsn(parseLsn(lsn) - BigInt(bytes));
}

/** The node's WAL positions `bytes` earlier (slots and summaries stay where they were). */
function rewindWal(s: NodeSample, bytes: number): NodeSample {
  if (bytes === 0) return s;
  return {
    ...s,
    currentLsn: back(s.currentLsn, bytes),
    receiveLsn: back(s.receiveLsn, bytes),
    replayLsn: back(s.replayLsn, bytes),
    senders: s.senders.map((r) => ({
      ...r, sentLsn: back(r.sentLsn, bytes), writeLsn: back(r.writeLsn, bytes), flushLsn: back(r.flushLsn, bytes), replayLsn: back(r.replayLsn, bytes),
    })),
    receiver: s.receiver && {
      ...s.receiver, writtenLsn: back(s.receiver.writtenLsn, bytes), flushedLsn: back(s.receiver.flushedLsn, bytes), latestEndLsn: back(s.receiver.latestEndLsn, bytes),
    },
  };
}

/** A pg_stat_replication row with another replay lag (replay_lsn follows). */
function withReplayLag(r: SenderRow, bytes: number, seconds: number | null): SenderRow {
  const base = r.sentLsn ?? r.flushLsn;
  return { ...r, replayLagBytes: bytes, replayLagSeconds: seconds, replayLsn: base === null ? r.replayLsn : back(base, bytes) };
}

// ---- deterministic history patterns ------------------------------------------------------

/** Bytes of WAL written during tick i (i = HISTORY_TICKS - 1 is the last): 48..160 KiB. */
export function walPerTick(i: number): number {
  return (48 + ((i * 37) % 8) * 16) * 1024;
}

/** 0..1..0 over `period` ticks. */
function triangle(i: number, period: number): number {
  const p = i % period;
  const half = period / 2;
  return p <= half ? p / half : (period - p) / half;
}

export type LagPattern = (i: number, last: { bytes: number; seconds: number | null }) => { bytes: number; seconds: number | null };

/** Replay lag per tick for each standby; every pattern returns the captured value on the last tick. */
export const LAG_PATTERNS: Record<string, LagPattern> = {
  // Keeps up: a few hundred bytes to a few KiB now and then.
  jitter: (i, last) => (i === HISTORY_TICKS - 1 ? last : { bytes: ((i * 7) % 5) * 312 * (i % 3), seconds: ((i * 3) % 4) * 0.0015 }),
  // Replay paused 20 ticks before the end: small lag, then a steady climb to the captured value.
  pausedLate: (i, last) => {
    const from = HISTORY_TICKS - 20;
    if (i === HISTORY_TICKS - 1) return last;
    if (i < from) return { bytes: 512 + ((i * 5) % 4) * 1024, seconds: 0.002 };
    const f = (i - from + 1) / 20;
    return { bytes: Math.round(last.bytes * f), seconds: last.seconds === null ? null : Math.round(last.seconds * f * 1000) / 1000 };
  },
  // recovery_min_apply_delay: the lag saws between a quarter of the captured value and all of it.
  sawtooth: (i, last) => {
    if (i === HISTORY_TICKS - 1) return last;
    const f = 0.25 + 0.75 * triangle(i, 16);
    return { bytes: Math.round(last.bytes * f), seconds: last.seconds === null ? null : Math.round(last.seconds * f * 1000) / 1000 };
  },
};

// ---- building stores ---------------------------------------------------------------------

export interface NodeSpec {
  name: string;
  /** test/fixtures/pg/<fixture>.json */
  fixture: string;
  port: number;
  /** The configured node this one streams from (its receiver's sender_port is set to match). */
  upstream?: string;
  /** Lag pattern for the pg_stat_replication row of this standby on its upstream. */
  lag?: keyof typeof LAG_PATTERNS;
}

export interface Scenario {
  name: string;
  description: string;
  store: AppStore;
  cluster: ClusterConfig;
  /** Pass to views as `now`. */
  now: number;
}

export function clusterConfig(name: string, specs: Array<Pick<NodeSpec, 'name' | 'port'>>, pgpools: readonly string[] = []): ClusterConfig {
  return {
    name,
    intervalSeconds: INTERVAL_MS / 1000,
    thresholds: { ...DEFAULT_THRESHOLDS, ...THRESHOLDS },
    nodes: specs.map((s) => ({ name: s.name, conninfo: `host=127.0.0.1 port=${s.port} user=pgtop_probe dbname=postgres` })),
    pgpool: pgpools.map((p, i) => ({ name: p, conninfo: `host=127.0.0.1 port=${9999 + i} user=pgtop_probe dbname=postgres` })),
    barman: [],
    backups: [],
  };
}

function newStore(cluster: ClusterConfig, readOnly = false): AppStore {
  return createAppStore({ cluster: cluster.name, intervalMs: INTERVAL_MS, readOnly, nodes: storeNodesFromConfig(cluster), pgpools: storePgpoolsFromConfig(cluster) });
}

/** The final (captured) sample of each node, rebased to NOW, with ports pointed at the fixed endpoints. */
function finalSamples(specs: NodeSpec[]): Map<string, NodeSample> {
  const fixtures = specs.map((s) => loadFixture(s.fixture));
  // One capture run per scenario: the first node's capture instant becomes NOW.
  const shift = NOW - fixtures[0]!.capturedAt;
  const out = new Map<string, NodeSample>();
  specs.forEach((spec, i) => {
    let s = rebaseTime(fixtures[i]!.sample, shift);
    if (spec.upstream !== undefined) {
      const up = specs.find((x) => x.name === spec.upstream);
      if (!up) throw new Error(`${spec.name}: upstream ${spec.upstream} is not in the scenario`);
      if (!s.receiver) throw new Error(`${spec.fixture}: no wal receiver to point at ${spec.upstream}`);
      s = { ...s, receiver: { ...s.receiver, senderHost: '127.0.0.1', senderPort: up.port } };
    }
    out.set(spec.name, s);
  });
  return out;
}

export type Tweak = (i: number, samples: Map<string, NodeSample>) => void;

/**
 * Pushes HISTORY_TICKS batches, one per tick, every INTERVAL_MS, the last at the captured state.
 * `tweak` may edit a tick's samples (after rewinding and lag patterns) before they are applied.
 */
export function pushHistory(store: AppStore, specs: NodeSpec[], ticks = HISTORY_TICKS, tweak?: Tweak): void {
  const finals = finalSamples(specs);
  // WAL written after tick i, summed back from the end.
  const offset: number[] = new Array(ticks).fill(0);
  for (let i = ticks - 2; i >= 0; i--) offset[i] = offset[i + 1]! + walPerTick(HISTORY_TICKS - ticks + i + 1);
  const lagOf = new Map(specs.filter((s) => s.lag).map((s) => [s.name, LAG_PATTERNS[s.lag!]!]));
  for (let t = 0; t < ticks; t++) {
    const i = HISTORY_TICKS - ticks + t; // pattern index: the last tick is always HISTORY_TICKS - 1
    const dt = (ticks - 1 - t) * INTERVAL_MS;
    const samples = new Map<string, NodeSample>();
    for (const spec of specs) {
      let s = rewindWal(finals.get(spec.name)!, offset[t]!);
      s = { ...s, takenAt: s.takenAt - dt };
      s = {
        ...s,
        senders: s.senders.map((r) => {
          const pattern = lagOf.get(r.applicationName);
          if (!pattern) return r;
          const final = finals.get(spec.name)!.senders.find((x) => x.pid === r.pid)!;
          const { bytes, seconds } = pattern(i, { bytes: final.replayLagBytes ?? 0, seconds: final.replayLagSeconds });
          return withReplayLag(r, bytes, seconds);
        }),
      };
      samples.set(spec.name, s);
    }
    tweak?.(t, samples);
    store.getState().applyBatch([...samples].map(([name, sample]) => ({ name, sample })), NOW - dt);
  }
}

// lagChart() (src/views/panes/lag-lines.ts) caches one chart per standby *name*, keyed by
// historyVersion and size. Two stores in one process with a standby of the same name and the same
// version would share a cached chart, so a frame would depend on which test ran first. Each
// built store's version is moved to its own range; the version is only a change signal.
let builds = 0;

function build(name: string, description: string, clusterName: string, specs: NodeSpec[], opts: { ticks?: number; tweak?: Tweak; readOnly?: boolean; pgpools?: readonly string[] } = {}) {
  const cluster = clusterConfig(clusterName, specs, opts.pgpools);
  const store = newStore(cluster, opts.readOnly);
  if (opts.ticks !== 0) pushHistory(store, specs, opts.ticks ?? HISTORY_TICKS, opts.tweak);
  const offset = ++builds * 1_000_000;
  store.setState((st) => ({ historyVersion: st.historyVersion + offset }));
  return { name, description, store, cluster, now: VIEW_NOW };
}

const PG17: NodeSpec[] = [
  { name: 'primary', fixture: '17-primary', port: PORTS.primary },
  { name: 'standby1', fixture: '17-standby', port: PORTS.standby1, upstream: 'primary', lag: 'jitter' },
  { name: 'standby2', fixture: '17-standby-paused', port: PORTS.standby2, upstream: 'primary', lag: 'pausedLate' },
  { name: 'standby3', fixture: '17-cascaded', port: PORTS.standby3, upstream: 'standby1', lag: 'sawtooth' },
];

// ---- scenarios ---------------------------------------------------------------------------

/**
 * PostgreSQL 17.10, as captured: primary; standby1 and standby2 stream from it on slots (standby2
 * has replay paused, so its replay lag grew over the last 20 ticks); standby3 cascades from
 * standby1 with recovery_min_apply_delay = 2s. The primary's archive_command fails since the
 * 3rd switch, summarize_wal is on on primary and standby1. 60 ticks of history.
 */
export function healthy17(): Scenario {
  return build('healthy17', 'PG17: primary, two standbys (standby2 replay paused and lagging), standby3 cascading from standby1', 'prod-eu', PG17);
}

/**
 * healthy17 in which standby2 stopped 3 ticks before the end: its walsender row is gone from the
 * primary and its slot turned inactive (inactive_since set, as PG17 does), and its poller reports
 * ECONNREFUSED. The store keeps its last good sample.
 */
export function standbyDown(): Scenario {
  const downTicks = 3;
  const downAt = NOW - downTicks * INTERVAL_MS + 700;
  const s = build('standbyDown', 'healthy17 with standby2 down (connection refused) for the last 3 ticks', 'prod-eu', PG17, {
    tweak: (t, samples) => {
      if (t < HISTORY_TICKS - downTicks) return;
      samples.delete('standby2');
      const p = samples.get('primary')!;
      samples.set('primary', {
        ...p,
        senders: p.senders.filter((r) => r.applicationName !== 'standby2'),
        slots: p.slots.map((sl) =>
          sl.slotName === 'standby2' ? { ...sl, active: false, activePid: null, inactiveSince: new Date(downAt).toISOString() } : sl),
      });
    },
  });
  const node = s.store.getState().nodes.standby2!;
  const reason = describePgError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:5434' }, node.target);
  s.store.getState().applyBatch([{ name: 'standby2', health: { kind: 'down', reason, since: downAt, retryAt: NOW + 4000 } }], NOW);
  return s;
}

/**
 * PostgreSQL 15.18 (Debian), as captured: primary and a pg_basebackup -R standby (no
 * application_name in primary_conninfo, so it is known by cluster_name "standby1"), plus
 * pg_receivewal streaming into slot "barman". No WAL summaries before 17.
 */
export function pg15(): Scenario {
  return build('pg15', 'PG15: primary + pg_basebackup standby, pg_receivewal (barman_receive_wal) streaming', 'legacy', [
    { name: 'primary', fixture: '15-primary', port: PORTS.primary },
    { name: 'standby1', fixture: '15-standby', port: PORTS.standby1, upstream: 'primary', lag: 'jitter' },
  ]);
}

/**
 * Only the PG15 primary is configured. Its pg_stat_replication lists barman_receive_wal
 * (pg_receivewal: replay_lsn NULL) — a WAL streamer, not a standby — and standby1, which is not
 * in the config: an unlisted standby.
 */
export function walStreamer(): Scenario {
  return build('walStreamer', 'PG15 primary alone in the config: barman_receive_wal (WAL streamer) and standby1 (unlisted) on it', 'backup', [
    { name: 'primary', fixture: '15-primary', port: PORTS.primary },
  ]);
}

/**
 * healthy17 after standby1 was promoted while the old primary kept running: standby1 answers
 * pg_is_in_recovery() = false on timeline 2 at the WAL position it had received; the old
 * primary no longer has a walsender for it and its slot is inactive. standby3 still follows
 * standby1; standby2 still follows the old primary. The last 5 ticks are split.
 */
export function splitBrain(): Scenario {
  const splitTicks = 5;
  const promotedAt = NOW - splitTicks * INTERVAL_MS + 300;
  return build('splitBrain', 'healthy17 with standby1 promoted (timeline 2) while primary still runs', 'prod-eu', PG17, {
    tweak: (t, samples) => {
      if (t < HISTORY_TICKS - splitTicks) return;
      const s1 = samples.get('standby1')!;
      samples.set('standby1', {
        ...s1,
        role: 'primary',
        timeline: 2,
        currentLsn: s1.receiveLsn,
        receiveLsn: null,
        replayLsn: null,
        replayPaused: null,
        lastReplayTime: null,
        receiver: null,
        archiver: { ...s1.archiver, currentWalFile: '000000020000000000000005' },
      });
      const p = samples.get('primary')!;
      samples.set('primary', {
        ...p,
        senders: p.senders.filter((r) => r.applicationName !== 'standby1'),
        slots: p.slots.map((sl) =>
          sl.slotName === 'standby1' ? { ...sl, active: false, activePid: null, inactiveSince: new Date(promotedAt).toISOString() } : sl),
      });
    },
  });
}

/** Three nodes configured, the first tick not answered yet: every node is "connecting". */
export function connecting(): Scenario {
  const specs = PG17.slice(0, 3);
  return build('connecting', 'three nodes configured, no replies yet', 'prod-eu', specs, { ticks: 0 });
}

/** Same as connecting: a store that has never had a sample. */
export const empty = connecting;

/** One reply each from a PostgreSQL 13 primary and standby (no history). */
export function pg13(): Scenario {
  return build('pg13', 'PG13: primary + standby, one tick', 'old', [
    { name: 'primary', fixture: '13-primary', port: PORTS.primary },
    { name: 'standby1', fixture: '13-standby', port: PORTS.standby1, upstream: 'primary' },
  ], { ticks: 1 });
}

// ---- HA scenarios: PostgreSQL 15 + repmgr 5.3 + pgpool-II 4.3.5 from the project's lab ---------

/** The reference lab's ports (test/fixtures/pgpool captures list backends 127.0.0.1:55432–55434). */
const HA_PORTS = { pgsql1: 55432, pgsql2: 55433, pgsql3: 55434 } as const;

const HA: NodeSpec[] = [
  { name: 'pgsql1', fixture: '15-repmgr-primary', port: HA_PORTS.pgsql1 },
  { name: 'pgsql2', fixture: '15-repmgr-standby', port: HA_PORTS.pgsql2, upstream: 'pgsql1', lag: 'jitter' },
  { name: 'pgsql3', fixture: '15-repmgr-standby', port: HA_PORTS.pgsql3, upstream: 'pgsql1', lag: 'jitter' },
];

/**
 * pgsql3 is the second standby's capture under its own name: repmgr node id 3, application_name
 * and slot pgsql3 / repmgr_slot_3, and on the primary the walsender row and slot that go with it
 * (copies of pgsql2's, as repmgr sets both standbys up the same way).
 */
function asPgsql3(samples: Map<string, NodeSample>): void {
  const s3 = samples.get('pgsql3')!;
  samples.set('pgsql3', {
    ...s3,
    repmgr: s3.repmgr?.available ? { ...s3.repmgr, localNodeId: 3 } : s3.repmgr,
    receiver: s3.receiver && { ...s3.receiver, applicationName: 'pgsql3', slotName: 'repmgr_slot_3' },
  });
  const p = samples.get('pgsql1');
  if (!p) return;
  const row = p.senders.find((r) => r.applicationName === 'pgsql2');
  const slot = p.slots.find((x) => x.slotName === 'repmgr_slot_2');
  samples.set('pgsql1', {
    ...p,
    senders: row && !p.senders.some((r) => r.applicationName === 'pgsql3') ? [...p.senders, { ...row, pid: row.pid + 1, applicationName: 'pgsql3', slotName: 'repmgr_slot_3' }] : p.senders,
    slots: slot && !p.slots.some((x) => x.slotName === 'repmgr_slot_3') ? [...p.slots, { ...slot, slotName: 'repmgr_slot_3', activePid: slot.activePid === null ? null : slot.activePid + 1 }] : p.slots,
  });
}

/**
 * The events repmgr writes for an automatic failover, in the wording of repmgr 5.3's real
 * `cluster event` after a failover (test/fixtures/repmgr/repmgr-cluster-event-after-failover.txt),
 * with this lab's node names, `secondsAgo` before NOW.
 */
function failoverEvents(): RepmgrEvent[] {
  const at = (secondsAgo: number) => new Date(NOW - secondsAgo * 1000).toISOString();
  const ev = (nodeId: number, event: string, secondsAgo: number, details: string): RepmgrEvent =>
    ({ nodeId, nodeName: `pgsql${nodeId}`, event, successful: true, timestamp: at(secondsAgo), details });
  return [
    ev(2, 'child_node_new_connect', 1, 'new standby "pgsql3" (ID: 3) has connected'),
    ev(3, 'repmgrd_failover_follow', 2, 'node "pgsql3" (ID: 3) now following new upstream node "pgsql2" (ID: 2)'),
    ev(3, 'standby_follow', 2, 'standby attached to upstream node "pgsql2" (ID: 2)'),
    ev(2, 'repmgrd_reload', 3, 'monitoring cluster primary "pgsql2" (ID: 2)'),
    ev(2, 'repmgrd_failover_promote', 3, 'node "pgsql2" (ID: 2) promoted to primary; old primary "pgsql1" (ID: 1) marked as failed'),
    ev(2, 'standby_promote', 3, 'server "pgsql2" (ID: 2) was successfully promoted to primary'),
  ];
}

function pgpoolFixture(file: string): PgpoolResult[] {
  return fromUnaligned(readFileSync(fileURLToPath(new URL(`../fixtures/pgpool/${file}`, import.meta.url)), 'utf8'), file);
}

function watchdogFixture(file: string): WatchdogInfo {
  return parseWatchdogJson(readFileSync(fileURLToPath(new URL(`../fixtures/pgpool/${file}`, import.meta.url)), 'utf8'));
}

function pgpoolSample(poolNodesFile: string, watchdog: PgpoolSample['watchdog']): PgpoolSample {
  return {
    takenAt: NOW,
    roundTripMs: 1.8,
    version: parsePoolVersion(pgpoolFixture('pgpool-show-pool_version-unaligned.txt')),
    nodes: parsePoolNodes(only(pgpoolFixture(poolNodesFile))),
    healthCheck: parseHealthCheckStats(only(pgpoolFixture('pgpool-show-pool_health_check_stats-unaligned.txt'))),
    backendStats: parseBackendStats(only(pgpoolFixture('pgpool-show-pool_backend_stats-unaligned.txt'))),
    watchdog,
  };
}

/**
 * The project's HA lab as captured: PG15 pgsql1 primary, pgsql2 and pgsql3 standbys, repmgr 5.3
 * with repmgrd on each (repmgr.nodes, events), pgpool1 (SHOW pool_nodes as captured, watchdog
 * leader from a real 4.3.5 PCP reply) and pgpool2 (no PCP configured). Every layer agrees.
 */
export function haLab(): Scenario {
  const s = build('haLab', 'HA lab: PG15 ×3 + repmgr 5.3 + two pgpool-II 4.3.5, every layer agreeing', 'ha-lab', HA, {
    pgpools: ['pgpool1', 'pgpool2'],
    tweak: (_t, samples) => asPgsql3(samples),
  });
  s.store.getState().applyBatch([
    { layer: 'pgpool', name: 'pgpool1', sample: pgpoolSample('pgpool-show-pool_nodes-unaligned.txt', { ok: true, info: watchdogFixture('pcp-watchdog-json-4.3.5-leader.json') }) },
    { layer: 'pgpool', name: 'pgpool2', sample: pgpoolSample('pgpool-show-pool_nodes-unaligned.txt', null) },
    ...['pgsql1', 'pgsql2', 'pgsql3'].map((name) => ({ layer: 'repmgrCli' as const, name, result: repmgrCliFixture(name, 'ssh/repmgr-cluster-show.txt', 'ssh/repmgr-service-status-csv.txt') })),
    { layer: 'vip', state: vipHeldBy('pgsql1', ['pgsql1', 'pgsql2', 'pgsql3']) },
  ], NOW);
  return s;
}

/**
 * haLab 6 s after pgsql1 was stopped: pgsql1 refuses connections, repmgrd promoted pgsql2
 * (timeline 2) and pgsql3 follows it; repmgr.nodes as repmgr writes it after a failover (pgsql1
 * inactive); pgpool1's SHOW pool_nodes is the real after-failover capture; pgpool2 refuses new
 * sessions (what pgpool answers while it cannot reach backend 0); pgpool1's PCP login fails.
 */
export function haFailover(): Scenario {
  const failTicks = 3;
  const downAt = NOW - failTicks * INTERVAL_MS + 500;
  const s = build('haFailover', 'HA lab after pgsql1 stopped: pgsql2 promoted, pgpool1 followed, pgpool2 refusing sessions', 'ha-lab', HA, {
    pgpools: ['pgpool1', 'pgpool2'],
    tweak: (t, samples) => {
      asPgsql3(samples);
      // The lab's own events (set-up) happened ten minutes before the failure, not seconds.
      for (const [name, x] of samples) {
        if (x.repmgr?.available && x.repmgr.events) {
          samples.set(name, { ...x, repmgr: { ...x.repmgr, events: x.repmgr.events.map((e) => ({ ...e, timestamp: new Date(Date.parse(e.timestamp) - 600_000).toISOString() })) } });
        }
      }
      if (t < HISTORY_TICKS - failTicks) return;
      const oldPrimary = samples.get('pgsql1')!;
      samples.delete('pgsql1');
      const afterFailover = (r: NodeSample['repmgr']): NodeSample['repmgr'] =>
        r?.available
          ? {
              ...r,
              nodes: r.nodes.map((n) => (n.id === 1 ? { ...n, active: false } : n.id === 2 ? { ...n, type: 'primary', upstreamId: null } : { ...n, upstreamId: 2 })),
              events: [...failoverEvents(), ...(r.events ?? [])].slice(0, 20),
            }
          : r;
      const s2 = samples.get('pgsql2')!;
      const s3 = samples.get('pgsql3')!;
      samples.set('pgsql2', {
        ...s2, role: 'primary', timeline: 2, currentLsn: s2.receiveLsn, receiveLsn: null, replayLsn: null, replayPaused: null, lastReplayTime: null, receiver: null,
        senders: oldPrimary.senders.filter((r) => r.applicationName === 'pgsql3'),
        repmgr: afterFailover(s2.repmgr),
      });
      samples.set('pgsql3', { ...s3, timeline: 2, receiver: s3.receiver && { ...s3.receiver, senderPort: HA_PORTS.pgsql2, receivedTli: 2 }, repmgr: afterFailover(s3.repmgr) });
    },
  });
  const st = s.store.getState();
  const reason = describePgError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }, st.nodes.pgsql1!.target);
  st.applyBatch([
    { name: 'pgsql1', health: { kind: 'down', reason, since: downAt, retryAt: NOW + 2000 } },
    { layer: 'pgpool', name: 'pgpool1', sample: pgpoolSample('pgpool-show-pool_nodes-unaligned-after-failover.txt', { ok: false, error: 'PCP login as pcpadmin failed: wrong password (check ~/.pcppass)' }) },
    { layer: 'pgpool', name: 'pgpool2', health: { kind: 'down', reason: 'refuses new sessions: failed to create a backend 0 connection', since: downAt + 800, retryAt: NOW + 1000 } },
    // repmgr on pgsql1's host fails the way the real one did (it first connects to its own
    // stopped PostgreSQL); pgsql3's host cannot be reached over SSH.
    { layer: 'repmgrCli', name: 'pgsql1', result: { ok: false, node: 'pgsql1', at: NOW - 900, error: `pgsql1: ${downNodeClusterShowProblem()}` } },
    { layer: 'repmgrCli', name: 'pgsql2', result: repmgrCliFixture('pgsql2', 'repmgr/repmgr-cluster-show-after-failover.txt', 'repmgr/repmgr-service-status-csv-after-failover.txt') },
    { layer: 'repmgrCli', name: 'pgsql3', result: { ok: false, node: 'pgsql3', at: NOW - 900, error: 'pgsql3: ssh postgres@127.0.0.1:2222: connection refused (is sshd running on that port?)' } },
    // keepalived has not moved the VIP yet.
    { layer: 'vip', state: vipHeldBy('pgsql1', ['pgsql1', 'pgsql2', 'pgsql3']) },
  ], NOW);
  return s;
}

/**
 * repmgr's CLI as the SSH probe returns it, parsed from real output: the project lab's
 * (test/fixtures/ssh, node names pgsql1–3) or the reference lab's (test/fixtures/repmgr, where the
 * nodes are named node1–3 and renamed pgsql1–3 here, nothing else changed).
 */
function repmgrCliFixture(node: string, clusterShow: string, serviceStatusCsv: string): RepmgrCliResult {
  const read = (f: string) => readFileSync(fileURLToPath(new URL(`../fixtures/${f}`, import.meta.url)), 'utf8');
  // Renamed after parsing: the text table's column widths are part of what the parser checks.
  const rename = (n: string) => n.replace(/^node([123])$/, 'pgsql$1');
  return {
    ok: true, node, at: NOW - 700, warnings: [],
    clusterShow: parseClusterShow(read(clusterShow)).map((r) => ({ ...r, name: rename(r.name), upstream: r.upstream && { ...r.upstream, name: r.upstream.name && rename(r.upstream.name) } })),
    serviceStatus: parseServiceStatusCsv(read(serviceStatusCsv)).map((r) => ({ ...r, name: rename(r.name) })),
  };
}

/** What the probe makes of `repmgr cluster show` on the host whose PostgreSQL is stopped (real stderr, exit 1). */
function downNodeClusterShowProblem(): string {
  const stderr = readFileSync(fileURLToPath(new URL('../fixtures/repmgr/repmgr-cluster-show-from-down-node1-after-failover.stderr.txt', import.meta.url)), 'utf8');
  return repmgrRunProblem('cluster show', { code: 1, signal: null, stdout: '', stderr, truncated: false, durationMs: 40 }, { repmgrBin: 'repmgr', repmgrConf: '/etc/repmgr.conf' }) ?? 'no problem found';
}

/** The VIP on one of the hosts, its interface as `ip -o addr show to` printed it on the lab. */
function vipHeldBy(holder: string, hosts: readonly string[]): VipState {
  const entry = parseIpAddrShow(readFileSync(fileURLToPath(new URL('../fixtures/ssh/ip-addr-show-to-vip-held.txt', import.meta.url)), 'utf8'))[0]!;
  return {
    address: '10.0.0.100',
    at: NOW - 500,
    hosts: hosts.map((name) => ({ name, holds: name === holder, iface: name === holder ? (entry.label ?? entry.iface) : null, keepalived: 'active', error: null })),
    holders: [holder],
    problem: null,
  };
}

export const SCENARIOS = { healthy17, standbyDown, pg15, walStreamer, splitBrain, connecting, empty, pg13, haLab, haFailover } as const;
export type ScenarioName = keyof typeof SCENARIOS;

/** What App computes for its panes, for calling the pure pane formatters directly. */
export function paneData(s: Scenario): PaneData {
  const st = s.store.getState();
  return buildPaneData(st, THRESHOLDS, s.now);
}

/** A NodeState straight from a fixture (for buildTopology tests that need no store). */
export function nodeFromFixture(
  name: string,
  fixture: string,
  port: number,
  opts: { senderPort?: number; senderHost?: string; host?: string; health?: NodeState['health']; edit?: (s: NodeSample) => NodeSample } = {},
): NodeState {
  const f = loadFixture(fixture);
  let s = rebaseTime(f.sample, NOW - f.capturedAt);
  if (s.receiver && (opts.senderPort !== undefined || opts.senderHost !== undefined)) {
    s = { ...s, receiver: { ...s.receiver, senderHost: opts.senderHost ?? s.receiver.senderHost, senderPort: opts.senderPort ?? s.receiver.senderPort } };
  }
  if (opts.edit) s = opts.edit(s);
  const health = opts.health ?? { kind: 'ok' };
  return {
    name,
    target: `pgtop_probe@${opts.host ?? '127.0.0.1'}:${port}/postgres`,
    endpoint: { host: opts.host ?? '127.0.0.1', port },
    health,
    sample: s,
    lastOkAt: s.takenAt,
  };
}
