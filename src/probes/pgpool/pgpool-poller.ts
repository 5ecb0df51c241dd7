// One persistent SQL connection per pgpool. pgpool answers only the first statement of a
// multi-statement query, so each SHOW is its own round trip — to pgpool, not to PostgreSQL; the
// scheduler runs this at a slower cadence because SHOW pool_nodes makes pgpool ping every backend.
import pg from 'pg';
import { type Conninfo, resolveService } from '../../config/conninfo.ts';
import type { PgpoolSample, WatchdogState } from '../../model/pgpool.ts';
import type { NodeHealth } from '../../model/types.ts';
import { describePgError } from '../pg/describe-error.ts';
import { probeClientConfig } from '../pg/node-poller.ts';
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

const BACKOFF_MS = [1000, 2000, 4000, 8000, 15000, 30000];

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

export class PgpoolPoller {
  private client: pg.Client | null = null;
  private version: PoolVersion | null = null;
  private inFlight: Promise<void> | null = null;
  private failures = 0;
  private nextConnectAt = 0;
  private closed = false;

  constructor(private readonly opts: PgpoolPollerOptions) {}

  tick(force = false): Promise<void> {
    if (this.inFlight || this.closed) return this.inFlight ?? Promise.resolve();
    const now = (this.opts.now ?? Date.now)();
    if (!this.client && !force && now < this.nextConnectAt) return Promise.resolve();
    this.inFlight = this.run().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.inFlight?.catch(() => undefined);
    this.drop();
  }

  private async run(): Promise<void> {
    const { name, sink } = this.opts;
    const now = this.opts.now ?? Date.now;
    // The watchdog goes over PCP, a different port and process: start it alongside the SQL.
    const watchdog = this.opts.watchdog ? this.opts.watchdog() : Promise.resolve(null);
    try {
      if (!this.client) await this.connect();
      const started = performance.now();
      const nodes = parsePoolNodes(lastResult(await this.client!.query('SHOW pool_nodes')));
      const roundTripMs = performance.now() - started;
      // The stats views are extras: a pgpool that refuses one still shows its backends.
      const healthCheck = await this.optional('SHOW pool_health_check_stats', parseHealthCheckStats);
      const backendStats = await this.optional('SHOW pool_backend_stats', parseBackendStats);
      this.failures = 0;
      sink.pgpoolSample(name, { takenAt: now(), roundTripMs, version: this.version, nodes, healthCheck, backendStats, watchdog: await watchdog });
    } catch (e) {
      await watchdog.catch(() => null);
      this.drop();
      const t = now();
      const wait = BACKOFF_MS[Math.min(this.failures, BACKOFF_MS.length - 1)]!;
      this.failures++;
      this.nextConnectAt = t + wait;
      const reason = pgpoolReason(e, this.opts.target);
      if (!this.closed) sink.pgpoolHealth(name, { kind: 'down', reason, since: t, retryAt: this.nextConnectAt });
    }
  }

  private async optional<T>(sql: string, parse: (r: PgpoolResult) => T): Promise<T | null> {
    try {
      return parse(lastResult(await this.client!.query(sql)));
    } catch (e) {
      if (e instanceof Error && e.name === 'PgpoolParseError') return null;
      throw e;
    }
  }

  private async connect(): Promise<void> {
    const info = resolveService(this.opts.conninfo);
    const client = new pg.Client(probeClientConfig(info, this.opts.queryTimeoutMs ?? 5000, this.opts.connectTimeoutMs));
    client.on('error', () => {
      if (this.client === client && !this.inFlight) this.drop();
    });
    this.client = client;
    await client.connect();
    try {
      this.version = parsePoolVersion(asResults(await client.query('SHOW pool_version')));
    } catch (e) {
      // A plain PostgreSQL behind this conninfo answers SHOW pool_version with an error: say so.
      if ((e as { code?: string }).code === '42704') throw new Error(`${this.opts.target} is not pgpool-II (SHOW pool_version: unrecognized parameter)`);
      throw e;
    }
  }

  private drop(): void {
    const c = this.client as (pg.Client & { connection?: { stream?: { destroy(): void } } }) | null;
    this.client = null;
    if (!c) return;
    try {
      c.connection?.stream?.destroy();
    } catch {
      // already gone
    }
    c.end().catch(() => undefined);
  }
}
