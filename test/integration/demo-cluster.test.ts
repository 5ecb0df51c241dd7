// Starts the real three-node demo cluster from the embedded PostgreSQL 17 binaries.
// Run: node --import tsx --test test/integration/demo-cluster.test.ts

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { toClientConfig } from '../../src/config/conninfo.ts';
import { startDemoCluster, type DemoCluster } from '../../src/demo/cluster.ts';
import { startWriteLoad } from '../../src/demo/write-load.ts';

let cluster: DemoCluster | undefined;
const logLines: string[] = [];

// pg_ctl gives each postmaster its own session, so an interrupted run would leak the cluster.
// The test harness exits right after its own signal handler, hence the synchronous stop.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    cluster?.stopSync();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}

before(async () => {
  cluster = await startDemoCluster({ log: (line) => logLines.push(line) });
});

after(async () => {
  // Runs even when a test failed; stop() is idempotent, so the explicit stop test is harmless.
  await cluster?.stop();
});

function demo(): DemoCluster {
  assert.ok(cluster, `demo cluster did not start; log:\n${logLines.join('\n')}`);
  return cluster;
}

async function query<R extends pg.QueryResultRow = Record<string, unknown>>(
  conninfo: string,
  sql: string,
  params: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ ...toClientConfig(conninfo), connectionTimeoutMillis: 5_000 });
  client.on('error', () => {});
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Re-evaluate `probe` until it returns a non-undefined value; errors count as "not yet". */
async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
      last = 'condition not met';
    } catch (err) {
      last = err;
    }
    await sleep(100);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${last instanceof Error ? last.message : String(last)}`);
}

/** Alive and not a zombie (the container's PID 1 does not reap orphaned postmasters). */
function processAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.charAt(stat.lastIndexOf(')') + 2);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

function postmasterPid(dataDir: string): number | null {
  const file = join(dataDir, 'postmaster.pid');
  return existsSync(file) ? Number(readFileSync(file, 'utf8').split('\n')[0]) : null;
}

const PRIMARY = 'pg-primary';
const STANDBYS = ['pg-standby1', 'pg-standby2'];

interface SenderState {
  application_name: string;
  state: string;
  slot_name: string | null;
  slot_active: boolean | null;
}

async function senders(): Promise<SenderState[]> {
  return query<SenderState>(
    demo().superuserConninfo(PRIMARY),
    `SELECT r.application_name, r.state, s.slot_name, s.active AS slot_active
       FROM pg_stat_replication r
       LEFT JOIN pg_replication_slots s ON s.active_pid = r.pid`,
  );
}

test('three nodes: one primary, two standbys in recovery', async () => {
  const c = demo();
  assert.deepEqual(
    c.nodes.map((n) => [n.name, n.role, n.upstream]),
    [
      [PRIMARY, 'primary', null],
      ['pg-standby1', 'standby', PRIMARY],
      ['pg-standby2', 'standby', PRIMARY],
    ],
  );
  for (const node of c.nodes) {
    assert.match(node.conninfo, new RegExp(`^host=127\\.0\\.0\\.1 port=${node.port} dbname=postgres user=pgtop_ha application_name=pgtop-ha$`));
    const [row] = await query<{ in_recovery: boolean; user: string }>(node.conninfo, 'SELECT pg_is_in_recovery() AS in_recovery, current_user AS user');
    assert.equal(row.user, 'pgtop_ha');
    assert.equal(row.in_recovery, node.role === 'standby', `${node.name} recovery state`);
  }
});

test('primary streams to both standbys through their active slots', async () => {
  const rows = await senders();
  for (const name of STANDBYS) {
    const row = rows.find((r) => r.application_name === name);
    assert.ok(row, `${name} missing from pg_stat_replication: ${JSON.stringify(rows)}`);
    assert.equal(row.state, 'streaming');
    assert.equal(row.slot_name, name.replace('-', '_'));
    assert.equal(row.slot_active, true);
  }
  const [delay] = await query<{ setting: string }>(demo().superuserConninfo('pg-standby2'), "SELECT setting FROM pg_settings WHERE name = 'recovery_min_apply_delay'");
  assert.equal(delay.setting, '3000');
});

test('bounded write load advances the primary LSN', async () => {
  const c = demo();
  const su = c.superuserConninfo(PRIMARY);
  const [{ lsn: before }] = await query<{ lsn: string }>(su, 'SELECT pg_current_wal_lsn()::text AS lsn');
  const load = startWriteLoad(su, { intervalMs: 10, rowBytes: 256, maxRows: 5 });
  try {
    await eventually('the write load to insert more rows than maxRows while keeping at most maxRows', async () => {
      const [row] = await query<{ n: number; max_id: string | null; advanced: boolean }>(
        su,
        'SELECT count(*)::int AS n, max(id)::text AS max_id, pg_current_wal_lsn() > $1::pg_lsn AS advanced FROM pgtop_ha_demo_load',
        [before],
      );
      return row.advanced && Number(row.max_id) > 10 && row.n <= 5 ? row : undefined;
    });
  } finally {
    await load.stop();
  }
  await load.stop(); // a second stop is harmless
});

test('write load survives an unreachable server and never throws', async () => {
  const load = startWriteLoad('host=127.0.0.1 port=1 dbname=postgres user=nobody connect_timeout=1', { intervalMs: 20 });
  await sleep(100);
  await load.stop();
});

test('pgtop_ha may switch WAL, and the segment is archived', async () => {
  const c = demo();
  const primary = c.nodes[0];
  const su = c.superuserConninfo(PRIMARY);
  // pg_switch_wal() is a no-op on an empty segment, so make sure there is something to switch away from.
  await query(su, 'CREATE TABLE IF NOT EXISTS archive_probe (at timestamptz DEFAULT now()); INSERT INTO archive_probe DEFAULT VALUES');
  const [{ archived_count: before }] = await query<{ archived_count: string }>(primary.conninfo, 'SELECT archived_count FROM pg_stat_archiver');
  const [{ walfile }] = await query<{ walfile: string }>(primary.conninfo, 'SELECT pg_walfile_name(pg_switch_wal()) AS walfile');
  await eventually(`${walfile} to be archived`, async () => {
    const [row] = await query<{ archived_count: string }>(primary.conninfo, 'SELECT archived_count FROM pg_stat_archiver');
    return Number(row.archived_count) > Number(before) && existsSync(join(c.archiveDir, walfile)) ? true : undefined;
  }, 10_000);
  assert.ok((await readdir(c.archiveDir)).includes(walfile));
});

test('the WAL summarizer runs and writes summaries', async () => {
  const su = demo().superuserConninfo(PRIMARY);
  const [state] = await query<{ summarizer_pid: number | null }>(su, 'SELECT summarizer_pid FROM pg_get_wal_summarizer_state()');
  assert.notEqual(state.summarizer_pid, null);
  await query(su, 'INSERT INTO archive_probe DEFAULT VALUES');
  await query(su, 'SELECT pg_switch_wal()');
  await query(su, 'CHECKPOINT');
  await eventually('pg_available_wal_summaries() to list a summary', async () => {
    const [row] = await query<{ n: number }>(su, 'SELECT count(*)::int AS n FROM pg_available_wal_summaries()');
    return row.n >= 1 ? row.n : undefined;
  });
});

test('a standby can be stopped and started, and streams again', async () => {
  const c = demo();
  const standby = c.nodes.find((n) => n.name === 'pg-standby1')!;
  const pid = postmasterPid(standby.dataDir);
  assert.ok(pid && processAlive(pid));

  await c.stopNode(standby.name);
  assert.equal(processAlive(pid), false, 'postmaster still alive after stopNode');
  assert.ok(existsSync(join(standby.dataDir, 'PG_VERSION')), 'stopNode must leave the data directory in place');
  await eventually('the primary to notice pg-standby1 left', async () =>
    (await senders()).some((r) => r.application_name === standby.name) ? undefined : true,
  );
  await c.stopNode(standby.name); // already stopped: a no-op

  await c.startNode(standby.name);
  await eventually('pg-standby1 to stream again', async () => {
    const row = (await senders()).find((r) => r.application_name === standby.name);
    return row?.state === 'streaming' && row.slot_active ? row : undefined;
  });
  const [row] = await query<{ in_recovery: boolean }>(standby.conninfo, 'SELECT pg_is_in_recovery() AS in_recovery');
  assert.equal(row.in_recovery, true);
});

test('stop() stops every postmaster and removes the base dir', async () => {
  const c = demo();
  const pids = c.nodes.map((n) => postmasterPid(n.dataDir));
  assert.ok(pids.every((pid) => pid !== null && processAlive(pid)), `all postmasters running before stop: ${pids}`);
  await c.stop();
  for (const [i, pid] of pids.entries()) assert.equal(processAlive(pid!), false, `${c.nodes[i].name} (pid ${pid}) still alive`);
  assert.equal(existsSync(c.baseDir), false, `${c.baseDir} still exists`);
  await c.stop(); // idempotent
});
