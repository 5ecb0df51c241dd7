// What every pane reads, derived once per store change: the topology and the layers' cross-check.
import { buildConsistency, vipView } from '../../model/consistency.ts';
import { buildTopology } from '../../model/topology.ts';
import { repmgrEventsUnavailable } from '../../model/repmgr-events.ts';
import { buildTimeline } from '../../model/timeline.ts';
import type { AppState } from '../../state/store.ts';
import type { LagThresholds } from './lag-lines.ts';
import type { PaneData } from './pane-lines.ts';

export type PaneSource = Pick<AppState, 'nodes' | 'nodeOrder' | 'history' | 'historyVersion' | 'pgpools' | 'pgpoolOrder'> &
  Partial<Pick<AppState, 'repmgrCli' | 'vip' | 'backupOrder' | 'backups' | 'alerts' | 'alertCursor' | 'observed'>>;

export function buildPaneData(s: PaneSource, thresholds: LagThresholds, now: number): PaneData {
  const topo = buildTopology(s.nodeOrder.map((n) => s.nodes[n]!));
  const vip = s.vip ?? null;
  const repmgrCli = s.repmgrCli ?? {};
  const layers = { nodeOrder: s.nodeOrder, nodes: s.nodes, pgpoolOrder: s.pgpoolOrder, pgpools: s.pgpools, vip, backupOrder: s.backupOrder ?? [], backups: s.backups ?? {} };
  const list = s.nodeOrder.map((n) => s.nodes[n]!);
  const eventsMissing = repmgrEventsUnavailable(list);
  return {
    topo,
    nodes: s.nodes,
    order: s.nodeOrder,
    history: s.history,
    historyVersion: s.historyVersion,
    thresholds,
    now,
    pgpoolOrder: s.pgpoolOrder,
    pgpools: s.pgpools,
    vip,
    repmgrCli,
    backupOrder: s.backupOrder ?? [],
    backups: s.backups ?? {},
    alerts: s.alerts ?? [],
    alertCursor: s.alertCursor ?? null,
    timeline: buildTimeline(s.observed ?? [], layers),
    // a cluster without repmgr has no event log to miss
    timelineNote: eventsMissing && list.some((n) => n.sample?.repmgr) ? eventsMissing : null,
    consistency: buildConsistency({ order: s.nodeOrder, nodes: s.nodes, topo, pgpoolOrder: s.pgpoolOrder, pgpools: s.pgpools, vip: vipView(vip), repmgrCli }),
  };
}
