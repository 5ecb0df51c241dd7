import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  RepmgrParseError, parseServiceStatus, parseServiceStatusCsv, parseServiceStatusIssues, type ServiceStatusRow,
} from '../../../src/probes/repmgr/service-status.ts';
import { fixture } from './fixture.ts';

const csv = (id: number, name: string, role: string, pg: boolean, rd: boolean | null, pid: number | null, paused: boolean | null, prio: number, seen: number | null) =>
  ({ id, name, role, pgRunning: pg, repmgrdRunning: rd, repmgrdPid: pid, paused, priority: prio, upstreamLastSeenSeconds: seen, location: 'dc1' });

test('--csv healthy', () => {
  assert.deepEqual(parseServiceStatusCsv(fixture('repmgr-service-status-csv.txt')), [
    csv(1, 'node1', 'primary', true, true, 8187, false, 100, null),
    csv(2, 'node2', 'standby', true, true, 8204, false, 90, 0),
    csv(3, 'node3', 'standby', true, true, 8663, false, 50, 1),
  ]);
});

test('--csv with repmgrd stopped on node3: running 0, pid -1 → null, last seen -1 → null', () => {
  assert.deepEqual(parseServiceStatusCsv(fixture('repmgr-service-status-csv-repmgrd-stopped-node3.txt'))[2],
    csv(3, 'node3', 'standby', true, false, null, false, 50, null));
});

test('--csv after failover: node1 PostgreSQL down → repmgrd/paused unknown (-1 → null)', () => {
  assert.deepEqual(parseServiceStatusCsv(fixture('repmgr-service-status-csv-after-failover.txt')), [
    csv(1, 'node1', 'primary', false, null, null, null, 100, null),
    csv(2, 'node2', 'primary', true, true, 8204, false, 90, null),
    csv(3, 'node3', 'standby', true, true, 12178, false, 50, 0),
  ]);
});

test('--csv: location is the rest of the line (may contain commas)', () => {
  assert.equal(parseServiceStatusCsv('1,n1,primary,1,1,42,0,100,-1,rack 1, row 2\n')[0].location, 'rack 1, row 2');
});

function brief(rows: ServiceStatusRow[]) {
  return rows.map((r) => [r.id, r.role, r.status.raw, r.upstream && `${r.upstream.flag ?? ''}${r.upstream.name ?? ''}`, r.repmgrd, r.pid, r.paused, r.upstreamLastSeenSeconds]);
}

test('text, every captured state', () => {
  const cases: Array<[string, unknown[]]> = [
    ['repmgr-service-status.txt', [[1, 'primary', '* running', null, 'running', 8187, false, null], [2, 'standby', '  running', 'node1', 'running', 8204, false, 0], [3, 'standby', '  running', 'node1', 'running', 8663, false, 1]]],
    ['repmgr-service-status-during-load.txt', [[1, 'primary', '* running', null, 'running', 8187, false, null], [2, 'standby', '  running', 'node1', 'running', 8204, false, 1], [3, 'standby', '  running', 'node1', 'running', 8663, false, 0]]],
    ['repmgr-service-status-repmgrd-stopped-node3.txt', [[1, 'primary', '* running', null, 'running', 8187, false, null], [2, 'standby', '  running', 'node1', 'running', 8204, false, 1], [3, 'standby', '  running', 'node1', 'not running', null, null, null]]],
    ['repmgr-service-status-after-failover.txt', [[1, 'primary', '- failed', '?', null, null, null, null], [2, 'primary', '* running', null, 'running', 8204, false, null], [3, 'standby', '  running', 'node2', 'running', 12178, false, 0]]],
    ['repmgr-service-status-after-rejoin.txt', [[1, 'standby', '  running', 'node2', 'running', 14306, false, 0], [2, 'primary', '* running', null, 'running', 8204, false, null], [3, 'standby', '  running', 'node2', 'running', 12178, false, 1]]],
    ['repmgr-service-status-final.txt', [[1, 'primary', '* running', null, 'running', 16722, false, null], [2, 'standby', '  running', 'node1', 'running', 8204, false, 0], [3, 'standby', '  running', 'node1', 'running', 12178, false, 0]]],
  ];
  for (const [file, want] of cases) {
    const rows = parseServiceStatus(fixture(file));
    assert.deepEqual(brief(rows), want, file);
    assert.ok(rows.every((r) => r.location === null && r.priority === null), `${file}: no --detail columns`);
  }
});

test('--detail adds Location and Priority', () => {
  const rows = parseServiceStatus(fixture('repmgr-service-status-detail-after-failover.txt'));
  assert.deepEqual(rows.map((r) => [r.id, r.status.state, r.location, r.priority, r.upstreamLastSeenSeconds]), [
    [1, 'failed', 'dc1', 100, null], [2, 'running', 'dc1', 90, null], [3, 'running', 'dc1', 50, 1],
  ]);
  assert.deepEqual(parseServiceStatus(fixture('repmgr-service-status-detail.txt')).map((r) => [r.name, r.priority, r.pid]),
    [['node1', 100, 8187], ['node2', 90, 8204], ['node3', 50, 8663]]);
});

test('--compact headers ("Prio.", "Upstr. last", "N sec(s) ago")', () => {
  const out = ' ID | Name  | Role    | Status    | Upstream | Location | Prio. | repmgrd | PID  | Paused? | Upstr. last\n'
    + '----+-------+---------+-----------+----------+----------+-------+---------+------+---------+-------------\n'
    + ' 2  | node2 | standby |   running | node1    | dc1      | 90    | running | 8204 | yes     | 12 sec(s) ago\n';
  assert.deepEqual(brief(parseServiceStatus(out)), [[2, 'standby', '  running', 'node1', 'running', 8204, true, 12]]);
});

test('issue lists, verbatim (repmgr\'s own double spaces kept)', () => {
  assert.deepEqual(parseServiceStatusIssues(fixture('repmgr-service-status-after-failover.stderr.txt')), ['unable to  connect to node "node1" (ID: 1)']);
  assert.deepEqual(parseServiceStatusIssues(fixture('repmgr-service-status-detail-after-failover.stderr.txt')), ['unable to  connect to node "node1" (ID: 1)']);
  // During load node3's replay was paused: service status and format_node_status each add the warning.
  assert.deepEqual(parseServiceStatusIssues(fixture('repmgr-service-status-during-load.stderr.txt')), [
    'WAL replay is paused on node "node3" (ID: 3) with WAL replay pending; this node cannot be manually promoted  until WAL replay is resumed',
    'WAL replay is paused on node "node3" (ID: 3) with WAL replay pending; this node cannot be manually promoted until WAL replay is resumed',
  ]);
});

test('malformed input: clear RepmgrParseError', () => {
  const bad: Array<[string, () => unknown, RegExp]> = [
    ['csv too few fields', () => parseServiceStatusCsv('1,node1,primary,1,1\n'), /service status --csv: line 1: expected 10 fields/],
    ['csv bad flag', () => parseServiceStatusCsv('1,node1,primary,1,2,42,0,100,-1,dc1\n'), /line 1, repmgrd_running: expected 1, 0 or -1, got 2/],
    ['csv bad type', () => parseServiceStatusCsv('1,node1,leader,1,1,42,0,100,-1,dc1\n'), /line 1, type: expected one of primary\/standby\/witness\/unknown/],
    ['text without repmgrd column', () => parseServiceStatus(fixture('repmgr-cluster-show.txt')), /column "repmgrd" missing from header/],
    ['text bad last seen', () => parseServiceStatus(fixture('repmgr-service-status.txt').replace('0 second(s) ago', 'yesterday      ')), /row 2, column "Upstream last seen": expected "N second\(s\) ago" or "n\/a", got "yesterday"/],
    ['empty', () => parseServiceStatus(''), /service status: empty output/],
  ];
  for (const [name, run, re] of bad) assert.throws(run, (e: unknown) => e instanceof RepmgrParseError && re.test(e.message), name);
});
