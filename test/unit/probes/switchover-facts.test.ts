// parseSwitchoverFacts over rows captured from real servers (test/fixtures/pg-switchover-facts/,
// written by test/integration/switchover-facts.test.ts with CAPTURE_SWITCHOVER_FACTS=1), one table
// row per major and scenario, then the parser's refusals and the per-version SQL.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  NOT_PERMITTED, SWITCHOVER_FACTS_COLUMNS, SwitchoverFactsParseError, parseSwitchoverFacts, serverVersionNumFromString, switchoverFactsSql,
  type SwitchoverFacts,
} from '../../../src/probes/pg/switchover-facts.ts';

interface Fixture {
  serverVersionNum: number;
  rows: Record<string, { note: string; fields: string[]; row: Record<string, unknown> }>;
}

const dir = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/pg-switchover-facts');
const load = (major: number): Fixture => JSON.parse(readFileSync(join(dir, `${major}.json`), 'utf8')) as Fixture;
const MAJORS = [13, 14, 15, 16, 17, 18];

type Expect = (f: SwitchoverFacts, major: number) => Partial<SwitchoverFacts>;

// The capture scenario: primary max_wal_senders 5 / max_replication_slots 6 with one standby on
// slot standby1; standby 7 / 4; summarize_wal on on the primary and off on the standby (17+).
const SCENARIOS: Record<string, Expect> = {
  primary: (_f, m) => ({
    role: 'primary', archiveMode: 'on', archiveCommandSet: true, archiveReadyFiles: 0, archiveFailing: false,
    maxWalSenders: 5, walSendersInUse: 1, freeWalSenders: 4, maxReplicationSlots: 6, replicationSlotsInUse: 1, freeReplicationSlots: 5,
    summarizeWal: m >= 17 ? true : null, timeline: 1, timelineSource: 'wal', replayPaused: null, replayPauseState: null,
    receiveLsn: null, replayLsn: null,
  }),
  // Whether segment 1 was archived before the failures began depends on timing: not compared.
  'primary-archive-failing': () => ({ role: 'primary', archiveReadyFiles: 1, archiveFailing: true, lastFailedWal: '000000010000000000000002' }),
  'primary-plain': () => ({ role: 'primary', archiveReadyFiles: NOT_PERMITTED, archiveFailing: true, walSendersInUse: 1, freeWalSenders: 4 }),
  standby: (_f, m) => ({
    role: 'standby', archiveMode: 'on', archiveReadyFiles: 0,
    maxWalSenders: 7, walSendersInUse: 0, freeWalSenders: 7, maxReplicationSlots: 4, replicationSlotsInUse: 0, freeReplicationSlots: 4,
    summarizeWal: m >= 17 ? false : null, timeline: 1, timelineSource: 'receiver', replayPaused: false,
    replayPauseState: m >= 14 ? 'not paused' : null, currentLsn: null,
  }),
  'standby-slot': () => ({ role: 'standby', replicationSlotsInUse: 1, freeReplicationSlots: 3 }),
  'standby-paused': (_f, m) => ({ role: 'standby', replayPaused: true, replayPauseState: m >= 14 ? 'paused' : null }),
  'standby-plain': () => ({ role: 'standby', archiveReadyFiles: NOT_PERMITTED, timeline: 1, timelineSource: 'checkpoint', freeWalSenders: 7 }),
};

describe('parseSwitchoverFacts on captured rows', () => {
  for (const major of MAJORS) {
    const fx = load(major);
    test(`${major}: every scenario captured`, () => {
      assert.equal(Math.floor(fx.serverVersionNum / 10000), major);
      assert.deepEqual(Object.keys(fx.rows).sort(), Object.keys(SCENARIOS).sort());
    });
    for (const [name, expect] of Object.entries(SCENARIOS)) {
      test(`${major} ${name}`, () => {
        const { row, fields } = fx.rows[name];
        assert.deepEqual(Object.keys(row), fields, 'the row carries every field, NULLs included');
        const f = parseSwitchoverFacts(row);
        assert.equal(f.serverVersionNum, fx.serverVersionNum);
        const want = expect(f, major);
        assert.deepEqual(Object.fromEntries(Object.keys(want).map((k) => [k, f[k as keyof SwitchoverFacts]])), want);
        if (f.archiveFailing) assert.ok(f.archiveFailedCount >= 1 && f.lastFailedAt !== null);
        if (f.role === 'primary') assert.match(f.currentLsn ?? '', /^[0-9A-F]+\/[0-9A-F]+$/);
        else assert.ok(f.receiveLsn && f.replayLsn);
        for (const ts of [f.lastArchivedAt, f.lastFailedAt]) if (ts !== null) assert.match(ts, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      });
    }
  }
});

describe('parseSwitchoverFacts refusals and edge cases', () => {
  const base = () => ({ ...load(17).rows.primary.row });

  test('a missing column is named, even one that may be NULL', () => {
    for (const col of ['max_wal_senders', 'archive_ready_count', 'last_failed_time']) {
      const row = base();
      delete row[col];
      assert.throws(() => parseSwitchoverFacts(row), (e: unknown) => e instanceof SwitchoverFactsParseError && e.column === col && /column missing/.test(e.message));
    }
  });

  test('version-only columns read as null when absent (13 has neither)', () => {
    const row = base();
    delete row.summarize_wal;
    delete row.replay_pause_state;
    const f = parseSwitchoverFacts(row);
    assert.equal(f.summarizeWal, null);
    assert.equal(f.replayPauseState, null);
  });

  test('NULL where a value is required, bad values, no row', () => {
    assert.throws(() => parseSwitchoverFacts({ ...base(), max_wal_senders: null }), /column "max_wal_senders": unexpected NULL/);
    assert.throws(() => parseSwitchoverFacts({ ...base(), timeline_source: 'guess' }), /column "timeline_source": expected one of wal\/receiver\/checkpoint/);
    assert.throws(() => parseSwitchoverFacts({ ...base(), current_lsn: 'nope' }), /column "current_lsn": not an LSN/);
    assert.throws(() => parseSwitchoverFacts({ ...base(), archive_ready_count: null }), /column "archive_ready_count": unexpected NULL although/);
    assert.throws(() => parseSwitchoverFacts(undefined), /switchover facts: no row/);
  });

  test('not readable → NOT_PERMITTED whatever the count column holds', () => {
    assert.equal(parseSwitchoverFacts({ ...base(), archive_status_readable: false, archive_ready_count: null }).archiveReadyFiles, NOT_PERMITTED);
  });

  test('archiveFailing: only when the latest attempt failed', () => {
    const at = (archived: string | null, failed: string | null) =>
      parseSwitchoverFacts({ ...base(), last_archived_time: archived, last_failed_time: failed }).archiveFailing;
    assert.equal(at(null, null), false);
    assert.equal(at(null, '2026-01-01T00:00:00.000000Z'), true);
    assert.equal(at('2026-01-01T00:00:01.000000Z', '2026-01-01T00:00:00.000000Z'), false);
    assert.equal(at('2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:01.000000Z'), true);
  });

  test('free counts never go below zero', () => {
    const f = parseSwitchoverFacts({ ...base(), max_wal_senders: 2, wal_senders_in_use: 3, max_replication_slots: 0, replication_slots_in_use: '1' });
    assert.deepEqual([f.freeWalSenders, f.freeReplicationSlots], [0, 0]);
  });
});

describe('switchoverFactsSql per version', () => {
  test('columns by version: pause state from 14, summarize_wal from 17, archive_library from 15', () => {
    const sql = (v: number) => switchoverFactsSql(v);
    assert.doesNotMatch(sql(130023), /replay_pause_state|summarize_wal|archive_library/);
    assert.match(sql(140000), /pg_get_wal_replay_pause_state\(\) END AS replay_pause_state/);
    assert.doesNotMatch(sql(140000), /summarize_wal|archive_library/);
    assert.match(sql(150000), /archive_library/);
    assert.match(sql(170000), /current_setting\('summarize_wal'\)::bool AS summarize_wal/);
    assert.equal(sql(180004), sql(170010), 'no change after 17');
    assert.equal(sql(190000), sql(170010), 'an unknown newer major gets the newest text');
    for (const col of SWITCHOVER_FACTS_COLUMNS) assert.match(sql(130000), new RegExp(`AS ${col}\\b|\\b${col},|\\.${col}\\b`), col);
    assert.throws(() => switchoverFactsSql(120000), RangeError);
    assert.throws(() => switchoverFactsSql(Number.NaN), RangeError);
  });

  test('the directory is read only through query_to_xml, never planned directly', () => {
    // A direct pg_ls_archive_statusdir() in the statement would be permission-checked when
    // planned and fail the whole statement for a role without pg_monitor.
    const sql = switchoverFactsSql(170000);
    const outside = sql.replace(/query_to_xml\('(?:[^']|'')*'/, '');
    assert.doesNotMatch(outside, /pg_ls_archive_statusdir\(\)(?!')/);
    assert.match(sql, /query_to_xml\('SELECT count\(\*\) AS n FROM pg_catalog\.pg_ls_archive_statusdir\(\) WHERE name LIKE ''%\.ready'''/);
  });

  test('serverVersionNumFromString', () => {
    assert.equal(serverVersionNumFromString('17.10'), 170010);
    assert.equal(serverVersionNumFromString('15.18 (Debian 15.18-0+deb12u1)'), 150018);
    assert.equal(serverVersionNumFromString('18beta1'), 180000);
    assert.equal(serverVersionNumFromString('9.6.24'), null);
    assert.equal(serverVersionNumFromString('garbage'), null);
  });
});
