// One persistent PostgreSQL-protocol connection polled on a schedule, shared by the node poller
// and the pgpool poller: a tick is skipped while the previous one is in flight, a failed
// connection is retried with backoff, and a hung one is abandoned rather than waited for.
import pg from 'pg';
import { type Conninfo, resolveService, toPgTarget } from '../../config/conninfo.ts';

/**
 * Settings of a probe connection. A read-only session with a server-side statement timeout: the
 * console must never write, and a slow catalog must not pile up queries on a sick server.
 */
export function probeClientConfig(info: Conninfo, queryTimeoutMs: number, connectTimeoutMs = 5000): pg.ClientConfig {
  const target = toPgTarget(info);
  const options = [target.options, '-c default_transaction_read_only=on', `-c statement_timeout=${queryTimeoutMs}`, '-c lock_timeout=1000']
    .filter(Boolean)
    .join(' ');
  return {
    host: target.host,
    port: target.port,
    database: target.database,
    user: target.user,
    password: target.password,
    ssl: target.ssl,
    options,
    application_name: 'pgtop-ha',
    connectionTimeoutMillis: target.connectTimeoutMs ?? connectTimeoutMs,
    // Client-side guard for a server that stops answering altogether (SIGSTOP, dead network).
    query_timeout: queryTimeoutMs + 1000,
    keepAlive: true,
  };
}

const BACKOFF_MS = [1000, 2000, 4000, 8000, 15000, 30000];

export interface PolledConnectionOptions {
  conninfo: Conninfo;
  /** How long one poll's query may take before the server is reported as hung. */
  queryTimeoutMs?: number;
  connectTimeoutMs?: number;
  now?: () => number;
}

export abstract class PolledConnection {
  private client: pg.Client | null = null;
  private inFlight: Promise<void> | null = null;
  private failures = 0;
  private nextConnectAt = 0;
  private closed = false;

  constructor(private readonly conn: PolledConnectionOptions) {}

  /** Once per new connection (version, capabilities); throwing drops the connection. */
  protected abstract onConnect(client: pg.Client): Promise<void>;
  /** One poll on an open connection; throwing drops it and counts as a failure. */
  protected abstract poll(client: pg.Client): Promise<void>;
  /** Why the poll failed, when the next connect is due; not called once closed. */
  protected abstract onFailure(e: unknown, since: number, retryAt: number): void;
  /** Forget what was learnt on the dropped connection. */
  protected forget(): void {}

  get busy(): boolean {
    return this.inFlight !== null;
  }

  protected now(): number {
    return (this.conn.now ?? Date.now)();
  }

  /** Runs one poll unless the previous one is still in flight (then this tick is skipped). */
  tick(force = false): Promise<void> {
    if (this.inFlight || this.closed) return this.inFlight ?? Promise.resolve();
    if (!this.client && !force && this.now() < this.nextConnectAt) return Promise.resolve();
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
    try {
      if (!this.client) await this.connect();
      await this.poll(this.client!);
      this.failures = 0;
    } catch (e) {
      this.drop();
      const t = this.now();
      this.nextConnectAt = t + BACKOFF_MS[Math.min(this.failures, BACKOFF_MS.length - 1)]!;
      this.failures++;
      if (!this.closed) this.onFailure(e, t, this.nextConnectAt);
    }
  }

  private async connect(): Promise<void> {
    const info = resolveService(this.conn.conninfo);
    const client = new pg.Client(probeClientConfig(info, this.conn.queryTimeoutMs ?? 5000, this.conn.connectTimeoutMs));
    // An idle connection that dies between ticks (server shutdown, network) emits 'error': forget
    // it so the next tick reconnects and reports what it finds, not "client is not queryable".
    client.on('error', () => {
      if (this.client === client && !this.inFlight) this.drop();
    });
    this.client = client;
    await client.connect();
    await this.onConnect(client);
  }

  /** Abandons the connection without waiting: a hung server would never answer a polite end(). */
  private drop(): void {
    const c = this.client as (pg.Client & { connection?: { stream?: { destroy(): void } } }) | null;
    this.client = null;
    this.forget();
    if (!c) return;
    try {
      c.connection?.stream?.destroy();
    } catch {
      // already gone
    }
    c.end().catch(() => undefined);
  }
}
