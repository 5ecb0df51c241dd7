// repmgr.events and this node's monitoring_history row, read in the probe's round trip: the SQL
// options, the parser over the real lab's fixtures (scripts/capture-repmgr-fixtures.ts) and its
// errors on malformed values, and the cluster-wide merge the events pane shows.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { mergeRepmgrEvents, repmgrEventsUnavailable } from '../../src/model/repmgr-events.ts';
import type { NodeSample, NodeState, RepmgrEvent, RepmgrSqlState } from '../../src/model/types.ts';
import { ProbeParseError, parseProbeResults, type ProbeResult } from '../../src/probes/pg/parse-probe.ts';
import {
  REPMGR_EVENTS_LIMIT, buildProbeQuery, parseConnectInfo, probeOptionsFor, type ProbeQueryOptions,
} from '../../src/probes/pg/probe-query.ts';

interface Fixture {
  serverVersionNum: number;
  sections: string[];
  results: ProbeResult[];
  probeOptions: ProbeQueryOptions;
}

const dir = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/pg');
const load = (file: string): Fixture => JSON.parse(readFileSync(join(dir, file), 'utf8')) as Fixture;
const parse = (fx: Fixture): NodeSample => parseProbeResults(fx.results, fx.sections, { takenAt: 1, roundTripMs: 2 });
const primaryFx = load('15-repmgr-primary.json');
const standbyFx = load('15-repmgr-standby.json');
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function repmgrOf(s: NodeSample): Extract<RepmgrSqlState, { available: true }> {
  assert.ok(s.repmgr?.available, JSON.stringify(s.repmgr));
  return s.repmgr;
}

/** A copy of the fixture with `patch` applied to row `row` of `section`. */
function patched(fx: Fixture, section: string, row: number, patch: Record<string, unknown>): Fixture {
  const copy = structuredClone(fx);
  Object.assign(copy.results[copy.sections.indexOf(section)]!.rows[row]!, patch);
  return copy;
}

function dropSections(fx: Fixture, names: string[]): Fixture {
  const copy = structuredClone(fx);
  for (const name of names) {
    const i = copy.sections.indexOf(name);
    copy.sections.splice(i, 1);
    copy.results.splice(i, 1);
  }
  return copy;
}

function throwsProbe(fn: () => unknown, section: string, column: string | null, text: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ProbeParseError, String(err));
    assert.deepEqual([err.section, err.column], [section, column]);
    assert.match(err.message, text);
    return true;
  });
}

describe('probe options for the optional repmgr reads', () => {
  const row = (extra: Record<string, unknown>) => ({ server_version_num: 150010, repmgr_ext_version: '5.3', repmgr_schema: 'repmgr', repmgr_denied: [], ...extra });
  const cases: Array<[string, Record<string, unknown> | undefined, ProbeQueryOptions]> = [
    ['no extension', { server_version_num: 150010, repmgr_ext_version: null }, { repmgr: false }],
    ['core denied: nothing of repmgr', row({ repmgr_denied: ['SELECT on repmgr.nodes'], repmgr_events_readable: true, repmgr_monitoring_readable: true }), { repmgr: false }],
    ['core only (the documented minimum grant)', row({ repmgr_events_readable: false, repmgr_monitoring_readable: false }), { repmgr: true, repmgrEvents: false, repmgrMonitoring: false }],
    ['events, no monitoring_history', row({ repmgr_events_readable: true, repmgr_monitoring_readable: false }), { repmgr: true, repmgrEvents: true, repmgrMonitoring: false }],
    ['everything', row({ repmgr_events_readable: true, repmgr_monitoring_readable: true }), { repmgr: true, repmgrEvents: true, repmgrMonitoring: true }],
    ['NULL flags (an older connect query) read as not readable', row({}), { repmgr: true, repmgrEvents: false, repmgrMonitoring: false }],
  ];
  for (const [name, r, want] of cases) {
    test(name, () => assert.deepEqual(probeOptionsFor(parseConnectInfo(r)), want));
  }

  test('sections follow the options, events and status only with repmgr', () => {
    const base = buildProbeQuery(150010).sections;
    const table: Array<[ProbeQueryOptions, string[]]> = [
      [{ repmgrEvents: true, repmgrMonitoring: true }, []],
      [{ repmgr: true }, ['repmgr', 'repmgrd']],
      [{ repmgr: true, repmgrEvents: true }, ['repmgr', 'repmgrd', 'repmgrevents']],
      [{ repmgr: true, repmgrMonitoring: true }, ['repmgr', 'repmgrd', 'repmgrstatus']],
      [{ repmgr: true, repmgrEvents: true, repmgrMonitoring: true }, ['repmgr', 'repmgrd', 'repmgrevents', 'repmgrstatus']],
    ];
    for (const [opts, extra] of table) {
      const q = buildProbeQuery(150010, opts);
      assert.deepEqual(q.sections, [...base, ...extra], JSON.stringify(opts));
      assert.equal(q.text.split(/;\s*(?:\n|$)/).filter((x) => x.trim()).length, q.sections.length);
    }
  });

  test('the SQL stays cheap: LIMIT on events, monitoring_history by index, never the view', () => {
    const q = buildProbeQuery(150010, { repmgr: true, repmgrEvents: true, repmgrMonitoring: true }).text;
    assert.match(q, new RegExp(`ORDER BY e\\.event_timestamp DESC[^;]*LIMIT ${REPMGR_EVENTS_LIMIT}`));
    assert.match(q, /FROM repmgr\.monitoring_history m\s+WHERE m\.standby_node_id = \(SELECT repmgr\.get_local_node_id\(\)\)\s+AND m\.last_monitor_time > now\(\) - interval '[^']+'\s+ORDER BY m\.last_monitor_time DESC\s+LIMIT 1/);
    assert.doesNotMatch(q, /replication_status|GROUP BY/);
  });
});

describe('parsing repmgr.events and the monitoring row (real lab fixtures)', () => {
  const primary = repmgrOf(parse(primaryFx));
  const standby = repmgrOf(parse(standbyFx));

  test('the fixtures were captured with every repmgr read', () => {
    for (const fx of [primaryFx, standbyFx]) {
      assert.deepEqual(fx.probeOptions, { repmgr: true, repmgrEvents: true, repmgrMonitoring: true });
    }
  });

  test('the lab\'s setup history, newest first, the same on primary and standby', () => {
    const summary = (e: RepmgrEvent) => [e.nodeId, e.nodeName, e.event, e.successful];
    assert.deepEqual(primary.events!.map(summary), [
      [3, 'pgsql3', 'repmgrd_start', true],
      [2, 'pgsql2', 'repmgrd_start', true],
      [1, 'pgsql1', 'repmgrd_start', true],
      [3, 'pgsql3', 'standby_register_sync', true],
      [3, 'pgsql3', 'standby_register', true],
      [3, 'pgsql3', 'standby_clone', true],
      [2, 'pgsql2', 'standby_register_sync', true],
      [2, 'pgsql2', 'standby_register', true],
      [2, 'pgsql2', 'standby_clone', true],
      [1, 'pgsql1', 'primary_register', true],
      [1, 'pgsql1', 'cluster_created', true],
    ]);
    assert.deepEqual(standby.events, primary.events, 'repmgr.events is replicated');
    const ts = primary.events!.map((e) => e.timestamp);
    assert.ok(ts.every((t) => ISO.test(t)), ts.join(' '));
    assert.deepEqual([...ts].sort().reverse(), ts, 'newest first');
    assert.match(primary.events!.find((e) => e.event === 'standby_clone')!.details!, /^cloned from host "127\.0\.0\.1", port \d+; backup method: pg_basebackup/);
    // NULL details stay NULL; repmgr writes '' for some events.
    assert.deepEqual(primary.events!.slice(-2).map((e) => e.details), ['', null]);
  });

  test('the standby has its own monitoring row; the primary none', () => {
    assert.equal(primary.replicationStatus, null);
    const st = standby.replicationStatus!;
    assert.deepEqual([st.primaryNodeId, st.standbyNodeId], [1, 2]);
    assert.ok(ISO.test(st.lastMonitorTime) && st.lastApplyTime && ISO.test(st.lastApplyTime));
    assert.match(st.lastWalPrimaryLocation, /^[0-9A-F]+\/[0-9A-F]+$/);
    assert.ok(st.replicationLagBytes >= 0 && st.applyLagBytes >= 0);
    assert.ok(st.replicationTimeLagSeconds !== null && st.replicationTimeLagSeconds >= 0);
    assert.ok(st.communicationTimeLagSeconds !== null && st.communicationTimeLagSeconds >= 0 && st.communicationTimeLagSeconds < 10);
  });

  test('not read is absent, none read is empty', () => {
    const r = repmgrOf(parse(dropSections(standbyFx, ['repmgrevents', 'repmgrstatus'])));
    assert.ok(!('events' in r) && !('replicationStatus' in r));
    const empty = structuredClone(standbyFx);
    for (const name of ['repmgrevents', 'repmgrstatus']) empty.results[empty.sections.indexOf(name)]!.rows = [];
    const e = repmgrOf(parse(empty));
    assert.deepEqual([e.events, e.replicationStatus], [[], null]);
  });

  test('an unregistered node\'s event keeps its id with no name', () => {
    const r = repmgrOf(parse(patched(primaryFx, 'repmgrevents', 0, { node_name: null })));
    assert.deepEqual([r.events![0]!.nodeId, r.events![0]!.nodeName], [3, null]);
  });

  test('small clock differences do not read as negative lag', () => {
    const r = repmgrOf(parse(patched(standbyFx, 'repmgrstatus', 0, { communication_time_lag_seconds: '-0.002', replication_time_lag_seconds: -0.001 })));
    assert.deepEqual([r.replicationStatus!.communicationTimeLagSeconds, r.replicationStatus!.replicationTimeLagSeconds], [0, 0]);
  });

  const malformed: Array<[string, Fixture, string, string | null, RegExp]> = [
    ['successful not a boolean', patched(primaryFx, 'repmgrevents', 0, { successful: 'maybe' }), 'repmgrevents', 'successful', /boolean/],
    ['event_timestamp not a timestamp', patched(primaryFx, 'repmgrevents', 1, { event_timestamp: 'yesterday' }), 'repmgrevents', 'event_timestamp', /timestamp/],
    ['event NULL', patched(primaryFx, 'repmgrevents', 2, { event: null }), 'repmgrevents', 'event', /unexpected NULL/],
    ['node_id not an integer', patched(primaryFx, 'repmgrevents', 0, { node_id: 'three' }), 'repmgrevents', 'node_id', /.+/],
    ['last_wal_primary_location not an LSN', patched(standbyFx, 'repmgrstatus', 0, { last_wal_primary_location: 'nope' }), 'repmgrstatus', 'last_wal_primary_location', /not an LSN/],
    ['last_monitor_time NULL', patched(standbyFx, 'repmgrstatus', 0, { last_monitor_time: null }), 'repmgrstatus', 'last_monitor_time', /unexpected NULL/],
  ];
  for (const [name, fx, section, column, text] of malformed) {
    test(`malformed: ${name}`, () => throwsProbe(() => parse(fx), section, column, text));
  }

  test('malformed: a missing column, two monitoring rows, events without repmgr', () => {
    const noDetails = structuredClone(primaryFx);
    const ev = noDetails.results[noDetails.sections.indexOf('repmgrevents')]!;
    ev.fields = ev.fields.filter((f) => f.name !== 'details');
    throwsProbe(() => parse(noDetails), 'repmgrevents', 'details', /missing/);
    const two = structuredClone(standbyFx);
    const st = two.results[two.sections.indexOf('repmgrstatus')]!;
    st.rows = [st.rows[0]!, st.rows[0]!];
    throwsProbe(() => parse(two), 'repmgrstatus', null, /expected 0 or 1 row, got 2/);
    throwsProbe(() => parse(dropSections(standbyFx, ['repmgr', 'repmgrd'])), 'repmgrevents', null, /without the repmgr and repmgrd sections/);
  });
});

// ---- mergeRepmgrEvents ------------------------------------------------------------------------

function nodeState(name: string, sample: NodeSample | null): NodeState {
  return { name, target: name, endpoint: null, health: { kind: 'ok' }, sample, lastOkAt: 1 };
}

function withEvents(s: NodeSample, events: RepmgrEvent[] | undefined): NodeSample {
  const r = repmgrOf(s);
  const { events: _old, ...rest } = r;
  return { ...s, repmgr: events ? { ...rest, events } : rest };
}

const ev = (nodeId: number, event: string, timestamp: string, more: Partial<RepmgrEvent> = {}): RepmgrEvent =>
  ({ nodeId, nodeName: `pgsql${nodeId}`, event, successful: true, timestamp, details: null, ...more });

describe('mergeRepmgrEvents', () => {
  const p = parse(primaryFx);
  const s = parse(standbyFx);

  test('identical copies from every node collapse to one list', () => {
    const merged = mergeRepmgrEvents([nodeState('pgsql1', p), nodeState('pgsql2', s), nodeState('pgsql3', s)]);
    assert.deepEqual(merged, repmgrOf(p).events);
  });

  test('union over nodes, newest first: a failover seen only by the new primary, history only by the old one', () => {
    const old = [ev(1, 'primary_register', '2026-11-22T06:00:00.000Z'), ev(2, 'standby_register', '2026-11-22T06:00:01.000Z')];
    const fresh = [
      ev(2, 'repmgrd_failover_promote', '2026-11-22T07:00:00.500Z', { details: 'node 2 promoted to primary; old primary 1 marked as failed' }),
      ev(2, 'standby_promote', '2026-11-22T07:00:00.400Z'),
      ev(2, 'standby_register', '2026-11-22T06:00:01.000Z', { nodeName: null }),
    ];
    const merged = mergeRepmgrEvents([nodeState('pgsql1', withEvents(p, old)), nodeState('pgsql2', withEvents(s, fresh))]);
    assert.deepEqual(merged.map((e) => [e.nodeId, e.nodeName, e.event]), [
      [2, 'pgsql2', 'repmgrd_failover_promote'],
      [2, 'pgsql2', 'standby_promote'],
      [2, 'pgsql2', 'standby_register'], // the named copy wins over the one whose join found no name
      [1, 'pgsql1', 'primary_register'],
    ]);
  });

  test('same timestamp: ordered by node id, then event name, whatever the input order', () => {
    const t = '2026-11-22T06:00:00.000Z';
    const a = [ev(3, 'b', t), ev(1, 'z', t), ev(1, 'a', t)];
    const merged = mergeRepmgrEvents([nodeState('x', withEvents(p, a)), nodeState('y', withEvents(s, [...a].reverse()))]);
    assert.deepEqual(merged.map((e) => `${e.nodeId}${e.event}`), ['1a', '1z', '3b']);
  });

  test('distinct instants stay apart; one instant in two spellings merges', () => {
    const merged = mergeRepmgrEvents([
      nodeState('x', withEvents(p, [ev(1, 'repmgrd_start', '2026-11-22T06:00:00.000Z'), ev(1, 'repmgrd_start', '2026-11-22T06:00:00.001Z')])),
      nodeState('y', withEvents(s, [ev(1, 'repmgrd_start', '2026-11-22T07:00:00.000+01:00')])),
    ]);
    assert.equal(merged.length, 2);
  });

  test('nodes without a sample, without repmgr or without events read contribute nothing', () => {
    const unavailable: NodeSample = { ...p, repmgr: { available: false, extVersion: '5.3', unavailable: 'role mon lacks USAGE on schema repmgr' } };
    const nodes = [nodeState('a', null), nodeState('b', { ...p, repmgr: null }), nodeState('c', unavailable), nodeState('d', withEvents(s, undefined))];
    assert.deepEqual(mergeRepmgrEvents(nodes), []);
  });
});

describe('repmgrEventsUnavailable', () => {
  const p = parse(primaryFx);
  const table: Array<[string, NodeState[], string | null]> = [
    ['events read', [nodeState('a', p)], null],
    ['events read and empty', [nodeState('a', withEvents(p, []))], null],
    ['repmgr readable, events not', [nodeState('a', withEvents(p, undefined))], 'repmgr.events not read: the probing role needs SELECT on repmgr.events'],
    ['repmgr not readable', [nodeState('a', { ...p, repmgr: { available: false, extVersion: '5.3', unavailable: 'x' } })], 'repmgr not readable by the probing role'],
    ['no repmgr, or nothing reachable', [nodeState('a', null), nodeState('b', { ...p, repmgr: null })], 'no repmgr on any reachable node'],
  ];
  for (const [name, nodes, want] of table) test(name, () => assert.equal(repmgrEventsUnavailable(nodes), want));
});
