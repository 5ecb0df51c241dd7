// Which standby may become the primary, and why not: the wizard's first step lists every
// standby with its reasons, so a refusal never reads "no good candidates".
import type { ClusterConfig } from '../../config/schema.ts';
import type { AppState } from '../../state/store.ts';
import { buildConsistency } from '../consistency.ts';
import { buildTopology } from '../topology.ts';
import type { NodeState } from '../types.ts';

export type Level = 'ok' | 'warn' | 'bad';

export interface SwitchoverThresholds {
  lagBytesWarn: number;
  lagSecondsWarn: number;
}

export interface Candidate {
  node: string;
  /** bad: cannot be chosen; warn: may be chosen, with the reasons shown. */
  level: Level;
  /** Every reason against it (bad) or to look twice (warn), in the order a DBA checks them. */
  reasons: string[];
  lagBytes: number | null;
  lagSeconds: number | null;
  timeline: number | null;
}

export interface Candidates {
  primary: string | null;
  /** Why no switchover can start at all (no primary, two primaries); null when one can. */
  problem: string | null;
  candidates: Candidate[];
}

export type SwitchoverView = Pick<AppState, 'nodeOrder' | 'nodes' | 'pgpoolOrder' | 'pgpools' | 'repmgrCli'>;

const fmtBytes = (b: number) => (b >= 1024 * 1024 ? `${(b / 1024 / 1024).toFixed(1)} MiB` : b >= 1024 ? `${(b / 1024).toFixed(1)} KiB` : `${b} B`);

function repmgrd(n: NodeState, state: SwitchoverView): { running: boolean | null; paused: boolean | null } {
  const r = n.sample?.repmgr;
  if (r?.available && r.repmgrdRunning !== null) return { running: r.repmgrdRunning, paused: r.repmgrdPaused };
  // repmgr's own CLI on the node, when the SQL side cannot tell (repmgr not preloaded)
  const cli = state.repmgrCli[n.name];
  const row = cli?.ok ? cli.serviceStatus.find((x) => x.name === n.name) : undefined;
  return { running: row?.repmgrdRunning ?? null, paused: row?.paused ?? null };
}

export function switchoverCandidates(state: SwitchoverView, cluster: ClusterConfig, t: SwitchoverThresholds): Candidates {
  const all = state.nodeOrder.map((n) => state.nodes[n]!);
  const topo = buildTopology(all);
  const primaries = all.filter((n) => n.health.kind === 'ok' && n.sample?.role === 'primary').map((n) => n.name);
  const problem =
    primaries.length === 0 ? 'no reachable primary: a switchover needs one (after a failure use repmgr standby promote / node rejoin)'
    : primaries.length > 1 ? `more than one primary (${primaries.join(', ')}): resolve the split first`
    : null;
  const primary = primaries.length === 1 ? primaries[0]! : null;
  const primaryTl = primary ? state.nodes[primary]!.sample!.timeline : null;
  const consistency = buildConsistency({ order: state.nodeOrder, nodes: state.nodes, topo, pgpoolOrder: state.pgpoolOrder, pgpools: state.pgpools, vip: null, repmgrCli: state.repmgrCli });

  const candidates: Candidate[] = [];
  for (const n of all) {
    if (n.name === primary) continue;
    const cfg = cluster.nodes.find((c) => c.name === n.name);
    const bad: string[] = [];
    const warn: string[] = [];
    const entry = topo.entries.find((e) => e.name === n.name);
    const link = entry?.link ?? null;
    const s = n.health.kind === 'ok' ? n.sample : null;
    const lagBytes = link?.replayLagBytes ?? null;
    const lagSeconds = link?.replayLagSeconds ?? null;
    if (!s) bad.push(n.health.kind === 'down' ? `unreachable: ${n.health.reason}` : 'not polled yet');
    else if (s.role !== 'standby') bad.push('not a standby');
    else {
      if (!s.receiver || s.receiver.status !== 'streaming') bad.push(`not streaming (wal receiver ${s.receiver ? s.receiver.status : 'not running'})`);
      else if (entry?.upstream !== primary) bad.push(`streams from ${entry?.upstream ?? 'an unknown upstream'}, not from the primary ${primary ?? ''}`.trim());
      if (s.replayPaused) bad.push('WAL replay is paused (pg_wal_replay_resume() first)');
      if (primaryTl !== null && s.timeline !== null && s.timeline < primaryTl) bad.push(`timeline ${s.timeline} behind the primary's ${primaryTl}`);
      if (lagBytes !== null && lagBytes > t.lagBytesWarn) bad.push(`replay lag ${fmtBytes(lagBytes)} over the ${fmtBytes(t.lagBytesWarn)} threshold`);
      if (lagSeconds !== null && lagSeconds > t.lagSecondsWarn) bad.push(`replay lag ${lagSeconds.toFixed(1)} s over the ${t.lagSecondsWarn} s threshold`);
      if (link === null && primary) warn.push('lag unknown: the primary does not list this standby');
      if (s.repmgr === null) bad.push('repmgr extension not found on it');
      const d = repmgrd(n, state);
      if (d.running === false) bad.push('repmgrd not running on it');
      else if (d.paused === true) warn.push('repmgrd is paused on it');
      else if (d.running === null && s.repmgr !== null) warn.push('repmgrd state unknown');
    }
    const row = consistency.rows.find((r) => r.node === n.name);
    for (const [pool, cell] of Object.entries(row?.pgpool ?? {})) {
      if (cell && cell.status === 'down') bad.push(`${pool} has it down (pcp_attach_node first)`);
    }
    if (!cfg?.ssh) bad.push('no ssh: for it in the config (repmgr runs the switchover on the target)');
    candidates.push({ node: n.name, level: bad.length ? 'bad' : warn.length ? 'warn' : 'ok', reasons: [...bad, ...warn], lagBytes, lagSeconds, timeline: s?.timeline ?? null });
  }
  return { primary, problem, candidates };
}
