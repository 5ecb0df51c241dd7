// Turns the per-statement results of buildProbeQuery() into a NodeSample. Pure: no I/O, no clock.
// Columns are found by name through the section list, so statement order and column order can
// change without touching this file. Columns every supported version returns are required (a
// missing one throws, naming section and column); columns only some versions have read as null.

import { parseKeyValue } from '../../config/conninfo.ts';
import type {
  ArchiverRow, NodeSample, ReceiverRow, RepmgrEvent, RepmgrNodeRow, RepmgrReplicationStatus, RepmgrSqlState, SenderRow,
  SlotRow, WalSummaryState,
} from '../../model/types.ts';
import { isLsn, toBoolean, toInteger, toIsoTimestamp, toNumber } from '../../model/lsn.ts';

export interface ProbeResult {
  fields: ReadonlyArray<{ name: string }>;
  rows: ReadonlyArray<Record<string, unknown>>;
}

export class ProbeParseError extends Error {
  constructor(readonly section: string, readonly column: string | null, detail: string) {
    super(`probe section "${section}"${column ? `, column "${column}"` : ''}: ${detail}`);
    this.name = 'ProbeParseError';
  }
}

type Row = Record<string, unknown>;
type Conv<T> = (v: unknown) => T | null;

const text: Conv<string> = (v) => {
  if (v == null) return null;
  if (typeof v !== 'string') throw new TypeError(`expected text, got ${typeof v}`);
  return v;
};
const lsn: Conv<string> = (v) => {
  if (v == null) return null;
  if (!isLsn(v)) throw new TypeError(`not an LSN: ${JSON.stringify(v)}`);
  return v.trim();
};

class Section {
  constructor(readonly name: string, private readonly columns: ReadonlySet<string>, readonly rows: readonly Row[]) {}

  has(column: string): boolean {
    return this.columns.has(column);
  }

  /** Checked against the field list, so a missing column is caught even when there are no rows. */
  require(columns: readonly string[]): void {
    for (const c of columns) if (!this.columns.has(c)) throw new ProbeParseError(this.name, c, 'column missing from result');
  }

  /** Value of a column that may be NULL; null too when the column does not exist (older server). */
  opt<T>(row: Row, column: string, conv: Conv<T>): T | null {
    if (!this.columns.has(column)) return null;
    try {
      return conv(row[column]);
    } catch (err) {
      throw new ProbeParseError(this.name, column, (err as Error).message);
    }
  }

  /** Value that must be present and non-NULL. */
  req<T>(row: Row, column: string, conv: Conv<T>): T {
    if (!this.columns.has(column)) throw new ProbeParseError(this.name, column, 'column missing from result');
    const v = this.opt(row, column, conv);
    if (v === null) throw new ProbeParseError(this.name, column, 'unexpected NULL');
    return v;
  }

  single(): Row {
    if (this.rows.length !== 1) throw new ProbeParseError(this.name, null, `expected 1 row, got ${this.rows.length}`);
    return this.rows[0];
  }
}

const REQUIRED: Record<string, readonly string[]> = {
  node: ['in_recovery', 'server_version', 'server_version_num', 'system_identifier', 'timeline', 'current_lsn',
    'receive_lsn', 'replay_lsn', 'last_replay_time', 'recovery_min_apply_delay_ms', 'max_wal_senders',
    'max_replication_slots', 'archive_mode', 'archive_command_set', 'current_wal_file'],
  senders: ['pid', 'application_name', 'client_addr', 'client_port', 'state', 'sync_state', 'sent_lsn', 'write_lsn',
    'flush_lsn', 'replay_lsn', 'sent_lag_bytes', 'write_lag_bytes', 'flush_lag_bytes', 'replay_lag_bytes',
    'write_lag_seconds', 'flush_lag_seconds', 'replay_lag_seconds', 'reply_time', 'slot_name'],
  receiver: ['pid', 'status', 'received_tli', 'written_lsn', 'flushed_lsn', 'latest_end_lsn',
    'last_msg_receipt_time', 'slot_name', 'sender_host', 'sender_port'],
  slots: ['slot_name', 'slot_type', 'plugin', 'database', 'temporary', 'active', 'active_pid', 'restart_lsn',
    'confirmed_flush_lsn', 'wal_status', 'safe_wal_size', 'retained_bytes'],
  archiver: ['archived_count', 'last_archived_wal', 'last_archived_time', 'failed_count', 'last_failed_wal',
    'last_failed_time', 'stats_reset'],
  walsummary: ['summarize_wal', 'wal_summary_keep_time_min', 'summarized_tli', 'summarized_lsn', 'pending_lsn',
    'summarizer_pid', 'summary_count', 'oldest_start_lsn', 'newest_end_lsn', 'behind_bytes'],
  repmgr: ['node_id', 'node_name', 'type', 'upstream_node_id', 'active', 'priority', 'location'],
  repmgrd: ['ext_version', 'local_node_id', 'repmgrd_running', 'repmgrd_paused', 'upstream_last_seen'],
  repmgrevents: ['node_id', 'node_name', 'event', 'successful', 'event_timestamp', 'details'],
  repmgrstatus: ['primary_node_id', 'standby_node_id', 'last_monitor_time', 'last_apply_time', 'last_wal_primary_location',
    'last_wal_standby_location', 'replication_lag_bytes', 'apply_lag_bytes', 'replication_time_lag_seconds',
    'communication_time_lag_seconds'],
};
const OPTIONAL_SECTIONS = new Set(['walsummary', 'repmgr', 'repmgrd', 'repmgrevents', 'repmgrstatus']);

function indexSections(results: ReadonlyArray<ProbeResult> | ProbeResult, names: readonly string[]): Map<string, Section> {
  // node-postgres returns a bare result, not an array, when the text held a single statement.
  const list: ReadonlyArray<ProbeResult> = Array.isArray(results) ? results : [results as ProbeResult];
  if (list.length !== names.length) {
    throw new ProbeParseError('*', null, `${list.length} results for ${names.length} sections (${names.join(', ')})`);
  }
  const out = new Map<string, Section>();
  names.forEach((name, i) => {
    if (out.has(name)) throw new ProbeParseError(name, null, 'section named twice');
    const r = list[i];
    if (!r || !Array.isArray(r.fields) || !Array.isArray(r.rows)) throw new ProbeParseError(name, null, 'not a query result');
    const s = new Section(name, new Set(r.fields.map((f) => f.name)), r.rows);
    if (REQUIRED[name]) s.require(REQUIRED[name]);
    out.set(name, s);
  });
  for (const name of Object.keys(REQUIRED)) {
    if (!out.has(name) && !OPTIONAL_SECTIONS.has(name)) throw new ProbeParseError(name, null, 'section missing');
  }
  return out;
}

/** Keywords of the conninfo pg_stat_wal_receiver shows; unreadable text gives none rather than an error. */
function conninfoKeywords(conninfo: string): Record<string, string> {
  try {
    return parseKeyValue(conninfo);
  } catch {
    return {};
  }
}

function parseSender(s: Section, r: Row): SenderRow {
  const port = s.opt(r, 'client_port', toInteger);
  return {
    pid: s.req(r, 'pid', toInteger),
    applicationName: s.opt(r, 'application_name', text) ?? '',
    clientAddr: s.opt(r, 'client_addr', text),
    clientPort: port !== null && port < 0 ? null : port, // -1 means a Unix socket
    state: s.opt(r, 'state', text),
    syncState: s.opt(r, 'sync_state', text),
    sentLsn: s.opt(r, 'sent_lsn', lsn),
    writeLsn: s.opt(r, 'write_lsn', lsn),
    flushLsn: s.opt(r, 'flush_lsn', lsn),
    replayLsn: s.opt(r, 'replay_lsn', lsn),
    sentLagBytes: s.opt(r, 'sent_lag_bytes', toNumber),
    writeLagBytes: s.opt(r, 'write_lag_bytes', toNumber),
    flushLagBytes: s.opt(r, 'flush_lag_bytes', toNumber),
    replayLagBytes: s.opt(r, 'replay_lag_bytes', toNumber),
    writeLagSeconds: s.opt(r, 'write_lag_seconds', toNumber),
    flushLagSeconds: s.opt(r, 'flush_lag_seconds', toNumber),
    replayLagSeconds: s.opt(r, 'replay_lag_seconds', toNumber),
    replyTime: s.opt(r, 'reply_time', toIsoTimestamp),
    slotName: s.opt(r, 'slot_name', text),
  };
}

function parseReceiver(s: Section): ReceiverRow | null {
  if (s.rows.length > 1) throw new ProbeParseError(s.name, null, `expected 0 or 1 row, got ${s.rows.length}`);
  const r = s.rows[0];
  if (!r) return null;
  const conninfo = s.opt(r, 'conninfo', text);
  const keys = conninfo ? conninfoKeywords(conninfo) : {};
  const status = s.opt(r, 'status', text);
  if (status === null) {
    // pg_stat_wal_receiver shows only the pid to roles without pg_read_all_stats.
    throw new ProbeParseError(s.name, 'status', 'NULL: the probing role needs pg_monitor (or pg_read_all_stats)');
  }
  return {
    pid: s.req(r, 'pid', toInteger),
    status,
    receivedTli: s.opt(r, 'received_tli', toInteger),
    writtenLsn: s.opt(r, 'written_lsn', lsn),
    flushedLsn: s.opt(r, 'flushed_lsn', lsn),
    latestEndLsn: s.opt(r, 'latest_end_lsn', lsn),
    lastMsgReceiptTime: s.opt(r, 'last_msg_receipt_time', toIsoTimestamp),
    slotName: s.opt(r, 'slot_name', text),
    senderHost: s.opt(r, 'sender_host', text),
    senderPort: s.opt(r, 'sender_port', toInteger),
    // Without application_name the upstream lists the walreceiver under fallback_application_name
    // (cluster_name or "walreceiver"), so that is the name to match pg_stat_replication with.
    applicationName: keys.application_name || keys.fallback_application_name || null,
  };
}

function parseSlot(s: Section, r: Row): SlotRow {
  return {
    slotName: s.req(r, 'slot_name', text),
    slotType: s.req(r, 'slot_type', text),
    plugin: s.opt(r, 'plugin', text),
    database: s.opt(r, 'database', text),
    temporary: s.req(r, 'temporary', toBoolean),
    active: s.req(r, 'active', toBoolean),
    activePid: s.opt(r, 'active_pid', toInteger),
    restartLsn: s.opt(r, 'restart_lsn', lsn),
    confirmedFlushLsn: s.opt(r, 'confirmed_flush_lsn', lsn),
    walStatus: s.opt(r, 'wal_status', text),
    safeWalSize: s.opt(r, 'safe_wal_size', toNumber),
    retainedBytes: s.opt(r, 'retained_bytes', toNumber),
    inactiveSince: s.opt(r, 'inactive_since', toIsoTimestamp),
    invalidationReason: s.opt(r, 'invalidation_reason', text),
    failover: s.opt(r, 'failover', toBoolean),
    synced: s.opt(r, 'synced', toBoolean),
  };
}

function parseArchiver(s: Section, node: Section, n: Row): ArchiverRow {
  const r = s.single();
  return {
    archiveMode: node.req(n, 'archive_mode', text),
    archiveCommandSet: node.req(n, 'archive_command_set', toBoolean),
    archivedCount: s.req(r, 'archived_count', toInteger),
    lastArchivedWal: s.opt(r, 'last_archived_wal', text),
    lastArchivedTime: s.opt(r, 'last_archived_time', toIsoTimestamp),
    failedCount: s.req(r, 'failed_count', toInteger),
    lastFailedWal: s.opt(r, 'last_failed_wal', text),
    lastFailedTime: s.opt(r, 'last_failed_time', toIsoTimestamp),
    statsReset: s.opt(r, 'stats_reset', toIsoTimestamp),
    currentWalFile: node.opt(n, 'current_wal_file', text),
  };
}

// Before the summarizer has summarized anything it reports timeline 0 at 0/0; as a position that
// would make "behind" equal to the whole WAL history, so it reads as unknown instead.
const nonZeroLsn: Conv<string> = (v) => {
  const l = lsn(v);
  return l === '0/0' ? null : l;
};

const nonNegative = (n: number | null): number | null => (n === null ? null : Math.max(0, n));

function parseWalSummary(s: Section | undefined): WalSummaryState | null {
  if (!s) return null;
  const r = s.single();
  const summarizedLsn = s.opt(r, 'summarized_lsn', nonZeroLsn);
  const pendingLsn = s.opt(r, 'pending_lsn', nonZeroLsn);
  const tli = s.opt(r, 'summarized_tli', toInteger);
  return {
    summarizeWal: s.req(r, 'summarize_wal', toBoolean),
    keepTimeMinutes: s.req(r, 'wal_summary_keep_time_min', toInteger),
    summarizedTli: tli === 0 ? null : tli,
    summarizedLsn,
    pendingLsn,
    summarizerPid: s.opt(r, 'summarizer_pid', toInteger),
    summaryCount: s.req(r, 'summary_count', toInteger),
    oldestStartLsn: s.opt(r, 'oldest_start_lsn', lsn),
    newestEndLsn: s.opt(r, 'newest_end_lsn', lsn),
    // Positions are read a few microseconds apart; a reading a few bytes below zero means caught up.
    behindBytes: (pendingLsn ?? summarizedLsn) === null ? null : nonNegative(s.opt(r, 'behind_bytes', toNumber)),
  };
}

function parseRepmgrNode(s: Section, r: Row): RepmgrNodeRow {
  return {
    id: s.req(r, 'node_id', toInteger),
    name: s.req(r, 'node_name', text),
    type: s.req(r, 'type', text),
    upstreamId: s.opt(r, 'upstream_node_id', toInteger),
    active: s.req(r, 'active', toBoolean),
    priority: s.req(r, 'priority', toInteger),
    location: s.opt(r, 'location', text),
  };
}

function parseRepmgrEvent(s: Section, r: Row): RepmgrEvent {
  return {
    nodeId: s.req(r, 'node_id', toInteger),
    nodeName: s.opt(r, 'node_name', text),
    event: s.req(r, 'event', text),
    successful: s.req(r, 'successful', toBoolean),
    timestamp: s.req(r, 'event_timestamp', toIsoTimestamp),
    details: s.opt(r, 'details', text),
  };
}

function parseRepmgrStatus(s: Section): RepmgrReplicationStatus | null {
  if (s.rows.length > 1) throw new ProbeParseError(s.name, null, `expected 0 or 1 row, got ${s.rows.length}`);
  const r = s.rows[0];
  if (!r) return null;
  return {
    primaryNodeId: s.req(r, 'primary_node_id', toInteger),
    standbyNodeId: s.req(r, 'standby_node_id', toInteger),
    lastMonitorTime: s.req(r, 'last_monitor_time', toIsoTimestamp),
    lastApplyTime: s.opt(r, 'last_apply_time', toIsoTimestamp),
    lastWalPrimaryLocation: s.req(r, 'last_wal_primary_location', lsn),
    lastWalStandbyLocation: s.opt(r, 'last_wal_standby_location', lsn),
    replicationLagBytes: s.req(r, 'replication_lag_bytes', toNumber),
    applyLagBytes: s.req(r, 'apply_lag_bytes', toNumber),
    // Clocks of primary and standby differ by a little; a few ms below zero means none.
    replicationTimeLagSeconds: nonNegative(s.opt(r, 'replication_time_lag_seconds', toNumber)),
    communicationTimeLagSeconds: nonNegative(s.opt(r, 'communication_time_lag_seconds', toNumber)),
  };
}

/** What the connection learnt about repmgr when the probe has no repmgr sections (see CONNECT_QUERY). */
export interface RepmgrAccess {
  extVersion: string;
  /** Why the role cannot read repmgr; null when it can (then the sections must be there). */
  unavailable: string | null;
}

function parseRepmgr(idx: Map<string, Section>, access: RepmgrAccess | null | undefined): RepmgrSqlState | null {
  const nodes = idx.get('repmgr');
  const d = idx.get('repmgrd');
  const events = idx.get('repmgrevents');
  const status = idx.get('repmgrstatus');
  if (!nodes !== !d) throw new ProbeParseError(nodes ? 'repmgrd' : 'repmgr', null, 'section missing (repmgr and repmgrd come together)');
  if (!nodes && (events || status)) {
    throw new ProbeParseError(events ? 'repmgrevents' : 'repmgrstatus', null, 'section without the repmgr and repmgrd sections');
  }
  if (!nodes || !d) {
    if (!access) return null;
    return { available: false, extVersion: access.extVersion, unavailable: access.unavailable ?? 'repmgr sections not queried' };
  }
  const r = d.single();
  const seen = d.opt(r, 'upstream_last_seen', toInteger);
  return {
    available: true,
    extVersion: d.opt(r, 'ext_version', text) ?? access?.extVersion ?? '?',
    localNodeId: d.opt(r, 'local_node_id', toInteger),
    repmgrdRunning: d.opt(r, 'repmgrd_running', toBoolean),
    repmgrdPaused: d.opt(r, 'repmgrd_paused', toBoolean),
    upstreamLastSeenSeconds: seen === null || seen < 0 ? null : seen,
    nodes: nodes.rows.map((x) => parseRepmgrNode(nodes, x)),
    // Keys only when read, so "not read" (absent) stays apart from "none" ([] / null).
    ...(events && { events: events.rows.map((x) => parseRepmgrEvent(events, x)) }),
    ...(status && { replicationStatus: parseRepmgrStatus(status) }),
  };
}

/** 14+ reports 'not paused' / 'pause requested' / 'paused'; a request stops replay too, so it counts. */
function replayPaused(s: Section, r: Row): boolean | null {
  if (s.has('replay_pause_state')) {
    const state = s.opt(r, 'replay_pause_state', text);
    return state === null ? null : state !== 'not paused';
  }
  return s.opt(r, 'replay_paused', toBoolean);
}

export function parseProbeResults(
  results: ReadonlyArray<ProbeResult>,
  sections: readonly string[],
  meta: { takenAt: number; roundTripMs: number; repmgr?: RepmgrAccess | null },
): NodeSample {
  const idx = indexSections(results, sections);
  const get = (name: string): Section => idx.get(name)!;
  const node = get('node');
  const n = node.single();
  const senders = get('senders');
  const slots = get('slots');
  return {
    takenAt: meta.takenAt,
    roundTripMs: meta.roundTripMs,
    serverVersionNum: node.req(n, 'server_version_num', toInteger),
    serverVersion: node.req(n, 'server_version', text),
    systemIdentifier: node.opt(n, 'system_identifier', (v) => (v == null ? null : String(v))),
    role: node.req(n, 'in_recovery', toBoolean) ? 'standby' : 'primary',
    timeline: node.opt(n, 'timeline', toInteger),
    currentLsn: node.opt(n, 'current_lsn', lsn),
    receiveLsn: node.opt(n, 'receive_lsn', lsn),
    replayLsn: node.opt(n, 'replay_lsn', lsn),
    replayPaused: replayPaused(node, n),
    lastReplayTime: node.opt(n, 'last_replay_time', toIsoTimestamp),
    recoveryMinApplyDelayMs: node.req(n, 'recovery_min_apply_delay_ms', toInteger),
    maxWalSenders: node.req(n, 'max_wal_senders', toInteger),
    maxReplicationSlots: node.req(n, 'max_replication_slots', toInteger),
    senders: senders.rows.map((r) => parseSender(senders, r)),
    receiver: parseReceiver(get('receiver')),
    slots: slots.rows.map((r) => parseSlot(slots, r)),
    archiver: parseArchiver(get('archiver'), node, n),
    walSummary: parseWalSummary(idx.get('walsummary')),
    repmgr: parseRepmgr(idx, meta.repmgr),
  };
}
