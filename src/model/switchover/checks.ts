// The switchover's preflight matrix and post-checks, as pure functions over the store: each row
// green / amber / red with the evidence a DBA would look up by hand. Recomputed every frame, so
// a row turns green the moment the probes see it.
import type { ClusterConfig } from '../../config/schema.ts';
import type { AppState } from '../../state/store.ts';
import type { SwitchoverWizardState } from '../../state/switchover-state.ts';
import { buildConsistency, vipView, type ConsistencyRow } from '../consistency.ts';
import { sameEndpoint } from '../pgpool.ts';
import { buildTopology } from '../topology.ts';
import type { NodeState } from '../types.ts';
import { type Level, type SwitchoverThresholds, switchoverCandidates } from './eligibility.ts';

export type RowLevel = Level | 'pending';

export interface CheckRow {
  name: string;
  level: RowLevel;
  evidence: string;
}

export type SwitchoverStoreView = Pick<AppState, 'nodeOrder' | 'nodes' | 'pgpoolOrder' | 'pgpools' | 'repmgrCli' | 'vip' | 'backupOrder' | 'backups'>;

/** What repmgr's --dry-run said, as the preflight shows it. */
export interface DryRunView {
  running: boolean;
  ok: boolean | null;
  error: string | null;
  /** repmgr's own failing / warning lines, to show under the row. */
  problems: string[];
}

const fmtBytes = (b: number) => (b >= 1024 * 1024 ? `${(b / 1024 / 1024).toFixed(1)} MiB` : b >= 1024 ? `${(b / 1024).toFixed(1)} KiB` : `${b} B`);
const ok = (name: string, evidence: string): CheckRow => ({ name, level: 'ok', evidence });
const warn = (name: string, evidence: string): CheckRow => ({ name, level: 'warn', evidence });
const bad = (name: string, evidence: string): CheckRow => ({ name, level: 'bad', evidence });

function context(s: SwitchoverStoreView) {
  const all = s.nodeOrder.map((n) => s.nodes[n]!);
  const topo = buildTopology(all);
  const consistency = buildConsistency({ order: s.nodeOrder, nodes: s.nodes, topo, pgpoolOrder: s.pgpoolOrder, pgpools: s.pgpools, vip: vipView(s.vip), repmgrCli: s.repmgrCli });
  return { all, topo, rows: consistency.rows };
}

const sampleOf = (n: NodeState | undefined) => (n && n.health.kind === 'ok' ? n.sample : null);

function repmgrdRow(s: SwitchoverStoreView, all: NodeState[]): CheckRow {
  const problems: string[] = [];
  const paused: string[] = [];
  for (const n of all) {
    const r = sampleOf(n)?.repmgr;
    const cli = s.repmgrCli[n.name];
    const row = cli?.ok ? cli.serviceStatus.find((x) => x.name === n.name) : undefined;
    const running = r?.available && r.repmgrdRunning !== null ? r.repmgrdRunning : (row?.repmgrdRunning ?? null);
    const isPaused = r?.available && r.repmgrdPaused !== null ? r.repmgrdPaused : (row?.paused ?? null);
    if (n.health.kind !== 'ok') problems.push(`${n.name} unreachable`);
    else if (running === false) problems.push(`not running on ${n.name}`);
    else if (running === null) problems.push(`unknown on ${n.name}`);
    else if (isPaused) paused.push(n.name);
  }
  if (problems.length) return bad('repmgrd', `${problems.join('; ')} (repmgr pauses and resumes repmgrd on every node)`);
  if (paused.length) return warn('repmgrd', `paused on ${paused.join(', ')}: repmgr will unpause it afterwards`);
  return ok('repmgrd', `running, not paused, on all ${all.length} nodes`);
}

function pgpoolRow(s: SwitchoverStoreView, rows: ConsistencyRow[]): CheckRow | null {
  if (s.pgpoolOrder.length === 0) return null;
  const problems: string[] = [];
  const downs: string[] = [];
  for (const name of s.pgpoolOrder) {
    const p = s.pgpools[name]!;
    if (p.health.kind !== 'ok') {
      problems.push(`${name} does not answer${p.health.kind === 'down' ? `: ${p.health.reason}` : ''}`);
      continue;
    }
    for (const r of rows) if (r.pgpool[name]?.status === 'down') downs.push(`${name} has ${r.node} down`);
  }
  if (downs.length) return bad('pgpool', `${downs.join('; ')}: attach it first (pcp_attach_node)`);
  if (problems.length) return warn('pgpool', problems.join('; '));
  return ok('pgpool', `${s.pgpoolOrder.join(', ')}: every backend up`);
}

function vipRow(s: SwitchoverStoreView, rows: ConsistencyRow[], want: string | null, phase: 'pre' | 'post'): CheckRow | null {
  if (!s.vip) return null;
  const v = s.vip;
  if (v.holders.length === 0) return (phase === 'pre' ? warn : bad)('VIP', `no host holds ${v.address}`);
  if (v.holders.length > 1) return bad('VIP', `${v.holders.length} hosts hold ${v.address}: ${v.holders.join(', ')}`);
  const holder = v.holders[0]!;
  const nodeHosts = rows.some((r) => r.vip !== null);
  if (!nodeHosts) return ok('VIP', `${v.address} on ${holder} (not a database node: it follows its own election)`);
  if (want && holder !== want) return (phase === 'pre' ? warn : bad)('VIP', `${v.address} on ${holder}, expected on ${want}`);
  return ok('VIP', `${v.address} on ${holder}`);
}

function barmanRow(s: SwitchoverStoreView, phase: 'pre' | 'post', since = 0): CheckRow | null {
  const keys = s.backupOrder.filter((k) => k.startsWith('barman:'));
  if (keys.length === 0) return null;
  const notes: string[] = [];
  let level: RowLevel = 'ok';
  let anyPending = false;
  for (const k of keys) {
    const b = s.backups[k];
    const name = k.slice('barman:'.length);
    if (!b) {
      notes.push(`${name} not read yet`);
      level = 'warn';
      continue;
    }
    if (phase === 'post' && b.at < since) {
      // what barman said before the switch says nothing about after it
      notes.push(`${name}: being read again`);
      anyPending = true;
      continue;
    }
    if (!b.reachable) {
      notes.push(`${name}: ${b.error ?? 'not reachable'}`);
      level = 'warn';
      continue;
    }
    const failed = (b.checks ?? []).filter((c) => !c.ok).map((c) => c.name);
    const streaming = b.wal?.walStreaming;
    if (failed.length) level = 'warn';
    if (phase === 'post' && streaming !== true) level = 'warn';
    const hint = phase === 'post' && level !== 'ok' ? ' (barman\'s conninfo may still name the old primary; w runs barman switch-wal)' : '';
    notes.push(`${name}: ${failed.length ? `check FAILED: ${failed.join(', ')}` : 'check OK'}${streaming === true ? ', receive-wal streaming' : streaming === false ? ', receive-wal NOT streaming' : ''}${hint}`);
  }
  return { name: 'barman', level: anyPending ? 'pending' : level, evidence: notes.join('; ') };
}

/**
 * The preflight matrix for switching over to `target`. `dryRun` is repmgr's own verdict (null
 * before it has been asked); `pendingArchive` the primary's .ready files when known.
 */
export function preflightRows(s: SwitchoverStoreView, cluster: ClusterConfig, t: SwitchoverThresholds, target: string, dryRun: DryRunView | null, pendingArchive: number | string | null = null): CheckRow[] {
  const { all, rows } = context(s);
  const cands = switchoverCandidates(s, cluster, t);
  const out: CheckRow[] = [];
  const cand = cands.candidates.find((c) => c.node === target);
  const primary = cands.primary;
  const p = primary ? sampleOf(s.nodes[primary]) : null;
  const tgt = sampleOf(s.nodes[target]);

  if (!cand || cands.problem) out.push(bad('target', cands.problem ?? `${target} is not a standby of this cluster`));
  else if (cand.level === 'bad') out.push(bad('target', cand.reasons.join('; ')));
  else out.push({ name: 'target', level: cand.level, evidence: cand.reasons.length ? cand.reasons.join('; ') : `${target} streams from ${primary}` });

  if (cand) {
    const lag = `${cand.lagBytes === null ? '?' : fmtBytes(cand.lagBytes)}, ${cand.lagSeconds === null ? 'idle (no replay lag measured)' : `${cand.lagSeconds.toFixed(1)} s`} (thresholds ${fmtBytes(t.lagBytesWarn)}, ${t.lagSecondsWarn} s)`;
    const over = (cand.lagBytes ?? 0) > t.lagBytesWarn || (cand.lagSeconds ?? 0) > t.lagSecondsWarn;
    out.push(over ? bad('replication lag', lag) : cand.lagBytes === null ? warn('replication lag', lag) : ok('replication lag', lag));
  }

  if (p) {
    const a = p.archiver;
    if (a.archiveMode === 'off') out.push(ok('archiving', `archive_mode off on ${primary}: nothing pending`));
    else {
      const failing = a.lastFailedTime !== null && (a.lastArchivedTime === null || a.lastFailedTime > a.lastArchivedTime);
      const pend = pendingArchive === null ? '' : typeof pendingArchive === 'number' ? `${pendingArchive} file(s) waiting; ` : `pending files ${pendingArchive}; `;
      const ev = `${pend}last archived ${a.lastArchivedWal ?? '-'}, failed ${a.failedCount}${failing ? ` (last failure ${a.lastFailedWal ?? ''} is the newest event)` : ''}`;
      // repmgr waits for the archiver before shutting the primary down (archive_ready_warning 16, _critical 128)
      const many = typeof pendingArchive === 'number' && pendingArchive > 16;
      out.push(failing || many ? warn('archiving', ev) : ok('archiving', ev));
    }
  }

  if (tgt && p) {
    // After the switch every other node streams from the target: the old primary and the siblings.
    const needed = all.length - 1;
    const used = tgt.senders.length;
    const free = tgt.maxWalSenders - used;
    out.push(free >= needed ? ok('WAL senders', `${free} free of ${tgt.maxWalSenders} on ${target}, ${needed} needed`) : bad('WAL senders', `${free} free of ${tgt.maxWalSenders} on ${target}, ${needed} needed (raise max_wal_senders)`));
    const slotsInUse = p.slots.filter((x) => x.slotType === 'physical' && !x.temporary).length;
    if (slotsInUse > 0) {
      const freeSlots = tgt.maxReplicationSlots - tgt.slots.length;
      const neededSlots = Math.min(slotsInUse, needed);
      out.push(freeSlots >= neededSlots ? ok('replication slots', `${freeSlots} free of ${tgt.maxReplicationSlots} on ${target}, ${neededSlots} needed`) : bad('replication slots', `${freeSlots} free of ${tgt.maxReplicationSlots} on ${target}, ${neededSlots} needed (raise max_replication_slots)`));
    }
  }

  out.push(repmgrdRow(s, all));
  const pg = pgpoolRow(s, rows);
  if (pg) out.push(pg);
  const bm = barmanRow(s, 'pre');
  if (bm) out.push(bm);
  const vip = vipRow(s, rows, primary, 'pre');
  if (vip) out.push(vip);

  if (p && p.walSummary) {
    const pOn = p.walSummary.summarizeWal;
    const tOn = tgt?.walSummary?.summarizeWal ?? null;
    if (!pOn) out.push(ok('WAL summarizer', `summarize_wal off on ${primary}: no incremental chain to continue`));
    else if (tOn) out.push(ok('WAL summarizer', `summarize_wal on, on ${primary} and ${target}: incremental backups continue`));
    else out.push(warn('WAL summarizer', `summarize_wal is ${tOn === false ? 'off' : 'unknown'} on ${target}: the next backup after the switch must be a full one`));
  }

  if (!dryRun) out.push({ name: 'repmgr dry run', level: 'pending', evidence: 'not run yet' });
  else if (dryRun.running) out.push({ name: 'repmgr dry run', level: 'pending', evidence: `repmgr standby switchover --dry-run --siblings-follow on ${target} …` });
  else if (dryRun.ok) out.push(dryRun.problems.length ? warn('repmgr dry run', `prerequisites met; ${dryRun.problems.join('; ')}`) : ok('repmgr dry run', 'prerequisites for STANDBY SWITCHOVER are met'));
  else out.push(bad('repmgr dry run', dryRun.error ?? 'failed'));
  return out;
}

export interface PostCheckContext {
  oldPrimary: string;
  target: string;
  timelineBefore: number | null;
  /** When the switchover ended: answers older than this (barman's, read every 30 s) are not counted. */
  since?: number;
}

/**
 * After the switch: every layer must agree on the new primary. 'pending' rows are waited for;
 * 'warn' rows (barman still streaming from the old primary, say) need the DBA but not the wait.
 */
export function postCheckRows(s: SwitchoverStoreView, c: PostCheckContext): CheckRow[] {
  const { all, topo, rows } = context(s);
  const out: CheckRow[] = [];
  const tgt = sampleOf(s.nodes[c.target]);
  const tgtRow = rows.find((r) => r.node === c.target);
  if (!tgt) out.push(bad('new primary', `${c.target} does not answer`));
  else if (tgt.role !== 'primary') out.push({ name: 'new primary', level: 'pending', evidence: `${c.target} is still a ${tgt.role} in PostgreSQL` });
  else if (tgtRow?.repmgr !== null && tgtRow?.repmgr !== 'primary') out.push({ name: 'new primary', level: 'pending', evidence: `${c.target} is primary in PostgreSQL, repmgr says ${tgtRow?.repmgr}` });
  else out.push(ok('new primary', `${c.target} is primary in PostgreSQL${tgtRow?.repmgr ? ' and repmgr' : ''}`));

  const tl = tgt?.timeline ?? null;
  if (tl !== null && c.timelineBefore !== null) out.push(tl > c.timelineBefore ? ok('timeline', `${c.timelineBefore} → ${tl}`) : { name: 'timeline', level: 'pending', evidence: `still ${tl}` });

  const follows = (name: string): { level: RowLevel; text: string } => {
    const n = s.nodes[name];
    const smp = sampleOf(n);
    if (!smp) return { level: 'pending', text: `${name} does not answer${n?.health.kind === 'down' ? ` (${n.health.reason})` : ''}` };
    if (smp.role === 'primary') return { level: name === c.oldPrimary ? 'pending' : 'bad', text: `${name} is a primary` };
    const e = topo.entries.find((x) => x.name === name);
    if (!smp.receiver || smp.receiver.status !== 'streaming') return { level: 'pending', text: `${name} not streaming yet` };
    if (e?.upstream !== c.target) return { level: 'pending', text: `${name} streams from ${e?.upstream ?? '?'}` };
    return { level: 'ok', text: `${name} streams from ${c.target}` };
  };
  const old = follows(c.oldPrimary);
  out.push({ name: 'old primary', level: old.level, evidence: old.text });
  const siblings = all.filter((n) => n.name !== c.oldPrimary && n.name !== c.target).map((n) => follows(n.name));
  if (siblings.length) {
    const worst = siblings.find((x) => x.level === 'bad') ?? siblings.find((x) => x.level === 'pending');
    out.push({ name: 'siblings', level: worst ? worst.level : 'ok', evidence: siblings.map((x) => x.text).join('; ') });
  }

  for (const name of s.pgpoolOrder) {
    const p = s.pgpools[name]!;
    if (p.health.kind !== 'ok') {
      out.push({ name, level: 'pending', evidence: `does not answer${p.health.kind === 'down' ? `: ${p.health.reason}` : ''}` });
      continue;
    }
    const primaryRow = rows.find((r) => r.pgpool[name]?.role === 'primary');
    const downs = rows.filter((r) => r.pgpool[name]?.status === 'down').map((r) => r.node);
    const promote = tgt?.role === 'primary' && primaryRow?.node !== c.target ? ': press a for pcp_promote_node' : '';
    if (primaryRow?.node !== c.target) out.push({ name, level: 'pending', evidence: `primary is ${primaryRow?.node ?? 'none'}${promote}` });
    else if (downs.length) out.push({ name, level: 'pending', evidence: `primary ${c.target}; ${downs.join(', ')} down: press a to attach` });
    else out.push(ok(name, `primary ${c.target}, every backend up`));
  }

  const vip = vipRow(s, rows, c.target, 'post');
  if (vip) out.push(vip.level === 'bad' ? { ...vip, level: 'pending' } : vip);
  const bm = barmanRow(s, 'post', c.since);
  if (bm) out.push(bm);
  return out;
}

/**
 * pgpools whose primary is not `target` although PostgreSQL says it is: pgpool 4.3 keeps its old
 * roles when the old primary was down for less than its health check notices (seen on the lab
 * after a switchover: writes fail read-only), and only pcp_promote_node sets it right.
 */
export function pgpoolsToPromote(s: SwitchoverStoreView, target: string): Array<{ pgpool: string; nodeId: number; node: string }> {
  const t = s.nodes[target];
  if (!t || t.health.kind !== 'ok' || t.sample?.role !== 'primary' || !t.endpoint) return [];
  const out: Array<{ pgpool: string; nodeId: number; node: string }> = [];
  for (const name of s.pgpoolOrder) {
    const p = s.pgpools[name]!;
    if (p.health.kind !== 'ok' || !p.sample) continue;
    const b = p.sample.nodes.find((x) => sameEndpoint({ host: x.hostname, port: x.port }, t.endpoint!));
    if (b && b.role !== 'primary') out.push({ pgpool: name, nodeId: b.nodeId, node: target });
  }
  return out;
}

/** pgpool backends left down after the switch, as pgpool numbers them, for pcp_attach_node. */
export function backendsDown(s: SwitchoverStoreView): Array<{ pgpool: string; nodeId: number; node: string }> {
  const out: Array<{ pgpool: string; nodeId: number; node: string }> = [];
  for (const name of s.pgpoolOrder) {
    const p = s.pgpools[name]!;
    if (p.health.kind !== 'ok' || !p.sample) continue;
    for (const n of s.nodeOrder) {
      const ep = s.nodes[n]!.endpoint;
      const b = ep ? p.sample.nodes.find((x) => sameEndpoint({ host: x.hostname, port: x.port }, ep)) : undefined;
      if (b && b.status === 'down') out.push({ pgpool: name, nodeId: b.nodeId, node: n });
    }
  }
  return out;
}

/** The preflight as the wizard has it: its dry run's verdict and the primary's archive facts. */
export function wizardPreflightRows(w: SwitchoverWizardState, s: SwitchoverStoreView, cluster: ClusterConfig, t: SwitchoverThresholds): CheckRow[] {
  const dr = w.dryRun;
  const problems = dr ? dr.checks.filter((c) => c.level === 'warn' || c.level === 'bad').map((c) => c.text) : [];
  return preflightRows(s, cluster, t, w.target!, dr ? { running: dr.running, ok: dr.ok, error: dr.error, problems } : null, w.pendingArchive);
}

/** The post-checks' context from the wizard: answers older than its post-check phase do not count. */
export function wizardPostContext(w: SwitchoverWizardState): PostCheckContext {
  return { oldPrimary: w.oldPrimary!, target: w.target!, timelineBefore: w.timelineBefore, since: w.phases.find((p) => p.name === 'post-checks')?.startedAt };
}
