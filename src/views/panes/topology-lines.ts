// Topology as PostgreSQL reports it: primary → standbys (cascades indented), with each node's
// role, replication state, timeline, position and lag, and WAL streamers listed apart.
import { repmgrDisagreements } from '../../model/crosscheck.ts';
import type { Topology, TopoEntry } from '../../model/topology.ts';
import type { NodeState } from '../../model/types.ts';
import { type Line, type PaneSize, seg } from '../format/line.ts';
import { type Cell, tableHeader, tableRow } from '../format/table.ts';
import { type Column, cell, fitColumns, padEnd } from '../format/text.ts';
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

function withRepmgr(nodes: Record<string, NodeState>): Column[] {
  if (!Object.values(nodes).some((n) => n.sample?.repmgr)) return COLUMNS;
  const i = COLUMNS.findIndex((c) => c.title === 'VER');
  return [...COLUMNS.slice(0, i), REPMGR_COLUMN, ...COLUMNS.slice(i)];
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
}

export function topologyLines(topo: Topology, nodes: Record<string, NodeState>, size: PaneSize, ctx: TopologyContext): Line[] {
  const cols = fitColumns(withRepmgr(nodes), size.width);
  const lines: Line[] = [tableHeader(cols)];
  if (topo.primaries.length > 1) {
    lines.push([seg(padEnd(`!! ${topo.primaries.length} primaries: ${topo.primaries.join(', ')} (split brain?)`, size.width), 'bad', true)]);
  }
  for (const d of repmgrDisagreements(Object.values(nodes), topo)) lines.push([seg(`!! ${d.message}`, 'bad', true)]);
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
  return lines;
}
