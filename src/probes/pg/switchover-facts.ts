// What a switchover preflight asks of one node, in ONE statement, run once when the preflight
// opens (not every tick): the same text runs on a primary and a standby, SQL chosen by server
// version (13+), columns read by name. On the primary the WAL archiving backlog and health; on
// the target standby what it will have to serve once promoted (free WAL senders and slots), its
// timeline, WAL summarization and whether replay is paused.
//
// Why not in the per-tick probe (probe-query.ts): the per-tick query already has max_wal_senders,
// max_replication_slots, archive_mode, pg_stat_archiver, the senders and the slots, so the only
// new datum is the count of `.ready` files, and that one reads a directory (a readdir and a stat
// per file: cost grows with the backlog it measures — see the measurements in the integration
// test's header) and needs a privilege the tick must not depend on.
//
// Privileges: everything here is readable by any role except pg_ls_archive_statusdir() (pg_monitor
// or superuser, or an explicit GRANT EXECUTE). A privilege is checked when a statement is
// planned, not when a CASE branch runs, so `CASE WHEN has_function_privilege(…) THEN (SELECT …
// FROM pg_ls_archive_statusdir()) END` still fails the whole statement for a role without it.
// The directory is therefore read through query_to_xml(), whose inner query is planned only when
// that branch runs: a role without the privilege gets NULL and archive_status_readable = false
// ("not permitted"), never an error. (query_to_xml needs no libxml; the count is taken out of the
// XML text with a regex, not xpath(), which does.)
import pg from 'pg';
import { type Conninfo, parseConninfo, resolveService } from '../../config/conninfo.ts';
import { isLsn, toBoolean, toInteger, toIsoTimestamp } from '../../model/lsn.ts';
import { MIN_SERVER_VERSION_NUM } from './probe-query.ts';
import { probeClientConfig } from './polled-connection.ts';

export const NOT_PERMITTED = 'not permitted' as const;

export interface SwitchoverFacts {
  serverVersionNum: number;
  role: 'primary' | 'standby';

  // ---- WAL archiving (what matters on the primary; read on any node)
  /** off | on | always */
  archiveMode: string;
  /** archive_command (or, 15+, archive_library) is set: with archive_mode on and neither, WAL piles up. */
  archiveCommandSet: boolean;
  /**
   * `.ready` files in pg_wal/archive_status: WAL segments (and history / backup files) waiting for
   * the archiver. NOT_PERMITTED when the role may not run pg_ls_archive_statusdir() (grant pg_monitor).
   */
  archiveReadyFiles: number | typeof NOT_PERMITTED;
  archivedCount: number;
  lastArchivedWal: string | null;
  lastArchivedAt: string | null;
  archiveFailedCount: number;
  lastFailedWal: string | null;
  lastFailedAt: string | null;
  /** The latest archive attempt failed (last_failed_time later than last_archived_time). */
  archiveFailing: boolean;

  // ---- Capacity (what matters on the target standby: it serves everyone once promoted)
  maxWalSenders: number;
  /** Walsenders running on this node now (pg_stat_replication rows: standbys, pg_receivewal, base backups). */
  walSendersInUse: number;
  /** maxWalSenders − walSendersInUse (walsenders have their own pool, not max_connections). */
  freeWalSenders: number;
  maxReplicationSlots: number;
  /** Rows of pg_replication_slots: physical, logical, temporary and (17+) synced slots alike. */
  replicationSlotsInUse: number;
  freeReplicationSlots: number;

  /** summarize_wal; null before PostgreSQL 17, which has no such setting. */
  summarizeWal: boolean | null;
  /**
   * On a primary the timeline it writes (from its current WAL file name); on a standby the one its
   * walreceiver receives, else (no receiver, or a role without pg_read_all_stats) the last
   * checkpoint's, which can trail a timeline switch still being replayed.
   */
  timeline: number;
  timelineSource: 'wal' | 'receiver' | 'checkpoint';
  /** pg_is_wal_replay_paused(); null on a primary. From 14 on it is true as soon as a pause is requested. */
  replayPaused: boolean | null;
  /** pg_get_wal_replay_pause_state(), 14+: 'not paused' | 'pause requested' | 'paused'; null before 14 and on a primary. */
  replayPauseState: string | null;

  /** pg_current_wal_lsn() on a primary, else null. */
  currentLsn: string | null;
  /** On a standby, else null. */
  receiveLsn: string | null;
  replayLsn: string | null;
}

export class SwitchoverFactsParseError extends Error {
  constructor(readonly column: string | null, detail: string) {
    super(`switchover facts${column ? `, column "${column}"` : ''}: ${detail}`);
    this.name = 'SwitchoverFactsParseError';
  }
}

const iso = (expr: string): string => `to_char((${expr}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

const READY_COUNT_QUERY = `SELECT count(*) AS n FROM pg_catalog.pg_ls_archive_statusdir() WHERE name LIKE '%.ready'`;

/** The one statement, for a server of this version (13 or later; later majors get the newest text). */
export function switchoverFactsSql(serverVersionNum: number): string {
  if (!Number.isInteger(serverVersionNum) || serverVersionNum < MIN_SERVER_VERSION_NUM) {
    throw new RangeError(`PostgreSQL ${serverVersionNum} is not supported (need 13 or later)`);
  }
  const v = serverVersionNum;
  const archiver = v >= 150000
    ? `(current_setting('archive_command') <> '' OR current_setting('archive_library') <> '')`
    : `(current_setting('archive_command') <> '')`;
  const pauseState = v >= 140000 ? `,\n  CASE WHEN r.in_recovery THEN pg_get_wal_replay_pause_state() END AS replay_pause_state` : '';
  const summarize = v >= 170000 ? `,\n  current_setting('summarize_wal')::bool AS summarize_wal` : '';
  const lsFn = `'pg_catalog.pg_ls_archive_statusdir()'`;
  // Volatile CTEs are evaluated once, so the columns agree even if a promotion lands mid-statement.
  return `WITH r AS (SELECT pg_is_in_recovery() AS in_recovery),
  w AS (SELECT CASE WHEN NOT r.in_recovery THEN pg_current_wal_lsn() END AS lsn FROM r),
  rcv AS (SELECT nullif(received_tli, 0) AS tli FROM pg_stat_wal_receiver),
  ls AS (SELECT has_function_privilege(${lsFn}, 'EXECUTE') AS ok)
SELECT r.in_recovery,
  current_setting('server_version_num')::int AS server_version_num,
  current_setting('archive_mode') AS archive_mode,
  ${archiver} AS archive_command_set,
  ls.ok AS archive_status_readable,
  CASE WHEN ls.ok THEN substring(query_to_xml(${quote(READY_COUNT_QUERY)}, false, true, '')::text FROM '<n>([0-9]+)</n>')::bigint END AS archive_ready_count,
  a.archived_count, a.last_archived_wal, ${iso('a.last_archived_time')} AS last_archived_time,
  a.failed_count, a.last_failed_wal, ${iso('a.last_failed_time')} AS last_failed_time,
  -- current_setting(), not the pg_settings view, which builds every setting (~1 ms a lookup)
  current_setting('max_wal_senders')::int AS max_wal_senders,
  -- every walsender slot in use, as pg_stat_replication shows them (without its pg_stat_activity join)
  (SELECT count(*) FROM pg_stat_get_wal_senders())::int AS wal_senders_in_use,
  current_setting('max_replication_slots')::int AS max_replication_slots,
  (SELECT count(*) FROM pg_replication_slots)::int AS replication_slots_in_use,
  CASE WHEN NOT r.in_recovery THEN ('x' || substr(pg_walfile_name(w.lsn), 1, 8))::bit(32)::int
       ELSE coalesce((SELECT tli FROM rcv), (SELECT timeline_id FROM pg_control_checkpoint())) END AS timeline,
  CASE WHEN NOT r.in_recovery THEN 'wal' WHEN (SELECT tli FROM rcv) IS NOT NULL THEN 'receiver' ELSE 'checkpoint' END AS timeline_source,
  CASE WHEN r.in_recovery THEN pg_is_wal_replay_paused() END AS replay_paused${pauseState}${summarize},
  w.lsn AS current_lsn,
  CASE WHEN r.in_recovery THEN pg_last_wal_receive_lsn() END AS receive_lsn,
  CASE WHEN r.in_recovery THEN pg_last_wal_replay_lsn() END AS replay_lsn
FROM r CROSS JOIN w CROSS JOIN ls CROSS JOIN pg_stat_archiver a`;
}

function quote(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** Columns every supported version returns; the others (replay_pause_state, summarize_wal) read as null when absent. */
export const SWITCHOVER_FACTS_COLUMNS = [
  'in_recovery', 'server_version_num', 'archive_mode', 'archive_command_set', 'archive_status_readable',
  'archive_ready_count', 'archived_count', 'last_archived_wal', 'last_archived_time', 'failed_count',
  'last_failed_wal', 'last_failed_time', 'max_wal_senders', 'wal_senders_in_use', 'max_replication_slots',
  'replication_slots_in_use', 'timeline', 'timeline_source', 'replay_paused', 'current_lsn', 'receive_lsn', 'replay_lsn',
] as const;

type Row = Record<string, unknown>;

function col<T>(row: Row, name: string, conv: (v: unknown) => T | null, required: boolean): T | null {
  if (!(name in row)) {
    if (required) throw new SwitchoverFactsParseError(name, 'column missing from result');
    return null;
  }
  let v: T | null;
  try {
    v = conv(row[name]);
  } catch (e) {
    throw new SwitchoverFactsParseError(name, (e as Error).message);
  }
  return v;
}

function must<T>(row: Row, name: string, conv: (v: unknown) => T | null): T {
  const v = col(row, name, conv, true);
  if (v === null) throw new SwitchoverFactsParseError(name, 'unexpected NULL');
  return v;
}

const text = (v: unknown): string | null => {
  if (v == null) return null;
  if (typeof v !== 'string') throw new TypeError(`expected text, got ${typeof v}`);
  return v;
};
const lsn = (v: unknown): string | null => {
  if (v == null) return null;
  if (!isLsn(v)) throw new TypeError(`not an LSN: ${JSON.stringify(v)}`);
  return v.trim();
};
const oneOf = <T extends string>(allowed: readonly T[]) => (v: unknown): T | null => {
  const t = text(v);
  if (t === null) return null;
  if (!(allowed as readonly string[]).includes(t)) throw new TypeError(`expected one of ${allowed.join('/')}, got ${JSON.stringify(t)}`);
  return t as T;
};

/** The statement's one row (node-postgres default type parsing: int8 as text) → SwitchoverFacts. Pure. */
export function parseSwitchoverFacts(row: Row | undefined | null): SwitchoverFacts {
  if (!row || typeof row !== 'object') throw new SwitchoverFactsParseError(null, 'no row');
  for (const c of SWITCHOVER_FACTS_COLUMNS) if (!(c in row)) throw new SwitchoverFactsParseError(c, 'column missing from result');
  const inRecovery = must(row, 'in_recovery', toBoolean);
  const readable = must(row, 'archive_status_readable', toBoolean);
  const ready = col(row, 'archive_ready_count', toInteger, true);
  if (readable && ready === null) throw new SwitchoverFactsParseError('archive_ready_count', 'unexpected NULL although pg_ls_archive_statusdir() is executable');
  const maxWalSenders = must(row, 'max_wal_senders', toInteger);
  const walSendersInUse = must(row, 'wal_senders_in_use', toInteger);
  const maxReplicationSlots = must(row, 'max_replication_slots', toInteger);
  const replicationSlotsInUse = must(row, 'replication_slots_in_use', toInteger);
  const lastArchivedAt = col(row, 'last_archived_time', toIsoTimestamp, true);
  const lastFailedAt = col(row, 'last_failed_time', toIsoTimestamp, true);
  return {
    serverVersionNum: must(row, 'server_version_num', toInteger),
    role: inRecovery ? 'standby' : 'primary',
    archiveMode: must(row, 'archive_mode', text),
    archiveCommandSet: must(row, 'archive_command_set', toBoolean),
    archiveReadyFiles: readable ? ready! : NOT_PERMITTED,
    archivedCount: must(row, 'archived_count', toInteger),
    lastArchivedWal: col(row, 'last_archived_wal', text, true),
    lastArchivedAt,
    archiveFailedCount: must(row, 'failed_count', toInteger),
    lastFailedWal: col(row, 'last_failed_wal', text, true),
    lastFailedAt,
    archiveFailing: lastFailedAt !== null && (lastArchivedAt === null || lastFailedAt > lastArchivedAt),
    maxWalSenders,
    walSendersInUse,
    freeWalSenders: Math.max(0, maxWalSenders - walSendersInUse),
    maxReplicationSlots,
    replicationSlotsInUse,
    freeReplicationSlots: Math.max(0, maxReplicationSlots - replicationSlotsInUse),
    summarizeWal: col(row, 'summarize_wal', toBoolean, false),
    timeline: must(row, 'timeline', toInteger),
    timelineSource: must(row, 'timeline_source', oneOf(['wal', 'receiver', 'checkpoint'] as const)),
    replayPaused: inRecovery ? must(row, 'replay_paused', toBoolean) : null,
    replayPauseState: inRecovery ? col(row, 'replay_pause_state', text, false) : null,
    currentLsn: col(row, 'current_lsn', lsn, true),
    receiveLsn: col(row, 'receive_lsn', lsn, true),
    replayLsn: col(row, 'replay_lsn', lsn, true),
  };
}

/** "17.10", "15.18 (Debian 15.18-0+deb12u1)", "18beta1" → 170010, 150018, 180000 (what libpq's PQserverVersion does). */
export function serverVersionNumFromString(version: string): number | null {
  const m = /^(\d+)(?:\.(\d+))?/.exec(version.trim());
  if (!m) return null;
  const major = Number(m[1]);
  const minor = m[2] === undefined ? 0 : Number(m[2]);
  return major >= 10 ? major * 10000 + minor : null;
}

export interface QuerySwitchoverFactsOptions {
  /** Known already (the node poller's connect query): saves asking an open client for it. */
  serverVersionNum?: number;
  /** statement_timeout of a connection opened here, and the client-side guard (default 5000 ms). */
  timeoutMs?: number;
}

type Queryable = Pick<pg.ClientBase, 'query'>;

function isQueryable(t: unknown): t is Queryable {
  return typeof (t as Queryable | null)?.query === 'function';
}

/**
 * Runs the statement on a node and parses it. Given a conninfo, opens its own read-only session
 * (application_name pgtop-ha, statement_timeout) and takes the server version from the startup
 * ParameterStatus, so the node sees exactly one query; given an open client, pass
 * `serverVersionNum` for the same, else one `SHOW server_version_num` goes first. Throws the
 * server's or node-postgres's error, or a SwitchoverFactsParseError.
 */
export async function querySwitchoverFacts(target: Queryable | Conninfo | string, opts: QuerySwitchoverFactsOptions = {}): Promise<SwitchoverFacts> {
  if (isQueryable(target)) {
    let v = opts.serverVersionNum;
    if (v === undefined) {
      const r = await target.query<{ server_version_num: string }>('SHOW server_version_num');
      v = Number(r.rows[0]?.server_version_num);
    }
    const res = await target.query(switchoverFactsSql(v));
    return parseSwitchoverFacts(res.rows[0]);
  }
  const info = resolveService(typeof target === 'string' ? parseConninfo(target) : target);
  const timeoutMs = opts.timeoutMs ?? 5000;
  const client = new pg.Client(probeClientConfig(info, timeoutMs));
  // The server sends its version at startup (ParameterStatus), as libpq's PQserverVersion reads it.
  const seen: { version?: string } = {};
  const conn = (client as unknown as { connection: { on(ev: 'parameterStatus', fn: (m: { parameterName: string; parameterValue: string }) => void): void } }).connection;
  conn.on('parameterStatus', (m) => {
    if (m.parameterName === 'server_version') seen.version = m.parameterValue;
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const v = opts.serverVersionNum ?? (seen.version !== undefined ? serverVersionNumFromString(seen.version) : null);
    return await querySwitchoverFacts(client, v === null ? {} : { serverVersionNum: v });
  } finally {
    await client.end().catch(() => undefined);
  }
}
