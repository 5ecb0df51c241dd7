// One persistent SQL connection per pgpool. pgpool answers only the first statement of a
// multi-statement query, so each SHOW is its own round trip — to pgpool, not to PostgreSQL; the
// scheduler runs this at a slower cadence because SHOW pool_nodes makes pgpool ping every backend.
import type pg from 'pg';
import type { Conninfo } from '../../config/conninfo.ts';
import type { PgpoolSample, WatchdogState } from '../../model/pgpool.ts';
import type { NodeHealth } from '../../model/types.ts';
import { describePgError } from '../pg/describe-error.ts';
import { PolledConnection } from '../pg/polled-connection.ts';
import { parsePoolNodes } from './pool-nodes.ts';
import { parseBackendStats, parseHealthCheckStats } from './pool-stats.ts';
import { parsePoolVersion, type PoolVersion } from './pool-version.ts';
import type { PgpoolResult } from './result-table.ts';

export interface PgpoolSink {
  pgpoolSample(name: string, sample: PgpoolSample): void;
  pgpoolHealth(name: string, health: NodeHealth): void;
}

export interface PgpoolPollerOptions {
  name: string;
  conninfo: Conninfo;
  target: string;
  sink: PgpoolSink;
  queryTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Reads the watchdog (PCP); absent when no `pcp:` is configured. Must not throw. */
  watchdog?: () => Promise<WatchdogState>;
  now?: () => number;
}

function asResults(r: unknown): PgpoolResult[] {
  return (Array.isArray(r) ? r : [r]) as PgpoolResult[];
}

/** The result set carrying rows (pgpool ≤ 4.3.5 sends an empty one first for some SHOWs). */
function lastResult(r: unknown): PgpoolResult {
  const list = asResults(r);
  return list.find((x) => x.rows.length > 0) ?? list[list.length - 1]!;
}

/**
 * What the pane says when pgpool gives no sample. An error pgpool itself sends (it has a
 * severity) while it cannot reach a backend means applications are refused too: say so.
 */
export function pgpoolReason(e: unknown, target: string): string {
  if (e instanceof Error && e.name === 'PgpoolParseError') return e.message;
  const server = (e as { severity?: string } | null)?.severity !== undefined;
  const text = describePgError(e, target).replace('is PostgreSQL running?', 'is pgpool running?');
  return server && /backend|connection/i.test(text) ? `refuses new sessions: ${text}` : text;
}

export class PgpoolPoller extends PolledConnection {
  private version: PoolVersion | null = null;

  constructor(private readonly opts: PgpoolPollerOptions) {
    super(opts);
  }

  protected async onConnect(client: pg.Client): Promise<void> {
    try {
      this.version = parsePoolVersion(asResults(await client.query('SHOW pool_version')));
    } catch (e) {
      // A plain PostgreSQL behind this conninfo answers SHOW pool_version with an error: say so.
      if ((e as { code?: string }).code === '42704') throw new Error(`${this.opts.target} is not pgpool-II (SHOW pool_version: unrecognized parameter)`);
      throw e;
    }
  }

  protected async poll(client: pg.Client): Promise<void> {
    // The watchdog goes over PCP, a different port and process: ask it alongside the SQL.
    const watchdog = this.opts.watchdog ? this.opts.watchdog() : Promise.resolve(null);
    try {
      const started = performance.now();
      const nodes = parsePoolNodes(lastResult(await client.query('SHOW pool_nodes')));
      const roundTripMs = performance.now() - started;
      // The stats views are extras: a pgpool that refuses one still shows its backends.
      const healthCheck = await optional(client, 'SHOW pool_health_check_stats', parseHealthCheckStats);
      const backendStats = await optional(client, 'SHOW pool_backend_stats', parseBackendStats);
      this.opts.sink.pgpoolSample(this.opts.name, { takenAt: this.now(), roundTripMs, version: this.version, nodes, healthCheck, backendStats, watchdog: await watchdog });
    } finally {
      await watchdog.catch(() => null);
    }
  }

  protected onFailure(e: unknown, since: number, retryAt: number): void {
    this.opts.sink.pgpoolHealth(this.opts.name, { kind: 'down', reason: pgpoolReason(e, this.opts.target), since, retryAt });
  }

  protected forget(): void {
    this.version = null;
  }
}

async function optional<T>(client: pg.Client, sql: string, parse: (r: PgpoolResult) => T): Promise<T | null> {
  try {
    return parse(lastResult(await client.query(sql)));
  } catch (e) {
    if (e instanceof Error && e.name === 'PgpoolParseError') return null;
    throw e;
  }
}
