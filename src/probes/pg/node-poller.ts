// One persistent connection per node and one round trip per tick. Each node runs on its own
// timer so a node that hangs for 10 s delays nobody else; failures go to the store, never up.
import pg from 'pg';
import { type Conninfo, resolveService, toPgTarget } from '../../config/conninfo.ts';
import type { NodeHealth, NodeSample } from '../../model/types.ts';
import { describePgError } from './describe-error.ts';
import { parseProbeResults, type RepmgrAccess } from './parse-probe.ts';
import { CONNECT_QUERY, buildProbeQuery, parseConnectInfo, probeOptionsFor } from './probe-query.ts';

export interface PollerSink {
  sample(name: string, sample: NodeSample): void;
  health(name: string, health: NodeHealth): void;
}

export interface PollerOptions {
  name: string;
  conninfo: Conninfo;
  /** Display form of the target, used in error messages. */
  target: string;
  sink: PollerSink;
  /** How long one probe query may take before the node is reported as hung. */
  queryTimeoutMs?: number;
  connectTimeoutMs?: number;
  now?: () => number;
}

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

export class NodePoller {
  private client: pg.Client | null = null;
  private query: { text: string; sections: readonly string[] } | null = null;
  /** Learnt at connect: repmgr installed in this database, and whether this role may read it. */
  private repmgr: RepmgrAccess | null = null;
  private inFlight: Promise<void> | null = null;
  private failures = 0;
  private nextConnectAt = 0;
  private closed = false;

  constructor(private readonly opts: PollerOptions) {}

  get busy(): boolean {
    return this.inFlight !== null;
  }

  /** Runs one tick unless the previous one is still in flight (then this tick is skipped). */
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
    try {
      if (!this.client) await this.connect();
      const started = performance.now();
      const results = (await this.client!.query(this.query!.text)) as unknown as pg.QueryResult[] | pg.QueryResult;
      const roundTripMs = performance.now() - started;
      const list = Array.isArray(results) ? results : [results];
      const sample = parseProbeResults(list, this.query!.sections, {
        takenAt: (this.opts.now ?? Date.now)(),
        roundTripMs,
        repmgr: this.repmgr,
      });
      this.failures = 0;
      sink.sample(name, sample);
    } catch (e) {
      this.drop();
      const now = (this.opts.now ?? Date.now)();
      const wait = BACKOFF_MS[Math.min(this.failures, BACKOFF_MS.length - 1)]!;
      this.failures++;
      this.nextConnectAt = now + wait;
      if (!this.closed) sink.health(name, { kind: 'down', reason: describePgError(e, this.opts.target), since: now, retryAt: this.nextConnectAt });
    }
  }

  private async connect(): Promise<void> {
    const info = resolveService(this.opts.conninfo);
    const client = new pg.Client(probeClientConfig(info, this.opts.queryTimeoutMs ?? 5000, this.opts.connectTimeoutMs));
    // An idle connection that dies between ticks (server shutdown, network) emits 'error': forget
    // it so the next tick reconnects and reports what it finds, not "client is not queryable".
    client.on('error', () => {
      if (this.client === client && !this.inFlight) this.drop();
    });
    this.client = client;
    await client.connect();
    // One round trip per connection: version, and repmgr's presence and readability. An extension
    // created later is seen on the next reconnect; one dropped makes the probe fail and reconnect.
    const res = await client.query(CONNECT_QUERY);
    const ci = parseConnectInfo(res.rows[0]);
    const versionNum = ci.serverVersionNum;
    if (versionNum < 130000) throw new Error(`PostgreSQL ${Math.floor(versionNum / 10000)} is not supported (13 or newer needed)`);
    const r = ci.repmgr;
    const readable = r !== null && r.denied.length === 0;
    this.repmgr = r && { extVersion: r.extVersion, unavailable: readable ? null : `role ${client.user ?? '?'} lacks ${r.denied.join(', ')}` };
    this.query = buildProbeQuery(versionNum, probeOptionsFor(ci));
  }

  /** Abandons the connection without waiting: a hung server would never answer a polite end(). */
  private drop(): void {
    const c = this.client as (pg.Client & { connection?: { stream?: { destroy(): void } } }) | null;
    this.client = null;
    this.query = null;
    this.repmgr = null;
    if (!c) return;
    try {
      c.connection?.stream?.destroy();
    } catch {
      // already gone
    }
    c.end().catch(() => undefined);
  }
}
