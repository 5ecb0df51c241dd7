// A small, bounded write load for the demo primary: enough WAL for lag, archiving and
// summaries to move on screen, never enough to fill a disk.

import { toClientConfig } from '../config/conninfo.ts';
import pg from 'pg';


export interface WriteLoadOptions {
  /** Pause between inserts. Default 200 ms. */
  intervalMs?: number;
  /** Payload size of each row. Default 512 bytes. */
  rowBytes?: number;
  /** Rows kept; older ones are deleted in the same statement. Default 1000. */
  maxRows?: number;
}

export interface WriteLoad {
  stop(): Promise<void>;
}

const TABLE = 'pgtop_ha_demo_load';

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS ${TABLE} (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  payload text NOT NULL
)`;

// One statement per tick, so a tick either fully happens or not at all.
const INSERT_AND_TRIM = `WITH ins AS (
  INSERT INTO ${TABLE} (payload) VALUES (repeat('x', $1::int)) RETURNING id
)
DELETE FROM ${TABLE} WHERE id <= (SELECT id FROM ins) - $2::bigint`;

/**
 * Insert a row every intervalMs into a small table (created on first connect, so `conninfo`
 * needs CREATE on the public schema: use the demo's superuserConninfo, not the monitoring role).
 * Never throws: failed ticks reconnect on the next one.
 */
export function startWriteLoad(conninfo: string, opts: WriteLoadOptions = {}): WriteLoad {
  const intervalMs = opts.intervalMs ?? 200;
  const rowBytes = opts.rowBytes ?? 512;
  const maxRows = opts.maxRows ?? 1000;

  let client: pg.Client | null = null;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let inFlight: Promise<void> = Promise.resolve();

  const dropClient = async () => {
    const old = client;
    client = null;
    await old?.end().catch(() => {});
  };

  const connect = async (): Promise<pg.Client> => {
    const c = new pg.Client({
      ...toClientConfig(conninfo),
      connectionTimeoutMillis: 3_000,
      // Keeps stop() prompt even if the primary stalls.
      statement_timeout: 5_000,
      query_timeout: 6_000,
    });
    // The primary may be stopped under us; an unhandled 'error' event would crash the process.
    c.on('error', () => {});
    try {
      await c.connect();
      await c.query(CREATE_TABLE);
    } catch (err) {
      await c.end().catch(() => {});
      throw err;
    }
    return c;
  };

  const tick = async () => {
    try {
      client ??= await connect();
      await client.query(INSERT_AND_TRIM, [rowBytes, maxRows]);
    } catch {
      // Demo load: the primary may be restarting or failing over. Reconnect on the next tick.
      await dropClient();
    }
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = null;
      inFlight = tick().finally(schedule);
    }, intervalMs);
  };

  inFlight = tick().finally(schedule);

  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await inFlight;
      await dropClient();
    },
  };
}
