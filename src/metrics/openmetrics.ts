// `/metrics` for `pgtop-ha exporter`: the store's current state as OpenMetrics 1.0 text, or as the
// Prometheus text format 0.0.4 for scrapers that do not ask for OpenMetrics. Pure, so
// a scrape never polls: the exporter's own scheduler keeps the store fresh. Data not read (a node
// down, PostgreSQL < 17, no backups configured) is an absent series, never a made-up 0 (the 0 lag
// seconds of a caught-up standby is PostgreSQL's own answer); only the alert counts are always
// there, so "no alerts" is a sample and not a gap.
import type { TrackedAlert } from '../model/alerts/tracker.ts';
import type { BackupSourceState } from '../model/backups.ts';
import { newestUsable } from '../model/backup-chains.ts';
import { type PgpoolState, sameEndpoint } from '../model/pgpool.ts';
import { buildTopology } from '../model/topology.ts';
import type { NodeState } from '../model/types.ts';

export interface MetricsInput {
  cluster: string;
  nodeOrder: string[];
  nodes: Record<string, NodeState>;
  pgpoolOrder: string[];
  pgpools: Record<string, PgpoolState>;
  backupOrder: string[];
  backups: Record<string, BackupSourceState>;
  alerts: readonly TrackedAlert[];
  lastRefreshAt: number | null;
}

type Kind = 'gauge' | 'counter' | 'info';
/** OpenMetrics 1.0.0, or the older Prometheus text format 0.0.4 (no UNIT, no info type, no # EOF). */
export type Exposition = 'openmetrics' | 'text';
type Labels = Record<string, string | number>;

interface Family {
  name: string;
  kind: Kind;
  unit?: 'bytes' | 'seconds';
  help: string;
  samples: Array<{ labels: Labels; value: number }>;
}

/** Label values escape backslash, double quote and line feed (OpenMetrics ABNF). */
export function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function value(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function sampleName(f: Family): string {
  return f.kind === 'counter' ? `${f.name}_total` : f.kind === 'info' ? `${f.name}_info` : f.name;
}

// HELP escapes differ: OpenMetrics treats it as an escaped string (quote included), 0.0.4 only
// knows backslash and line feed and would keep a backslash before a quote.
function escapeHelp(h: string, format: Exposition): string {
  const s = h.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  return format === 'openmetrics' ? s.replace(/"/g, '\\"') : s;
}

export function renderFamilies(families: readonly Family[], format: Exposition = 'openmetrics'): string {
  const out: string[] = [];
  for (const f of families) {
    if (f.samples.length === 0) continue;
    if (format === 'openmetrics') {
      out.push(`# TYPE ${f.name} ${f.kind}`);
      if (f.unit) out.push(`# UNIT ${f.name} ${f.unit}`);
      out.push(`# HELP ${f.name} ${escapeHelp(f.help, format)}`);
    } else {
      // 0.0.4 names a family by its samples' name and has no info type (an info is a gauge of 1)
      const name = sampleName(f);
      out.push(`# HELP ${name} ${escapeHelp(f.help, format)}`);
      out.push(`# TYPE ${name} ${f.kind === 'info' ? 'gauge' : f.kind}`);
    }
    for (const s of f.samples) {
      const labels = Object.entries(s.labels).map(([k, v]) => `${k}="${escapeLabel(String(v))}"`).join(',');
      out.push(`${sampleName(f)}${labels ? `{${labels}}` : ''} ${value(s.value)}`);
    }
  }
  if (format === 'openmetrics') out.push('# EOF');
  return out.length ? `${out.join('\n')}\n` : '';
}

const fam = (name: string, kind: Kind, help: string, unit?: Family['unit']): Family => ({ name: `pgtop_ha_${name}`, kind, help, unit, samples: [] });
const age = (now: number, iso: string | null) => {
  const t = iso ? Date.parse(iso) : NaN;
  return Number.isFinite(t) ? Math.max(0, (now - t) / 1000) : null;
};

/** Every family, in a stable order; the names and labels are documented in the README. */
export function metricFamilies(m: MetricsInput, now: number, version: string): Family[] {
  const c = { cluster: m.cluster };
  const build = fam('build', 'info', 'pgtop-ha version serving these metrics');
  build.samples.push({ labels: { ...c, version }, value: 1 });
  const lastPoll = fam('last_poll_timestamp_seconds', 'gauge', 'when the newest node sample was taken (Unix time)', 'seconds');
  if (m.lastRefreshAt !== null) lastPoll.samples.push({ labels: c, value: m.lastRefreshAt / 1000 });

  const up = fam('node_up', 'gauge', '1 when the node answered the last poll, 0 when it did not (absent before the first answer)');
  const primary = fam('node_is_primary', 'gauge', '1 when PostgreSQL on the node is not in recovery');
  const rtt = fam('node_probe_round_trip_seconds', 'gauge', 'round trip of the last probe query', 'seconds');
  const lagBytes = fam('replication_lag_bytes', 'gauge', 'replay lag of a standby in bytes, from its upstream pg_stat_replication', 'bytes');
  const lagSeconds = fam('replication_lag_seconds', 'gauge', 'replay_lag of a standby, from its upstream pg_stat_replication (0 when caught up and idle)', 'seconds');
  const slotActive = fam('replication_slot_active', 'gauge', '1 when a consumer is connected to the slot');
  const slotRetained = fam('replication_slot_retained_bytes', 'gauge', 'WAL the slot holds back (current LSN - restart_lsn)', 'bytes');
  const sumFiles = fam('wal_summary_files', 'gauge', 'WAL summary files (PostgreSQL 17+, summarize_wal on)');
  const sumBehind = fam('wal_summarizer_behind_bytes', 'gauge', 'how far the WAL summarizer is behind the node', 'bytes');
  const sumRunning = fam('wal_summarizer_running', 'gauge', '1 when summarize_wal is on and the summarizer process runs');
  const archived = fam('archiver_archived', 'counter', 'WAL files archived (pg_stat_archiver.archived_count)');
  const failed = fam('archiver_failed', 'counter', 'failed archive attempts (pg_stat_archiver.failed_count)');
  const archAge = fam('archiver_last_archive_age_seconds', 'gauge', 'seconds since the last WAL file was archived', 'seconds');
  const repmgrd = fam('repmgrd_running', 'gauge', '1 when repmgrd runs on the node (repmgr.repmgrd_is_running())');
  const repmgrdPaused = fam('repmgrd_paused', 'gauge', '1 when repmgrd is paused on the node');

  const list = m.nodeOrder.map((n) => m.nodes[n]!);
  for (const n of list) {
    const labels = { ...c, node: n.name };
    if (n.health.kind === 'connecting') continue;
    up.samples.push({ labels, value: n.health.kind === 'ok' ? 1 : 0 });
    const s = n.health.kind === 'ok' ? n.sample : null;
    if (!s) continue;
    primary.samples.push({ labels, value: s.role === 'primary' ? 1 : 0 });
    // to the microsecond: ms / 1000 alone prints float noise such as 0.018920000000000003
    rtt.samples.push({ labels, value: Math.round(s.roundTripMs * 1000) / 1e6 });
    for (const slot of s.slots) {
      const sl = { ...labels, slot: slot.slotName, slot_type: slot.slotType };
      slotActive.samples.push({ labels: sl, value: slot.active ? 1 : 0 });
      if (slot.retainedBytes !== null) slotRetained.samples.push({ labels: sl, value: slot.retainedBytes });
    }
    const w = s.walSummary;
    if (w) {
      sumRunning.samples.push({ labels, value: w.summarizeWal && w.summarizerPid !== null ? 1 : 0 });
      if (w.summarizeWal) sumFiles.samples.push({ labels, value: w.summaryCount });
      if (w.summarizeWal && w.behindBytes !== null) sumBehind.samples.push({ labels, value: w.behindBytes });
    }
    if (s.archiver.archiveMode !== 'off' && s.role === 'primary') {
      archived.samples.push({ labels, value: s.archiver.archivedCount });
      failed.samples.push({ labels, value: s.archiver.failedCount });
      const a = age(now, s.archiver.lastArchivedTime);
      if (a !== null) archAge.samples.push({ labels, value: a });
    }
    const r = s.repmgr?.available ? s.repmgr : null;
    if (r && r.repmgrdRunning !== null) {
      repmgrd.samples.push({ labels, value: r.repmgrdRunning ? 1 : 0 });
      repmgrdPaused.samples.push({ labels, value: r.repmgrdPaused ? 1 : 0 });
    }
  }
  for (const e of buildTopology(list).entries) {
    if (!e.link || !e.upstream) continue;
    const labels = { ...c, standby: e.name, upstream: e.upstream };
    if (e.link.replayLagBytes !== null) lagBytes.samples.push({ labels, value: e.link.replayLagBytes });
    // PostgreSQL clears replay_lag once a standby has caught up and nothing is written; with no
    // bytes behind that NULL means no lag, and a series that vanished whenever the primary idles
    // would leave dashboards empty and trip absent() alerts. Behind with no time yet stays absent.
    const seconds = e.link.replayLagSeconds ?? (e.link.replayLagBytes === 0 ? 0 : null);
    if (seconds !== null) lagSeconds.samples.push({ labels, value: seconds });
  }

  const poolUp = fam('pgpool_up', 'gauge', '1 when pgpool answered SHOW pool_nodes on the last poll');
  const backendUp = fam('pgpool_backend_up', 'gauge', '1 when pgpool has the backend up (status up or waiting), 0 when down or quarantined');
  for (const name of m.pgpoolOrder) {
    const p = m.pgpools[name]!;
    if (p.health.kind === 'connecting') continue;
    poolUp.samples.push({ labels: { ...c, pgpool: name }, value: p.health.kind === 'ok' ? 1 : 0 });
    if (p.health.kind !== 'ok') continue;
    for (const b of p.sample?.nodes ?? []) {
      const node = list.find((n) => n.endpoint && sameEndpoint(n.endpoint, { host: b.hostname, port: b.port }))?.name ?? '';
      backendUp.samples.push({ labels: { ...c, pgpool: name, backend_id: b.nodeId, backend: `${b.hostname}:${b.port}`, node, role: b.role }, value: b.status === 'up' || b.status === 'waiting' ? 1 : 0 });
    }
  }

  const backupAge = fam('backup_last_age_seconds', 'gauge', 'seconds since the newest usable backup ended', 'seconds');
  const backupSize = fam('backup_last_size_bytes', 'gauge', 'size of the newest usable backup', 'bytes');
  const backupDuration = fam('backup_last_duration_seconds', 'gauge', 'how long the newest usable backup took', 'seconds');
  const backupCount = fam('backups', 'gauge', 'backups the source lists, by status');
  const sourceUp = fam('backup_source_up', 'gauge', '1 when the backup source (barman server or backup directory) answered its last read');
  for (const key of m.backupOrder) {
    const src = m.backups[key];
    if (src) sourceUp.samples.push({ labels: { ...c, source: key }, value: src.reachable ? 1 : 0 });
    if (!src?.reachable) continue;
    const newest = newestUsable(src.backups);
    const labels = { ...c, source: key };
    if (newest) {
      const bl = { ...labels, backup_id: newest.id, type: newest.type };
      const a = age(now, newest.endTime);
      if (a !== null) backupAge.samples.push({ labels: bl, value: a });
      if (newest.sizeBytes !== null) backupSize.samples.push({ labels: bl, value: newest.sizeBytes });
      if (newest.durationSeconds !== null) backupDuration.samples.push({ labels: bl, value: newest.durationSeconds });
    }
    const byStatus = new Map<string, number>();
    for (const b of src.backups) byStatus.set(b.status, (byStatus.get(b.status) ?? 0) + 1);
    for (const [status, count] of [...byStatus].sort()) backupCount.samples.push({ labels: { ...labels, status }, value: count });
  }

  const alerts = fam('alerts', 'gauge', 'open alerts by severity (acknowledged ones included)');
  for (const severity of ['critical', 'warning'] as const) alerts.samples.push({ labels: { ...c, severity }, value: m.alerts.filter((a) => a.severity === severity).length });
  const alert = fam('alert', 'gauge', 'one series per open alert, 1 (code and subject as in the console)');
  for (const a of m.alerts) alert.samples.push({ labels: { ...c, code: a.code, severity: a.severity, subject: a.subject }, value: 1 });

  return [build, lastPoll, up, primary, rtt, lagBytes, lagSeconds, slotActive, slotRetained, sumRunning, sumFiles, sumBehind, archived, failed, archAge,
    repmgrd, repmgrdPaused, poolUp, backendUp, sourceUp, backupAge, backupSize, backupDuration, backupCount, alerts, alert];
}

export function renderMetrics(m: MetricsInput, now: number, version: string, format: Exposition = 'openmetrics'): string {
  return renderFamilies(metricFamilies(m, now, version), format);
}
