// What the console knows about backups, from any source (barman over SSH, a directory of PG17
// pg_basebackup full/incremental backups): the backups, the chains they form (full → incremental
// → …) and what barman's own checks say. Probes fill it; the backups pane and `snapshot --json`
// read it. Chains are built by buildChains() in backup-chains.ts, the same for every source.

export type BackupType = 'full' | 'incremental' | 'rsync' | 'snapshot';

export interface BackupInfo {
  /** barman backup_id, or the directory name for a basebackup directory. */
  id: string;
  /** barman's backup_name (3.0+), null when none. */
  name: string | null;
  type: BackupType;
  /** DONE, WAITING_FOR_WALS, STARTED, FAILED, EMPTY, SYNCING, … as the source prints it. */
  status: string;
  /** The backup an incremental is taken against; null for a full. */
  parentId: string | null;
  childrenIds: string[];
  beginTime: string | null; // ISO 8601 with zone
  endTime: string | null; // ISO 8601 with zone
  durationSeconds: number | null;
  /** Bytes the backup itself holds on disk (3.4 disk_usage / 3.11+ backup_size; directory size). */
  sizeBytes: number | null;
  /** WAL needed/kept for it (barman wal_size); null when unknown. */
  walBytes: number | null;
  /** Incrementals: bytes saved against a full copy (3.11+ resources_saved); null otherwise. */
  resourcesSavedBytes: number | null;
  /** barman's retention status (VALID, OBSOLETE, KEEP:FULL, …); null when not reported. */
  retentionStatus: string | null;
  timeline: number | null;
  beginLsn: string | null;
  endLsn: string | null;
  /** Whether the server summarized WAL when this backup was taken (3.11+); null when unknown. */
  summarizeWal: boolean | null;
}

export interface BackupChain {
  /** The full backup at the root (or the orphan at the top of a chain whose parent is missing). */
  rootId: string;
  /** Every member, root first, in tree pre-order (children by begin time). */
  members: string[];
  broken: boolean;
  /** Why, naming the backup: "incr_2 hangs on 2026… which is FAILED", "parent X is missing", … */
  reason: string | null;
}

export interface BackupCheck {
  /** barman check's item, e.g. "WAL archive", "replication slot". */
  name: string;
  ok: boolean;
  /** barman's hint for a failed check; null when none. */
  hint: string | null;
}

export interface WalArchiving {
  receiveWalRunning: boolean | null;
  /** PostgreSQL (where barman's conninfo points) sees barman's receive-wal streaming (replication-status). */
  walStreaming: boolean | null;
  lastArchivedWal: string | null;
  lastArchivedTime: string | null; // ISO
  failedCount: number | null;
  walsPerHour: number | null;
  /** First point of recoverability (barman status), ISO; null when unknown. */
  firstRecoverabilityPoint: string | null;
}

export interface BackupSourceState {
  source: 'barman' | 'basebackup_dir';
  /** barman server name, or the directory path. */
  name: string;
  /** Where it was read (ssh target label). */
  where: string;
  reachable: boolean;
  /** One line a DBA understands when the source could not be read. */
  error: string | null;
  /** epoch ms of the last answer. */
  at: number;
  backups: BackupInfo[];
  chains: BackupChain[];
  /** barman check; null for a directory source or when not yet run. */
  checks: BackupCheck[] | null;
  wal: WalArchiving | null;
  /** Per backup id, what the source noticed beyond its status: orphan, no manifest yet, … */
  notes?: Record<string, string[]>;
  /** barman's version when known (decides whether incremental backups can be offered). */
  barmanVersion?: string | null;
}
