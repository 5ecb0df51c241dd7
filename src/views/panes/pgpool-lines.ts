// Each pgpool-II's own view of the backends (SHOW pool_nodes) beside the live answers pgpool itself
// reports (pg_status, pg_role), and its watchdog: the pane that shows "pgpool still routes writes
// to the old primary" before the application does.
import type { PgpoolState } from '../../model/pgpool.ts';
import { sameEndpoint } from '../../model/pgpool.ts';
import type { NodeState } from '../../model/types.ts';
import type { PoolNodeRow } from '../../probes/pgpool/pool-nodes.ts';
import { type Line, type PaneSize, type Tone, seg } from '../format/line.ts';
import { type Cell, tableHeader, tableRow } from '../format/table.ts';
import { type Column, fitColumns, padEnd } from '../format/text.ts';
import { formatBytes, formatSeconds } from '../format/units.ts';

const COLUMNS: Column[] = [
  { title: 'ID', width: 2, align: 'right' },
  { title: 'BACKEND', width: 16, min: 8 },
  { title: 'STATUS', width: 10 },
  { title: 'PG', width: 4, drop: 5 },
  { title: 'ROLE', width: 8 },
  { title: 'PG ROLE', width: 8, drop: 6 },
  { title: 'WEIGHT', width: 6, align: 'right', drop: 2 },
  { title: 'SELECTS', width: 8, align: 'right', drop: 3 },
  { title: 'DELAY', width: 9, align: 'right' },
  { title: 'REPL', width: 9, drop: 4 },
  { title: 'LAST CHANGE', width: 14, drop: 1 },
];

/** The configured node a backend row is, by host and port; else pgpool's host:port. */
function backendName(b: PoolNodeRow, nodes: readonly NodeState[]): string {
  const n = nodes.find((x) => x.endpoint && sameEndpoint({ host: b.hostname, port: b.port }, x.endpoint));
  return n ? n.name : `${b.hostname}:${b.port}`;
}

function delayText(b: PoolNodeRow): string {
  const d = b.replicationDelay;
  if (!d || b.role === 'primary') return '';
  return 'bytes' in d ? formatBytes(d.bytes) : formatSeconds(d.seconds);
}

function statusTone(b: PoolNodeRow): Tone | undefined {
  if (b.statusMismatch) return 'bad';
  if (b.status === 'up' || b.status === 'waiting') return 'ok';
  return b.status === 'unused' ? 'dim' : 'bad';
}

function headLine(p: PgpoolState, now: number): Line {
  const s = p.sample;
  if (p.health.kind === 'down') {
    const since = p.lastOkAt ?? p.health.since;
    return [seg(p.name, 'accent', true), seg(' '), seg(`DOWN ${formatSeconds(Math.max(0, now - since) / 1000)}`, 'bad', true), seg(`: ${p.health.reason}`, 'bad')];
  }
  if (!s) return [seg(p.name, 'accent', true), seg(` ${p.target} connecting`, 'dim')];
  const rtt = s.roundTripMs < 10 ? s.roundTripMs.toFixed(1) : String(Math.round(s.roundTripMs));
  return [seg(p.name, 'accent', true), seg(` pgpool-II ${s.version?.version ?? '?'} · ${p.target} · ${rtt}ms`, 'dim')];
}

function watchdogLines(p: PgpoolState): Line[] {
  const w = p.sample?.watchdog;
  if (!w || p.health.kind !== 'ok') return [];
  if (!w.ok) return [[seg('  watchdog: ', 'dim'), seg(w.error, 'warn')]];
  const i = w.info;
  const quorumTone: Tone = i.quorumState === 'QUORUM EXIST' ? 'ok' : i.quorumState === 'QUORUM IS ON THE EDGE' ? 'warn' : 'bad';
  const head: Line = [
    seg('  watchdog: ', 'dim'),
    seg(i.quorumState.toLowerCase(), quorumTone),
    seg(` · ${i.aliveRemoteNodes + 1}/${i.totalNodes} alive · leader `, 'dim'),
    seg(i.leaderHostName ?? i.leaderNodeName ?? 'none', i.leaderNodeName ? undefined : 'bad'),
    seg(` · escalation here ${i.localNodeEscalation ? 'YES' : 'no'}`, 'dim'),
  ];
  const nodes = i.nodes.map((n, idx): Line => {
    const tone: Tone | undefined = /LEADER/.test(n.state) ? 'accent' : /STANDBY/.test(n.state) ? undefined : 'bad';
    return [
      seg(`    ${idx === 0 ? 'this' : 'peer'} ${n.hostName}:${n.pgpoolPort} `, 'dim'),
      seg(n.state, tone),
      seg(n.membership === 'MEMBER' ? '' : ` ${n.membership}`, 'warn'),
      seg(` prio ${n.priority}`, 'dim'),
    ];
  });
  return [head, ...nodes];
}

export function pgpoolLines(order: readonly string[], pgpools: Record<string, PgpoolState>, nodes: Record<string, NodeState>, size: PaneSize, now: number): Line[] {
  if (order.length === 0) return [[seg(padEnd('no pgpool configured (cluster key "pgpool" in the config)', size.width), 'dim')]];
  const cols = fitColumns(COLUMNS, size.width);
  const nodeList = Object.values(nodes);
  const lines: Line[] = [];
  for (const name of order) {
    const p = pgpools[name]!;
    lines.push(headLine(p, now));
    const s = p.sample;
    if (!s || p.health.kind !== 'ok') continue;
    lines.push(tableHeader(cols));
    for (const b of s.nodes) {
      const cells: Record<string, Cell> = {
        ID: [String(b.nodeId)],
        BACKEND: [backendName(b, nodeList)],
        STATUS: [b.status + (b.statusMismatch ? '!' : ''), statusTone(b)],
        PG: [b.pgStatus, b.pgStatus === 'down' ? 'bad' : b.pgStatus === 'unknown' ? 'dim' : undefined],
        ROLE: [b.role + (b.roleMismatch ? '!' : ''), b.roleMismatch ? 'bad' : b.role === 'primary' ? 'accent' : undefined],
        'PG ROLE': [b.pgRole, b.pgRole === 'unknown' ? 'dim' : undefined],
        WEIGHT: [b.lbWeight.toFixed(2)],
        SELECTS: [String(b.selectCnt)],
        DELAY: [delayText(b)],
        REPL: [b.replicationState ?? '', b.replicationState && b.replicationState !== 'streaming' ? 'warn' : undefined],
        'LAST CHANGE': [b.lastStatusChange ? b.lastStatusChange.slice(5) : ''],
      };
      lines.push(tableRow(cols, cells));
    }
    lines.push(...watchdogLines(p));
  }
  return lines;
}
