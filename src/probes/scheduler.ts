// Drives every node's poller on the store's interval. Nodes are never awaited together: each
// tick fires all pollers and returns, so one slow node only skips its own next tick.
import { parseConninfo, describeTarget } from '../config/conninfo.ts';
import type { ClusterConfig } from '../config/schema.ts';
import type { NodeHealth, NodeSample } from '../model/types.ts';
import type { AppStore, ProbeUpdate } from '../state/store.ts';
import { NodePoller } from './pg/node-poller.ts';

export interface Scheduler {
  start(): void;
  refreshNow(): void;
  /** One poll of every node, resolved when all have answered or failed (for `snapshot`). */
  pollOnce(): Promise<void>;
  stop(): Promise<void>;
}

export function createScheduler(cluster: ClusterConfig, store: AppStore): Scheduler {
  // Replies that arrive within a few milliseconds of each other land in one store write.
  let pending: ProbeUpdate[] = [];
  let flushTimer: NodeJS.Timeout | null = null;
  const flush = () => {
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = null;
    const batch = pending;
    pending = [];
    if (batch.length > 0) store.getState().applyBatch(batch);
  };
  const enqueue = (u: ProbeUpdate) => {
    pending.push(u);
    flushTimer ??= setTimeout(flush, 25);
  };
  const sink = {
    sample: (name: string, sample: NodeSample) => enqueue({ name, sample }),
    health: (name: string, health: NodeHealth) => enqueue({ name, health }),
  };
  const pollers = cluster.nodes.map((n) => {
    const info = parseConninfo(n.conninfo);
    return new NodePoller({ name: n.name, conninfo: info, target: describeTarget(info), sink, queryTimeoutMs: Math.max(2000, cluster.intervalSeconds * 1000) });
  });
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;

  const tickAll = (force = false) => {
    for (const p of pollers) void p.tick(force);
  };

  const schedule = () => {
    if (stopped) return;
    const { intervalMs, paused } = store.getState();
    timer = setTimeout(() => {
      if (!store.getState().paused) tickAll();
      schedule();
    }, paused ? 250 : intervalMs);
  };

  return {
    start() {
      tickAll(true);
      schedule();
    },
    refreshNow() {
      tickAll(true);
    },
    async pollOnce() {
      await Promise.all(pollers.map((p) => p.tick(true)));
      flush();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await Promise.all(pollers.map((p) => p.close()));
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
