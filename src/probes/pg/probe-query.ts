// The one round trip a tick spends on a PostgreSQL node: several statements in one simple-protocol
// query, so node-postgres returns one result per statement and `sections` names them in order.
// Every statement must run on a primary and a standby alike for a role that only has pg_monitor.

export type ProbeSection =
  | 'node' | 'senders' | 'receiver' | 'slots' | 'archiver' | 'walsummary'
  | 'repmgr' | 'repmgrd' | 'repmgrevents' | 'repmgrstatus';

export interface ProbeQueryOptions {
  /** The repmgr extension is installed in this database and the role may read it (see CONNECT_QUERY). */
  repmgr?: boolean;
  // Separate from `repmgr` because they need grants beyond the documented minimum (USAGE on the
  // schema, SELECT on repmgr.nodes): a role without them must keep the rest of repmgr's state,
  // and a statement it may not run would fail the whole round trip. Ignored without `repmgr`.
  /** The role may SELECT repmgr.events. */
  repmgrEvents?: boolean;
  /** The role may SELECT repmgr.monitoring_history and EXECUTE repmgr.standby_get_last_updated(). */
  repmgrMonitoring?: boolean;
}

export interface ProbeQuery {
  text: string;
  sections: readonly ProbeSection[];
}

export const MIN_SERVER_VERSION_NUM = 130000;

// DateStyle and TimeZone are the server's (or the role's) choice; UTC with an explicit 'Z' is not.
const iso = (expr: string): string =>
  `to_char((${expr}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

// pg_current_wal_lsn() raises "recovery is in progress" on a standby, so it only ever runs in the
// ELSE branch. Recovery only ends, never starts, in a running server: if pg_is_in_recovery() said
// false, the call is safe. A cascading standby sends what it received or replayed, whichever is
// further (GREATEST skips the NULL receive position of a standby fed by restore_command only).
const OWN_POSITION = `CASE WHEN pg_is_in_recovery()
    THEN greatest(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())
    ELSE pg_current_wal_lsn() END`;

function nodeStatement(v: number): string {
  // 14 split "pause requested" from "paused"; pg_is_wal_replay_paused() now means "requested".
  const pause = v >= 140000
    ? `CASE WHEN r.in_recovery THEN pg_get_wal_replay_pause_state() END AS replay_pause_state`
    : `CASE WHEN r.in_recovery THEN pg_is_wal_replay_paused() END AS replay_paused`;
  const archiver = v >= 150000
    ? `(current_setting('archive_command') <> '' OR current_setting('archive_library') <> '')`
    : `(current_setting('archive_command') <> '')`;
  // Volatile CTEs are evaluated once, so every column agrees even if a promotion lands mid-statement.
  return `WITH r AS (SELECT pg_is_in_recovery() AS in_recovery),
  w AS (SELECT CASE WHEN NOT r.in_recovery THEN pg_current_wal_lsn() END AS lsn FROM r)
SELECT r.in_recovery,
  current_setting('server_version') AS server_version,
  current_setting('server_version_num')::int AS server_version_num,
  (SELECT system_identifier::text FROM pg_control_system()) AS system_identifier,
  CASE WHEN r.in_recovery
    THEN coalesce((SELECT nullif(received_tli, 0) FROM pg_stat_wal_receiver),
                  (SELECT timeline_id FROM pg_control_checkpoint()))
    ELSE ('x' || substr(pg_walfile_name(w.lsn), 1, 8))::bit(32)::int
  END AS timeline,
  w.lsn AS current_lsn,
  CASE WHEN r.in_recovery THEN pg_last_wal_receive_lsn() END AS receive_lsn,
  CASE WHEN r.in_recovery THEN pg_last_wal_replay_lsn() END AS replay_lsn,
  ${pause},
  CASE WHEN r.in_recovery THEN ${iso('pg_last_xact_replay_timestamp()')} END AS last_replay_time,
  -- current_setting(), not the pg_settings view, which builds every setting (~1 ms a lookup)
  (extract(epoch FROM current_setting('recovery_min_apply_delay')::interval) * 1000)::bigint AS recovery_min_apply_delay_ms,
  current_setting('max_wal_senders')::int AS max_wal_senders,
  current_setting('max_replication_slots')::int AS max_replication_slots,
  current_setting('archive_mode') AS archive_mode,
  ${archiver} AS archive_command_set,
  CASE WHEN NOT r.in_recovery THEN pg_walfile_name(w.lsn) END AS current_wal_file
FROM r CROSS JOIN w`;
}

const lag = (col: string): string => `pg_wal_lsn_diff(p.lsn, r.${col})`;

function sendersStatement(): string {
  return `WITH p AS (SELECT ${OWN_POSITION} AS lsn)
SELECT r.pid, r.application_name, host(r.client_addr) AS client_addr, r.client_port,
  r.state, r.sync_state, r.sent_lsn, r.write_lsn, r.flush_lsn, r.replay_lsn,
  ${lag('sent_lsn')} AS sent_lag_bytes, ${lag('write_lsn')} AS write_lag_bytes,
  ${lag('flush_lsn')} AS flush_lag_bytes, ${lag('replay_lsn')} AS replay_lag_bytes,
  extract(epoch FROM r.write_lag) AS write_lag_seconds,
  extract(epoch FROM r.flush_lag) AS flush_lag_seconds,
  extract(epoch FROM r.replay_lag) AS replay_lag_seconds,
  ${iso('r.reply_time')} AS reply_time,
  s.slot_name
FROM pg_stat_replication r
CROSS JOIN p
LEFT JOIN pg_replication_slots s ON s.active_pid = r.pid
ORDER BY r.application_name, r.pid`;
}

function receiverStatement(): string {
  // conninfo is NULL without pg_read_all_stats; the parser takes application_name out of it.
  return `SELECT pid, status, received_tli, written_lsn, flushed_lsn, latest_end_lsn,
  ${iso('last_msg_receipt_time')} AS last_msg_receipt_time,
  slot_name, sender_host, sender_port, conninfo
FROM pg_stat_wal_receiver`;
}

function slotsStatement(v: number): string {
  const v17 = v >= 170000
    ? `,
  ${iso('s.inactive_since')} AS inactive_since, s.invalidation_reason, s.failover, s.synced`
    : '';
  return `WITH p AS (SELECT ${OWN_POSITION} AS lsn)
SELECT s.slot_name, s.slot_type, s.plugin, s.database, s.temporary, s.active, s.active_pid,
  s.restart_lsn, s.confirmed_flush_lsn, s.wal_status, s.safe_wal_size,
  pg_wal_lsn_diff(p.lsn, s.restart_lsn) AS retained_bytes${v17}
FROM pg_replication_slots s
CROSS JOIN p
ORDER BY s.slot_name`;
}

function archiverStatement(): string {
  return `SELECT archived_count, last_archived_wal, ${iso('last_archived_time')} AS last_archived_time,
  failed_count, last_failed_wal, ${iso('last_failed_time')} AS last_failed_time,
  ${iso('stats_reset')} AS stats_reset
FROM pg_stat_archiver`;
}

function walSummaryStatement(): string {
  // On a standby the summarizer reads WAL up to the greater of what is flushed and what is
  // replayed (walsummarizer.c, GetLatestLSN): the node's own position, as elsewhere. "Behind" is
  // measured to pending_lsn (what the summarizer has read): summarized_lsn only moves when a
  // summary file is finished, so it trails a healthy summarizer by up to a segment or more.
  return `WITH p AS (SELECT ${OWN_POSITION} AS lsn),
  st AS (SELECT summarized_tli, summarized_lsn, pending_lsn, summarizer_pid
         FROM pg_get_wal_summarizer_state()),
  av AS (SELECT count(*) AS summary_count, min(start_lsn) AS oldest_start_lsn, max(end_lsn) AS newest_end_lsn
         FROM pg_available_wal_summaries())
SELECT current_setting('summarize_wal')::bool AS summarize_wal,
  (extract(epoch FROM current_setting('wal_summary_keep_time')::interval) / 60)::bigint AS wal_summary_keep_time_min,
  st.summarized_tli, st.summarized_lsn, st.pending_lsn, st.summarizer_pid,
  av.summary_count, av.oldest_start_lsn, av.newest_end_lsn,
  pg_wal_lsn_diff(p.lsn, coalesce(nullif(st.pending_lsn, '0/0'), st.summarized_lsn)) AS behind_bytes
FROM st CROSS JOIN av CROSS JOIN p`;
}

// repmgr's C functions the repmgrd section calls (all without arguments).
export const REPMGR_FUNCTIONS = ['get_local_node_id', 'repmgrd_is_running', 'repmgrd_is_paused', 'get_upstream_last_seen'] as const;

/**
 * Run once per connection, before the first tick: the server version, and whether the repmgr
 * extension is installed in this database and what this role lacks to read it. Only catalogs and
 * OID-based privilege checks, so it cannot fail for a role without repmgr privileges (the
 * name-based has_*_privilege('repmgr.nodes', …) would raise if the object were missing).
 * repmgr_denied: empty when everything the probe reads is readable.
 */
export const CONNECT_QUERY = `WITH e AS (SELECT x.extversion, x.extnamespace, n.nspname
    FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace WHERE x.extname = 'repmgr'),
  t AS (SELECT c.oid FROM pg_class c JOIN e ON c.relnamespace = e.extnamespace WHERE c.relname = 'nodes'),
  f AS (SELECT w.name, p.oid FROM e CROSS JOIN unnest(ARRAY['${REPMGR_FUNCTIONS.join("','")}']) AS w(name)
    LEFT JOIN pg_proc p ON p.pronamespace = e.extnamespace AND p.proname = w.name AND p.pronargs = 0)
SELECT current_setting('server_version_num')::int AS server_version_num,
  (SELECT extversion FROM e) AS repmgr_ext_version,
  (SELECT nspname FROM e) AS repmgr_schema,
  (SELECT array_remove(ARRAY[
      CASE WHEN NOT has_schema_privilege(e.extnamespace, 'USAGE') THEN 'USAGE on schema ' || e.nspname END,
      CASE WHEN NOT EXISTS (SELECT FROM t) THEN 'table ' || e.nspname || '.nodes (missing)'
           WHEN NOT has_table_privilege((SELECT oid FROM t), 'SELECT') THEN 'SELECT on ' || e.nspname || '.nodes' END
    ], NULL) || coalesce((SELECT array_agg(
      CASE WHEN f.oid IS NULL THEN 'function ' || e.nspname || '.' || f.name || '() (missing)'
           ELSE 'EXECUTE on ' || e.nspname || '.' || f.name || '()' END ORDER BY f.name)
      FROM f WHERE f.oid IS NULL OR NOT has_function_privilege(f.oid, 'EXECUTE')), '{}')
   FROM e) AS repmgr_denied,
  (SELECT has_schema_privilege(e.extnamespace, 'USAGE')
      AND coalesce((SELECT has_table_privilege(c.oid, 'SELECT') FROM pg_class c
                    WHERE c.relnamespace = e.extnamespace AND c.relname = 'events'), false)
   FROM e) AS repmgr_events_readable,
  (SELECT has_schema_privilege(e.extnamespace, 'USAGE')
      AND coalesce((SELECT has_table_privilege(c.oid, 'SELECT') FROM pg_class c
                    WHERE c.relnamespace = e.extnamespace AND c.relname = 'monitoring_history'), false)
      AND coalesce((SELECT has_function_privilege(p.oid, 'EXECUTE') FROM pg_proc p
                    WHERE p.pronamespace = e.extnamespace AND p.proname = 'standby_get_last_updated' AND p.pronargs = 0), false)
   FROM e) AS repmgr_monitoring_readable`;

export interface ConnectInfo {
  serverVersionNum: number;
  /**
   * null: no repmgr extension in this database. denied: what the role lacks to read repmgr at all.
   * events / monitoring: whether the optional repmgr.events and monitoring_history reads are allowed.
   */
  repmgr: { extVersion: string; schema: string; denied: string[]; events: boolean; monitoring: boolean } | null;
}

export function parseConnectInfo(row: Record<string, unknown> | undefined): ConnectInfo {
  const serverVersionNum = Number(row?.server_version_num);
  const ext = row?.repmgr_ext_version;
  if (typeof ext !== 'string') return { serverVersionNum, repmgr: null };
  const denied = Array.isArray(row?.repmgr_denied) ? (row!.repmgr_denied as unknown[]).map(String) : [];
  return {
    serverVersionNum,
    repmgr: {
      extVersion: ext,
      schema: String(row?.repmgr_schema ?? 'repmgr'),
      denied,
      events: row?.repmgr_events_readable === true,
      monitoring: row?.repmgr_monitoring_readable === true,
    },
  };
}

/** The probe options a connection's CONNECT_QUERY answer allows: every repmgr read the role may do. */
export function probeOptionsFor(info: ConnectInfo): ProbeQueryOptions {
  const r = info.repmgr;
  if (!r || r.denied.length > 0) return { repmgr: false };
  return { repmgr: true, repmgrEvents: r.events, repmgrMonitoring: r.monitoring };
}

/** repmgr's registered topology, as last written by repmgr (a standby shows its replicated copy). */
function repmgrNodesStatement(): string {
  return `SELECT node_id, node_name, type, upstream_node_id, active, priority, location
FROM repmgr.nodes
ORDER BY node_id`;
}

// get_upstream_last_seen() returns -1 when not known (always on a primary; before repmgrd has
// checked the upstream on a standby), else whole seconds since repmgrd last saw the upstream.
function repmgrdStatement(): string {
  return `SELECT (SELECT extversion FROM pg_extension WHERE extname = 'repmgr') AS ext_version,
  repmgr.get_local_node_id() AS local_node_id,
  repmgr.repmgrd_is_running() AS repmgrd_running,
  repmgr.repmgrd_is_paused() AS repmgrd_paused,
  repmgr.get_upstream_last_seen() AS upstream_last_seen`;
}

/** How many of the newest repmgr.events rows a tick reads: what `repmgr cluster event` shows by default. */
export const REPMGR_EVENTS_LIMIT = 20;

// repmgr.events has no index, so this is a sequential scan with a top-N sort; the table only grows
// by a handful of rows per registration, switchover or repmgrd restart and stays small. The
// tie-breakers keep the order stable when events share a timestamp (one transaction).
function repmgrEventsStatement(): string {
  return `SELECT e.node_id, n.node_name, e.event, e.successful, ${iso('e.event_timestamp')} AS event_timestamp, e.details
FROM repmgr.events e
LEFT JOIN repmgr.nodes n ON n.node_id = e.node_id
ORDER BY e.event_timestamp DESC, e.node_id, e.event
LIMIT ${REPMGR_EVENTS_LIMIT}`;
}

/** monitoring_history rows older than this are not looked for (see repmgrStatusStatement). */
export const REPMGR_STATUS_WINDOW = '1 hour';

// repmgr.replication_status, for this node only, without the view: the view finds each standby's
// latest row with a GROUP BY over all of monitoring_history, which grows by one row per standby
// every monitor_interval_secs until `repmgr cluster cleanup`. Here the (last_monitor_time,
// standby_node_id) index is walked backwards from now and stops at this node's newest row, and
// the window bounds the walk when this node has stopped writing (repmgrd down): then no row.
// Columns keep the view's names and meaning, with raw bytes and seconds instead of
// pg_size_pretty() text and intervals. Only standbys' repmgrd write history, so a primary has none.
function repmgrStatusStatement(): string {
  return `SELECT m.primary_node_id, m.standby_node_id,
  ${iso('m.last_monitor_time')} AS last_monitor_time,
  ${iso('m.last_apply_time')} AS last_apply_time,
  m.last_wal_primary_location, m.last_wal_standby_location,
  m.replication_lag AS replication_lag_bytes,
  m.apply_lag AS apply_lag_bytes,
  CASE WHEN m.replication_lag > 0 THEN extract(epoch FROM now() - m.last_apply_time) ELSE 0 END AS replication_time_lag_seconds,
  extract(epoch FROM now() - CASE WHEN pg_is_in_recovery() THEN repmgr.standby_get_last_updated()
    ELSE m.last_monitor_time END) AS communication_time_lag_seconds
FROM repmgr.monitoring_history m
WHERE m.standby_node_id = (SELECT repmgr.get_local_node_id())
  AND m.last_monitor_time > now() - interval '${REPMGR_STATUS_WINDOW}'
ORDER BY m.last_monitor_time DESC
LIMIT 1`;
}

/**
 * Versions above the newest we know get the newest statements: a new major mostly adds columns,
 * and the parser names the column if one we rely on went away.
 */
export function buildProbeQuery(serverVersionNum: number, options: ProbeQueryOptions = {}): ProbeQuery {
  if (!Number.isInteger(serverVersionNum) || serverVersionNum < MIN_SERVER_VERSION_NUM) {
    throw new RangeError(`PostgreSQL ${serverVersionNum} is not supported (need 13 or later)`);
  }
  const v = serverVersionNum;
  const parts: Array<[ProbeSection, string]> = [
    ['node', nodeStatement(v)],
    ['senders', sendersStatement()],
    ['receiver', receiverStatement()],
    ['slots', slotsStatement(v)],
    ['archiver', archiverStatement()],
  ];
  if (v >= 170000) parts.push(['walsummary', walSummaryStatement()]);
  if (options.repmgr) {
    parts.push(['repmgr', repmgrNodesStatement()], ['repmgrd', repmgrdStatement()]);
    if (options.repmgrEvents) parts.push(['repmgrevents', repmgrEventsStatement()]);
    if (options.repmgrMonitoring) parts.push(['repmgrstatus', repmgrStatusStatement()]);
  }
  return {
    text: parts.map(([, sql]) => sql + ';').join('\n'),
    sections: parts.map(([name]) => name),
  };
}
