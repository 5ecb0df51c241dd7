import assert from 'node:assert/strict';
import { test } from 'node:test';
import { repmgrDisagreements } from '../../../src/model/crosscheck.ts';
import type { Topology } from '../../../src/model/topology.ts';
import type { NodeState, RepmgrNodeRow } from '../../../src/model/types.ts';

const REGISTERED: RepmgrNodeRow[] = [
  { id: 1, name: 'db1', type: 'primary', upstreamId: null, active: true, priority: 100, location: 'dc1' },
  { id: 2, name: 'db2', type: 'standby', upstreamId: 1, active: true, priority: 90, location: 'dc1' },
];

function node(name: string, role: 'primary' | 'standby', localNodeId: number | null, rows = REGISTERED, ok = true): NodeState {
  return {
    name, target: name, endpoint: null, lastOkAt: 1,
    health: ok ? { kind: 'ok' } : { kind: 'down', reason: 'refused', since: 1, retryAt: null },
    sample: { role, repmgr: { available: true, extVersion: '5.3', localNodeId, repmgrdRunning: true, repmgrdPaused: false, upstreamLastSeenSeconds: 0, nodes: rows } },
  } as unknown as NodeState;
}
const topo = (primaries: string[], upstreams: Record<string, string | null> = {}): Topology => ({
  primaries, external: [],
  entries: Object.entries(upstreams).map(([name, upstream]) => ({ name, upstream, depth: 1, role: 'standby', reachable: true, link: null, detached: false })),
});

test('agreement gives nothing', () => {
  assert.deepEqual(repmgrDisagreements([node('pg-a', 'primary', 1), node('pg-b', 'standby', 2)], topo(['pg-a'], { 'pg-b': 'pg-a' })), []);
});

test('a promotion repmgr did not record: both sides named, with config names via get_local_node_id()', () => {
  const d = repmgrDisagreements([node('pg-a', 'standby', 1), node('pg-b', 'primary', 2)], topo(['pg-b']));
  assert.deepEqual(d.map((x) => x.message), [
    "repmgr registers pg-a as primary; PostgreSQL's primary is pg-b",
    'pg-a runs as standby but repmgr registers it as primary',
    'pg-b runs as primary but repmgr registers it as standby',
  ]);
});

test('a server whose repmgr node id is not registered, and unreadable repmgr, are handled', () => {
  assert.deepEqual(repmgrDisagreements([node('pg-a', 'primary', 1), node('pg-c', 'standby', 7)], topo(['pg-a'])).map((x) => x.message),
    ['pg-c: repmgr node id 7 is not registered in repmgr.nodes']);
  const noRepmgr = { ...node('pg-a', 'primary', 1), sample: { role: 'primary', repmgr: null } } as unknown as NodeState;
  assert.deepEqual(repmgrDisagreements([noRepmgr], topo(['pg-a'])), []);
});

test('a down node is not judged, and no primary anywhere is left to the node rows', () => {
  assert.deepEqual(repmgrDisagreements([node('pg-a', 'primary', 1, REGISTERED, false), node('pg-b', 'standby', 2)], topo([])), []);
});
