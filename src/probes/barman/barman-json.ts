// Parsers for `barman -f json <command> SERVER` (barman 3.4 and 3.11+ key sets) into the model
// of src/model/backups.ts. Pure; keys are read by name, unknown keys ignored, and a malformed
// document throws a BarmanJsonError naming the command and the key.
//
// Key sets (see test/fixtures/barman/README.md for where each shape comes from):
//   size      3.4 base_backup_information.disk_usage_bytes  → 3.11+ backup_size_bytes
//   saved     3.4 has only incremental_size (rsync reuse)   → 3.11+ resources_saved_bytes
//   type      3.4: none (taken as full, or snapshot when snapshots_info is there) → backup_type
//   chain     3.11+ catalog_information.parent_backup_id / children_backup_ids
//   summarize 3.11+ server_information.summarize_wal ("on"/"off"/null before PG17)
// Times: see barman-time.ts.

import type { BackupCheck, BackupInfo, BackupType, WalArchiving } from '../../model/backups.ts';
import { barmanTime, secondsBetween } from './barman-time.ts';
import { BarmanJsonError, type BarmanCommand, type Json, Reader, parseJsonText, serverEntry } from './json-access.ts';

export { BarmanJsonError } from './json-access.ts';

const TYPES: readonly BackupType[] = ['full', 'incremental', 'rsync', 'snapshot'];

function backupType(cmd: BarmanCommand, r: Reader, parentId: string | null): BackupType {
  const t = r.optStr('backup_type');
  if (t !== null) {
    if ((TYPES as readonly string[]).includes(t)) return t as BackupType;
    throw new BarmanJsonError(cmd, `backup_type '${t}' of ${r.optStr('backup_id') ?? '?'} is not one of ${TYPES.join('/')}`);
  }
  // barman < 3.11: no type key; snapshots carry snapshots_info, everything else counts as full
  if (r.has('snapshots_info') && r.obj.snapshots_info !== null) return 'snapshot';
  return parentId ? 'incremental' : 'full';
}

/** "-" is barman's BackupInfo.NONE, "not enforced" its show-backup wording for no policy. */
function retention(v: string | null): string | null {
  if (v === null) return null;
  const t = v.trim();
  return t === '' || t === '-' || t === 'not enforced' ? null : t;
}

function summarize(v: Json | undefined): boolean | null {
  if (v === true || v === 'on' || v === 'true') return true;
  if (v === false || v === 'off' || v === 'false') return false;
  return null;
}

function empty(id: string, status: string, type: BackupType): BackupInfo {
  return {
    id, name: null, type, status, parentId: null, childrenIds: [], beginTime: null, endTime: null, durationSeconds: null,
    sizeBytes: null, walBytes: null, resourcesSavedBytes: null, retentionStatus: null, timeline: null, beginLsn: null, endLsn: null, summarizeWal: null,
  };
}

/**
 * `barman -f json list-backups SERVER`: `{SERVER: [{backup_id, status, …}]}`, newest first.
 * It has no begin time, LSNs, chain or summarize_wal; `size_bytes` counts the WAL the backup
 * needs (show-backup's size does not), and end_time is local ctime, so its epoch twin is used.
 */
export function parseListBackups(json: string | Json, server?: string): BackupInfo[] {
  const cmd = 'list-backups';
  const entry = serverEntry(cmd, parseJsonText(cmd, json), server);
  if (!Array.isArray(entry)) throw new BarmanJsonError(cmd, 'server entry is not a list');
  return entry.map((item, i) => {
    // --minimal prints bare ids
    if (typeof item === 'string') return empty(item, 'UNKNOWN', 'full');
    const r = Reader.of(cmd, item, `[${i}]`);
    const b = empty(r.str('backup_id'), r.str('status'), backupType(cmd, r, null));
    b.name = r.optStr('backup_name');
    b.endTime = barmanTime(r.optStr('end_time'), r.optNum('end_time_timestamp'));
    b.sizeBytes = r.optNum('size_bytes');
    b.walBytes = r.optNum('wal_size_bytes');
    b.retentionStatus = retention(r.optStr('retention_status'));
    return b;
  });
}

/** `barman -f json show-backup SERVER ID`: `{SERVER: {backup_id, status, base_backup_information, …}}`. */
export function parseShowBackup(json: string | Json, server?: string): BackupInfo {
  const cmd = 'show-backup';
  const r = Reader.of(cmd, serverEntry(cmd, parseJsonText(cmd, json), server), '');
  const catalog = r.optObj('catalog_information');
  const parentId = catalog?.optStr('parent_backup_id') ?? null;
  const b = empty(r.str('backup_id'), r.str('status'), backupType(cmd, r, parentId));
  b.name = r.optStr('backup_name');
  b.parentId = parentId;
  b.childrenIds = catalog?.optStrList('children_backup_ids') ?? [];
  b.retentionStatus = retention(catalog?.optStr('retention_policy') ?? null);
  b.summarizeWal = summarize(r.optObj('server_information')?.obj.summarize_wal);
  // unfinished and failed backups have no base_backup_information at all
  const base = r.optObj('base_backup_information');
  if (base) {
    b.beginTime = barmanTime(base.optStr('begin_time'), base.optNum('begin_time_timestamp'));
    b.endTime = barmanTime(base.optStr('end_time'), base.optNum('end_time_timestamp'));
    b.durationSeconds = secondsBetween(b.beginTime, b.endTime);
    b.sizeBytes = base.optNum('backup_size_bytes') ?? base.optNum('disk_usage_bytes');
    b.resourcesSavedBytes = base.optNum('resources_saved_bytes');
    b.timeline = base.optNum('timeline');
    b.beginLsn = base.optStr('begin_lsn');
    b.endLsn = base.optStr('end_lsn');
  }
  // WAL kept until the next backup: the same figure as list-backups' wal_size_bytes
  b.walBytes = r.optObj('wal_information')?.optNum('disk_usage_bytes') ?? null;
  return b;
}

/** `barman -f json check SERVER`: `{SERVER: {<mangled check>: {status: OK|FAILED, hint}}}`. */
export function parseCheck(json: string | Json, server?: string): BackupCheck[] {
  const cmd = 'check';
  const r = Reader.of(cmd, serverEntry(cmd, parseJsonText(cmd, json), server), '');
  return Object.keys(r.obj).sort().map((key) => {
    const c = r.optObj(key);
    if (!c) throw new BarmanJsonError(cmd, `${key} is null, expected an object`);
    const status = c.str('status');
    if (status !== 'OK' && status !== 'FAILED') throw new BarmanJsonError(cmd, `${key}.status is '${status}', expected OK or FAILED`);
    const hint = c.optStr('hint');
    return { name: key.replace(/_/g, ' '), ok: status === 'OK', hint: hint && hint.trim() ? hint.trim() : null };
  });
}

export interface BarmanStatus {
  wal: Omit<WalArchiving, 'receiveWalRunning' | 'walStreaming' | 'firstRecoverabilityPoint'>;
  /** Oldest kept backup (`first_backup`): where recoverability starts. */
  firstBackupId: string | null;
  lastBackupId: string | null;
  backupsNumber: number | null;
  /** barman's `pg_version` message, e.g. "15.18" or "FAILED trying to get PostgreSQL version". */
  pgVersion: string | null;
  active: boolean | null;
}

/** Values of `status` are strings for a human: "None", "No backups", "- (…)" mean nothing. */
function statusValue(v: string | null): string | null {
  if (v === null) return null;
  const t = v.trim();
  return t === '' || t === 'None' || t === 'No backups' || t.startsWith('- ') || t === '-' ? null : t;
}

/**
 * `barman -f json status SERVER`: `{SERVER: {<key>: {description, message}}}`. The WAL keys
 * (`last_archived_wal`, `failed_count`, `server_archived_wals_per_hour`) come from the
 * archiver and are absent with a streaming-only server or an unreachable PostgreSQL.
 * barman has no "first point of recoverability" key: the probe derives it from first_backup.
 */
export function parseStatus(json: string | Json, server?: string): BarmanStatus {
  const cmd = 'status';
  const r = Reader.of(cmd, serverEntry(cmd, parseJsonText(cmd, json), server), '');
  const msg = (key: string): string | null => statusValue(r.optObj(key)?.optStr('message') ?? null);
  const last = msg('last_archived_wal');
  // "000000010000000000000019, at Sun Nov 22 03:48:16 2026"
  const m = last ? /^(\S+?),?\s+at\s+(.+)$/.exec(last) : null;
  const num = (key: string): number | null => {
    const v = msg(key);
    const n = v === null ? NaN : parseFloat(v);
    return Number.isFinite(n) ? n : null;
  };
  const active = msg('active');
  return {
    wal: {
      lastArchivedWal: m ? m[1] : last,
      lastArchivedTime: m ? barmanTime(m[2]) : null,
      failedCount: num('failed_count'),
      walsPerHour: num('server_archived_wals_per_hour'),
    },
    firstBackupId: msg('first_backup'),
    lastBackupId: msg('last_backup'),
    backupsNumber: num('backups_number'),
    pgVersion: msg('pg_version'),
    active: active === null ? null : active === 'True',
  };
}

export interface ReplicationClient {
  applicationName: string | null;
  /** barman's label: "Async standby", "Async WAL streamer", "#1 Sync standby", … */
  kind: string;
  state: string | null;
  slot: string | null;
  sentLsn: string | null;
  flushLsn: string | null;
}

export interface ReplicationStatus {
  serverLsn: string | null;
  clients: ReplicationClient[];
  /** barman's own receive-wal (application_name barman_receive_wal) is streaming from the server. */
  receiveWalStreaming: boolean;
}

/** `barman -f json replication-status SERVER`: the WAL streamers and standbys the server sees. */
export function parseReplicationStatus(json: string | Json, server?: string): ReplicationStatus {
  const cmd = 'replication-status';
  const r = Reader.of(cmd, serverEntry(cmd, parseJsonText(cmd, json), server), '');
  const clients: ReplicationClient[] = [];
  for (const key of ['streaming_clients', 'hot_standby_servers', 'wal_streamers']) {
    const list = r.obj[key];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) throw new BarmanJsonError(cmd, `${key} is not a list`);
    list.forEach((item, i) => {
      const c = Reader.of(cmd, item, `${key}[${i}]`);
      clients.push({
        applicationName: c.optStr('application_name'), kind: c.optStr('name') ?? '', state: c.optStr('current_state'),
        slot: c.optStr('replication_slot'), sentLsn: c.optStr('sent_lsn'), flushLsn: c.optStr('flush_lsn'),
      });
    });
  }
  const receiveWalStreaming = clients.some((c) => (c.applicationName === 'barman_receive_wal' || /WAL streamer/i.test(c.kind)) && c.state === 'streaming');
  return { serverLsn: r.optStr('server_lsn'), clients, receiveWalStreaming };
}
