// One persistent connection per node and one round trip per tick. Each node runs on its own
// timer so a node that hangs for 10 s delays nobody else; failures go to the store, never up.
import type pg from 'pg';
import type { Conninfo } from '../../config/conninfo.ts';
import type { NodeHealth, NodeSample } from '../../model/types.ts';
import { describePgError } from './describe-error.ts';
import { parseProbeResults, type RepmgrAccess } from './parse-probe.ts';
import { PolledConnection } from './polled-connection.ts';
import { CONNECT_QUERY, buildProbeQuery, parseConnectInfo, probeOptionsFor } from './probe-query.ts';

export { probeClientConfig } from './polled-connection.ts';

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

export class NodePoller extends PolledConnection {
  private query: { text: string; sections: readonly string[] } | null = null;
  /** Learnt at connect: repmgr installed in this database, and whether this role may read it. */
  private repmgr: RepmgrAccess | null = null;

  constructor(private readonly opts: PollerOptions) {
    super(opts);
  }

  protected async onConnect(client: pg.Client): Promise<void> {
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

  protected async poll(client: pg.Client): Promise<void> {
    const started = performance.now();
    const results = (await client.query(this.query!.text)) as unknown as pg.QueryResult[] | pg.QueryResult;
    const roundTripMs = performance.now() - started;
    const list = Array.isArray(results) ? results : [results];
    const sample = parseProbeResults(list, this.query!.sections, { takenAt: this.now(), roundTripMs, repmgr: this.repmgr });
    this.opts.sink.sample(this.opts.name, sample);
  }

  protected onFailure(e: unknown, since: number, retryAt: number): void {
    this.opts.sink.health(this.opts.name, { kind: 'down', reason: describePgError(e, this.opts.target), since, retryAt });
  }

  protected forget(): void {
    this.query = null;
    this.repmgr = null;
  }
}
