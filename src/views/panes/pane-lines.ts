// Dispatch from pane id to its pure formatter, and each pane's natural height for the layout.
import type { Topology } from '../../model/topology.ts';
import type { NodeState } from '../../model/types.ts';
import type { History } from '../../state/store.ts';
import type { Line, PaneSize } from '../format/line.ts';
import type { Natural, PaneId } from '../layout.ts';
import { type LagThresholds, lagLines } from './lag-lines.ts';
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
}

export function paneLines(pane: PaneId, d: PaneData, size: PaneSize): Line[] {
  switch (pane) {
    case 'topology': return topologyLines(d.topo, d.nodes, size, d);
    case 'lag': return lagLines(d.topo, d.history, d.historyVersion, d.thresholds, size, d.nodes);
    case 'slots': return slotsLines(d.order, d.nodes, size, d.now);
    case 'wal': return walLines(d.order, d.nodes, d.history, size, d.now);
  }
}

/** Heights the panes ask for at a given width, before any rows are handed out. */
export function naturalHeights(d: PaneData, width: number, ascii: boolean): Natural {
  const probe = { width, height: 0, ascii };
  return {
    topology: topologyLines(d.topo, d.nodes, probe, d).length,
    lag: lagLines(d.topo, d.history, d.historyVersion, d.thresholds, probe, d.nodes).length,
    slots: slotsLines(d.order, d.nodes, probe, d.now).length,
    wal: walLines(d.order, d.nodes, d.history, { ...probe, height: 1000 }, d.now).length,
  };
}
