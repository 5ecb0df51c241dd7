// Each family of alert raised for real on PostgreSQL 17 by the console's own probes, store and
// rules, within two ticks of the fault, and cleared when it is fixed: a failing archive_command,
// a standby whose WAL receiver cannot connect, paused replay with WAL piling up, an inactive slot
// holding WAL back. And the demo cluster, healthy, raises nothing at all.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { demoLoaded } from '../../src/cli/demo.ts';
import { parseConninfo, toPgTarget } from '../../src/config/conninfo.ts';
import { type DemoCluster, startDemoCluster } from '../../src/demo/cluster.ts';
import { createScheduler, type Scheduler, storeInitFromCluster } from '../../src/probes/scheduler.ts';
import { type AppStore, createAppStore } from '../../src/state/store.ts';

const TICK_S = 0.5;
const MiB = 1024 * 1024;
let cluster: DemoCluster;
let store: AppStore;
let scheduler: Scheduler;

before(async () => {
  cluster = await startDemoCluster({ applyDelay: '0' });
  const loaded = demoLoaded(cluster, TICK_S);
  // lowered so a few MiB of WAL is enough to cross them
  loaded.cluster.thresholds = { ...loaded.cluster.thresholds, lagBytesWarn: 2 * MiB, slotRetainedBytes: 2 * MiB };
  store = createAppStore(storeInitFromCluster(loaded.cluster));
  scheduler = createScheduler(loaded.cluster, store);
  scheduler.start();
});

after(async () => {
  await scheduler?.stop();
  await cluster?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const codes = () => store.getState().alerts.map((a) => `${a.code} ${a.subject}`);

/** Waits for `ok`: `ticks` polls plus the time the fault itself takes to show in PostgreSQL. */
async function within(what: string, ticks: number, ok: (c: string[]) => boolean, settleMs = 2000): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < ticks * TICK_S * 1000 + settleMs) {
    if (ok(codes())) return Date.now() - t0;
    await sleep(50);
  }
  throw new Error(`${what}: not within ${ticks} ticks; alerts: ${codes().join(', ') || 'none'}`);
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

const writeWal = (mib: number) => sql('pg-primary', `CREATE TABLE IF NOT EXISTS filler(x text); INSERT INTO filler SELECT repeat('x', 1000) FROM generate_series(1, ${mib * 1000})`);

test('healthy: 20 ticks without a single alert (summarize_wal on, archiving working)', async () => {
  await within('every standby streaming', 60, () => store.getState().nodeOrder.every((n) => store.getState().nodes[n]!.health.kind === 'ok'), 20_000);
  for (let i = 0; i < 20; i++) {
    assert.deepEqual(codes(), [], `tick ${i}`);
    await sleep(TICK_S * 1000);
  }
  assert.equal(store.getState().nodes['pg-primary']!.sample!.walSummary!.summarizeWal, true, 'the summarizer rules were in play');
});

test('archive_command failing → ARCHIVER_FAILING (critical) → fixed → cleared', async () => {
  const [{ archive_command: original }] = await sql<{ archive_command: string }>('pg-primary', 'SHOW archive_command');
  await sql('pg-primary', "ALTER SYSTEM SET archive_command = '/bin/false'");
  await sql('pg-primary', 'SELECT pg_reload_conf()');
  try {
    await writeWal(1);
    await sql('pg-primary', 'SELECT pg_switch_wal()');
    await within('archiver failing', 2, (c) => c.includes('ARCHIVER_FAILING pg-primary'), 4000);
    assert.equal(store.getState().alerts.find((a) => a.code === 'ARCHIVER_FAILING')!.severity, 'critical');
  } finally {
    await sql('pg-primary', `ALTER SYSTEM SET archive_command = '${original.replace(/'/g, "''")}'`);
    await sql('pg-primary', 'SELECT pg_reload_conf()');
  }
  await sql('pg-primary', 'SELECT pg_switch_wal()');
  await within('archiver recovered', 2, (c) => !c.includes('ARCHIVER_FAILING pg-primary'), 10_000);
});

test('a standby whose WAL receiver cannot connect → STANDBY_NOT_STREAMING → fixed → cleared', async () => {
  const [{ primary_conninfo: original }] = await sql<{ primary_conninfo: string }>('pg-standby1', 'SHOW primary_conninfo');
  await sql('pg-standby1', "ALTER SYSTEM SET primary_conninfo = 'host=127.0.0.1 port=1 user=nobody connect_timeout=1'");
  await sql('pg-standby1', 'SELECT pg_reload_conf()');
  try {
    await within('receiver gone', 2, (c) => c.includes('STANDBY_NOT_STREAMING pg-standby1'), 5000);
  } finally {
    await sql('pg-standby1', 'ALTER SYSTEM RESET primary_conninfo');
    await sql('pg-standby1', 'SELECT pg_reload_conf()');
  }
  assert.ok(original.length > 0);
  await within('streaming again', 2, (c) => !c.some((x) => x.startsWith('STANDBY_NOT_STREAMING')), 10_000);
});

test('replay paused while WAL is written → REPLAY_PAUSED and LAG_BYTES → resumed → both cleared', async () => {
  await sql('pg-standby2', 'SELECT pg_wal_replay_pause()');
  try {
    await within('paused', 2, (c) => c.includes('REPLAY_PAUSED pg-standby2'));
    await writeWal(4);
    await within('lagging', 2, (c) => c.includes('LAG_BYTES pg-standby2'), 4000);
  } finally {
    await sql('pg-standby2', 'SELECT pg_wal_replay_resume()');
  }
  await within('caught up', 2, (c) => !c.some((x) => / pg-standby2$/.test(x)), 6000);
});

test('an inactive slot with WAL written past it → SLOT_INACTIVE_RETAINING → dropped → cleared', async () => {
  await sql('pg-primary', "SELECT pg_create_physical_replication_slot('forgotten_consumer', true)");
  try {
    await writeWal(4);
    await within('retaining', 2, (c) => c.includes('SLOT_INACTIVE_RETAINING pg-primary/forgotten_consumer'), 4000);
  } finally {
    await sql('pg-primary', "SELECT pg_drop_replication_slot('forgotten_consumer')");
  }
  await within('dropped', 2, (c) => !c.some((x) => x.startsWith('SLOT_')));
  const timeline = store.getState().observed.filter((e) => e.source === 'alert').map((e) => e.event);
  for (const code of ['ARCHIVER_FAILING', 'STANDBY_NOT_STREAMING', 'REPLAY_PAUSED', 'LAG_BYTES', 'SLOT_INACTIVE_RETAINING']) {
    assert.ok(timeline.includes(`${code} raised`) && timeline.includes(`${code} cleared`), `${code} raised and cleared on the timeline: ${timeline.join(', ')}`);
  }
});
