// Every layer's view per node and the disagreements between them, with pgpool's view taken from
// real SHOW pool_nodes captures (healthy, after a repmgr failover) of the reference lab whose
// PostgreSQL nodes listened on 127.0.0.1:55432–55434.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildConsistency, type VipView } from '../../../src/model/consistency.ts';
import type { PgpoolState, WatchdogState } from '../../../src/model/pgpool.ts';
import { buildTopology } from '../../../src/model/topology.ts';
import type { NodeState, RepmgrNodeRow } from '../../../src/model/types.ts';
import { parsePoolNodes } from '../../../src/probes/pgpool/pool-nodes.ts';
import { fixture, fromUnaligned, only } from '../pgpool/psql-text.ts';

const PORTS = { pgsql1: 55432, pgsql2: 55433, pgsql3: 55434 } as const;
type Name = keyof typeof PORTS;

const REGISTERED: RepmgrNodeRow[] = [
  { id: 1, name: 'pgsql1', type: 'primary', upstreamId: null, active: true, priority: 100, location: 'dc1' },
  { id: 2, name: 'pgsql2', type: 'standby', upstreamId: 1, active: true, priority: 90, location: 'dc1' },
  { id: 3, name: 'pgsql3', type: 'standby', upstreamId: 1, active: true, priority: 50, location: 'dc1' },
];
const AFTER_FAILOVER: RepmgrNodeRow[] = [
  { ...REGISTERED[0]!, active: false },
  { ...REGISTERED[1]!, type: 'primary', upstreamId: null },
  { ...REGISTERED[2]!, upstreamId: 2 },
];

function node(name: Name, role: 'primary' | 'standby' | 'down', rows = REGISTERED): NodeState {
  const id = Number(name.slice(-1));
  return {
    name, target: name, endpoint: { host: '127.0.0.1', port: PORTS[name] }, lastOkAt: 1,
    health: role === 'down' ? { kind: 'down', reason: 'connection refused', since: 1, retryAt: null } : { kind: 'ok' },
    sample: {
      role: role === 'down' ? 'primary' : role, senders: [], receiver: null,
      repmgr: { available: true, extVersion: '5.3', localNodeId: id, repmgrdRunning: true, repmgrdPaused: false, upstreamLastSeenSeconds: 0, nodes: rows },
    },
  } as unknown as NodeState;
}

function pool(name: string, file: string, watchdog: WatchdogState | null = null): PgpoolState {
  const nodes = parsePoolNodes(only(fromUnaligned(fixture(file), file)));
  return { name, target: name, health: { kind: 'ok' }, lastOkAt: 1, sample: { takenAt: 1, roundTripMs: 1, version: null, nodes, healthCheck: null, backendStats: null, watchdog } };
}

function check(list: NodeState[], pools: PgpoolState[], vip: VipView | null = null) {
  const nodes = Object.fromEntries(list.map((n) => [n.name, n]));
  return buildConsistency({
    order: list.map((n) => n.name), nodes, topo: buildTopology(list),
    pgpoolOrder: pools.map((p) => p.name), pgpools: Object.fromEntries(pools.map((p) => [p.name, p])), vip,
  });
}

const HEALTHY = 'pgpool-show-pool_nodes-unaligned.txt';
const FAILED_OVER = 'pgpool-show-pool_nodes-unaligned-after-failover.txt';

describe('buildConsistency', () => {
  test('healthy: every layer agrees, one row per node with each layer\'s word', () => {
    const c = check([node('pgsql1', 'primary'), node('pgsql2', 'standby'), node('pgsql3', 'standby')], [pool('pgpool1', HEALTHY)]);
    assert.deepEqual(c.disagreements, []);
    assert.deepEqual(c.rows, [
      { node: 'pgsql1', postgres: 'primary', repmgr: 'primary', pgpool: { pgpool1: { status: 'up', role: 'primary' } }, vip: null },
      { node: 'pgsql2', postgres: 'standby', repmgr: 'standby', pgpool: { pgpool1: { status: 'up', role: 'standby' } }, vip: null },
      { node: 'pgsql3', postgres: 'standby', repmgr: 'standby', pgpool: { pgpool1: { status: 'up', role: 'standby' } }, vip: null },
    ]);
  });

  test('primary just died: pgpool still has it attached, repmgr not yet moved', () => {
    const c = check([node('pgsql1', 'down'), node('pgsql2', 'standby'), node('pgsql3', 'standby')], [pool('pgpool1', HEALTHY)]);
    assert.deepEqual(c.rows[0]!.postgres, 'down');
    assert.deepEqual(c.disagreements, [
      { node: 'pgsql1', layers: ['postgres', 'pgpool1'], message: 'pgpool1 still has pgsql1 attached (up, primary) but PostgreSQL does not answer' },
    ]);
  });

  test('after the failover every layer agrees again: pgsql1 down/inactive everywhere', () => {
    const c = check([node('pgsql1', 'down', AFTER_FAILOVER), node('pgsql2', 'primary', AFTER_FAILOVER), node('pgsql3', 'standby', AFTER_FAILOVER)], [pool('pgpool1', FAILED_OVER)]);
    assert.deepEqual(c.disagreements, []);
    assert.deepEqual(c.rows.map((r) => [r.node, r.postgres, r.repmgr, r.pgpool.pgpool1]), [
      ['pgsql1', 'down', 'inactive', { status: 'down', role: 'standby' }],
      ['pgsql2', 'primary', 'primary', { status: 'up', role: 'primary' }],
      ['pgsql3', 'standby', 'standby', { status: 'up', role: 'standby' }],
    ]);
  });

  test('promotion seen by PostgreSQL but not yet by pgpool or repmgr: each layer named', () => {
    const c = check([node('pgsql1', 'down'), node('pgsql2', 'primary'), node('pgsql3', 'standby')], [pool('pgpool1', HEALTHY)]);
    assert.deepEqual(c.disagreements.map((d) => [d.layers.join('+'), d.message]), [
      ['postgres+repmgr', "repmgr registers pgsql1 as primary; PostgreSQL's primary is pgsql2"],
      ['postgres+repmgr', 'pgsql2 runs as primary but repmgr registers it as standby'],
      ['postgres+pgpool1', 'pgpool1 still has pgsql1 attached (up, primary) but PostgreSQL does not answer'],
      ['postgres+pgpool1', 'pgpool1 treats pgsql2 as a standby but PostgreSQL says it is the primary'],
    ]);
  });

  test('a demoted node pgpool still routes writes to, and a detached node that answers', () => {
    // The old primary came back as a standby (rejoin) while pgpool's view is from before the failover.
    const c = check([node('pgsql1', 'standby', AFTER_FAILOVER), node('pgsql2', 'primary', AFTER_FAILOVER), node('pgsql3', 'standby', AFTER_FAILOVER)], [pool('pgpool1', HEALTHY), pool('pgpool2', FAILED_OVER)]);
    const msgs = c.disagreements.map((d) => d.message);
    assert.ok(msgs.includes('pgpool1 routes writes to pgsql1 but PostgreSQL says it is a standby'), msgs.join('\n'));
    assert.ok(msgs.includes('pgpool1 treats pgsql2 as a standby but PostgreSQL says it is the primary'), msgs.join('\n'));
    assert.ok(msgs.includes('pgpool2 has pgsql1 detached (down) but PostgreSQL answers as standby: pcp_attach_node?'), msgs.join('\n'));
  });

  test('pgpool down is itself a banner; an unmatched node reads null', () => {
    const down: PgpoolState = { name: 'pgpool1', target: 'p', health: { kind: 'down', reason: 'connection refused', since: 1, retryAt: null }, sample: null, lastOkAt: null };
    const c = check([node('pgsql1', 'primary')], [down]);
    assert.deepEqual(c.rows[0]!.pgpool, { pgpool1: null });
    assert.deepEqual(c.disagreements, [{ node: null, layers: ['pgpool1'], message: 'pgpool1 does not answer: connection refused' }]);
  });

  test('VIP: none, several, on a standby, on a pgpool that is not the watchdog leader', () => {
    const list = [node('pgsql1', 'primary'), node('pgsql2', 'standby'), node('pgsql3', 'standby')];
    const vip = (holders: string[], asked = ['pgsql1', 'pgsql2']): VipView => ({ address: '10.0.0.100', asked, holders });
    assert.deepEqual(check(list, [], vip(['pgsql1'])).disagreements, []);
    assert.deepEqual(check(list, [], vip(['pgsql1'])).rows.map((r) => r.vip), [true, false, null]);
    assert.deepEqual(check(list, [], vip([])).disagreements.map((d) => d.message), ['no host holds the VIP 10.0.0.100 (asked pgsql1, pgsql2)']);
    assert.deepEqual(check(list, [], vip(['pgsql1', 'pgsql2'])).disagreements.map((d) => d.message), ['2 hosts hold the VIP 10.0.0.100: pgsql1, pgsql2']);
    assert.deepEqual(check(list, [], vip(['pgsql2'])).disagreements.map((d) => [d.layers.join('+'), d.message]), [['postgres+vip', "the VIP 10.0.0.100 is on pgsql2 but PostgreSQL's primary is pgsql1"]]);
    const wdNode = (host: string, state: string) => ({ nodeName: `${host}:9999 Linux ${host}`, hostName: host, delegateIp: '10.0.0.100', pgpoolPort: 9999, watchdogPort: 9000, priority: 1, stateCode: 0, state, membership: 'MEMBER' });
    const wd: WatchdogState = {
      ok: true,
      info: {
        totalNodes: 2, remoteNodes: 1, memberRemoteNodes: 1, aliveRemoteNodes: 1, nodesRequiredForQuorum: 1, quorumState: 'QUORUM EXIST',
        localNodeEscalation: false, escalationLabel: 'Local node escalation', leaderNodeName: 'lb2:9999 Linux lb2', leaderHostName: 'lb2',
        nodes: [wdNode('lb1', 'STANDBY'), wdNode('lb2', 'LEADER')],
      },
    };
    const c = check(list, [pool('lb1', HEALTHY, wd)], vip(['lb1'], ['lb1', 'lb2']));
    assert.deepEqual(c.disagreements.map((d) => [d.layers.join('+'), d.message]), [['lb1+vip', 'the VIP 10.0.0.100 is on lb1 but the watchdog leader is lb2']]);
  });
});
