import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RepmgrParseError, parseClusterEvent, parseClusterEventCsv, type ClusterEvent } from '../../../src/probes/repmgr/cluster-event.ts';
import { fixture } from './fixture.ts';

const brief = (evs: ClusterEvent[]) => evs.map((e) => `${e.nodeId} ${e.nodeName} ${e.event} ${e.successful ? 't' : 'f'} ${e.timestamp}`);

test('healthy --csv: 13 events, newest first, t/f → boolean, timestamp kept + local ISO form', () => {
  const evs = parseClusterEventCsv(fixture('repmgr-cluster-event-csv.txt'));
  assert.equal(evs.length, 13);
  assert.deepEqual(evs[0], { nodeId: 3, nodeName: 'node3', event: 'repmgrd_start', successful: true, timestamp: '2026-11-22 03:47:09', local: '2026-11-22T03:47:09', details: null });
  assert.deepEqual(brief(evs.slice(-2)), ['1 node1 primary_register t 2026-11-22 03:46:29', '1 node1 cluster_created t 2026-11-22 03:46:29']);
});

test('text and --compact carry the same events as --csv (details only in text)', () => {
  const pairs: Array<[string, string, string]> = [
    ['repmgr-cluster-event.txt', 'repmgr-cluster-event-compact.txt', 'repmgr-cluster-event-csv.txt'],
    ['repmgr-cluster-event-after-failover.txt', 'repmgr-cluster-event-compact-after-failover.txt', 'repmgr-cluster-event-csv-after-failover.txt'],
  ];
  for (const [text, compact, csv] of pairs) {
    const t = parseClusterEvent(fixture(text));
    const c = parseClusterEvent(fixture(compact));
    const v = parseClusterEventCsv(fixture(csv));
    assert.deepEqual(c, v, compact);
    assert.deepEqual(t.map((e) => ({ ...e, details: null })), v, text);
    assert.ok(t.every((e) => typeof e.details === 'string'), text);
  }
});

test('healthy text: details as printed, "" for the register events', () => {
  const evs = parseClusterEvent(fixture('repmgr-cluster-event.txt'));
  assert.equal(evs[7].details, 'cloned from host "127.0.0.1", port 55432; backup method: pg_basebackup; --force: N');
  assert.deepEqual(evs.slice(-2).map((e) => [e.event, e.details]), [['primary_register', ''], ['cluster_created', '']]);
});

test('after failover: the promotion and follow sequence', () => {
  const evs = parseClusterEvent(fixture('repmgr-cluster-event-after-failover.txt'));
  assert.equal(evs.length, 20);
  assert.deepEqual(brief(evs.slice(0, 7)), [
    '2 node2 child_node_new_connect t 2026-11-22 03:49:51',
    '3 node3 repmgrd_failover_follow t 2026-11-22 03:49:47',
    '3 node3 standby_follow t 2026-11-22 03:49:47',
    '2 node2 child_node_new_connect t 2026-11-22 03:49:44',
    '2 node2 repmgrd_reload t 2026-11-22 03:49:38',
    '2 node2 repmgrd_failover_promote t 2026-11-22 03:49:38',
    '2 node2 standby_promote t 2026-11-22 03:49:38',
  ]);
  assert.equal(evs[5].details, 'node "node2" (ID: 2) promoted to primary; old primary "node1" (ID: 1) marked as failed');
});

test('after rejoin (--limit 12): node1 re-registered as standby of node2', () => {
  const evs = parseClusterEvent(fixture('repmgr-cluster-event-after-rejoin.txt'));
  assert.equal(evs.length, 12);
  assert.deepEqual(brief(evs.slice(0, 3)), [
    '2 node2 child_node_new_connect t 2026-11-22 03:50:39',
    '1 node1 repmgrd_start t 2026-11-22 03:50:36',
    '1 node1 standby_register t 2026-11-22 03:50:36',
  ]);
  assert.equal(evs[2].details, 'standby registration succeeded; upstream node ID is 2 (-F/--force option was used)');
});

test('final (--limit 12): switchover back to node1', () => {
  const evs = parseClusterEvent(fixture('repmgr-cluster-event-final.txt'));
  assert.equal(evs.length, 12);
  assert.deepEqual(evs.find((e) => e.event === 'standby_switchover'), {
    nodeId: 1, nodeName: 'node1', event: 'standby_switchover', successful: true, timestamp: '2026-11-22 03:53:17', local: '2026-11-22T03:53:17',
    details: 'node "node1" (ID: 1) promoted to primary, node "node2" (ID: 2) demoted to standby',
  });
  assert.deepEqual(brief(evs.slice(-3)), [
    '1 node1 node_rejoin t 2026-11-22 03:52:56',
    '3 node3 repmgrd_failover_follow t 2026-11-22 03:52:47',
    '3 node3 standby_follow t 2026-11-22 03:52:47',
  ]);
});

test('"no matching events found" → [] in both forms', () => {
  assert.deepEqual(parseClusterEventCsv('no matching events found\n'), []);
  assert.deepEqual(parseClusterEvent('no matching events found\n'), []);
});

test('csv: failure flag "f", and a node name holding a comma (everything between first and last three fields)', () => {
  assert.deepEqual(brief(parseClusterEventCsv('4,dc2, node4,standby_follow,f,2026-01-02 03:04:05\n')), ['4 dc2, node4 standby_follow f 2026-01-02 03:04:05']);
});

test('malformed input: clear RepmgrParseError', () => {
  const bad: Array<[string, () => unknown, RegExp]> = [
    ['csv too short', () => parseClusterEventCsv('1,node1,t\n'), /cluster event --csv: line 1: expected "node_id,node_name,event,successful,timestamp"/],
    ['csv bad ok', () => parseClusterEventCsv('1,node1,x,yes,2026-01-02 03:04:05\n'), /line 1, successful: expected "t" or "f", got "yes"/],
    ['csv bad timestamp', () => parseClusterEventCsv('1,node1,x,t,2026-02-30 03:04:05\n'), /line 1, timestamp: expected "YYYY-MM-DD HH:MM:SS", got "2026-02-30 03:04:05"/],
    ['text missing column', () => parseClusterEvent(fixture('repmgr-cluster-show.txt')), /cluster event: column "Node ID" missing from header/],
    ['text bad id', () => parseClusterEvent(fixture('repmgr-cluster-event.txt').replace(' 3       | node3 | repmgrd_start', ' x       | node3 | repmgrd_start')), /row 1, column "Node ID": expected an integer, got "x"/],
  ];
  for (const [name, run, re] of bad) assert.throws(run, (e: unknown) => e instanceof RepmgrParseError && re.test(e.message), name);
});
