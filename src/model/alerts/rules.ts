// Alert rules (issue 6, first slice): pure functions of the store, each alert with a stable code,
// a severity, the subject it is about, one line a DBA understands, and the evidence behind it.
import { newestUsable } from '../backup-chains.ts';
import type { BackupInfo } from '../backups.ts';
import { lsnDiff } from '../lsn.ts';
import { buildConsistency, vipView } from '../consistency.ts';
import { buildTopology } from '../topology.ts';
import type { AppState } from '../../state/store.ts';
import type { NodeState } from '../types.ts';
import { DEFAULT_THRESHOLDS, type Thresholds } from '../../config/schema.ts';

export type Severity = 'critical' | 'warning';

export interface Alert {
  /** Stable across versions: monitoring and acknowledgements key on it (with the subject). */
  code: string;
  severity: Severity;
  /** The node, slot, pgpool or backup source it is about; the cluster for cluster-wide ones. */
  subject: string;
  message: string;
  evidence: string[];
}

export interface AlertThresholds {
  lagBytes: number;
  lagSeconds: number;
  /** An inactive slot holding back more WAL than this. */
  slotRetainedBytes: number;
  /** WAL waiting for the archiver and nothing archived for this long. */
  archiveAgeSeconds: number;
  /** The newest usable backup older than this. */
  backupAgeSeconds: number;
  /** The WAL summarizer this far behind its server. */
  summarizerBehindBytes: number;
}


/** The cluster's `thresholds` from the config as the rules read them. */
export function alertThresholds(t: Thresholds): AlertThresholds {
  return { lagBytes: t.lagBytesWarn, lagSeconds: t.lagSecondsWarn, slotRetainedBytes: t.slotRetainedBytes, archiveAgeSeconds: t.archiveAgeSeconds, backupAgeSeconds: t.backupAgeSeconds, summarizerBehindBytes: t.summarizerBehindBytes };
}

export const DEFAULT_ALERT_THRESHOLDS: AlertThresholds = alertThresholds(DEFAULT_THRESHOLDS);

export type AlertInput = Pick<AppState, 'nodeOrder' | 'nodes' | 'pgpoolOrder' | 'pgpools' | 'repmgrCli' | 'vip' | 'backupOrder' | 'backups'>;

const MiB = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MiB`;

/**
 * 16 MiB segments since the start of the WAL, from a WAL file name (TLI + log + seg); null if not
 * one. A backup history file or a partial segment counts as its segment: right after a base
 * backup the archiver's last file is `…0002.00000028.backup` until the next segment fills.
 */
export function walSegmentNo(name: string | null): number | null {
  const m = name ? /^[0-9A-F]{8}([0-9A-F]{8})([0-9A-F]{8})(\.partial|\.[0-9A-F]{8}\.backup)?$/.exec(name) : null;
  return m ? parseInt(m[1]!, 16) * 0x100 + parseInt(m[2]!, 16) : null;
}

const answered = (n: NodeState) => (n.health.kind === 'ok' ? n.sample : null);

/**
 * An open alert on a level that wobbles (lag, retained WAL, summarizer distance) clears only below
 * this share of its threshold, so a value hovering at the threshold does not raise and clear it
 * every tick (the timeline filled with pairs on the demo's lag pattern).
 */
export const CLEAR_RATIO = 0.8;

function nodeAlerts(input: AlertInput, t: AlertThresholds, now: number, open: ReadonlySet<string>): Alert[] {
  const out: Alert[] = [];
  const over = (value: number, limit: number, code: string, subject: string) => value > (open.has(`${code} ${subject}`) ? limit * CLEAR_RATIO : limit);
  const all = input.nodeOrder.map((n) => input.nodes[n]!);
  const topo = buildTopology(all);
  const primaries = topo.primaries;
  if (primaries.length > 1) out.push({ code: 'PRIMARY_SPLIT', severity: 'critical', subject: primaries.join(','), message: `${primaries.length} primaries: ${primaries.join(', ')} (split brain)`, evidence: primaries.map((p) => `${p}: pg_is_in_recovery() = false`) });
  if (primaries.length === 0 && all.some((n) => n.health.kind !== 'connecting')) out.push({ code: 'PRIMARY_NONE', severity: 'critical', subject: 'cluster', message: 'no reachable primary', evidence: all.map((n) => `${n.name}: ${n.health.kind === 'down' ? n.health.reason : (n.sample?.role ?? n.health.kind)}`) });
  const primary = primaries.length === 1 ? answered(input.nodes[primaries[0]!]!) : null;

  for (const n of all) {
    if (n.health.kind === 'down') {
      out.push({ code: 'NODE_DOWN', severity: 'critical', subject: n.name, message: `${n.name} does not answer: ${n.health.reason}`, evidence: [n.health.reason] });
      continue;
    }
    const s = answered(n);
    if (!s) continue;
    if (s.role === 'standby') {
      const e = topo.entries.find((x) => x.name === n.name);
      if (!s.receiver || s.receiver.status !== 'streaming') {
        out.push({ code: 'STANDBY_NOT_STREAMING', severity: 'critical', subject: n.name, message: `${n.name} is not streaming (wal receiver ${s.receiver ? s.receiver.status : 'not running'})`, evidence: [`pg_stat_wal_receiver: ${s.receiver ? s.receiver.status : 'no row'}`] });
      }
      const link = e?.link ?? null;
      const bytes = link?.replayLagBytes ?? null;
      const secs = link?.replayLagSeconds ?? null;
      if (bytes !== null && over(bytes, t.lagBytes, 'LAG_BYTES', n.name)) out.push({ code: 'LAG_BYTES', severity: 'warning', subject: n.name, message: `${n.name} replays ${MiB(bytes)} behind (threshold ${MiB(t.lagBytes)})`, evidence: [`replay_lsn ${link?.replayLsn ?? '?'}`] });
      // replay_lag keeps its last value while an idle primary writes nothing: only alarm while behind
      if (secs !== null && over(secs, t.lagSeconds, 'LAG_SECONDS', n.name) && (bytes === null || bytes > 0)) out.push({ code: 'LAG_SECONDS', severity: 'warning', subject: n.name, message: `${n.name} replays ${secs.toFixed(0)} s behind (threshold ${t.lagSeconds} s)`, evidence: [`replay_lag ${secs.toFixed(1)} s, ${bytes ?? '?'} bytes behind`] });
      if (s.replayPaused) out.push({ code: 'REPLAY_PAUSED', severity: 'warning', subject: n.name, message: `WAL replay is paused on ${n.name}`, evidence: ['pg_is_wal_replay_paused() = true'] });
      if (primary?.timeline != null && s.timeline != null && s.timeline !== primary.timeline) out.push({ code: 'TIMELINE_DIVERGED', severity: 'warning', subject: n.name, message: `${n.name} is on timeline ${s.timeline}, the primary on ${primary.timeline}`, evidence: [] });
    }
    for (const slot of s.slots) {
      const subject = `${n.name}/${slot.slotName}`;
      if (slot.walStatus === 'lost' || slot.invalidationReason) out.push({ code: 'SLOT_INVALIDATED', severity: 'critical', subject, message: `slot ${slot.slotName} on ${n.name} lost its WAL${slot.invalidationReason ? ` (${slot.invalidationReason})` : ''}: its consumer must be rebuilt`, evidence: [`wal_status ${slot.walStatus ?? '?'}`] });
      else if (slot.walStatus === 'unreserved') out.push({ code: 'SLOT_UNRESERVED', severity: 'warning', subject, message: `slot ${slot.slotName} on ${n.name} is past max_slot_wal_keep_size: its WAL may be removed at the next checkpoint`, evidence: ['wal_status unreserved'] });
      if (!slot.active && slot.retainedBytes !== null && over(slot.retainedBytes, t.slotRetainedBytes, 'SLOT_INACTIVE_RETAINING', subject)) out.push({ code: 'SLOT_INACTIVE_RETAINING', severity: 'warning', subject, message: `inactive slot ${slot.slotName} on ${n.name} holds ${MiB(slot.retainedBytes)} of WAL`, evidence: [`restart_lsn ${slot.restartLsn ?? '?'}`] });
    }
    const a = s.archiver;
    if (s.role === 'primary' && a.archiveMode !== 'off') {
      const failing = a.lastFailedTime !== null && (a.lastArchivedTime === null || Date.parse(a.lastFailedTime) > Date.parse(a.lastArchivedTime));
      if (failing) out.push({ code: 'ARCHIVER_FAILING', severity: 'critical', subject: n.name, message: `archiving fails on ${n.name}: last failed ${a.lastFailedWal ?? '?'}`, evidence: [`failed_count ${a.failedCount}`, `last archived ${a.lastArchivedWal ?? '-'}`] });
      const cur = walSegmentNo(a.currentWalFile);
      const last = walSegmentNo(a.lastArchivedWal);
      const age = a.lastArchivedTime ? (now - Date.parse(a.lastArchivedTime)) / 1000 : null;
      if (!failing && cur !== null && last !== null && cur - last > 1 && age !== null && age > t.archiveAgeSeconds) out.push({ code: 'ARCHIVE_STALE', severity: 'warning', subject: n.name, message: `${cur - last - 1} WAL segment(s) written on ${n.name} but nothing archived for ${Math.round(age / 60)} min`, evidence: [`current ${a.currentWalFile}`, `last archived ${a.lastArchivedWal}`] });
    }
    const ws = s.walSummary;
    if (ws?.summarizeWal) {
      if (ws.summarizerPid === null) out.push({ code: 'SUMMARIZER_DOWN', severity: 'warning', subject: n.name, message: `summarize_wal is on but no WAL summarizer runs on ${n.name}`, evidence: [] });
      else if (ws.behindBytes !== null && over(ws.behindBytes, t.summarizerBehindBytes, 'SUMMARIZER_BEHIND', n.name)) out.push({ code: 'SUMMARIZER_BEHIND', severity: 'warning', subject: n.name, message: `the WAL summarizer on ${n.name} is ${MiB(ws.behindBytes)} behind`, evidence: [`summarized ${ws.summarizedLsn ?? '?'}`] });
    }
    const r = s.repmgr;
    if (r?.available && r.repmgrdRunning === false) out.push({ code: 'REPMGRD_DOWN', severity: 'warning', subject: n.name, message: `repmgrd is not running on ${n.name}: no automatic failover from there`, evidence: ['repmgr.repmgrd_is_running() = false'] });
    else if (r?.available && r.repmgrdPaused) out.push({ code: 'REPMGRD_PAUSED', severity: 'warning', subject: n.name, message: `repmgrd is paused on ${n.name}`, evidence: ['repmgr.repmgrd_is_paused() = true'] });
  }
  return out;
}

function layerAlerts(input: AlertInput): Alert[] {
  const out: Alert[] = [];
  const all = input.nodeOrder.map((n) => input.nodes[n]!);
  const c = buildConsistency({ order: input.nodeOrder, nodes: input.nodes, topo: buildTopology(all), pgpoolOrder: input.pgpoolOrder, pgpools: input.pgpools, vip: vipView(input.vip), repmgrCli: input.repmgrCli });
  for (const d of c.disagreements) {
    // two PostgreSQL primaries and a pgpool that does not answer have their own codes
    if (d.layers.length === 1 && (d.layers[0] === 'postgres' || input.pgpoolOrder.includes(d.layers[0]!))) continue;
    // a standby pgpool detached is PGPOOL_BACKEND_DOWN (a warning), not a critical disagreement too
    if (d.detached) continue;
    const vipOnly = d.layers.length === 1 && d.layers[0] === 'vip';
    out.push({ code: vipOnly ? 'VIP_HOLDERS' : 'LAYERS_DISAGREE', severity: 'critical', subject: d.node ?? 'cluster', message: d.message, evidence: [`layers: ${d.layers.join(', ')}`] });
  }
  for (const name of input.pgpoolOrder) {
    const p = input.pgpools[name]!;
    if (p.health.kind === 'down') {
      out.push({ code: 'PGPOOL_DOWN', severity: 'critical', subject: name, message: `${name} does not answer: ${p.health.reason}`, evidence: [p.health.reason] });
      continue;
    }
    for (const r of c.rows) if (r.pgpool[name]?.status === 'down' && r.postgres !== 'down') out.push({ code: 'PGPOOL_BACKEND_DOWN', severity: 'warning', subject: `${name}/${r.node}`, message: `${name} has ${r.node} down while PostgreSQL there answers (pcp_attach_node)`, evidence: [`postgres: ${r.postgres}`] });
    const wd = p.sample?.watchdog;
    if (wd?.ok && (wd.info.quorumState === 'QUORUM ABSENT' || wd.info.quorumState === 'NO LEADER NODE')) out.push({ code: 'WATCHDOG_QUORUM', severity: 'critical', subject: name, message: `${name} watchdog: ${wd.info.quorumState.toLowerCase()}`, evidence: [`alive ${wd.info.aliveRemoteNodes} of ${wd.info.remoteNodes} remote`] });
  }
  return out;
}

/**
 * PostgreSQL 17 takes an incremental backup only if WAL summaries cover everything since its
 * parent began; wal_summary_keep_time removes old ones. Null when they do (or it does not apply).
 */
function summariesGap(input: AlertInput, newest: BackupInfo | null): { node: string; oldest: string | null; keepMinutes: number } | null {
  if (!newest?.beginLsn) return null;
  const primaries = input.nodeOrder.map((n) => input.nodes[n]!).filter((n) => n.health.kind === 'ok' && n.sample?.role === 'primary');
  if (primaries.length !== 1) return null;
  const ws = primaries[0]!.sample!.walSummary;
  if (!ws?.summarizeWal) return null;
  const missing = ws.summaryCount === 0 || ws.oldestStartLsn === null;
  const after = lsnDiff(ws.oldestStartLsn, newest.beginLsn);
  if (!missing && !(after !== null && after > 0)) return null;
  return { node: primaries[0]!.name, oldest: missing ? null : ws.oldestStartLsn, keepMinutes: ws.keepTimeMinutes };
}

function backupAlerts(input: AlertInput, t: AlertThresholds, now: number): Alert[] {
  const out: Alert[] = [];
  for (const key of input.backupOrder) {
    const b = input.backups[key];
    if (!b) continue;
    if (!b.reachable) {
      out.push({ code: 'BACKUP_SOURCE_UNREADABLE', severity: 'warning', subject: key, message: `${key} could not be read: ${b.error ?? '?'}`, evidence: [] });
      continue;
    }
    const failed = (b.checks ?? []).filter((c) => !c.ok);
    if (failed.length) out.push({ code: 'BARMAN_CHECK', severity: 'warning', subject: key, message: `barman check FAILED: ${failed.map((c) => c.name).join(', ')}`, evidence: failed.map((c) => `${c.name}${c.hint ? `: ${c.hint}` : ''}`) });
    const newest = newestUsable(b.backups);
    const age = newest?.endTime ? (now - Date.parse(newest.endTime)) / 1000 : null;
    if (!newest) out.push({ code: 'BACKUP_NONE', severity: 'warning', subject: key, message: `${key} has no usable backup`, evidence: [`${b.backups.length} backup(s) listed`] });
    else if (age !== null && age > t.backupAgeSeconds) out.push({ code: 'BACKUP_STALE', severity: 'warning', subject: key, message: `the newest usable backup on ${key} is ${Math.round(age / 3600)} h old (${newest.id})`, evidence: [`ended ${newest.endTime}`] });
    const gap = summariesGap(input, newest);
    if (gap) out.push({ code: 'SUMMARIES_MISSING', severity: 'warning', subject: key, message: `WAL summaries on ${gap.node} ${gap.oldest ? `start at ${gap.oldest}, after` : 'do not reach back to'} the start of ${newest!.id} (${newest!.beginLsn}): an incremental backup on it will fail, the next one must be full`, evidence: [`oldest summary start ${gap.oldest ?? 'none'}`, `wal_summary_keep_time ${gap.keepMinutes} min`] });
    for (const ch of b.chains) if (ch.broken) out.push({ code: 'BACKUP_CHAIN_BROKEN', severity: 'warning', subject: `${key}/${ch.rootId}`, message: `broken backup chain from ${ch.rootId}: ${ch.reason ?? '?'}`, evidence: ch.members });
  }
  return out;
}

const RANK: Record<Severity, number> = { critical: 0, warning: 1 };

/** Every alert the store's current state raises, critical first, then by code and subject; `open`: keys (code subject) of the alerts open now. */
export function evaluateAlerts(input: AlertInput, t: AlertThresholds = DEFAULT_ALERT_THRESHOLDS, now = Date.now(), open: ReadonlySet<string> = new Set()): Alert[] {
  return [...nodeAlerts(input, t, now, open), ...layerAlerts(input), ...backupAlerts(input, t, now)]
    .sort((a, b) => RANK[a.severity] - RANK[b.severity] || a.code.localeCompare(b.code) || a.subject.localeCompare(b.subject));
}
