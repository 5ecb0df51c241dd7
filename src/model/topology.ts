// Who streams from whom, as PostgreSQL itself reports it: the standby's wal receiver names its
// upstream (sender_host/port), the upstream's pg_stat_replication row carries the lag.
import type { NodeState, SenderRow } from './types.ts';

export interface TopoEntry {
  name: string;
  depth: number;
  role: 'primary' | 'standby' | 'unknown';
  reachable: boolean;
  upstream: string | null;
  /** The upstream's pg_stat_replication row for this standby, when matched. */
  link: SenderRow | null;
  /** Set when the standby has no running wal receiver, or it points nowhere we know. */
  detached: boolean;
}

/** A pg_stat_replication row that is not one of the configured standbys. */
export interface ExternalClient {
  on: string;
  row: SenderRow;
  /** pg_receivewal / barman receive-wal stream WAL but never replay it. */
  kind: 'wal-streamer' | 'unknown-standby';
}

export interface Topology {
  entries: TopoEntry[];
  primaries: string[];
  external: ExternalClient[];
}

function sameHost(a: string, b: string): boolean {
  const norm = (h: string) => (h === 'localhost' || h === '::1' ? '127.0.0.1' : h);
  return norm(a) === norm(b);
}

/** Rows that report no replay position are WAL streamers (pg_receivewal), not standbys. */
export function isWalStreamer(row: SenderRow): boolean {
  return (row.replayLsn === null && row.state === 'streaming') || /receivewal|receive_wal/i.test(row.applicationName);
}

function findUpstream(standby: NodeState, nodes: NodeState[]): { upstream: string | null; link: SenderRow | null } {
  const receiver = standby.sample?.receiver ?? null;
  const matchesRow = (row: SenderRow) =>
    row.applicationName === standby.name ||
    (receiver?.applicationName != null && row.applicationName === receiver.applicationName) ||
    (receiver?.slotName != null && row.slotName === receiver.slotName);

  if (receiver?.senderHost && receiver.senderPort) {
    const up = nodes.find(
      (n) => n !== standby && n.endpoint && n.endpoint.port === receiver.senderPort && sameHost(n.endpoint.host, receiver.senderHost!),
    );
    if (up) return { upstream: up.name, link: up.sample?.senders.find(matchesRow) ?? null };
  }
  // The receiver may be down or connect through an address we do not know; the upstream's row still names it.
  for (const n of nodes) {
    // A node that stopped answering keeps its last sample for display, not as evidence of who streams now.
    if (n === standby || !n.sample || n.health.kind !== 'ok') continue;
    const row = n.sample.senders.find((r) => r.applicationName === standby.name);
    if (row) return { upstream: n.name, link: row };
  }
  return { upstream: null, link: null };
}

export function buildTopology(nodes: NodeState[]): Topology {
  const info = new Map<string, Omit<TopoEntry, 'depth'>>();
  const claimed = new Set<SenderRow>();
  for (const n of nodes) {
    const reachable = n.health.kind === 'ok';
    const role = n.sample ? n.sample.role : 'unknown';
    if (role === 'standby') {
      const { upstream, link } = findUpstream(n, nodes);
      if (link) claimed.add(link);
      info.set(n.name, { name: n.name, role, reachable, upstream, link, detached: !n.sample?.receiver || upstream === null });
    } else {
      info.set(n.name, { name: n.name, role, reachable, upstream: null, link: null, detached: false });
    }
  }

  const children = new Map<string | null, string[]>();
  for (const n of nodes) {
    const up = info.get(n.name)!.upstream;
    const key = up !== null && info.has(up) ? up : null;
    children.set(key, [...(children.get(key) ?? []), n.name]);
  }
  // Roots: the answering primary first, then a primary that stopped answering (a failover in
  // progress), then whatever we could not place (unknown role, detached standbys).
  const rank = (name: string) => {
    const e = info.get(name)!;
    return e.role === 'primary' ? (e.reachable ? 0 : 1) : e.role === 'standby' ? 2 : 3;
  };
  const entries: TopoEntry[] = [];
  const visit = (name: string, depth: number, seen: Set<string>) => {
    if (seen.has(name)) return; // a replication loop is impossible, but never hang the UI on bad data
    seen.add(name);
    entries.push({ ...info.get(name)!, depth });
    for (const child of children.get(name) ?? []) visit(child, depth + 1, seen);
  };
  const seen = new Set<string>();
  for (const root of [...(children.get(null) ?? [])].sort((a, b) => rank(a) - rank(b))) visit(root, 0, seen);
  for (const n of nodes) visit(n.name, 0, seen);

  const external: ExternalClient[] = [];
  for (const n of nodes) {
    if (n.health.kind !== 'ok') continue;
    for (const row of n.sample?.senders ?? []) {
      if (claimed.has(row)) continue;
      external.push({ on: n.name, row, kind: isWalStreamer(row) ? 'wal-streamer' : 'unknown-standby' });
    }
  }
  const primaries = nodes.filter((n) => n.sample?.role === 'primary' && n.health.kind === 'ok').map((n) => n.name);
  return { entries, primaries, external };
}
