// Where repmgr's registered topology and PostgreSQL's actual one disagree: the failures that only
// show when the layers are compared (repmgr still registers the old primary after a manual
// promotion, a standby follows another upstream than the one repmgr thinks). Pure.
import type { Topology } from './topology.ts';
import type { NodeState, RepmgrNodeRow } from './types.ts';

export interface Disagreement {
  node: string | null;
  message: string;
}

/** repmgr.nodes as read from the primary when it answers (a standby may lag), else from any node. */
function registered(order: NodeState[]): RepmgrNodeRow[] | null {
  const readable = order.filter((n) => n.health.kind === 'ok' && n.sample?.repmgr?.available);
  const from = readable.find((n) => n.sample!.role === 'primary') ?? readable[0];
  const r = from?.sample?.repmgr;
  return r && r.available ? r.nodes : null;
}

export function repmgrDisagreements(nodes: NodeState[], topo: Topology): Disagreement[] {
  const rows = registered(nodes);
  if (!rows) return [];
  // Config names and repmgr node names may differ: each server's get_local_node_id() ties them.
  const nameOf = new Map<number, string>();
  for (const n of nodes) {
    const r = n.sample?.repmgr;
    if (r?.available && r.localNodeId !== null) nameOf.set(r.localNodeId, n.name);
  }
  const label = (id: number | null) => (id === null ? 'none' : (nameOf.get(id) ?? rows.find((r) => r.id === id)?.name ?? `node ${id}`));
  const out: Disagreement[] = [];

  const regPrimaries = rows.filter((r) => r.type === 'primary' && r.active).map((r) => label(r.id)).sort();
  const pgPrimaries = [...topo.primaries].sort();
  if (pgPrimaries.length > 0 && regPrimaries.join(',') !== pgPrimaries.join(',')) {
    out.push({
      node: null,
      message: `repmgr registers ${regPrimaries.join(', ') || 'no node'} as primary; PostgreSQL's primary is ${pgPrimaries.join(', ')}`,
    });
  }

  for (const n of nodes) {
    const r = n.sample?.repmgr;
    if (n.health.kind !== 'ok' || !r?.available || r.localNodeId === null) continue;
    const row = rows.find((x) => x.id === r.localNodeId);
    if (!row) {
      out.push({ node: n.name, message: `${n.name}: repmgr node id ${r.localNodeId} is not registered in repmgr.nodes` });
      continue;
    }
    const role = n.sample!.role;
    if ((row.type === 'primary' || row.type === 'standby') && row.type !== role) {
      out.push({ node: n.name, message: `${n.name} runs as ${role} but repmgr registers it as ${row.type}` });
    }
    const entry = topo.entries.find((e) => e.name === n.name);
    if (role === 'standby' && entry?.upstream && row.upstreamId !== null && label(row.upstreamId) !== entry.upstream) {
      out.push({ node: n.name, message: `${n.name} streams from ${entry.upstream} but repmgr registers upstream ${label(row.upstreamId)}` });
    }
  }
  return out;
}
