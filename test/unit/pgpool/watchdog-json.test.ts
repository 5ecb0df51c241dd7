import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WatchdogJsonError, parseWatchdogJson, quorumStateOf } from '../../../src/probes/pgpool/watchdog-json.ts';
import { fixture } from './psql-text.ts';

describe('parseWatchdogJson over the 4.3.5 lab captures (two pgpools, no delegate_ip)', () => {
  test('asked the leader: itself first, escalated, quorum exists', () => {
    const w = parseWatchdogJson(fixture('pcp-watchdog-json-4.3.5-leader.json'));
    assert.deepEqual({ ...w, nodes: undefined }, {
      totalNodes: 2, remoteNodes: 1, memberRemoteNodes: 1, aliveRemoteNodes: 1, nodesRequiredForQuorum: 1,
      quorumState: 'QUORUM EXIST', localNodeEscalation: true, escalationLabel: 'Escalated',
      leaderNodeName: '127.0.0.1:38899 Linux vm', leaderHostName: '127.0.0.1', nodes: undefined,
    });
    assert.deepEqual(w.nodes[0], {
      nodeName: '127.0.0.1:38899 Linux vm', hostName: '127.0.0.1', delegateIp: null, pgpoolPort: 38899, watchdogPort: 40347,
      priority: 2, stateCode: 4, state: 'LEADER', membership: 'MEMBER', pgpoolNodeId: 0,
    });
    assert.deepEqual(w.nodes.map((n) => `${n.pgpoolNodeId}:${n.state}`), ['0:LEADER', '1:STANDBY']);
  });

  test('asked the standby: itself first, not escalated, same leader', () => {
    const w = parseWatchdogJson(fixture('pcp-watchdog-json-4.3.5-peer.json'));
    assert.equal(w.localNodeEscalation, false);
    assert.equal(w.leaderNodeName, '127.0.0.1:38899 Linux vm');
    assert.deepEqual(w.nodes.map((n) => `${n.pgpoolNodeId}:${n.state}:${n.pgpoolPort}`), ['1:STANDBY:39585', '0:LEADER:38899']);
  });
});

describe('parseWatchdogJson over the constructed 4.6 reply (watchdog.c V4_6_7)', () => {
  test('leader remote, a LOST / REVOKED-LOST node, delegate_ip set', () => {
    const w = parseWatchdogJson(fixture('constructed-4.6-pcp-watchdog-json.json'));
    assert.equal(w.totalNodes, 3);
    assert.equal(w.memberRemoteNodes, 1);
    assert.equal(w.nodesRequiredForQuorum, 2);
    assert.equal(w.leaderHostName, 'pgpool-b');
    assert.deepEqual(w.nodes.map((n) => `${n.hostName}:${n.state}:${n.membership}:${n.delegateIp}`), [
      'pgpool-a:STANDBY:MEMBER:10.0.0.100', 'pgpool-b:LEADER:MEMBER:10.0.0.100', 'pgpool-c:LOST:REVOKED-LOST:10.0.0.100',
    ]);
  });
});

describe('parseWatchdogJson tolerance and errors', () => {
  const base = () => JSON.parse(fixture('pcp-watchdog-json-4.3.5-leader.json')) as Record<string, unknown> & { WatchdogNodes: Record<string, unknown>[] };

  test('pre-4.3 server (no membership keys): null counts, "NOT-Available" as pgpool\'s client prints', () => {
    const o = base();
    delete o.MemberRemoteNodeCount;
    delete o.NodesRequireForQuorum;
    for (const n of o.WatchdogNodes) {
      delete n.Membership;
      delete n.MembershipString;
    }
    const w = parseWatchdogJson(JSON.stringify(o));
    assert.equal(w.memberRemoteNodes, null);
    assert.equal(w.nodesRequiredForQuorum, null);
    assert.equal(w.nodes[0].membership, 'NOT-Available');
  });

  test('unknown keys (a later pgpool) are ignored', () => {
    const o = base();
    o.SomethingNew = { x: 1 };
    o.WatchdogNodes[0].AlsoNew = 'y';
    assert.equal(parseWatchdogJson(JSON.stringify(o)).nodes.length, 2);
  });

  test('no leader: "Not Set" names read null, QuorumStatus -2 is NO LEADER NODE', () => {
    const o = { ...base(), QuorumStatus: -2, LeaderNodeName: 'Not Set', LeaderHostName: 'Not Set', AliveNodeCount: 0 };
    const w = parseWatchdogJson(JSON.stringify(o));
    assert.equal(w.quorumState, 'NO LEADER NODE');
    assert.equal(w.leaderNodeName, null);
    assert.equal(w.leaderHostName, null);
  });

  test('quorum codes as pcp_frontend_client labels them', () => {
    assert.deepEqual([1, 0, -1, -2, 7].map(quorumStateOf), ['QUORUM EXIST', 'QUORUM IS ON THE EDGE', 'QUORUM ABSENT', 'NO LEADER NODE', 'UNKNOWN']);
  });

  test('malformed input names what is wrong', () => {
    const bad = (text: string, re: RegExp) => assert.throws(() => parseWatchdogJson(text), (e: unknown) => e instanceof WatchdogJsonError && re.test(e.message));
    bad('{"RemoteNodeCount":1,', /not valid JSON/);
    bad('[1]', /top level is not a JSON object/);
    bad(JSON.stringify({ ...base(), WatchdogNodes: undefined }), /key "WatchdogNodes" missing/);
    bad(JSON.stringify({ ...base(), NodeCount: 3 }), /NodeCount is 3 but WatchdogNodes has 2 entries/);
    bad(JSON.stringify({ ...base(), QuorumStatus: '1' }), /key "QuorumStatus" is not an integer/);
    const o = base();
    delete o.WatchdogNodes[1].WdPort;
    bad(JSON.stringify(o), /WatchdogNodes\[1\]: key "WdPort" missing/);
  });
});
