// Dispatch from pane id to its pure formatter, and each pane's natural height for the layout.
import type { Consistency } from '../../model/consistency.ts';
import type { RepmgrCliResult } from '../../probes/ssh/repmgr-cli.ts';
import type { VipState } from '../../probes/ssh/vip.ts';
import type { PgpoolState } from '../../model/pgpool.ts';
import type { Topology } from '../../model/topology.ts';
import type { NodeState } from '../../model/types.ts';
import type { History } from '../../state/store.ts';
import type { Line, PaneSize } from '../format/line.ts';
import { CORE_PANES, type Natural, type PaneId } from '../layout.ts';
import { type LagThresholds, lagLines } from './lag-lines.ts';
import type { TrackedAlert } from '../../model/alerts/tracker.ts';
import type { TimelineEntry } from '../../model/timeline.ts';
import { alertsLines } from './alerts-lines.ts';
import { timelineLines } from './timeline-lines.ts';
import type { BackupSourceState } from '../../model/backups.ts';
import { backupsLines } from './backups-lines.ts';
import { pgpoolLines } from './pgpool-lines.ts';
import { repmgrLines } from './repmgr-lines.ts';
import { slotsLines } from './slots-lines.ts';
import { topologyLines } from './topology-lines.ts';
import { walLines } from './wal-lines.ts';

export interface PaneData {
  topo: Topology;
  nodes: Record<string, NodeState>;
  order: string[];
  history: History;
  historyVersion: number;
  thresholds: LagThresholds;
  now: number;
  pgpoolOrder: string[];
  pgpools: Record<string, PgpoolState>;
  vip: VipState | null;
  repmgrCli: Record<string, RepmgrCliResult>;
  backupOrder: string[];
  backups: Record<string, BackupSourceState>;
  consistency: Consistency;
  alerts: TrackedAlert[];
  alertCursor: string | null;
  /** Merged and sorted, newest first (buildTimeline). */
  timeline: TimelineEntry[];
  /** Why repmgr's events are missing from the timeline on a cluster that has repmgr; null otherwise. */
  timelineNote: string | null;
}

/** The panes this cluster has: alerts and the timeline always, pgpool only when one is configured, repmgr once it is seen. */
export function activePanes(d: PaneData): PaneId[] {
  const panes: PaneId[] = [...CORE_PANES, 'alerts', 'timeline'];
  if (d.pgpoolOrder.length > 0) panes.push('pgpool');
  const repmgrSeen = d.order.some((n) => d.nodes[n]!.sample?.repmgr) || Object.keys(d.repmgrCli).length > 0;
  if (repmgrSeen) panes.push('repmgr');
  if (d.backupOrder.length > 0) panes.push('backups');
  return panes;
}

export function paneLines(pane: PaneId, d: PaneData, size: PaneSize): Line[] {
  switch (pane) {
    case 'topology': return topologyLines(d.topo, d.nodes, size, d);
    case 'pgpool': return pgpoolLines(d.pgpoolOrder, d.pgpools, d.nodes, size, d.now);
    case 'repmgr': return repmgrLines({ order: d.order, nodes: d.nodes, topo: d.topo, repmgrCli: d.repmgrCli, disagreements: d.consistency.disagreements }, size);
    case 'lag': return lagLines(d.topo, d.history, d.historyVersion, d.thresholds, size, d.nodes);
    case 'slots': return slotsLines(d.order, d.nodes, size, d.now);
    case 'backups': return backupsLines(d.backupOrder, d.backups, size, d.now);
    case 'wal': return walLines(d.order, d.nodes, d.history, size, d.now);
    case 'alerts': return alertsLines(d.alerts, d.alertCursor, size, d.now, d.order.some((n) => d.nodes[n]!.health.kind !== 'connecting'));
    case 'timeline': return timelineLines(d.timeline, size, d.now, d.timelineNote ?? undefined);
  }
}

/** Heights the panes ask for at a given width, before any rows are handed out. */
export function naturalHeights(d: PaneData, width: number, ascii: boolean): Natural {
  const probe = { width, height: 0, ascii };
  const out: Natural = {};
  for (const p of activePanes(d)) out[p] = paneLines(p, d, p === 'wal' ? { ...probe, height: 1000 } : probe).length;
  return out;
}
