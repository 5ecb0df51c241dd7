// Topology as PostgreSQL reports it: primary → standbys (cascades indented), with each node's
// role, replication state, timeline, position and lag, and WAL streamers listed apart.
import type { Consistency, ConsistencyRow, LayerDisagreement } from '../../model/consistency.ts';
import type { VipState } from '../../probes/ssh/vip.ts';
import type { Topology, TopoEntry } from '../../model/topology.ts';
import type { NodeState } from '../../model/types.ts';
import { type Line, type PaneSize, seg } from '../format/line.ts';
import { type Cell, tableHeader, tableRow } from '../format/table.ts';
import { type Column, cell, fitColumns, padEnd, wrapText } from '../format/text.ts';
import { formatBytes, formatSeconds } from '../format/units.ts';

const COLUMNS: Column[] = [
  { title: 'NODE', width: 18, min: 10 },
  { title: 'ROLE', width: 7, drop: 5 },
  { title: 'STATE', width: 10 },
  { title: 'TL', width: 3, align: 'right', drop: 6 },
  { title: 'LSN', width: 11, align: 'right', drop: 3 },
  { title: 'LAG', width: 9, align: 'right' },
  { title: 'TIME LAG', width: 8, align: 'right', drop: 7 },
  { title: 'SYNC', width: 5, drop: 2 },
  { title: 'VER', width: 5, drop: 4 },
  { title: 'RTT', width: 6, align: 'right', drop: 1 },
];

// Only when some node has repmgr data, so a cluster without repmgr keeps its layout.
const REPMGR_COLUMN: Column = { title: 'REPMGRD', width: 7, drop: 5.5 };

/**
 * Each other layer's word on the node, next to PostgreSQL's ROLE: what repmgr registers, what each
 * pgpool routes to, who holds the VIP. Present only when that layer is configured or seen, and
 * kept longer than lag detail on a narrow pane: disagreement between them is what this pane is for.
 */
function layerColumns(c: Consistency | undefined, pgpoolOrder: readonly string[]): Column[] {
  if (!c) return [];
  const cols: Column[] = [];
  if (c.rows.some((r) => r.repmgr !== null)) cols.push({ title: 'REPMGR', width: 8, drop: 6.5 });
  for (const name of pgpoolOrder) cols.push({ title: name.slice(0, 10).toUpperCase(), width: Math.max(8, Math.min(10, name.length)), drop: 6.6 });
  if (c.rows.some((r) => r.vip !== null)) cols.push({ title: 'VIP', width: 3, drop: 6.7 });
  return cols;
}

/** `cols` inserted before the column titled `title` (after it with `after: true`). */
function insertAt(base: Column[], title: string, cols: Column[], after = false): Column[] {
  const i = base.findIndex((c) => c.title === title) + (after ? 1 : 0);
  return [...base.slice(0, i), ...cols, ...base.slice(i)];
}

function withLayers(nodes: Record<string, NodeState>, layers: Column[]): Column[] {
  const base = Object.values(nodes).some((n) => n.sample?.repmgr) ? insertAt(COLUMNS, 'VER', [REPMGR_COLUMN]) : COLUMNS;
  return insertAt(base, 'STATE', layers, true);
}

/** A layer's cell is red when it contradicts what the node itself answers. */
function layerCells(row: ConsistencyRow | undefined, pgpoolOrder: readonly string[], ascii: boolean): Record<string, Cell> {
  const out: Record<string, Cell> = {};
  if (!row) return out;
  const pg = row.postgres;
  const known = pg === 'primary' || pg === 'standby';
  if (row.repmgr !== null) {
    const clash = known && (row.repmgr === 'primary' || row.repmgr === 'standby') && row.repmgr !== pg;
    out.REPMGR = [row.repmgr, clash ? 'bad' : row.repmgr === 'inactive' ? 'warn' : undefined];
  }
  for (const name of pgpoolOrder) {
    const cellv = row.pgpool[name];
    const title = name.slice(0, 10).toUpperCase();
    if (cellv === undefined) continue;
    if (cellv === null) {
      out[title] = ['-', 'dim'];
      continue;
    }
    const attached = cellv.status === 'up' || cellv.status === 'waiting';
    if (!attached) out[title] = [cellv.status, pg === 'down' ? 'dim' : 'bad'];
    else out[title] = [cellv.role, pg === 'down' || (known && (cellv.role === 'primary' || cellv.role === 'standby') && cellv.role !== pg) ? 'bad' : undefined];
  }
  if (row.vip !== null) out.VIP = row.vip ? [ascii ? '*' : '◆', 'accent'] : [''];
  return out;
}

export function disagreementLine(d: LayerDisagreement, ascii = false): string {
  return d.layers.length > 1 ? `!! ${d.layers.join(ascii ? ' != ' : ' ≠ ')}: ${d.message}` : `!! ${d.message}`;
}

/** repmgrd as the node's repmgr extension reports it; "no priv" when this role may not read repmgr. */
function repmgrCell(node: NodeState): Cell {
  const r = node.sample?.repmgr;
  if (!r) return [''];
  if (!r.available) return ['no priv', 'dim'];
  if (r.repmgrdRunning === null) return ['?', 'dim'];
  if (!r.repmgrdRunning) return ['stopped', 'bad'];
  return r.repmgrdPaused ? ['paused', 'warn'] : ['running', 'ok'];
}

function stateOf(e: TopoEntry, node: NodeState): { text: string; tone: 'ok' | 'warn' | 'bad' | 'dim' } {
  if (node.health.kind === 'connecting') return { text: 'connecting', tone: 'dim' };
  if (node.health.kind === 'down') return { text: 'down', tone: 'bad' };
  if (e.role === 'primary') return { text: 'read-write', tone: 'ok' };
  const s = node.sample;
  if (s?.replayPaused) return { text: 'paused', tone: 'warn' };
  if (e.link?.state) return { text: e.link.state, tone: e.link.state === 'streaming' ? 'ok' : 'warn' };
  if (s?.receiver) return { text: s.receiver.status, tone: s.receiver.status === 'streaming' ? 'ok' : 'warn' };
  return { text: 'no receiver', tone: 'bad' };
}

function nodeLabel(e: TopoEntry, ascii: boolean): string {
  if (e.depth === 0) return e.name;
  return `${'  '.repeat(e.depth - 1)}${ascii ? '`-' : '└─'}${e.name}`;
}

export interface TopologyContext {
  now: number;
  thresholds: { lagBytesWarn: number; lagSecondsWarn: number };
  /** Every layer's view per node and where they disagree; absent: PostgreSQL only. */
  consistency?: Consistency;
  pgpoolOrder?: readonly string[];
  vip?: VipState | null;
}

/** Who holds the VIP, per asked host: the holder with its interface, and hosts that could not be asked. */
function vipLines(v: VipState, width: number): Line[] {
  const held = v.hosts.filter((h) => h.holds);
  const ka = (h: VipState['hosts'][number]) => (h.keepalived && h.keepalived !== 'absent' ? `, keepalived ${h.keepalived}` : '');
  const where = held.map((h) => `${h.name}${h.iface ? ` (${h.iface}${ka(h)})` : ''}`).join(', ');
  const tone = v.problem ? 'bad' : held.length === 1 ? 'ok' : 'warn';
  const lines: Line[] = [[seg(`VIP ${v.address}: `, 'dim'), seg(held.length === 0 ? 'held by no host that answered' : `on ${where}`, tone)]];
  for (const h of v.hosts) if (h.error) for (const l of wrapText(`  ${h.name}: ${h.error}`, width, 2, 4)) lines.push([seg(l, 'warn')]);
  return lines;
}

export function topologyLines(topo: Topology, nodes: Record<string, NodeState>, size: PaneSize, ctx: TopologyContext): Line[] {
  const pgpoolOrder = ctx.consistency ? (ctx.pgpoolOrder ?? []) : [];
  const cols = fitColumns(withLayers(nodes, layerColumns(ctx.consistency, pgpoolOrder)), size.width);
  const lines: Line[] = [tableHeader(cols)];
  const disagreements = ctx.consistency?.disagreements ?? (topo.primaries.length > 1 ? [{ node: null, layers: ['postgres'], message: `${topo.primaries.length} primaries: ${topo.primaries.join(', ')} (split brain?)` }] : []);
  // A banner is the one thing on this pane that must be read whole: wrapped, not cut.
  for (const d of disagreements) for (const l of wrapText(disagreementLine(d, size.ascii), size.width, 3, 3)) lines.push([seg(l, 'bad', true)]);
  const rowsByNode = new Map((ctx.consistency?.rows ?? []).map((r) => [r.node, r]));
  for (const e of topo.entries) {
    const node = nodes[e.name]!;
    const s = node.sample;
    const state = stateOf(e, node);
    const nameCol = cols[0]!;
    const row: Line = [seg(cell(nodeLabel(e, size.ascii), nameCol), e.role === 'primary' ? 'accent' : undefined, e.role === 'primary')];
    if (node.health.kind === 'down') {
      // How long it has been unreachable comes first: the reason may be cut on a narrow pane.
      const since = node.lastOkAt ?? node.health.since;
      row.push(seg(' '), seg(`DOWN ${formatSeconds(Math.max(0, ctx.now - since) / 1000)}`, 'bad', true), seg(`: ${node.health.reason}`, 'bad'));
      lines.push(row);
      continue;
    }
    const lagging = e.link !== null && ((e.link.replayLagBytes ?? 0) > ctx.thresholds.lagBytesWarn || (e.link.replayLagSeconds ?? 0) > ctx.thresholds.lagSecondsWarn);
    const cells: Record<string, Cell> = {
      ...layerCells(rowsByNode.get(e.name), pgpoolOrder, size.ascii),
      ROLE: e.role === 'unknown' ? ['?', 'dim'] : [e.role],
      STATE: [state.text, lagging && state.tone === 'ok' ? 'warn' : state.tone],
      TL: [s?.timeline != null ? String(s.timeline) : '-'],
      LSN: [s?.currentLsn ?? s?.replayLsn ?? '-'],
      LAG: [e.role === 'standby' ? (e.link ? formatBytes(e.link.replayLagBytes) : '-') : '', lagging ? 'warn' : undefined],
      'TIME LAG': [e.role === 'standby' ? (e.link ? (e.link.replayLagSeconds === null ? 'idle' : formatSeconds(e.link.replayLagSeconds)) : '-') : ''],
      SYNC: [e.link?.syncState ?? ''],
      REPMGRD: repmgrCell(node),
      VER: [s ? s.serverVersion.split(' ')[0]!.slice(0, 5) : ''],
      RTT: [s ? `${s.roundTripMs < 10 ? s.roundTripMs.toFixed(1) : Math.round(s.roundTripMs)}ms` : ''],
    };
    row.push(seg(' '), ...tableRow(cols.slice(1), cells));
    lines.push(row);
  }
  for (const x of topo.external) {
    const what = x.kind === 'wal-streamer' ? 'WAL streamer' : 'unlisted standby';
    const pos = x.row.flushLsn ?? x.row.sentLsn ?? '-';
    // What a DBA needs first (how far behind, which slot holds WAL for it) before the cut at 80 columns.
    const text = `  ${x.row.applicationName || '(no name)'} on ${x.on}: ${what} ${formatBytes(x.row.flushLagBytes)} behind${x.row.slotName ? `, slot ${x.row.slotName}` : ''}, ${x.row.state ?? '?'}, flushed ${pos}`;
    lines.push([seg(padEnd(text, size.width), 'dim')]);
  }
  if (ctx.vip) lines.push(...vipLines(ctx.vip, size.width));
  return lines;
}
