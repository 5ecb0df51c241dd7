// What the console knows about each configured pgpool-II: its SHOW answers (backends as pgpool
// sees them, next to the live ping and pg_is_in_recovery() it reports) and its watchdog.
import type { WatchdogInfo } from '../probes/pgpool/pcp-text.ts';
import type { PoolNodeRow } from '../probes/pgpool/pool-nodes.ts';
import type { BackendStatsRow, HealthCheckStatsRow } from '../probes/pgpool/pool-stats.ts';
import type { PoolVersion } from '../probes/pgpool/pool-version.ts';
import type { NodeHealth } from './types.ts';

/** Watchdog as read over PCP; `error` says why it is missing (no PCP configured, auth, disabled). */
export type WatchdogState = { ok: true; info: WatchdogInfo } | { ok: false; error: string };

export interface PgpoolSample {
  takenAt: number;
  roundTripMs: number;
  version: PoolVersion | null;
  nodes: PoolNodeRow[];
  /** null when the SHOW failed on its own (the rest of the sample still stands). */
  healthCheck: HealthCheckStatsRow[] | null;
  backendStats: BackendStatsRow[] | null;
  watchdog: WatchdogState | null;
}

export interface PgpoolState {
  name: string;
  /** Connection target without password, for messages. */
  target: string;
  health: NodeHealth;
  sample: PgpoolSample | null;
  lastOkAt: number | null;
}

/** pgpool's view of one backend, matched to a configured PostgreSQL node by host and port. */
export function sameEndpoint(a: { host: string; port: number }, b: { host: string; port: number }): boolean {
  const norm = (h: string) => (h === 'localhost' || h === '::1' ? '127.0.0.1' : h.toLowerCase());
  return a.port === b.port && norm(a.host) === norm(b.host);
}
