// repmgr's own view: the nodes it registers as a tree by upstream, each with the status repmgr
// reports (cluster show, asked over SSH on the node PostgreSQL calls primary), priority, location,
// repmgrd state and how long ago repmgrd last saw its upstream. Below it, what could not be asked
// and the warnings repmgr printed.
import type { LayerDisagreement } from '../../model/consistency.ts';
import type { Topology } from '../../model/topology.ts';
import type { NodeState, RepmgrNodeRow } from '../../model/types.ts';
import type { ClusterShowRow } from '../../probes/repmgr/cluster-show.ts';
import type { ServiceStatusCsvRow } from '../../probes/repmgr/service-status.ts';
import type { RepmgrCliResult } from '../../probes/ssh/repmgr-cli.ts';
import { type Line, type PaneSize, type Tone, seg } from '../format/line.ts';
import { type Cell, tableHeader, tableRow } from '../format/table.ts';
import { type Column, cell, fitColumns, padEnd, wrapText } from '../format/text.ts';
import { formatBytes, formatSeconds } from '../format/units.ts';
import { disagreementLine } from './topology-lines.ts';

const COLUMNS: Column[] = [
  { title: 'NODE', width: 16, min: 10 },
  { title: 'ROLE', width: 8 },
  { title: 'STATUS', width: 20, min: 10 },
  { title: 'TL', width: 3, align: 'right', drop: 3 },
  { title: 'LAG', width: 9, align: 'right', drop: 4 },
  { title: 'PRIO', width: 4, align: 'right', drop: 2 },
  { title: 'LOCATION', width: 8, drop: 1 },
  { title: 'REPMGRD', width: 11 },
  { title: 'SEEN', width: 6, align: 'right', drop: 5 },
];

export interface RepmgrPaneInput {
  order: readonly string[];
  nodes: Record<string, NodeState>;
  topo: Topology;
  repmgrCli: Record<string, RepmgrCliResult>;
  disagreements: readonly LayerDisagreement[];
}

/** repmgr.nodes from the node PostgreSQL calls primary when it answers (it is replicated from there). */
function registered(order: readonly string[], nodes: Record<string, NodeState>): { rows: RepmgrNodeRow[]; from: string } | null {
  const readable = order.map((n) => nodes[n]!).filter((n) => n.health.kind === 'ok' && n.sample?.repmgr?.available);
  const from = readable.find((n) => n.sample!.role === 'primary') ?? readable[0];
  const r = from?.sample?.repmgr;
  return r?.available ? { rows: r.nodes, from: from!.name } : null;
}

/** `cluster show` as seen from the primary's host, else from any node that answered. */
function clusterView(order: readonly string[], nodes: Record<string, NodeState>, cli: Record<string, RepmgrCliResult>): { rows: ClusterShowRow[]; status: ServiceStatusCsvRow[]; from: string } | null {
  const ok = order.filter((n) => cli[n]?.ok);
  const from = ok.find((n) => nodes[n]?.health.kind === 'ok' && nodes[n]?.sample?.role === 'primary') ?? ok[0];
  const r = from ? cli[from] : undefined;
  return r?.ok ? { rows: r.clusterShow, status: r.serviceStatus, from: from! } : null;
}

function statusCell(row: ClusterShowRow | undefined): Cell {
  if (!row) return ['', 'dim'];
  const text = row.status.raw.trim();
  const s = row.status.state;
  const tone: Tone | undefined = s === 'running' ? 'ok' : s === 'failed' || s === 'unreachable' || s === 'rejected' ? 'bad' : 'warn';
  return [text, tone];
}

function repmgrdCell(node: NodeState | undefined, svc: ServiceStatusCsvRow | undefined): Cell {
  const r = node?.health.kind === 'ok' ? node.sample?.repmgr : null;
  const running = r?.available ? r.repmgrdRunning : (svc?.repmgrdRunning ?? null);
  const paused = r?.available ? r.repmgrdPaused : (svc?.paused ?? null);
  if (running === null) return ['?', 'dim'];
  if (!running) return ['not running', 'bad'];
  return paused ? ['paused', 'warn'] : ['running', 'ok'];
}

export function repmgrLines(d: RepmgrPaneInput, size: PaneSize): Line[] {
  const reg = registered(d.order, d.nodes);
  const view = clusterView(d.order, d.nodes, d.repmgrCli);
  const lines: Line[] = [];
  for (const x of d.disagreements.filter((x) => x.layers.includes('repmgr'))) {
    for (const l of wrapText(disagreementLine(x, size.ascii), size.width, 3, 3)) lines.push([seg(l, 'bad', true)]);
  }
  if (!reg && !view) {
    lines.push([seg(padEnd('repmgr not seen: no node answered with a readable repmgr schema, and no node\'s repmgr could be asked over SSH', size.width), 'dim')]);
  } else {
    const cols = fitColumns(COLUMNS, size.width);
    lines.push(tableHeader(cols));
    // Registered rows when SQL answers; cluster show's rows otherwise (it lists the same nodes).
    const rows: Array<{ id: number; name: string; type: string; upstreamId: number | null; active: boolean; priority: number; location: string | null }> =
      reg?.rows ?? view!.rows.map((r) => ({ id: r.id, name: r.name, type: r.role, upstreamId: view!.rows.find((u) => u.name === r.upstream?.name)?.id ?? null, active: true, priority: r.priority, location: r.location }));
    // Config names and repmgr node names may differ: get_local_node_id() ties them.
    const configName = new Map<number, string>();
    for (const n of d.order) {
      const r = d.nodes[n]!.sample?.repmgr;
      if (r?.available && r.localNodeId !== null) configName.set(r.localNodeId, n);
    }
    const children = new Map<number | null, typeof rows>();
    for (const r of rows) {
      const up = r.upstreamId !== null && rows.some((x) => x.id === r.upstreamId) ? r.upstreamId : null;
      children.set(up, [...(children.get(up) ?? []), r]);
    }
    const visit = (r: (typeof rows)[number], depth: number, seen: Set<number>) => {
      if (seen.has(r.id)) return;
      seen.add(r.id);
      const name = configName.get(r.id) ?? r.name;
      const node = d.nodes[name];
      const entry = d.topo.entries.find((e) => e.name === name);
      const svc = view?.status.find((s) => s.id === r.id);
      const r2 = node?.health.kind === 'ok' ? node.sample?.repmgr : null;
      // Only a standby has an upstream to see; a freshly promoted node still reports its old one.
      const seenSec = r.type !== 'standby' ? null : r2?.available ? r2.upstreamLastSeenSeconds : (svc?.upstreamLastSeenSeconds ?? null);
      const label = depth === 0 ? name : `${'  '.repeat(depth - 1)}${size.ascii ? '`-' : '└─'}${name}`;
      const cells: Record<string, Cell> = {
        ROLE: [r.active ? r.type : `${r.type}?`, r.active ? undefined : 'dim'],
        STATUS: statusCell(view?.rows.find((x) => x.id === r.id)),
        TL: [node?.sample?.timeline != null && node.health.kind === 'ok' ? String(node.sample.timeline) : ''],
        LAG: [entry?.role === 'standby' && entry.link ? formatBytes(entry.link.replayLagBytes) : ''],
        PRIO: [String(r.priority)],
        LOCATION: [r.location ?? ''],
        REPMGRD: repmgrdCell(node, svc),
        SEEN: [seenSec === null ? '' : formatSeconds(seenSec), seenSec !== null && seenSec > 10 ? 'warn' : undefined],
      };
      lines.push([seg(cell(label, cols[0]!), r.type === 'primary' && r.active ? 'accent' : undefined), seg(' '), ...tableRow(cols.slice(1), cells)]);
      for (const c of children.get(r.id) ?? []) visit(c, depth + 1, seen);
    };
    const seen = new Set<number>();
    const roots = [...(children.get(null) ?? [])].sort((a, b) => Number(b.type === 'primary' && b.active) - Number(a.type === 'primary' && a.active));
    for (const r of roots) visit(r, 0, seen);
    for (const r of rows) visit(r, 0, seen);
    const source = [reg ? `repmgr.nodes read on ${reg.from}` : null, view ? `cluster show on ${view.from}` : null].filter(Boolean).join(' · ');
    lines.push([seg(padEnd(`  ${source}`, size.width), 'dim')]);
  }
  // What could not be asked, and what repmgr itself warned about.
  for (const n of d.order) {
    const r = d.repmgrCli[n];
    if (r && !r.ok) for (const l of wrapText(r.error, size.width, 2, 2)) lines.push([seg(l, 'warn')]);
  }
  const warnings = new Set(d.order.flatMap((n) => {
    const r = d.repmgrCli[n];
    return r?.ok ? r.warnings : [];
  }));
  for (const w of warnings) lines.push([seg(padEnd(`repmgr: ${w}`, size.width), 'warn')]);
  return lines;
}
