import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parsePcpNodeInfoVerbose, parsePcpWatchdogInfoVerbose, type PcpNodeInfo } from '../../../src/probes/pgpool/pcp-text.ts';
import { PgpoolParseError } from '../../../src/probes/pgpool/result-table.ts';
import { fixture } from './psql-text.ts';

const node = (n: number, state: string): PcpNodeInfo => {
  const out = parsePcpNodeInfoVerbose(fixture(`pcp_node_info-v-n${n}${state}.txt`));
  assert.equal(out.length, 1);
  return out[0];
};
const shape = (r: PcpNodeInfo) => `${r.statusCode}:${r.status}/${r.pgStatus}:${r.role}/${r.pgRole}`;

describe('parsePcpNodeInfoVerbose over 4.3.5 captures', () => {
  test('healthy node 0: full record', () => {
    assert.deepEqual(node(0, ''), {
      hostname: '127.0.0.1', port: 55432, statusCode: 2, weight: 0.333333, status: 'up', pgStatus: 'up', role: 'primary',
      pgRole: 'primary', replicationDelay: { bytes: 0 }, replicationState: null, replicationSyncState: null,
      lastStatusChange: '2026-11-22 03:47:01', statusMismatch: false, roleMismatch: false,
    });
  });

  const expected: Record<string, string[]> = {
    '': ['2:up/up:primary/primary', '2:up/up:standby/standby', '2:up/up:standby/standby'],
    '-after-failover': ['3:down/down:standby/unknown', '2:up/up:primary/primary', '2:up/up:standby/standby'],
    '-after-rejoin': ['2:up/up:standby/standby', '2:up/up:primary/primary', '2:up/up:standby/standby'],
    '-final': ['2:up/up:primary/primary', '2:up/up:standby/standby', '2:up/up:standby/standby'],
  };
  for (const [state, want] of Object.entries(expected)) {
    test(`state "${state || 'healthy'}"`, () => {
      const rows = [0, 1, 2].map((n) => node(n, state));
      assert.deepEqual(rows.map(shape), want);
      assert.deepEqual(rows.map((r) => r.port), [55432, 55433, 55434]);
      assert.ok(rows.every((r) => !r.statusMismatch && !r.roleMismatch));
      // "none" is pcp's spelling of empty: it must not leak as a state.
      for (const r of rows) assert.equal(r.replicationState, r.role === 'primary' || r.status === 'down' ? null : 'streaming');
    });
  }

  test('constructed 4.4+ all-nodes output: time-based delay, quarantine, none', () => {
    const rows = parsePcpNodeInfoVerbose(fixture('constructed-4.4-pcp_node_info-v-by-time.txt'));
    assert.deepEqual(rows.map((r) => r.replicationDelay), [{ seconds: 2 }, { seconds: 0.25 }]);
    assert.deepEqual(rows.map((r) => [r.statusCode, r.status, r.statusMismatch]), [[2, 'up', false], [3, 'quarantine', true]]);
    assert.equal(rows[1].replicationState, null);
  });

  test('malformed: missing line named, empty output, garbage', () => {
    const text = fixture('pcp_node_info-v-n1.txt').replace(/^Backend Role.*\n/m, '');
    assert.throws(() => parsePcpNodeInfoVerbose(text), (e: unknown) => e instanceof PgpoolParseError && e.column === 'Backend Role');
    assert.throws(() => parsePcpNodeInfoVerbose(''), /no node block/);
    assert.throws(() => parsePcpNodeInfoVerbose('ERROR:  connection to socket failed\n'), PgpoolParseError);
    assert.throws(() => parsePcpNodeInfoVerbose('127.0.0.1 55432 2 0.333333 up up primary primary 0 none none 2026-11-22 03:47:01\n'),
      PgpoolParseError, 'terse output is not -v');
  });
});

describe('parsePcpWatchdogInfoVerbose', () => {
  test('4.3.5 capture: watchdog disabled → empty stdout → clear error', () => {
    assert.equal(fixture('pcp_watchdog_info-v.txt'), '');
    assert.match(fixture('pcp_watchdog_info-v.stderr.txt'), /watchdog is not enabled/);
    assert.throws(() => parsePcpWatchdogInfoVerbose(fixture('pcp_watchdog_info-v.txt')),
      (e: unknown) => e instanceof PgpoolParseError && e.column === 'Total Nodes');
  });

  test('4.3.5 capture from the lab\'s two-pgpool watchdog: leader, standby, unset delegate IP reads null', () => {
    const w = parsePcpWatchdogInfoVerbose(fixture('pcp_watchdog_info-v-leader.txt'));
    assert.equal(w.quorumState, 'QUORUM EXIST');
    assert.equal(w.localNodeEscalation, true);
    assert.equal(w.escalationLabel, 'Local node escalation');
    assert.equal(w.leaderHostName, '127.0.0.1');
    assert.deepEqual(w.nodes.map((n) => [n.state, n.stateCode, n.priority, n.membership, n.delegateIp]), [['LEADER', 4, 2, 'MEMBER', null], ['STANDBY', 7, 1, 'MEMBER', null]]);
    assert.equal(w.nodes[0]!.nodeName, w.leaderNodeName, 'the asked pgpool comes first, and it leads');
  });

  test('constructed 4.4–4.6 output', () => {
    const w = parsePcpWatchdogInfoVerbose(fixture('constructed-4.6-pcp_watchdog_info-v.txt'));
    const { nodes, ...head } = w;
    assert.deepEqual(head, {
      totalNodes: 3, remoteNodes: 2, memberRemoteNodes: 2, aliveRemoteNodes: 1, nodesRequiredForQuorum: 2,
      quorumState: 'QUORUM EXIST', localNodeEscalation: false, escalationLabel: 'Local node escalation',
      leaderNodeName: 'pool2:9999 Linux pool2', leaderHostName: 'pool2',
    });
    assert.deepEqual(nodes[0], {
      nodeName: 'pool1:9999 Linux pool1', hostName: 'pool1', delegateIp: '10.0.0.100', pgpoolPort: 9999,
      watchdogPort: 9000, priority: 1, stateCode: 7, state: 'STANDBY', membership: 'MEMBER',
    });
    assert.deepEqual(nodes.map((n) => [n.stateCode, n.state, n.membership]),
      [[7, 'STANDBY', 'MEMBER'], [4, 'LEADER', 'MEMBER'], [8, 'LOST', 'REVOKED-LOST']]);
  });

  test('constructed 4.3.0–4.3.1 output: "VIP up on local node" label', () => {
    const w = parsePcpWatchdogInfoVerbose(fixture('constructed-4.3.0-pcp_watchdog_info-v.txt'));
    assert.equal(w.localNodeEscalation, true);
    assert.equal(w.escalationLabel, 'VIP up on local node');
    assert.equal(w.quorumState, 'QUORUM IS ON THE EDGE');
    assert.equal(w.nodes[1].state, 'IN NETWORK TROUBLE');
  });

  test('malformed: unknown quorum string, missing escalation line', () => {
    const base = fixture('constructed-4.6-pcp_watchdog_info-v.txt');
    assert.throws(() => parsePcpWatchdogInfoVerbose(base.replace('QUORUM EXIST', 'QUORUM MAYBE')),
      (e: unknown) => e instanceof PgpoolParseError && e.column === 'Quorum state');
    assert.throws(() => parsePcpWatchdogInfoVerbose(base.replace(/^Local node escalation.*\n/m, '')),
      (e: unknown) => e instanceof PgpoolParseError && e.column === 'Local node escalation');
  });
});
