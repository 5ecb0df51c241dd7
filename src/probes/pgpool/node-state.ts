// Vocabulary of pgpool backend state, shared by SHOW pool_nodes and pcp_node_info, plus the
// "pgpool's view vs PostgreSQL's live answer" checks the probe reference (§3.1) calls the
// interesting alarms. Strings are those of pgpool's backend_status_to_str() / role_to_str().

/** pgpool's own view of a backend. */
export const BACKEND_STATUSES = ['up', 'down', 'waiting', 'unused', 'quarantine'] as const;
export type BackendStatus = (typeof BACKEND_STATUSES)[number];

/** Live PQping at SHOW time; `unknown` when health_check_period = 0. */
export const PG_STATUSES = ['up', 'down', 'unknown'] as const;
export type PgStatus = (typeof PG_STATUSES)[number];

/** pgpool's notion of the role: primary/standby in streaming mode, main/replica otherwise. */
export const POOL_ROLES = ['primary', 'standby', 'main', 'replica'] as const;
export type PoolRole = (typeof POOL_ROLES)[number];

/** Live pg_is_in_recovery(); `unknown` if sr_check_period = 0, the connect failed or pg_status ≠ up. */
export const PG_ROLES = ['primary', 'standby', 'unknown'] as const;
export type PgRole = (typeof PG_ROLES)[number];

/** Bytes of WAL (always in 4.3; 4.4+ by default) or seconds (4.4+ with delay_threshold_by_time > 0). */
export type ReplicationDelay = { bytes: number } | { seconds: number };

/**
 * Parses replication_delay: "%lu" bytes, or in 4.4+ "%.6f second"/"%.6f seconds" when
 * delay_threshold_by_time is set (pool_process_reporting.c; pcp_node_info -v prints the same).
 * Empty → null. The unitless "0.000000" that terse pcp_node_info prints is NOT accepted: it is
 * seconds, but nothing in the text says so, and guessing bytes would be wrong.
 */
export function parseReplicationDelay(v: unknown): ReplicationDelay | null {
  if (v == null) return null;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return { bytes: v };
  if (typeof v !== 'string') throw new TypeError(`replication delay: expected text, got ${typeof v}`);
  const t = v.trim();
  if (t === '') return null;
  if (/^\d+$/.test(t)) {
    const n = Number(t);
    if (!Number.isSafeInteger(n)) throw new TypeError(`replication delay too large: ${JSON.stringify(v)}`);
    return { bytes: n };
  }
  const m = /^(\d+(?:\.\d+)?) seconds?$/.exec(t);
  if (m) return { seconds: Number(m[1]) };
  throw new TypeError(`not a replication delay (bytes or "N second(s)"): ${JSON.stringify(v)}`);
}

/**
 * pgpool's status disagrees with the live ping. `waiting` (up, no session has connected yet) counts
 * as up; `quarantine`/`unused` count as down. Not decidable when pg_status is `unknown`.
 * Typical hit: pg_status up but status down — the backend came back and was never re-attached.
 */
export function isStatusMismatch(status: BackendStatus, pgStatus: PgStatus): boolean {
  if (pgStatus === 'unknown') return false;
  const poolUp = status === 'up' || status === 'waiting';
  return poolUp !== (pgStatus === 'up');
}

/**
 * pgpool's role disagrees with pg_is_in_recovery() — e.g. pgpool still routes writes to a node that
 * a repmgr switchover demoted. Only meaningful in streaming mode (primary/standby) and when the
 * live role is known; main/replica (other clustering modes) are never flagged.
 */
export function isRoleMismatch(role: PoolRole, pgRole: PgRole): boolean {
  if (pgRole === 'unknown') return false;
  if (role !== 'primary' && role !== 'standby') return false;
  return role !== pgRole;
}

/** What pgpool says about a backend next to what the backend itself says: SQL and PCP alike. */
export interface BackendView {
  /** pgpool's view. */
  status: BackendStatus;
  /** Live ping at query time. */
  pgStatus: PgStatus;
  /** pgpool's view. */
  role: PoolRole;
  /** Live pg_is_in_recovery(). */
  pgRole: PgRole;
  /** As pgpool reports it: the primary and a detached node read 0 bytes, not null. */
  replicationDelay: ReplicationDelay | null;
  /** From the primary's pg_stat_replication; null on the primary / when not configured. */
  replicationState: string | null;
  replicationSyncState: string | null;
  /** "YYYY-MM-DD HH:MM:SS" in the pgpool host's local time, NO zone — kept as text, not an instant. */
  lastStatusChange: string | null;
  statusMismatch: boolean;
  roleMismatch: boolean;
}
