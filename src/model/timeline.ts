// The incident timeline: what pgtop-ha itself saw change between two writes of the store (a node
// stopped answering, a role or timeline changed, pgpool moved a backend, the VIP moved, alerts
// raised and cleared), merged with what the layers remember on their own (repmgr's event log,
// pgpool's last_status_change, barman's backup times). Pure.
import type { AlertChange } from './alerts/tracker.ts';
import type { BackupSourceState } from './backups.ts';
import { type PgpoolState, sameEndpoint } from './pgpool.ts';
import { eventTone, mergeRepmgrEvents } from './repmgr-events.ts';
import type { NodeState } from './types.ts';
import type { VipState } from '../probes/ssh/vip.ts';

export type TimelineSource = 'postgres' | 'repmgr' | 'pgpool' | 'vip' | 'backup' | 'alert';

export interface TimelineEntry {
  at: number;
  source: TimelineSource;
  subject: string;
  /** Short name of what happened (`became primary`, `down`, `LAG_BYTES raised`, repmgr's event). */
  event: string;
  details: string;
  tone?: 'bad' | 'warn' | 'ok';
  /** Seen by pgtop-ha while running, rather than read from a layer's own log. */
  observed: boolean;
}

export interface ObservedInput {
  nodeOrder: string[];
  nodes: Record<string, NodeState>;
  pgpoolOrder: string[];
  pgpools: Record<string, PgpoolState>;
  vip: VipState | null;
  backupOrder: string[];
  backups: Record<string, BackupSourceState>;
}

/** How many observed entries the store keeps (an incident of a few hours at 2 s polls). */
export const OBSERVED_MAX = 1000;

function nodeChanges(prev: ObservedInput, next: ObservedInput, at: number): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  const entry = (subject: string, event: string, details: string, tone?: TimelineEntry['tone']): TimelineEntry => ({ at, source: 'postgres', subject, event, details, tone, observed: true });
  for (const name of next.nodeOrder) {
    const a = prev.nodes[name];
    const b = next.nodes[name];
    if (!a || !b) continue;
    if (a.health.kind !== 'down' && b.health.kind === 'down') {
      // 'connecting' → 'down' at start is news too: the node never answered.
      out.push(entry(name, 'stopped answering', b.health.reason, 'bad'));
      continue;
    }
    if (a.health.kind === 'down' && b.health.kind === 'ok') out.push(entry(name, 'answers again', b.sample?.role ?? '', 'ok'));
    const sa = a.sample;
    const sb = b.health.kind === 'ok' ? b.sample : null;
    if (!sa || !sb || sa === sb) continue;
    if (sa.role !== sb.role) out.push(entry(name, sb.role === 'primary' ? 'became primary' : `became ${sb.role}`, `was ${sa.role}`, 'warn'));
    if (sa.timeline != null && sb.timeline != null && sa.timeline !== sb.timeline) out.push(entry(name, 'timeline switch', `timeline ${sa.timeline} → ${sb.timeline}`, 'warn'));
    const ra = sa.repmgr?.available ? sa.repmgr : null;
    const rb = sb.repmgr?.available ? sb.repmgr : null;
    if (ra && rb) {
      const st = (r: typeof ra) => (r.repmgrdRunning === null ? null : !r.repmgrdRunning ? 'not running' : r.repmgrdPaused ? 'paused' : 'running');
      const x = st(ra);
      const y = st(rb);
      if (x !== null && y !== null && x !== y) out.push({ ...entry(name, `repmgrd ${y}`, `was ${x}`, y === 'running' ? 'ok' : 'warn'), source: 'repmgr' });
    }
    const recA = sa.role === 'standby' ? (sa.receiver?.status ?? 'no receiver') : null;
    const recB = sb.role === 'standby' ? (sb.receiver?.status ?? 'no receiver') : null;
    if (recA !== null && recB !== null && recA !== recB) out.push(entry(name, recB === 'streaming' ? 'streaming again' : `receiver ${recB}`, `was ${recA}`, recB === 'streaming' ? 'ok' : 'bad'));
  }
  return out;
}

/** A pgpool backend by the configured node's name where host and port match one, else host:port. */
function backendLabel(s: ObservedInput, pgpool: string, row: { hostname: string; port: number }): string {
  const node = s.nodeOrder.find((n) => {
    const e = s.nodes[n]?.endpoint;
    return e ? sameEndpoint(e, { host: row.hostname, port: row.port }) : false;
  });
  return `${pgpool}/${node ?? `${row.hostname}:${row.port}`}`;
}

function pgpoolChanges(prev: ObservedInput, next: ObservedInput, at: number): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  for (const name of next.pgpoolOrder) {
    const a = prev.pgpools[name];
    const b = next.pgpools[name];
    if (!a || !b) continue;
    if (a.health.kind !== 'down' && b.health.kind === 'down') out.push({ at, source: 'pgpool', subject: name, event: 'stopped answering', details: b.health.reason, tone: 'bad', observed: true });
    else if (a.health.kind === 'down' && b.health.kind === 'ok') out.push({ at, source: 'pgpool', subject: name, event: 'answers again', details: '', tone: 'ok', observed: true });
    if (!a.sample || !b.sample || a.sample === b.sample || b.health.kind !== 'ok') continue;
    for (const row of b.sample.nodes) {
      const old = a.sample.nodes.find((r) => r.nodeId === row.nodeId);
      if (!old) continue;
      const backend = backendLabel(next, name, row);
      if (old.status !== row.status) out.push({ at, source: 'pgpool', subject: backend, event: `backend ${row.status}`, details: `was ${old.status}`, tone: row.status === 'down' ? 'bad' : row.status === 'up' ? 'ok' : 'warn', observed: true });
      if (old.role !== row.role) out.push({ at, source: 'pgpool', subject: backend, event: `routes as ${row.role}`, details: `was ${old.role}`, tone: 'warn', observed: true });
    }
  }
  return out;
}

function vipChanges(prev: ObservedInput, next: ObservedInput, at: number): TimelineEntry[] {
  const a = prev.vip;
  const b = next.vip;
  if (!a || !b || a === b) return [];
  const x = [...a.holders].sort().join(',');
  const y = [...b.holders].sort().join(',');
  if (x === y) return [];
  return [{ at, source: 'vip', subject: b.address, event: y ? `held by ${y}` : 'held by nobody', details: x ? `was ${x}` : 'was nobody', tone: b.holders.length === 1 ? 'warn' : 'bad', observed: true }];
}

/** What changed between two states of the store, as pgtop-ha saw it. */
export function observeChanges(prev: ObservedInput, next: ObservedInput, at: number): TimelineEntry[] {
  return [...nodeChanges(prev, next, at), ...pgpoolChanges(prev, next, at), ...vipChanges(prev, next, at)];
}

export function alertEntries(changes: readonly AlertChange[]): TimelineEntry[] {
  return changes.map((c) => ({
    at: c.at,
    source: 'alert',
    subject: c.alert.subject,
    event: `${c.alert.code} ${c.kind}`,
    details: c.alert.message,
    tone: c.kind === 'cleared' ? 'ok' : c.alert.severity === 'critical' ? 'bad' : 'warn',
    observed: true,
  }));
}

const time = (s: string | null): number | null => {
  const t = s ? Date.parse(s) : NaN;
  return Number.isFinite(t) ? t : null;
};


/** Entries the layers keep themselves: repmgr.events, pgpool's last change per backend, backup times. */
export function layerEntries(s: ObservedInput): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  for (const e of mergeRepmgrEvents(s.nodeOrder.map((n) => s.nodes[n]!))) {
    const at = time(e.timestamp);
    if (at === null) continue;
    out.push({ at, source: 'repmgr', subject: e.nodeName ?? `node ${e.nodeId}`, event: e.event, details: `${e.successful ? '' : 'FAILED: '}${e.details ?? ''}`, tone: eventTone(e), observed: false });
  }
  for (const name of s.pgpoolOrder) {
    for (const row of s.pgpools[name]?.sample?.nodes ?? []) {
      const at = time(row.lastStatusChange);
      if (at === null) continue;
      out.push({ at, source: 'pgpool', subject: backendLabel(s, name, row), event: `last status change`, details: `now ${row.status}, ${row.role}`, tone: row.status === 'down' ? 'bad' : undefined, observed: false });
    }
  }
  for (const key of s.backupOrder) {
    const src = s.backups[key];
    for (const b of src?.backups ?? []) {
      const begin = time(b.beginTime);
      const end = time(b.endTime);
      const what = `${b.type} ${b.id}`;
      if (begin !== null) out.push({ at: begin, source: 'backup', subject: key, event: 'backup started', details: what, observed: false });
      if (end !== null) out.push({ at: end, source: 'backup', subject: key, event: b.status === 'DONE' ? 'backup finished' : `backup ${b.status.toLowerCase()}`, details: what, tone: b.status === 'FAILED' ? 'bad' : b.status === 'DONE' ? 'ok' : undefined, observed: false });
      else if (b.status === 'FAILED') out.push({ at: begin ?? src!.at, source: 'backup', subject: key, event: 'backup failed', details: what, tone: 'bad', observed: false });
    }
  }
  return out;
}

/**
 * Everything on one time line, newest first. pgpool's own last_status_change is dropped where
 * pgtop-ha saw that backend change within a few seconds (the same moment seen twice).
 */
export function buildTimeline(observed: readonly TimelineEntry[], s: ObservedInput, limit = 500): TimelineEntry[] {
  const seen = observed.filter((e) => e.source === 'pgpool');
  const layers = layerEntries(s).filter((e) => !(e.source === 'pgpool' && seen.some((o) => o.subject === e.subject && Math.abs(o.at - e.at) < 10_000)));
  return [...observed, ...layers].sort((a, b) => b.at - a.at).slice(0, limit);
}
