// Drives every node's poller on the store's interval. Nodes are never awaited together: each
// tick fires all pollers and returns, so one slow node only skips its own next tick.
import { parseConninfo, describeTarget } from '../config/conninfo.ts';
import type { ClusterConfig } from '../config/schema.ts';
import type { PgpoolSample, WatchdogState } from '../model/pgpool.ts';
import type { NodeHealth, NodeSample } from '../model/types.ts';
import { type AppState, type AppStore, createAppStore, type ProbeUpdate, type StoreInit } from '../state/store.ts';
import { alertThresholds } from '../model/alerts/rules.ts';
import { NodePoller } from './pg/node-poller.ts';
import { SshPool } from '../transport/ssh-pool.ts';
import { PcpClient } from './pgpool/pcp-client.ts';
import { buildChains } from '../model/backup-chains.ts';
import { probeBarman } from './barman/barman-probe.ts';
import { type BasebackupDirCache, probeBasebackupDir } from './basebackup/basebackup-probe.ts';
import { probeRepmgrCli } from './ssh/repmgr-cli.ts';
import { probeVip } from './ssh/vip.ts';
import { PgpoolPoller } from './pgpool/pgpool-poller.ts';

/**
 * pgpool is asked every PGPOOL_EVERY ticks: each SHOW pool_nodes makes pgpool ping every backend
 * and run pg_is_in_recovery() on it, so at the PostgreSQL pace it would double their connections.
 * A PostgreSQL node changing health or role asks it at once (failover is when it matters).
 */
export const PGPOOL_EVERY = 2;
/** repmgr's CLI over SSH repeats most of what SQL already says every tick: ask it less often. */
export const REPMGR_CLI_EVERY = 5;
/** Who holds the VIP moves at a failover: as often as pgpool. */
export const VIP_EVERY = 2;
/** Every barman call starts a Python process on the barman host: backups are read every 30 s. */
export const BACKUPS_EVERY_MS = 30_000;

export interface SchedulerOptions {
  /** Record host keys of hosts not yet in known_hosts (--ssh-accept-new); never a changed one. */
  sshAcceptNew?: boolean;
  /** Sees every store write (the probes' batch and its time) before it is applied: `record`. */
  onBatch?: (updates: ProbeUpdate[], at: number) => void;
}

/**
 * Runs an async probe unless the previous run of the same probe is still going (a periodic
 * tick is then skipped). `again` asks for a fresh answer: a run already under way may have
 * read the old state, so one more run follows it.
 */
function single(run: () => Promise<void>): (again?: boolean) => Promise<void> {
  let inFlight: Promise<void> | null = null;
  let rerun = false;
  const go = (): Promise<void> =>
    run().finally(() => {
      inFlight = null;
      if (rerun) {
        rerun = false;
        inFlight = go();
      }
    });
  return (again = false) => {
    if (inFlight) {
      if (again) rerun = true;
      return inFlight;
    }
    inFlight = go();
    return inFlight;
  };
}

export interface Scheduler {
  start(): void;
  refreshNow(): void;
  /** One poll of every node, resolved when all have answered or failed (for `snapshot`). */
  pollOnce(): Promise<void>;
  stop(): Promise<void>;
  /** The SSH pool the probes share (null when nothing is reached over SSH); actions reuse it. */
  readonly ssh: SshPool | null;
  /** Read every backup source now, out of its 30 s turn. */
  refreshBackups(): void;
}

export function createScheduler(cluster: ClusterConfig, store: AppStore, opts: SchedulerOptions = {}): Scheduler {
  // Replies that arrive within a few milliseconds of each other land in one store write.
  let pending: ProbeUpdate[] = [];
  let flushTimer: NodeJS.Timeout | null = null;
  const flush = () => {
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = null;
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    const at = Date.now();
    opts.onBatch?.(batch, at);
    store.getState().applyBatch(batch, at);
  };
  const enqueue = (u: ProbeUpdate) => {
    pending.push(u);
    flushTimer ??= setTimeout(flush, 25);
  };
  const sink = {
    sample: (name: string, sample: NodeSample) => enqueue({ name, sample }),
    health: (name: string, health: NodeHealth) => enqueue({ name, health }),
    pgpoolSample: (name: string, sample: PgpoolSample) => enqueue({ layer: 'pgpool', name, sample }),
    pgpoolHealth: (name: string, health: NodeHealth) => enqueue({ layer: 'pgpool', name, health }),
  };
  const pollers = cluster.nodes.map((n) => {
    const info = parseConninfo(n.conninfo);
    return new NodePoller({ name: n.name, conninfo: info, target: describeTarget(info), sink, queryTimeoutMs: Math.max(2000, cluster.intervalSeconds * 1000) });
  });
  const pcpClients: PcpClient[] = [];
  const pgpoolPollers = cluster.pgpool.map((p) => {
    const info = parseConninfo(p.conninfo);
    const timeoutMs = Math.max(2000, cluster.intervalSeconds * 1000);
    let watchdog: (() => Promise<WatchdogState>) | undefined;
    if (p.pcp) {
      // PCP listens where pgpool does unless told otherwise; the password comes from .pcppass.
      const client = new PcpClient({ host: p.pcp.host ?? info.hostaddr ?? info.host ?? 'localhost', port: p.pcp.port, user: p.pcp.user, timeoutMs });
      pcpClients.push(client);
      watchdog = () => client.watchdogInfo().then(
        (wd): WatchdogState => ({ ok: true, info: wd }),
        (e: unknown): WatchdogState => ({ ok: false, error: e instanceof Error ? e.message : String(e) }),
      );
    }
    return new PgpoolPoller({ name: p.name, conninfo: info, target: describeTarget(info), sink, queryTimeoutMs: timeoutMs, watchdog });
  });
  // One SSH connection per host, shared by repmgr's CLI, the VIP check and the backup sources.
  const sshNodes = cluster.nodes.filter((n) => n.ssh !== undefined);
  const wantsSsh = sshNodes.length > 0 || cluster.vip !== undefined || cluster.barman.length > 0 || cluster.backups.length > 0;
  const ssh = wantsSsh ? new SshPool({ acceptNew: opts.sshAcceptNew ?? false }) : null;
  const cliTimeoutMs = Math.max(5000, cluster.intervalSeconds * 1000 * REPMGR_CLI_EVERY);
  const repmgrCli = ssh
    ? sshNodes.map((n) => single(async () => {
        const result = await probeRepmgrCli(ssh, n, { repmgrBin: n.repmgrBin, timeoutMs: cliTimeoutMs });
        if (!stopped) enqueue({ layer: 'repmgrCli', name: n.name, result });
      }))
    : [];
  const vip = ssh && cluster.vip
    ? single(async () => {
        const state = await probeVip(ssh, cluster.vip!, { timeoutMs: Math.max(3000, cluster.intervalSeconds * 1000 * VIP_EVERY) });
        if (!stopped) enqueue({ layer: 'vip', state });
      })
    : null;
  const keys = backupSourceKeys(cluster);
  const backupProbes = ssh
    ? [
        ...cluster.barman.map((b, i) => single(async () => {
          const state = await probeBarman(ssh, b, store.getState().backups[keys[i]!] ?? null);
          if (!stopped) enqueue({ layer: 'backups', key: keys[i]!, state });
        })),
        ...cluster.backups.map((d, j) => {
          // Finished backups never change: each directory source keeps what it read.
          const cache: BasebackupDirCache = new Map();
          const key = keys[cluster.barman.length + j]!;
          return single(async () => {
            const { notes, commands: _commands, ...r } = await probeBasebackupDir(ssh, d, { cache });
            if (!stopped) enqueue({ layer: 'backups', key, state: { ...r, chains: buildChains(r.backups), notes } });
          });
        }),
      ]
    : [];
  const backupsEvery = Math.max(1, Math.round(BACKUPS_EVERY_MS / (cluster.intervalSeconds * 1000)));
  const sshProbes = (force: boolean, n: number) => {
    if (force || n % REPMGR_CLI_EVERY === 0) for (const r of repmgrCli) void r();
    if (vip && (force || n % VIP_EVERY === 0)) void vip();
    if (force || n % backupsEvery === 0) for (const b of backupProbes) void b();
  };

  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let tickNo = 0;
  let lastShape = '';

  const tickAll = (force = false) => {
    for (const p of pollers) void p.tick(force);
    if (force || tickNo % PGPOOL_EVERY === 0) for (const p of pgpoolPollers) void p.tick(force);
    sshProbes(force, tickNo);
    tickNo++;
  };

  // Which nodes are up and in which role: when it changes, pgpool is asked without waiting its turn.
  const unsubscribe = store.subscribe((st, prev) => {
    if (st.nodes === prev.nodes) return;
    const shape = Object.values(st.nodes).map((n) => `${n.health.kind}:${n.sample?.role ?? ''}`).join(',');
    if (lastShape !== '' && shape !== lastShape) {
      for (const p of pgpoolPollers) void p.tick(true);
      for (const r of repmgrCli) void r();
      if (vip) void vip();
    }
    lastShape = shape;
  });

  const schedule = () => {
    if (stopped) return;
    const { intervalMs, paused } = store.getState();
    timer = setTimeout(() => {
      if (!store.getState().paused) tickAll();
      schedule();
    }, paused ? 250 : intervalMs);
  };

  return {
    ssh,
    refreshBackups() {
      for (const b of backupProbes) void b(true);
    },
    start() {
      tickAll(true);
      schedule();
    },
    refreshNow() {
      tickAll(true);
    },
    async pollOnce() {
      await Promise.all([...[...pollers, ...pgpoolPollers].map((p) => p.tick(true)), ...repmgrCli.map((r) => r()), ...(vip ? [vip()] : []), ...backupProbes.map((b) => b())]);
      flush();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      unsubscribe();
      await Promise.all([...pollers, ...pgpoolPollers].map((p) => p.close()));
      await Promise.all(pcpClients.map((c) => c.close().catch(() => undefined)));
      await ssh?.close();
      if (flushTimer) clearTimeout(flushTimer);
    },
  };
}

/** Node list for the store, from config: display target and endpoint for topology matching. */
export function storeNodesFromConfig(cluster: ClusterConfig) {
  return cluster.nodes.map((n) => {
    const info = parseConninfo(n.conninfo);
    const host = info.hostaddr ?? info.host ?? process.env.PGHOST ?? 'localhost';
    const port = Number(info.port ?? process.env.PGPORT ?? 5432);
    return { name: n.name, target: describeTarget(info), endpoint: host.startsWith('/') ? null : { host, port } };
  });
}

/** A backup source's key in the store: barman servers and directories, in config order. */
export function backupSourceKeys(cluster: ClusterConfig): string[] {
  return [...cluster.barman.map((b) => `barman:${b.server}`), ...cluster.backups.map((d) => `dir:${d.path}`)];
}

export function storePgpoolsFromConfig(cluster: ClusterConfig) {
  return cluster.pgpool.map((p) => ({ name: p.name, target: describeTarget(parseConninfo(p.conninfo)) }));
}

/** One poll of every node and layer into a fresh store (`snapshot`, `check`): the state it left. */
export async function pollClusterOnce(cluster: ClusterConfig, opts: SchedulerOptions = {}): Promise<AppState> {
  const store = createAppStore(storeInitFromCluster(cluster));
  const scheduler = createScheduler(cluster, store, opts);
  try {
    await scheduler.pollOnce();
  } finally {
    await scheduler.stop();
  }
  return store.getState();
}

/** Everything the store needs to know about a configured cluster before the first poll. */
export function storeInitFromCluster(cluster: ClusterConfig, extra: { readOnly?: boolean } = {}): StoreInit {
  return {
    cluster: cluster.name,
    intervalMs: cluster.intervalSeconds * 1000,
    readOnly: extra.readOnly,
    nodes: storeNodesFromConfig(cluster),
    pgpools: storePgpoolsFromConfig(cluster),
    backupOrder: backupSourceKeys(cluster),
    alertThresholds: alertThresholds(cluster.thresholds),
  };
}
