// Each family of alert raised for real on PostgreSQL 17 by the console's own scheduler, probes,
// store and rules, and cleared when the fault is fixed: a standby stopped (and its slot holding
// WAL meanwhile), a failing archive_command, a WAL receiver that cannot connect, paused replay
// with WAL piling up, an inactive slot holding WAL back. A healthy cluster under the demo's write
// load, summarize_wal on, raises nothing at all.
//
// Ticks are counted, not timed: each tick is one scheduler.pollOnce() a tick interval after the
// last, started once PostgreSQL itself shows the fault (or the fix), so "within two ticks" holds
// however loaded the machine is. The running console retries a node that went down with a
// backoff (src/probes/pg/polled-connection.ts); pollOnce forces the reconnect, as `r` does.
import assert from 'node:assert/strict';
import { after, before, test, type TestContext } from 'node:test';
import pg from 'pg';
import { demoLoaded } from '../../src/cli/demo.ts';
import { parseConninfo, toPgTarget } from '../../src/config/conninfo.ts';
import { type DemoCluster, startDemoCluster } from '../../src/demo/cluster.ts';
import { startWriteLoad } from '../../src/demo/write-load.ts';
import { createScheduler, type Scheduler, storeInitFromCluster } from '../../src/probes/scheduler.ts';
import { type AppStore, createAppStore } from '../../src/state/store.ts';

const TICK_MS = 500;
const MiB = 1024 * 1024;
let cluster: DemoCluster;
let store: AppStore;
let scheduler: Scheduler;

before(async () => {
  cluster = await startDemoCluster({ applyDelay: '0' });
  const loaded = demoLoaded(cluster, TICK_MS / 1000);
  // lowered so a few MiB of WAL is enough to cross them (config keys lag_bytes_warn, slot_retained_bytes)
  loaded.cluster.thresholds = { ...loaded.cluster.thresholds, lagBytesWarn: 2 * MiB, slotRetainedBytes: 1 * MiB };
  store = createAppStore(storeInitFromCluster(loaded.cluster));
  scheduler = createScheduler(loaded.cluster, store);
});

after(async () => {
  await scheduler?.stop();
  await cluster?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const codes = () => store.getState().alerts.map((a) => `${a.code} ${a.subject}`);

/** One console tick: an interval after the last, every probe asked once and its answers written to the store. */
async function tick(): Promise<void> {
  await sleep(TICK_MS);
  await scheduler.pollOnce();
}

/** Ticks until the alerts satisfy `ok`, at most `max`; returns how many it took. */
async function ticksUntil(t: TestContext, what: string, ok: (c: string[]) => boolean, max = 2): Promise<number> {
  for (let i = 1; i <= max; i++) {
    await tick();
    if (ok(codes())) {
      t.diagnostic(`${what}: after ${i} tick(s); alerts: ${codes().join(', ') || 'none'}`);
      return i;
    }
  }
  throw new Error(`${what}: not within ${max} ticks; alerts: ${codes().join(', ') || 'none'}`);
}

async function sql<T extends pg.QueryResultRow = pg.QueryResultRow>(node: string, text: string): Promise<T[]> {
  const client = new pg.Client({ ...toPgTarget(parseConninfo(cluster.superuserConninfo(node))), database: 'postgres' });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

/** Waits until PostgreSQL itself answers true to `query` (the fault or the fix is real), outside any tick budget. */
async function real(node: string, what: string, query: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const [row] = await sql<{ ok: boolean }>(node, `SELECT (${query}) AS ok`);
      if (row?.ok) return;
      last = 'false';
    } catch (e) {
      last = (e as Error).message;
    }
    await sleep(200);
  }
  throw new Error(`${what}: PostgreSQL on ${node} never showed it (${query}: ${last})`);
}

const writeWal = (mib: number) => sql('pg-primary', `CREATE TABLE IF NOT EXISTS filler(x text); INSERT INTO filler SELECT repeat('x', 1000) FROM generate_series(1, ${mib * 1000})`);
const streaming = (standby: string) => `EXISTS (SELECT FROM pg_stat_replication WHERE application_name = '${standby}' AND state = 'streaming' AND replay_lsn = pg_current_wal_lsn())`;
const withSubject = (subject: string) => (c: string[]) => c.filter((x) => x.endsWith(` ${subject}`));

test('healthy under the write load: 20 ticks without a single alert (summarize_wal on everywhere, archiving working)', { timeout: 90_000 }, async (t) => {
  await real('pg-primary', 'both standbys streaming', `${streaming('pg-standby1')} AND ${streaming('pg-standby2')}`);
  const load = startWriteLoad(cluster.superuserConninfo('pg-primary'));
  try {
    await ticksUntil(t, 'every node answers', () => store.getState().nodeOrder.every((n) => store.getState().nodes[n]!.health.kind === 'ok'), 3);
    for (let i = 1; i <= 20; i++) {
      await tick();
      assert.deepEqual(codes(), [], `tick ${i}`);
    }
  } finally {
    await load.stop();
  }
  for (const n of store.getState().nodeOrder) {
    const ws = store.getState().nodes[n]!.sample!.walSummary!;
    assert.ok(ws.summarizeWal && ws.summarizerPid !== null, `${n}: the summarizer rules were in play (${JSON.stringify(ws)})`);
  }
  assert.equal(store.getState().nodes['pg-primary']!.sample!.archiver.failedCount, 0);
});

test('a standby stopped → NODE_DOWN, its slot then holds WAL → SLOT_INACTIVE_RETAINING → started → both cleared', { timeout: 120_000 }, async (t) => {
  await cluster.stopNode('pg-standby1');
  try {
    await ticksUntil(t, 'NODE_DOWN raised', (c) => c.includes('NODE_DOWN pg-standby1'));
    assert.equal(store.getState().alerts.find((a) => a.code === 'NODE_DOWN')!.severity, 'critical');
    await writeWal(3);
    await real('pg-primary', 'the slot holds WAL', "EXISTS (SELECT FROM pg_replication_slots WHERE slot_name = 'pg_standby1' AND NOT active AND pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn) > 1024 * 1024)");
    await ticksUntil(t, 'SLOT_INACTIVE_RETAINING raised', (c) => c.includes('SLOT_INACTIVE_RETAINING pg-primary/pg_standby1'));
    assert.ok(codes().includes('NODE_DOWN pg-standby1'), 'still down');
  } finally {
    await cluster.startNode('pg-standby1');
  }
  await ticksUntil(t, 'NODE_DOWN cleared', (c) => !c.includes('NODE_DOWN pg-standby1'));
  await real('pg-primary', 'streaming and caught up again', streaming('pg-standby1'));
  await ticksUntil(t, 'everything about pg-standby1 cleared', (c) => c.length === 0);
});

test('archive_command failing → ARCHIVER_FAILING (critical) → fixed → cleared', { timeout: 90_000 }, async (t) => {
  await sql('pg-primary', "ALTER SYSTEM SET archive_command = '/bin/false'");
  await sql('pg-primary', 'SELECT pg_reload_conf()');
  try {
    await writeWal(1);
    await sql('pg-primary', 'SELECT pg_switch_wal()');
    await real('pg-primary', 'the archiver failed', 'SELECT last_failed_time > coalesce(last_archived_time, \'-infinity\') FROM pg_stat_archiver');
    await ticksUntil(t, 'ARCHIVER_FAILING raised', (c) => c.includes('ARCHIVER_FAILING pg-primary'));
    assert.equal(store.getState().alerts.find((a) => a.code === 'ARCHIVER_FAILING')!.severity, 'critical');
  } finally {
    // back to the demo's own archive_command from its include file
    await sql('pg-primary', 'ALTER SYSTEM RESET archive_command');
    await sql('pg-primary', 'SELECT pg_reload_conf()');
  }
  await real('pg-primary', 'the archiver caught up', 'SELECT last_archived_time > last_failed_time FROM pg_stat_archiver');
  await ticksUntil(t, 'ARCHIVER_FAILING cleared', (c) => c.length === 0);
});

test('a standby whose WAL receiver cannot connect → STANDBY_NOT_STREAMING → fixed → cleared', { timeout: 90_000 }, async (t) => {
  await sql('pg-standby1', "ALTER SYSTEM SET primary_conninfo = 'host=127.0.0.1 port=1 user=nobody connect_timeout=1'");
  await sql('pg-standby1', 'SELECT pg_reload_conf()');
  try {
    await real('pg-standby1', 'the receiver is gone', "NOT EXISTS (SELECT FROM pg_stat_wal_receiver WHERE status = 'streaming')");
    await ticksUntil(t, 'STANDBY_NOT_STREAMING raised', (c) => c.includes('STANDBY_NOT_STREAMING pg-standby1'));
  } finally {
    await sql('pg-standby1', 'ALTER SYSTEM RESET primary_conninfo');
    await sql('pg-standby1', 'SELECT pg_reload_conf()');
  }
  await real('pg-primary', 'streaming again', streaming('pg-standby1'));
  await ticksUntil(t, 'STANDBY_NOT_STREAMING cleared', (c) => c.length === 0);
});

test('replay paused while WAL is written → REPLAY_PAUSED and LAG_BYTES → resumed → both cleared', { timeout: 90_000 }, async (t) => {
  await sql('pg-standby2', 'SELECT pg_wal_replay_pause()');
  try {
    await real('pg-standby2', 'replay paused', "pg_get_wal_replay_pause_state() <> 'not paused'");
    await ticksUntil(t, 'REPLAY_PAUSED raised', (c) => c.includes('REPLAY_PAUSED pg-standby2'));
    await writeWal(4);
    await real('pg-primary', 'the standby behind', "EXISTS (SELECT FROM pg_stat_replication WHERE application_name = 'pg-standby2' AND pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) > 2 * 1024 * 1024)");
    await ticksUntil(t, 'LAG_BYTES raised', (c) => c.includes('LAG_BYTES pg-standby2'));
    assert.deepEqual(withSubject('pg-standby2')(codes()).sort(), ['LAG_BYTES pg-standby2', 'REPLAY_PAUSED pg-standby2']);
  } finally {
    await sql('pg-standby2', 'SELECT pg_wal_replay_resume()');
  }
  await real('pg-primary', 'caught up', streaming('pg-standby2'));
  await ticksUntil(t, 'REPLAY_PAUSED and LAG_BYTES cleared', (c) => c.length === 0);
});

test('an inactive slot with WAL written past it → SLOT_INACTIVE_RETAINING → dropped → cleared', { timeout: 90_000 }, async (t) => {
  await sql('pg-primary', "SELECT pg_create_physical_replication_slot('forgotten_consumer', true)");
  try {
    await writeWal(3);
    await real('pg-primary', 'the slot holds WAL', "EXISTS (SELECT FROM pg_replication_slots WHERE slot_name = 'forgotten_consumer' AND pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn) > 1024 * 1024)");
    await ticksUntil(t, 'SLOT_INACTIVE_RETAINING raised', (c) => c.includes('SLOT_INACTIVE_RETAINING pg-primary/forgotten_consumer'));
  } finally {
    await sql('pg-primary', "SELECT pg_drop_replication_slot('forgotten_consumer')");
  }
  await real('pg-primary', 'standbys caught up', `${streaming('pg-standby1')} AND ${streaming('pg-standby2')}`);
  await ticksUntil(t, 'SLOT_INACTIVE_RETAINING cleared', (c) => c.length === 0);
});

test('the timeline has every alert raised and cleared, and a healthy cluster again raises nothing', { timeout: 30_000 }, async () => {
  const timeline = store.getState().observed.filter((e) => e.source === 'alert').map((e) => `${e.event} ${e.subject}`);
  for (const want of ['NODE_DOWN pg-standby1', 'SLOT_INACTIVE_RETAINING pg-primary/pg_standby1', 'ARCHIVER_FAILING pg-primary', 'STANDBY_NOT_STREAMING pg-standby1', 'REPLAY_PAUSED pg-standby2', 'LAG_BYTES pg-standby2', 'SLOT_INACTIVE_RETAINING pg-primary/forgotten_consumer']) {
    const [code, subject] = want.split(' ');
    assert.ok(timeline.includes(`${code} raised ${subject}`) && timeline.includes(`${code} cleared ${subject}`), `${want} raised and cleared on the timeline:\n${timeline.join('\n')}`);
  }
  for (let i = 1; i <= 4; i++) {
    await tick();
    assert.deepEqual(codes(), [], `tick ${i} after the faults`);
  }
});
