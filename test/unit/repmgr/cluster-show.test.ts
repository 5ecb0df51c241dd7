import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  RepmgrParseError, parseClusterShow, parseClusterShowCsv, parseClusterShowStderr, type ClusterShowRow,
} from '../../../src/probes/repmgr/cluster-show.ts';
import { fixture } from './fixture.ts';

// Compact projection: id name role status-raw state upstream(flag+name) priority timeline.
function brief(rows: ClusterShowRow[]) {
  return rows.map((r) => [r.id, r.name, r.role, r.status.raw, r.status.state, r.upstream && `${r.upstream.flag ?? ''}${r.upstream.name ?? ''}`, r.priority, r.timeline]);
}
const conn = (port: number) => `host=127.0.0.1 port=${port} user=repmgr dbname=repmgr connect_timeout=2`;

test('healthy: node1 primary, node2/node3 streaming from node1, timeline 1', () => {
  const rows = parseClusterShow(fixture('repmgr-cluster-show.txt'));
  assert.deepEqual(brief(rows), [
    [1, 'node1', 'primary', '* running', 'running', null, 100, 1],
    [2, 'node2', 'standby', '  running', 'running', 'node1', 90, 1],
    [3, 'node3', 'standby', '  running', 'running', 'node1', 50, 1],
  ]);
  assert.deepEqual(rows.map((r) => [r.status.flag, r.location, r.conninfo]), [
    ['*', 'dc1', conn(55432)], [' ', 'dc1', conn(55433)], [' ', 'dc1', conn(55434)],
  ]);
  assert.deepEqual(rows[1].upstream, { name: 'node1', flag: null });
});

test('--compact (Prio./TLI, no connection string) parses to the same rows, conninfo null', () => {
  const full = parseClusterShow(fixture('repmgr-cluster-show.txt'));
  const compact = parseClusterShow(fixture('repmgr-cluster-show-compact.txt'));
  assert.deepEqual(compact, full.map((r) => ({ ...r, conninfo: null })));
});

test('after failover (run on node2, exit 25): node1 "- failed" with upstream "?", node2 primary, node3 follows node2; stale timeline 1', () => {
  const rows = parseClusterShow(fixture('repmgr-cluster-show-after-failover.txt'));
  assert.deepEqual(brief(rows), [
    [1, 'node1', 'primary', '- failed', 'failed', '?', 100, null],
    [2, 'node2', 'primary', '* running', 'running', null, 90, 1],
    [3, 'node3', 'standby', '  running', 'running', 'node2', 50, 1],
  ]);
  assert.deepEqual(rows[0].status, { raw: '- failed', flag: '-', state: 'failed' });
  // A down node with no upstream prints a bare "?" (format_node_status: "? %s" with an empty name).
  assert.deepEqual(rows[0].upstream, { name: null, flag: '?' });
  assert.equal(rows[0].conninfo, conn(55432));
  const compact = parseClusterShow(fixture('repmgr-cluster-show-compact-after-failover.txt'));
  assert.deepEqual(compact, rows.map((r) => ({ ...r, conninfo: null })));
});

test('after failover stderr: one issue, the unreachable node1', () => {
  for (const f of ['repmgr-cluster-show-after-failover.stderr.txt', 'repmgr-cluster-show-compact-after-failover.stderr.txt']) {
    assert.deepEqual(parseClusterShowStderr(fixture(f)), ['unable to connect to node "node1" (ID: 1)']);
  }
});

test('from the dead node1 (exit 6): stdout empty → clear error; stderr has no issue list', () => {
  assert.equal(fixture('repmgr-cluster-show-from-down-node1-after-failover.txt'), '');
  assert.throws(() => parseClusterShow(fixture('repmgr-cluster-show-from-down-node1-after-failover.txt')),
    (e: unknown) => e instanceof RepmgrParseError && /cluster show: empty output; expected a header row/.test(e.message));
  assert.deepEqual(parseClusterShowStderr(fixture('repmgr-cluster-show-from-down-node1-after-failover.stderr.txt')), []);
});

test('after rejoin: node1 standby of node2; timelines differ per node (2 on node2, still 1 on the standbys)', () => {
  assert.deepEqual(brief(parseClusterShow(fixture('repmgr-cluster-show-after-rejoin.txt'))), [
    [1, 'node1', 'standby', '  running', 'running', 'node2', 100, 1],
    [2, 'node2', 'primary', '* running', 'running', null, 90, 2],
    [3, 'node3', 'standby', '  running', 'running', 'node2', 50, 1],
  ]);
});

test('final (after switchback): node1 primary again; timelines 5/4/3 as read from each node', () => {
  assert.deepEqual(brief(parseClusterShow(fixture('repmgr-cluster-show-final.txt'))), [
    [1, 'node1', 'primary', '* running', 'running', null, 100, 5],
    [2, 'node2', 'standby', '  running', 'running', 'node1', 90, 4],
    [3, 'node3', 'standby', '  running', 'running', 'node1', 50, 3],
  ]);
});

test('healthy runs have no stderr issues', () => {
  assert.deepEqual(parseClusterShowStderr(''), []);
});

test('--csv: id,connection_status,recovery_type', () => {
  assert.deepEqual(parseClusterShowCsv(fixture('repmgr-cluster-show-csv.txt')), [
    { id: 1, up: true, recovery: 'primary' }, { id: 2, up: true, recovery: 'standby' }, { id: 3, up: true, recovery: 'standby' },
  ]);
  assert.deepEqual(parseClusterShowCsv(fixture('repmgr-cluster-show-csv-after-failover.txt')), [
    { id: 1, up: false, recovery: 'unknown' }, { id: 2, up: true, recovery: 'primary' }, { id: 3, up: true, recovery: 'standby' },
  ]);
});

// Synthetic rows in the exact printf layout, for states the lab did not produce.
const HEAD = ' ID | Name      | Role    | Status               | Upstream    | Location | Priority | Timeline | Connection string\n'
  + '----+-----------+---------+----------------------+-------------+----------+----------+----------+------------------\n';

test('other status strings, "!"/"?" upstream prefixes, witness n/a timeline, a name containing " | "', () => {
  const out = HEAD
    + ' 4  | wit       | witness | * running            | ! node2     | dc2      | 0        | n/a      | host=w\n'
    + ' 5  | a | b     | standby | ? unreachable        | ? node2     | dc 2     | 100      |          | host=x\n'
    + ' 6  | n6        | standby | ! running as primary | ! node9     | dc1      | 10       | 3        | host=y\n'
    + ' 7  | n7        | primary | ? running            |             | dc1      | 10       |          | host=z\n';
  assert.deepEqual(brief(parseClusterShow(out)), [
    [4, 'wit', 'witness', '* running', 'running', '!node2', 0, null],
    [5, 'a | b', 'standby', '? unreachable', 'unreachable', '?node2', 100, null],
    [6, 'n6', 'standby', '! running as primary', 'running-as-primary', '!node9', 10, 3],
    [7, 'n7', 'primary', '? running', 'running', null, 10, null],
  ]);
});

test('multi-byte node name: cells are cut at the rule\'s byte offsets (repmgr pads by strlen)', () => {
  // "nœud" is 5 bytes, so repmgr gives it a 5-byte-wide column.
  const out = ' ID | Name  | Role    | Status    | Upstream | Location | Priority | Timeline | Connection string\n'
    + '----+-------+---------+-----------+----------+----------+----------+----------+------------------\n'
    + ' 1  | nœud | primary | * running |          | dc1      | 100      | 1        | host=a\n';
  assert.equal(parseClusterShow(out)[0].name, 'nœud');
});

test('malformed input: clear RepmgrParseError naming what was expected', () => {
  const bad: Array<[string, string, RegExp]> = [
    ['no rule line', ' ID | Name\n 1 | x\n', /expected a "----\+----" rule under the header/],
    ['missing column', ' ID | Name  | Role   \n----+-------+--------\n 1  | node1 | primary\n', /column "Status" missing from header/],
    ['unknown status', HEAD + ' 1  | n         | primary | ~ exploded           |             | dc1      | 1        | 1        | h\n', /row 1, column "Status": expected a status like/],
    ['bad role', HEAD + ' 1  | n         | leader  | * running            |             | dc1      | 1        | 1        | h\n', /row 1, column "Role": expected one of primary\/standby\/witness\/unknown, got "leader"/],
    ['non-numeric priority', HEAD + ' 1  | n         | primary | * running            |             | dc1      | high     | 1        | h\n', /row 1, column "Priority": expected an integer, got "high"/],
    ['misaligned row', HEAD + ' 1 | n | primary | * running | | dc1 | 1 | 1 | h\n', /row 1: expected "\|" at byte 4/],
    ['header only', HEAD, /table has no rows/],
    ['csv with 2 fields', '1,0\n', /line 1: expected "node_id,connection_status,recovery_type"/],
  ];
  for (const [name, input, re] of bad) {
    const parse = name.startsWith('csv') ? parseClusterShowCsv : parseClusterShow;
    assert.throws(() => parse(input), (e: unknown) => e instanceof RepmgrParseError && re.test(e.message), name);
  }
});
