// One row per PostgreSQL node with what every layer says about it — PostgreSQL itself
// (pg_is_in_recovery), repmgr (repmgr.nodes), each pgpool (SHOW pool_nodes) and the VIP — and
// the disagreements between them, each naming the layers involved. Pure: views and
// `snapshot --json` both read it.
import { repmgrDisagreements } from './crosscheck.ts';
import { type PgpoolState, sameEndpoint } from './pgpool.ts';
import type { Topology } from './topology.ts';
import type { NodeState } from './types.ts';
import type { PoolNodeRow } from '../probes/pgpool/pool-nodes.ts';
import type { RepmgrCliResult } from '../probes/ssh/repmgr-cli.ts';
import type { VipState } from '../probes/ssh/vip.ts';

/** The VIP as the SSH probe found it; `holders` are VIP host names from the config. */
export interface VipView {
  address: string;
  /** Hosts that answered; a host that could not be asked is not counted either way. */
  asked: string[];
  holders: string[];
}

/** The VIP as the cross-check needs it: only hosts that answered count either way. */
export function vipView(v: VipState | null): VipView | null {
  if (!v) return null;
  return { address: v.address, asked: v.hosts.filter((h) => h.holds !== null).map((h) => h.name), holders: v.holders };
}

export interface PgpoolCell {
  status: PoolNodeRow['status'];
  role: PoolNodeRow['role'];
}

export interface ConsistencyRow {
  node: string;
  /** pg_is_in_recovery() as the node answered it; 'down' when it does not answer. */
  postgres: 'primary' | 'standby' | 'down' | 'unknown';
  /** The type repmgr registers for the node (its `active=false` reads "inactive"); null: no repmgr. */
  repmgr: string | null;
  /** Per configured pgpool: its backend row for this node; null when unreachable or not a backend. */
  pgpool: Record<string, PgpoolCell | null>;
  /** Holds the VIP; null when the node is not a VIP host or no VIP is configured. */
  vip: boolean | null;
}

export interface LayerDisagreement {
  node: string | null;
  /** e.g. ['postgres', 'pgpool1']. */
  layers: string[];
  message: string;
  /** pgpool has a backend detached that PostgreSQL says is fine (the alert PGPOOL_BACKEND_DOWN says it). */
  detached?: boolean;
}

export interface Consistency {
  rows: ConsistencyRow[];
  disagreements: LayerDisagreement[];
}

export interface ConsistencyInput {
  order: string[];
  nodes: Record<string, NodeState>;
  topo: Topology;
  pgpoolOrder: string[];
  pgpools: Record<string, PgpoolState>;
  vip: VipView | null;
  /** Each node's own `repmgr cluster show`, over SSH; absent when not configured. */
  repmgrCli?: Record<string, RepmgrCliResult>;
}

function pgRole(n: NodeState): ConsistencyRow['postgres'] {
  if (n.health.kind === 'down') return 'down';
  if (n.health.kind !== 'ok' || !n.sample) return 'unknown';
  return n.sample.role;
}

function repmgrType(n: NodeState, all: NodeState[]): string | null {
  // repmgr.nodes replicates from the primary: take the primary's copy when it answers.
  const readers = all.filter((x) => x.health.kind === 'ok' && x.sample?.repmgr?.available);
  const from = readers.find((x) => x.sample!.role === 'primary') ?? readers[0];
  const r = from?.sample?.repmgr;
  const own = n.sample?.repmgr;
  if (!r?.available || !own?.available || own.localNodeId === null) return null;
  const row = r.nodes.find((x) => x.id === own.localNodeId);
  if (!row) return null;
  return row.active ? row.type : 'inactive';
}

function backendFor(n: NodeState, p: PgpoolState): PoolNodeRow | null {
  if (!n.endpoint || p.health.kind !== 'ok' || !p.sample) return null;
  return p.sample.nodes.find((b) => sameEndpoint({ host: b.hostname, port: b.port }, n.endpoint!)) ?? null;
}

export function buildConsistency(input: ConsistencyInput): Consistency {
  const list = input.order.map((name) => input.nodes[name]!);
  const pools = input.pgpoolOrder.map((name) => input.pgpools[name]!);
  const rows: ConsistencyRow[] = list.map((n) => {
    const pgpool: Record<string, PgpoolCell | null> = {};
    for (const p of pools) {
      const b = backendFor(n, p);
      pgpool[p.name] = b && { status: b.status, role: b.role };
    }
    const vipHost = input.vip && (input.vip.asked.includes(n.name) || input.vip.holders.includes(n.name));
    return { node: n.name, postgres: pgRole(n), repmgr: repmgrType(n, list), pgpool, vip: vipHost ? input.vip!.holders.includes(n.name) : null };
  });

  const out: LayerDisagreement[] = [];
  if (input.topo.primaries.length > 1) {
    out.push({ node: null, layers: ['postgres'], message: `${input.topo.primaries.length} primaries: ${input.topo.primaries.join(', ')} (split brain?)` });
  }
  for (const d of repmgrDisagreements(list, input.topo)) out.push({ node: d.node, layers: ['postgres', 'repmgr'], message: d.message });
  out.push(...repmgrCliDisagreements(input.order, input.repmgrCli ?? {}));
  for (const p of pools) out.push(...pgpoolDisagreements(p, list, input.topo));
  if (input.vip) out.push(...vipDisagreements(input.vip, rows, pools, input.topo));
  return { rows, disagreements: out };
}

/**
 * `repmgr cluster show` run on each node answers from that node's own connections: nodes that
 * name different primaries (or none) disagree, and the pane says which node says what.
 */
function repmgrCliDisagreements(order: readonly string[], cli: Record<string, RepmgrCliResult>): LayerDisagreement[] {
  const views: Array<{ node: string; primaries: string[] }> = [];
  for (const name of order) {
    const r = cli[name];
    if (!r?.ok) continue;
    const primaries = r.clusterShow.filter((x) => x.role === 'primary' && (x.status.state === 'running' || x.status.state === 'running-as-primary')).map((x) => x.name).sort();
    views.push({ node: name, primaries });
  }
  const distinct = new Set(views.map((v) => v.primaries.join(',')));
  if (views.length < 2 || distinct.size < 2) {
    const two = views.find((v) => v.primaries.length > 1);
    return two ? [{ node: two.node, layers: ['repmgr'], message: `repmgr on ${two.node} sees ${two.primaries.length} running primaries: ${two.primaries.join(', ')}` }] : [];
  }
  const says = views.map((v) => `${v.node} says ${v.primaries.join(' + ') || 'none'}`).join('; ');
  return [{ node: null, layers: ['repmgr'], message: `repmgr nodes disagree about the primary: ${says}` }];
}

function pgpoolDisagreements(p: PgpoolState, nodes: NodeState[], topo: Topology): LayerDisagreement[] {
  // Applications connect through pgpool: pgpool not answering is as loud as any disagreement.
  if (p.health.kind === 'down') return [{ node: null, layers: [p.name], message: `${p.name} does not answer: ${p.health.reason}` }];
  if (p.health.kind !== 'ok' || !p.sample) return [];
  const out: LayerDisagreement[] = [];
  const layers = ['postgres', p.name];
  for (const n of nodes) {
    const b = backendFor(n, p);
    if (!b) continue;
    const attached = b.status === 'up' || b.status === 'waiting';
    if (n.health.kind === 'down' && attached) {
      out.push({ node: n.name, layers, message: `${p.name} still has ${n.name} attached (${b.status}, ${b.role}) but PostgreSQL does not answer` });
      continue;
    }
    if (n.health.kind !== 'ok' || !n.sample) continue;
    const role = n.sample.role;
    if (attached && (b.role === 'primary' || b.role === 'standby') && b.role !== role) {
      out.push({
        node: n.name,
        layers,
        message: b.role === 'primary'
          ? `${p.name} routes writes to ${n.name} but PostgreSQL says it is a standby`
          : `${p.name} treats ${n.name} as a standby but PostgreSQL says it is the primary`,
      });
    }
    if (!attached && b.status !== 'unused') {
      out.push({ node: n.name, layers, message: `${p.name} has ${n.name} detached (${b.status}) but PostgreSQL answers as ${role}: pcp_attach_node?`, detached: true });
    }
  }
  const poolPrimary = p.sample.nodes.filter((b) => b.role === 'primary' && (b.status === 'up' || b.status === 'waiting'));
  if (topo.primaries.length === 1 && poolPrimary.length === 0) {
    out.push({ node: null, layers, message: `${p.name} has no primary attached; PostgreSQL's primary is ${topo.primaries[0]}: writes through ${p.name} fail` });
  }
  return out;
}

function vipDisagreements(vip: VipView, rows: ConsistencyRow[], pools: PgpoolState[], topo: Topology): LayerDisagreement[] {
  if (vip.asked.length === 0) return [];
  if (vip.holders.length === 0) return [{ node: null, layers: ['vip'], message: `no host holds the VIP ${vip.address} (asked ${vip.asked.join(', ')})` }];
  if (vip.holders.length > 1) return [{ node: null, layers: ['vip'], message: `${vip.holders.length} hosts hold the VIP ${vip.address}: ${vip.holders.join(', ')}` }];
  const holder = vip.holders[0]!;
  // A VIP on the database hosts (keepalived next to PostgreSQL) must follow the primary; one on
  // the pgpool hosts must sit on the watchdog leader.
  if (rows.some((r) => r.node === holder) && topo.primaries.length === 1 && topo.primaries[0] !== holder) {
    return [{ node: holder, layers: ['postgres', 'vip'], message: `the VIP ${vip.address} is on ${holder} but PostgreSQL's primary is ${topo.primaries[0]}` }];
  }
  const pool = pools.find((p) => p.name === holder);
  const wd = pool?.sample?.watchdog;
  if (wd?.ok && wd.info.leaderNodeName !== null) {
    const leader = wd.info.nodes.find((x) => x.nodeName === wd.info.leaderNodeName);
    const local = wd.info.nodes[0];
    if (leader && local && leader !== local) {
      return [{ node: null, layers: [holder, 'vip'], message: `the VIP ${vip.address} is on ${holder} but the watchdog leader is ${wd.info.leaderHostName ?? wd.info.leaderNodeName}` }];
    }
  }
  return [];
}
