// The shapes that flow from probes into the store and out to views and `snapshot --json`.
// Byte counts are plain numbers: 2^53 bytes is 8 PiB, far beyond any WAL distance we show.

export type Role = 'primary' | 'standby' | 'unknown';

/** One row of pg_stat_replication on the node that sends WAL. */
export interface SenderRow {
  pid: number;
  applicationName: string;
  clientAddr: string | null;
  clientPort: number | null;
  state: string | null; // startup / catchup / streaming / backup / stopping
  syncState: string | null; // async / potential / sync / quorum
  sentLsn: string | null;
  writeLsn: string | null;
  flushLsn: string | null;
  replayLsn: string | null;
  /** Bytes behind the sender's own position (current LSN on a primary, received LSN on a cascading standby). */
  sentLagBytes: number | null;
  writeLagBytes: number | null;
  flushLagBytes: number | null;
  replayLagBytes: number | null;
  writeLagSeconds: number | null;
  flushLagSeconds: number | null;
  replayLagSeconds: number | null;
  replyTime: string | null; // ISO
  /** Name of the slot this walsender holds (joined through pg_replication_slots.active_pid). */
  slotName: string | null;
}

/** pg_stat_wal_receiver on a standby; null when no walreceiver runs. */
export interface ReceiverRow {
  pid: number;
  status: string;
  receivedTli: number | null;
  writtenLsn: string | null;
  flushedLsn: string | null;
  latestEndLsn: string | null;
  lastMsgReceiptTime: string | null; // ISO
  slotName: string | null;
  senderHost: string | null;
  senderPort: number | null;
  /** application_name parsed out of the receiver's conninfo, when visible. */
  applicationName: string | null;
}

export interface SlotRow {
  slotName: string;
  slotType: 'physical' | 'logical' | string;
  plugin: string | null;
  database: string | null;
  temporary: boolean;
  active: boolean;
  activePid: number | null;
  restartLsn: string | null;
  confirmedFlushLsn: string | null;
  walStatus: string | null; // reserved / extended / unreserved / lost (13+)
  safeWalSize: number | null;
  /** current (or received, on a standby) LSN − restart_lsn. */
  retainedBytes: number | null;
  // 17+
  inactiveSince: string | null;
  invalidationReason: string | null;
  failover: boolean | null;
  synced: boolean | null;
}

export interface ArchiverRow {
  archiveMode: string; // off / on / always
  archiveCommandSet: boolean;
  archivedCount: number;
  lastArchivedWal: string | null;
  lastArchivedTime: string | null; // ISO
  failedCount: number;
  lastFailedWal: string | null;
  lastFailedTime: string | null; // ISO
  statsReset: string | null;
  /** Name of the WAL file currently being written (primary only). */
  currentWalFile: string | null;
}

/** PostgreSQL 17+ WAL summarization; null on older servers. */
export interface WalSummaryState {
  summarizeWal: boolean;
  keepTimeMinutes: number;
  summarizedTli: number | null;
  summarizedLsn: string | null;
  pendingLsn: string | null;
  summarizerPid: number | null;
  summaryCount: number;
  oldestStartLsn: string | null;
  newestEndLsn: string | null;
  /** Bytes between the node's own WAL position and summarized_lsn. */
  behindBytes: number | null;
}

/** One row of repmgr.nodes: the topology repmgr registered (may be stale after manual changes). */
export interface RepmgrNodeRow {
  id: number;
  name: string;
  type: string; // primary / standby / witness / bdr
  upstreamId: number | null;
  active: boolean;
  priority: number;
  location: string | null;
}

/** One row of repmgr.events: what repmgr and repmgrd did (`repmgr cluster event`). */
export interface RepmgrEvent {
  nodeId: number;
  /** From repmgr.nodes; null when the node has been unregistered since. */
  nodeName: string | null;
  event: string; // standby_register, repmgrd_failover_promote, …
  successful: boolean;
  timestamp: string; // ISO, event_timestamp
  details: string | null;
}

/**
 * This standby's newest repmgr.monitoring_history row (what view repmgr.replication_status shows
 * for it), written by its repmgrd every monitor_interval_secs when monitoring_history=yes.
 */
export interface RepmgrReplicationStatus {
  primaryNodeId: number;
  standbyNodeId: number;
  lastMonitorTime: string; // ISO
  lastApplyTime: string | null; // ISO
  lastWalPrimaryLocation: string;
  lastWalStandbyLocation: string | null;
  replicationLagBytes: number;
  applyLagBytes: number;
  /** Seconds since the last replayed transaction while behind; 0 when caught up (as the view). */
  replicationTimeLagSeconds: number | null;
  /** Seconds since repmgrd on this standby last updated its state (as the view). */
  communicationTimeLagSeconds: number | null;
}

/**
 * What the repmgr extension in the probed database says, read over SQL in the same round trip.
 * available=false: the extension is installed but this role may not read it (reason says what it
 * lacks); the rest of the sample is complete.
 */
export type RepmgrSqlState =
  | {
      available: true;
      extVersion: string;
      /** get_local_node_id(): the node_id repmgrd registered for this server; null before repmgrd ran. */
      localNodeId: number | null;
      /** repmgrd_is_running() / repmgrd_is_paused(); null when repmgr is not in shared_preload_libraries. */
      repmgrdRunning: boolean | null;
      repmgrdPaused: boolean | null;
      /** get_upstream_last_seen(): seconds since repmgrd last saw its upstream; null when unknown (-1: always on a primary). */
      upstreamLastSeenSeconds: number | null;
      nodes: RepmgrNodeRow[];
      /**
       * Newest repmgr.events first (at most REPMGR_EVENTS_LIMIT); the table is replicated, so every
       * node returns the same rows. Absent when not read (the role may not SELECT repmgr.events).
       */
      events?: RepmgrEvent[];
      /**
       * This node's newest monitoring_history row within the last hour; null when there is none (a
       * primary, monitoring_history=no, repmgrd not writing). Absent when not read (privileges).
       */
      replicationStatus?: RepmgrReplicationStatus | null;
    }
  | { available: false; extVersion: string; unavailable: string };

/** Everything one tick learns about one node, from one round trip. */
export interface NodeSample {
  takenAt: number; // epoch ms when the reply arrived
  roundTripMs: number;
  serverVersionNum: number;
  serverVersion: string;
  systemIdentifier: string | null;
  role: 'primary' | 'standby';
  timeline: number | null;
  /** pg_current_wal_lsn() on a primary, null on a standby. */
  currentLsn: string | null;
  receiveLsn: string | null;
  replayLsn: string | null;
  replayPaused: boolean | null;
  lastReplayTime: string | null; // ISO, pg_last_xact_replay_timestamp()
  recoveryMinApplyDelayMs: number;
  maxWalSenders: number;
  maxReplicationSlots: number;
  senders: SenderRow[];
  receiver: ReceiverRow | null;
  slots: SlotRow[];
  archiver: ArchiverRow;
  walSummary: WalSummaryState | null;
  /** null when the repmgr extension is not installed in the probed database. */
  repmgr: RepmgrSqlState | null;
}

export type NodeHealth =
  | { kind: 'connecting' }
  | { kind: 'ok' }
  | { kind: 'down'; reason: string; since: number; retryAt: number | null };

/** What the store keeps per configured node. */
export interface NodeState {
  name: string;
  /** Connection target with any password removed, for display. */
  target: string;
  /** host and port the node listens on, to match a standby's sender_host/sender_port to its upstream. */
  endpoint: { host: string; port: number } | null;
  health: NodeHealth;
  /** Last good sample, kept while the node is down so the screen shows how old it is. */
  sample: NodeSample | null;
  lastOkAt: number | null;
}
