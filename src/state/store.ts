// The one store: probes write into it (once per node per tick), views read from it with selectors.
import { createStore } from 'zustand/vanilla';
import { lsnDiff } from '../model/lsn.ts';
import { buildTopology } from '../model/topology.ts';
import type { BackupSourceState } from '../model/backups.ts';
import type { PgpoolSample, PgpoolState } from '../model/pgpool.ts';
import type { RepmgrCliResult } from '../probes/ssh/repmgr-cli.ts';
import type { VipState } from '../probes/ssh/vip.ts';
import type { NodeHealth, NodeSample, NodeState } from '../model/types.ts';
import { Ring } from './ring.ts';
import type { SwitchoverWizardState } from './switchover-state.ts';
import { type AlertThresholds, DEFAULT_ALERT_THRESHOLDS, evaluateAlerts } from '../model/alerts/rules.ts';
import { type TrackedAlert, acknowledge, sameAlerts, trackAlerts } from '../model/alerts/tracker.ts';
import { OBSERVED_MAX, type TimelineEntry, alertEntries, observeChanges } from '../model/timeline.ts';

export const HISTORY_POINTS = 300;

/** Per-standby lag history and per-node WAL rate history; rings are mutated, `historyVersion` signals it. */
export interface History {
  lagBytes: Map<string, Ring>;
  lagSeconds: Map<string, Ring>;
  walRate: Map<string, Ring>;
}

export interface Flash {
  text: string;
  tone: 'info' | 'ok' | 'warn' | 'error';
  at: number;
}

/**
 * A long-running action (a barman backup) with its live output. Hiding the panel never stops
 * the job: it keeps running and its output keeps being collected.
 */
export interface Job {
  title: string;
  /** Where it runs, for the panel's first line. */
  target: string;
  startedAt: number;
  /** Output lines, the last JOB_LINES kept. */
  lines: string[];
  /** The latest progress line the tool printed, shown apart from the scroll. */
  progress: string | null;
  finishedAt: number | null;
  ok: boolean | null;
  /** One line summing up the outcome (the tool's own error on failure). */
  result: string | null;
  hidden: boolean;
}

export const JOB_LINES = 200;

export interface AppState {
  cluster: string;
  intervalMs: number;
  paused: boolean;
  readOnly: boolean;
  nodeOrder: string[];
  nodes: Record<string, NodeState>;
  pgpoolOrder: string[];
  pgpools: Record<string, PgpoolState>;
  /** repmgr's CLI per node over SSH (service status, cluster show); absent until first asked. */
  repmgrCli: Record<string, RepmgrCliResult>;
  /** Who holds the VIP; null when no VIP is configured or not asked yet. */
  vip: VipState | null;
  /** Backup sources in config order (keys of `backups`), and what each last answered. */
  backupOrder: string[];
  backups: Record<string, BackupSourceState>;
  lastRefreshAt: number | null;
  history: History;
  historyVersion: number;
  flash: Flash | null;
  job: Job | null;
  /** The guided switchover (key s); null when not open. */
  switchover: SwitchoverWizardState | null;
  /** The thresholds the alert rules use (the cluster's `thresholds`). */
  alertThresholds: AlertThresholds;
  /** Open alerts in display order, re-evaluated on every store write from the probes. */
  alerts: TrackedAlert[];
  /** The alert the alerts pane has selected (by key); `a` acknowledges it. */
  alertCursor: string | null;
  /** What pgtop-ha saw change, oldest first, the last OBSERVED_MAX kept. */
  observed: TimelineEntry[];
}

export type NodeUpdate = { name: string; sample: NodeSample } | { name: string; health: NodeHealth };
export type PgpoolUpdate = { layer: 'pgpool'; name: string; sample: PgpoolSample } | { layer: 'pgpool'; name: string; health: NodeHealth };
export type SshLayerUpdate =
  | { layer: 'repmgrCli'; name: string; result: RepmgrCliResult }
  | { layer: 'vip'; state: VipState }
  | { layer: 'backups'; key: string; state: BackupSourceState };
export type ProbeUpdate = NodeUpdate | PgpoolUpdate | SshLayerUpdate;

export interface AppActions {
  applySample(name: string, sample: NodeSample): void;
  applyHealth(name: string, health: NodeHealth): void;
  /** Several nodes' replies from the same tick in one store write, so views render once per tick. */
  applyBatch(updates: ProbeUpdate[], at?: number): void;
  /** Acknowledge one open alert (the selected one when no key is given); it stays listed until it clears. `at`: the console's now (a replay's cursor). */
  acknowledgeAlert(key?: string, at?: number): void;
  /** Move the alerts pane's selection by `delta` rows. */
  moveAlertCursor(delta: number): void;
  setPaused(paused: boolean): void;
  setIntervalMs(ms: number): void;
  setFlash(text: string, tone: Flash['tone']): void;
  startJob(title: string, target: string): void;
  jobOutput(lines: string[], progress?: string | null): void;
  finishJob(ok: boolean, result: string): void;
  setJobHidden(hidden: boolean): void;
  /** Replace the wizard's state (null closes it), or update it from the current one. */
  setSwitchover(next: SwitchoverWizardState | null | ((cur: SwitchoverWizardState) => SwitchoverWizardState)): void;
}

export type AppStore = ReturnType<typeof createAppStore>;

export interface StoreInit {
  cluster: string;
  intervalMs: number;
  readOnly?: boolean;
  nodes: Array<Pick<NodeState, 'name' | 'target' | 'endpoint'>>;
  pgpools?: Array<Pick<PgpoolState, 'name' | 'target'>>;
  backupOrder?: string[];
  alertThresholds?: AlertThresholds;
}

function ring(map: Map<string, Ring>, key: string): Ring {
  let r = map.get(key);
  if (!r) map.set(key, (r = new Ring(HISTORY_POINTS)));
  return r;
}

export function createAppStore(init: StoreInit) {
  const nodes: Record<string, NodeState> = {};
  for (const n of init.nodes) nodes[n.name] = { ...n, health: { kind: 'connecting' }, sample: null, lastOkAt: null };
  const pgpools: Record<string, PgpoolState> = {};
  for (const p of init.pgpools ?? []) pgpools[p.name] = { ...p, health: { kind: 'connecting' }, sample: null, lastOkAt: null };
  return createStore<AppState & AppActions>()((set, get) => ({
    cluster: init.cluster,
    intervalMs: init.intervalMs,
    paused: false,
    readOnly: init.readOnly ?? false,
    nodeOrder: init.nodes.map((n) => n.name),
    nodes,
    pgpoolOrder: (init.pgpools ?? []).map((p) => p.name),
    pgpools,
    repmgrCli: {},
    vip: null,
    backupOrder: init.backupOrder ?? [],
    backups: {},
    lastRefreshAt: null,
    history: { lagBytes: new Map(), lagSeconds: new Map(), walRate: new Map() },
    historyVersion: 0,
    flash: null,
    job: null,
    switchover: null,
    alertThresholds: init.alertThresholds ?? DEFAULT_ALERT_THRESHOLDS,
    alerts: [],
    alertCursor: null,
    observed: [],

    applySample(name, sample) {
      get().applyBatch([{ name, sample }]);
    },

    applyHealth(name, health) {
      get().applyBatch([{ name, health }]);
    },

    applyBatch(updates, at = Date.now()) {
      const state = get();
      let nodesNext = state.nodes;
      let pgpoolsNext = state.pgpools;
      let repmgrCliNext = state.repmgrCli;
      let vipNext = state.vip;
      let backupsNext = state.backups;
      let lastRefreshAt = state.lastRefreshAt;
      const sampled: Array<{ prev: NodeSample | null; name: string }> = [];
      for (const u of updates) {
        if ('layer' in u && u.layer === 'repmgrCli') {
          repmgrCliNext = { ...repmgrCliNext, [u.name]: u.result };
          continue;
        }
        if ('layer' in u && u.layer === 'backups') {
          backupsNext = { ...backupsNext, [u.key]: u.state };
          continue;
        }
        if ('layer' in u && u.layer === 'vip') {
          vipNext = u.state;
          continue;
        }
        if ('layer' in u) {
          const prev = pgpoolsNext[u.name];
          if (!prev) continue;
          if ('sample' in u) pgpoolsNext = { ...pgpoolsNext, [u.name]: { ...prev, sample: u.sample, health: { kind: 'ok' }, lastOkAt: u.sample.takenAt } };
          else if (!sameHealth(prev.health, u.health)) pgpoolsNext = { ...pgpoolsNext, [u.name]: { ...prev, health: u.health } };
          continue;
        }
        const prev = nodesNext[u.name];
        if (!prev) continue;
        if ('sample' in u) {
          nodesNext = { ...nodesNext, [u.name]: { ...prev, sample: u.sample, health: { kind: 'ok' }, lastOkAt: u.sample.takenAt } };
          sampled.push({ prev: prev.sample, name: u.name });
          lastRefreshAt = Math.max(lastRefreshAt ?? 0, u.sample.takenAt);
        } else if (!sameHealth(prev.health, u.health)) {
          nodesNext = { ...nodesNext, [u.name]: { ...prev, health: u.health } };
        }
      }
      if (nodesNext === state.nodes && pgpoolsNext === state.pgpools && repmgrCliNext === state.repmgrCli && vipNext === state.vip && backupsNext === state.backups) return;
      const all = Object.values(nodesNext);
      for (const { prev, name } of sampled) recordHistory(state.history, prev, nodesNext[name]!, all);
      const next = { nodeOrder: state.nodeOrder, nodes: nodesNext, pgpoolOrder: state.pgpoolOrder, pgpools: pgpoolsNext, repmgrCli: repmgrCliNext, vip: vipNext, backupOrder: state.backupOrder, backups: backupsNext };
      const tracked = trackAlerts(state.alerts, evaluateAlerts(next, state.alertThresholds, at, new Set(state.alerts.map((a) => a.key))), at);
      const seen = [...observeChanges(state, next, at), ...alertEntries(tracked.changes)];
      set({
        nodes: nodesNext, pgpools: pgpoolsNext, repmgrCli: repmgrCliNext, vip: vipNext, backups: backupsNext, lastRefreshAt,
        historyVersion: state.historyVersion + (sampled.length > 0 ? 1 : 0),
        ...(sameAlerts(state.alerts, tracked.alerts) ? {} : { alerts: tracked.alerts }),
        ...(seen.length ? { observed: [...state.observed, ...seen].slice(-OBSERVED_MAX) } : {}),
      });
    },

    acknowledgeAlert(key, at = Date.now()) {
      const { alerts, alertCursor } = get();
      const target = key ?? (alerts.find((a) => a.key === alertCursor) ?? alerts.find((a) => !a.acked))?.key;
      const alert = alerts.find((a) => a.key === target && !a.acked);
      if (!alert) return;
      const next = acknowledge(alerts, alert.key);
      // the selection moves on to what still needs a look, so `a` `a` `a` works down the list
      const entry: TimelineEntry = { at, source: 'alert', subject: alert.subject, event: `${alert.code} acknowledged`, details: alert.message, observed: true };
      set({ alerts: next, alertCursor: (next.find((a) => !a.acked) ?? alert).key, observed: [...get().observed, entry].slice(-OBSERVED_MAX) });
    },
    moveAlertCursor(delta) {
      const { alerts, alertCursor } = get();
      if (alerts.length === 0) return;
      const i = Math.max(0, alerts.findIndex((a) => a.key === alertCursor));
      set({ alertCursor: alerts[Math.min(alerts.length - 1, Math.max(0, i + delta))]!.key });
    },
    setPaused: (paused) => set({ paused }),
    setIntervalMs: (intervalMs) => set({ intervalMs }),
    setFlash: (text, tone) => set({ flash: { text, tone, at: Date.now() } }),
    startJob: (title, target) => set({ job: { title, target, startedAt: Date.now(), lines: [], progress: null, finishedAt: null, ok: null, result: null, hidden: false } }),
    jobOutput: (lines, progress) => {
      const j = get().job;
      if (!j || (lines.length === 0 && progress === undefined)) return;
      set({ job: { ...j, lines: [...j.lines, ...lines].slice(-JOB_LINES), progress: progress === undefined ? j.progress : progress } });
    },
    finishJob: (ok, result) => {
      const j = get().job;
      if (j) set({ job: { ...j, ok, result, finishedAt: Date.now() } });
    },
    setSwitchover: (next) => {
      if (typeof next !== 'function') return set({ switchover: next });
      const cur = get().switchover;
      if (cur) set({ switchover: next(cur) });
    },
    setJobHidden: (hidden) => {
      const j = get().job;
      if (j) set({ job: { ...j, hidden } });
    },
  }));
}

function sameHealth(a: NodeHealth, b: NodeHealth): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'down' && b.kind === 'down') return a.reason === b.reason && a.retryAt === b.retryAt;
  return true;
}

/**
 * Lag lives on the upstream's pg_stat_replication rows, so a standby's point is recorded when its
 * upstream is sampled. WAL rate is diffed against the node's previous sample.
 */
function recordHistory(history: History, prevSample: NodeSample | null, node: NodeState, all: NodeState[]): void {
  const s = node.sample!;
  const pos = s.currentLsn ?? s.receiveLsn;
  const prevPos = prevSample ? (prevSample.currentLsn ?? prevSample.receiveLsn) : null;
  if (pos && prevPos && prevSample && s.takenAt > prevSample.takenAt) {
    const bytes = lsnDiff(pos, prevPos);
    if (bytes !== null && bytes >= 0) ring(history.walRate, node.name).push(bytes / ((s.takenAt - prevSample.takenAt) / 1000));
  }
  if (s.senders.length === 0) return;
  for (const entry of buildTopology(all).entries) {
    if (entry.upstream !== node.name || !entry.link) continue;
    ring(history.lagBytes, entry.name).push(entry.link.replayLagBytes ?? NaN);
    ring(history.lagSeconds, entry.name).push(entry.link.replayLagSeconds ?? 0);
  }
}
