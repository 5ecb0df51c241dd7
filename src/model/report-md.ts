// `pgtop-ha snapshot --format md`: the daily check report a DBA pastes into a ticket — alerts,
// versions and topology, pgpool, backups, WAL summaries and archiving, slots — as GitHub-flavoured
// Markdown tables. Pure over the snapshot document, so it says exactly what `--json` says.
import type { Snapshot } from './snapshot.ts';

/** A table cell: pipes escaped, line breaks folded, null shown as a dash. */
function cell(v: unknown): string {
  if (v === null || v === undefined || v === '') return '-';
  return String(v).replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

function table(head: string[], rows: unknown[][]): string[] {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)];
}

function bytes(n: number | null | undefined): string | null {
  if (n === null || n === undefined) return null;
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`;
}

function age(seconds: number | null | undefined): string | null {
  if (seconds === null || seconds === undefined) return null;
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} d`;
}

export function snapshotMarkdown(s: Snapshot): string {
  const out: string[] = [`# pgtop-ha report: cluster ${s.cluster}`, '', `Taken at ${s.taken_at}.`, ''];
  const crit = s.alerts.filter((a) => a.severity === 'critical').length;
  out.push('## Alerts', '');
  if (s.alerts.length === 0) out.push('No open alerts.');
  else {
    out.push(`${crit} critical, ${s.alerts.length - crit} warning.`, '');
    out.push(...table(['severity', 'code', 'subject', 'message', 'since'], s.alerts.map((a) => [a.severity, `\`${a.code}\``, a.subject, a.message, a.since])));
  }

  out.push('', '## Nodes', '');
  out.push(...table(
    ['node', 'role', 'PostgreSQL', 'repmgr', 'state', 'upstream', 'TL', 'LSN', 'lag', 'lag time', 'repmgrd'],
    s.nodes.map((n) => [
      n.name, n.reachable ? n.role : `DOWN: ${n.error ?? '?'}`, n.server_version, n.repmgr?.ext_version ?? null,
      n.replay_paused ? 'paused' : n.state, n.upstream, n.timeline, n.lsn, bytes(n.lag_bytes),
      n.replay_lag_seconds === null ? null : `${n.replay_lag_seconds.toFixed(1)} s`, n.repmgr?.repmgrd ?? null,
    ]),
  ));
  if (s.consistency.disagreements.length) {
    out.push('', '**Layers disagree:**', '', ...s.consistency.disagreements.map((d) => `- ${d.message} (${d.layers.join(', ')})`));
  }
  if (s.vip) out.push('', `VIP ${s.vip.address}: ${s.vip.holders.length ? `on ${s.vip.holders.join(', ')}` : 'on no host'}${s.vip.problem ? ` (${s.vip.problem})` : ''}.`);

  for (const p of s.pgpool) {
    out.push('', `## pgpool-II ${p.name}${p.version ? ` (${p.version})` : ''}`, '');
    if (!p.reachable) {
      out.push(`Not reachable: ${p.error ?? '?'}`);
      continue;
    }
    out.push(...table(['id', 'backend', 'node', 'status', 'pg_status', 'role', 'pg_role', 'delay', 'last status change'],
      p.nodes.map((b) => [b.node_id, `${b.hostname}:${b.port}`, b.node, b.status, b.pg_status, b.role, b.pg_role,
        b.replication_delay === null ? null : b.replication_delay_unit === 'seconds' ? `${b.replication_delay} s` : bytes(b.replication_delay), b.last_status_change])));
    if (p.watchdog) out.push('', p.watchdog.available ? `Watchdog: ${p.watchdog.quorum_state}, leader ${p.watchdog.leader_node_name ?? '-'}, ${p.watchdog.alive_remote_nodes} of ${(p.watchdog.total_nodes ?? 1) - 1} remote alive.` : `Watchdog: not read (${p.watchdog.error}).`);
  }

  if (s.backups.length) {
    out.push('', '## Backups', '');
    out.push(...table(['source', 'server', 'version', 'backups', 'last backup', 'age', 'check', 'broken chains'],
      s.backups.map((b) => {
        const failed = b.check ? Object.entries(b.check).filter(([, v]) => v.status !== 'OK').map(([k]) => k) : null;
        return [b.source, b.server, 'barman_version' in b ? b.barman_version : null, b.backups.length, b.last_backup_id, age(b.last_backup_age_seconds),
          b.reachable ? (failed === null ? null : failed.length ? `FAILED: ${failed.join(', ')}` : 'OK') : `unreadable: ${b.error ?? '?'}`,
          b.chains.filter((c) => c.broken).length];
      })));
  }

  const summaries = s.wal_summaries.filter((w) => w.available);
  if (summaries.length) {
    out.push('', '## WAL summaries (PostgreSQL 17+)', '');
    out.push(...table(['node', 'summarize_wal', 'summarizer', 'behind', 'files', 'oldest start', 'keep time'],
      summaries.map((w) => [w.node, w.summarize_wal ? 'on' : 'off', w.summarizer_running ? 'running' : 'not running', bytes(w.behind_bytes), w.summary_count, w.oldest_start_lsn, w.keep_time_minutes === null ? null : `${w.keep_time_minutes} min`])));
  }

  out.push('', '## WAL archiving', '');
  if (s.archiver.length === 0) out.push('No node answered.');
  else out.push(...table(['node', 'archive_mode', 'archived', 'last archived', 'at', 'failed', 'last failed', 'at'],
    s.archiver.map((a) => [a.node, a.archive_mode, a.archived_count, a.last_archived_wal, a.last_archived_time, a.failed_count, a.last_failed_wal, a.last_failed_time])));

  out.push('', '## Replication slots', '');
  if (s.slots.length === 0) out.push('None.');
  else out.push(...table(['node', 'slot', 'type', 'active', 'wal_status', 'retained', 'invalidation'],
    s.slots.map((x) => [x.node, x.slot_name, x.slot_type, x.active ? 'yes' : 'no', x.wal_status, bytes(x.retained_bytes), x.invalidation_reason])));
  return `${out.join('\n')}\n`;
}
