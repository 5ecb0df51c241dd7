// repmgr's view of the cluster, read over SQL by the console's own poller in its one round trip
// per tick, against the HA lab (PostgreSQL 15 ×3, repmgr 5.3 + repmgrd; repmgr layer only).
// Needs root and apt like test/integration/lab.test.ts; a lab that cannot start FAILS the suite.
// Own lab dir (PGTOP_HA_LAB_REPMGR_SQL_DIR, default /tmp/pgtop-ha-lab-repmgr-sql) so it never
// collides with lab.test.ts or a lab brought up with `npm run lab:up`.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { runSnapshot } from '../../src/cli/snapshot.ts';
import type { Loaded } from '../../src/config/load.ts';
import { DEFAULT_THRESHOLDS } from '../../src/config/schema.ts';
import type { NodeSample } from '../../src/model/types.ts';
import { parseProbeResults, type ProbeResult } from '../../src/probes/pg/parse-probe.ts';
import { CONNECT_QUERY, buildProbeQuery, parseConnectInfo, probeOptionsFor } from '../../src/probes/pg/probe-query.ts';
import { createScheduler, storeNodesFromConfig } from '../../src/probes/scheduler.ts';
import { createAppStore } from '../../src/state/store.ts';
import { repmgrDisagreements } from '../../src/model/crosscheck.ts';
import { buildTopology } from '../../src/model/topology.ts';
import { labDown, labUp, type LabInfo } from '../lab/lab.ts';

const DIR = process.env.PGTOP_HA_LAB_REPMGR_SQL_DIR ?? '/tmp/pgtop-ha-lab-repmgr-sql';
const MONITOR = 'pgtop_nomgr';
/** USAGE on schema repmgr and SELECT on repmgr.nodes only: the minimum the README documents. */
const CORE_ONLY = 'pgtop_coremgr';
const logs: string[] = [];
let lab: LabInfo;

function loaded(user?: string): Loaded {
  const c = {
    name: 'lab',
    nodes: lab.nodes.map((n) => ({ name: n.name, conninfo: user ? `host=127.0.0.1 port=${n.port} user=${user} dbname=repmgr` : n.conninfo })),
    pgpool: [],
    barman: [],
    backups: [],
    intervalSeconds: 1,
    thresholds: { ...DEFAULT_THRESHOLDS },
  };
  return { cluster: c, config: { clusters: [c] }, source: 'test' } as Loaded;
}

async function poll(user?: string): Promise<Record<string, NodeSample>> {
  const { cluster } = loaded(user);
  const store = createAppStore({ cluster: cluster.name, intervalMs: 1000, nodes: storeNodesFromConfig(cluster) });
  const scheduler = createScheduler(cluster, store);
  try {
    await scheduler.pollOnce();
    const { nodes } = store.getState();
    const out: Record<string, NodeSample> = {};
    for (const n of lab.nodes) {
      const st = nodes[n.name]!;
      assert.equal(st.health.kind, 'ok', `${n.name}: ${JSON.stringify(st.health)}`);
      out[n.name] = st.sample!;
    }
    return out;
  } finally {
    await scheduler.stop();
  }
}

describe('repmgr over SQL (HA lab, PostgreSQL 15 + repmgr 5.3)', { timeout: 240_000 }, () => {
  before(
    async () => {
      lab = await labUp({ dir: DIR, layers: ['repmgr'], fresh: true, log: (m) => logs.push(m) });
      // A monitoring role with pg_monitor only: no USAGE on schema repmgr, no SELECT on repmgr.nodes.
      const su = new pg.Client({ host: '127.0.0.1', port: lab.nodes[0].port, user: 'postgres', database: 'postgres' });
      await su.connect();
      try {
        await su.query(`CREATE ROLE ${MONITOR} LOGIN IN ROLE pg_monitor`);
      } finally {
        await su.end();
      }
      const rm = new pg.Client({ host: '127.0.0.1', port: lab.nodes[0].port, user: 'postgres', database: 'repmgr' });
      await rm.connect();
      try {
        await rm.query(`CREATE ROLE ${CORE_ONLY} LOGIN IN ROLE pg_monitor;
          GRANT USAGE ON SCHEMA repmgr TO ${CORE_ONLY}; GRANT SELECT ON repmgr.nodes TO ${CORE_ONLY}`);
      } finally {
        await rm.end();
      }
      // Wait until the role has replicated to both standbys.
      for (const n of lab.nodes.slice(1)) {
        const c = new pg.Client({ host: '127.0.0.1', port: n.port, user: 'postgres', database: 'postgres' });
        await c.connect();
        try {
          for (let i = 0; ; i++) {
            const r = await c.query('SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = $1) AND EXISTS (SELECT FROM pg_roles WHERE rolname = $2) AS ok', [MONITOR, CORE_ONLY]);
            if (r.rows[0].ok) break;
            if (i > 100) throw new Error(`roles ${MONITOR}, ${CORE_ONLY} never reached ${n.name}`);
            await new Promise((res) => setTimeout(res, 100));
          }
        } finally {
          await c.end();
        }
      }
    },
    { timeout: 200_000 },
  );

  after(async () => {
    await labDown({ dir: DIR, log: (m) => logs.push(m) });
  });

  test('every node reports repmgr state: ids, repmgrd, registered topology', async () => {
    const samples = await poll();
    lab.nodes.forEach((n, i) => {
      const r = samples[n.name]!.repmgr;
      assert.ok(r?.available, `${n.name}: ${JSON.stringify(r)}`);
      assert.equal(r.extVersion, '5.3');
      assert.equal(r.localNodeId, i + 1, `${n.name} local node id`);
      assert.equal(r.repmgrdRunning, true, `${n.name} repmgrd running`);
      assert.equal(r.repmgrdPaused, false, `${n.name} repmgrd not paused`);
      assert.deepEqual(
        r.nodes.map((x) => [x.id, x.name, x.type, x.upstreamId, x.active]),
        [[1, 'pgsql1', 'primary', null, true], [2, 'pgsql2', 'standby', 1, true], [3, 'pgsql3', 'standby', 1, true]],
      );
    });
    // -1 on a primary ("not applicable"), seconds since repmgrd last saw pgsql1 on a standby.
    assert.equal(samples.pgsql1!.repmgr!.available && samples.pgsql1!.repmgr!.upstreamLastSeenSeconds, null);
    for (const n of ['pgsql2', 'pgsql3']) {
      const r = samples[n]!.repmgr!;
      assert.ok(r.available);
      assert.ok(r.upstreamLastSeenSeconds === null || (r.upstreamLastSeenSeconds >= 0 && r.upstreamLastSeenSeconds < 30), `${n}: ${r.upstreamLastSeenSeconds}`);
    }
  });

  test('snapshot --json carries each node\'s repmgr view and repmgr_nodes', async () => {
    const snap = JSON.parse(await runSnapshot(loaded(), { format: 'json' }));
    assert.equal(snap.schema_version, 1);
    const byName = Object.fromEntries(snap.nodes.map((n: { name: string }) => [n.name, n]));
    assert.deepEqual(
      lab.nodes.map((n) => {
        const r = byName[n.name].repmgr;
        return [n.name, r.ext_version, r.unavailable, r.local_node_id, r.repmgrd, r.registered_type, r.registered_upstream];
      }),
      [
        ['pgsql1', '5.3', null, 1, 'running', 'primary', null],
        ['pgsql2', '5.3', null, 2, 'running', 'standby', 'pgsql1'],
        ['pgsql3', '5.3', null, 3, 'running', 'standby', 'pgsql1'],
      ],
    );
    assert.equal(byName.pgsql1.repmgr.upstream_last_seen_seconds, null);
    assert.deepEqual(
      snap.repmgr_nodes.map((x: Record<string, unknown>) => [x.node_id, x.node_name, x.type, x.upstream, x.priority, x.location, x.read_from]),
      [[1, 'pgsql1', 'primary', null, 100, 'dc1', 'pgsql1'], [2, 'pgsql2', 'standby', 'pgsql1', 90, 'dc1', 'pgsql1'], [3, 'pgsql3', 'standby', 'pgsql1', 50, 'dc1', 'pgsql1']],
    );
  });

  test('a pg_monitor-only role gets a full sample with repmgr marked unavailable', async () => {
    const samples = await poll(MONITOR);
    for (const n of lab.nodes) {
      const s = samples[n.name]!;
      assert.equal(s.role, n.initialRole);
      assert.ok(s.role === 'primary' ? s.senders.length === 2 : s.receiver?.status === 'streaming', `${n.name} sample is complete`);
      assert.ok(s.repmgr && !s.repmgr.available, JSON.stringify(s.repmgr));
      assert.equal(s.repmgr.extVersion, '5.3');
      assert.equal(s.repmgr.unavailable, `role ${MONITOR} lacks USAGE on schema repmgr, SELECT on repmgr.nodes`);
    }
    const snap = JSON.parse(await runSnapshot(loaded(MONITOR), { format: 'json' }));
    assert.deepEqual(snap.repmgr_nodes, []);
    assert.match(snap.nodes[0].repmgr.unavailable, /lacks USAGE on schema repmgr/);
    assert.equal(snap.nodes[0].repmgr.repmgrd, null);
  });

  // The probe as a connection runs it: the connect query, the options it allows (probeOptionsFor),
  // one round trip, the parser. (The poller still passes only { repmgr } until it is wired to
  // probeOptionsFor, so this drives the pieces directly.)
  async function probeDirect(port: number, user: string): Promise<NodeSample> {
    const c = new pg.Client({ host: '127.0.0.1', port, user, database: 'repmgr' });
    await c.connect();
    try {
      const info = parseConnectInfo((await c.query(CONNECT_QUERY)).rows[0]);
      const q = buildProbeQuery(info.serverVersionNum, probeOptionsFor(info));
      const res = (await c.query(q.text)) as unknown as ProbeResult[];
      return parseProbeResults(res, q.sections, { takenAt: Date.now(), roundTripMs: 0 });
    } finally {
      await c.end();
    }
  }

  test('repmgr.events arrive from every node: the lab\'s registrations, the same rows everywhere', async () => {
    const events = [];
    for (const n of lab.nodes) {
      const r = (await probeDirect(n.port, 'repmgr')).repmgr;
      assert.ok(r?.available && r.events, `${n.name}: ${JSON.stringify(r)}`);
      events.push(r.events);
      const seen = (event: string) => r.events!.filter((e) => e.event === event).map((e) => [e.nodeName, e.successful]);
      assert.deepEqual(seen('primary_register'), [['pgsql1', true]], n.name);
      assert.deepEqual(seen('standby_clone'), [['pgsql3', true], ['pgsql2', true]], n.name);
      assert.deepEqual(seen('standby_register'), [['pgsql3', true], ['pgsql2', true]], n.name);
      assert.deepEqual(seen('repmgrd_start').map(([name]) => name).sort(), ['pgsql1', 'pgsql2', 'pgsql3'], n.name);
      assert.ok(r.events.length <= 20);
    }
    // Rows written since the first read (none expected on an idle lab) would only add at the top.
    assert.deepEqual(events[1]!.slice(-8), events[0]!.slice(-8));
    assert.deepEqual(events[2]!.slice(-8), events[0]!.slice(-8));
  });

  test('monitoring_history=yes: each standby reads its own fresh row, the primary none', async () => {
    const conf = readFileSync(lab.nodes[1]!.repmgrConf, 'utf8');
    assert.match(conf, /^monitoring_history=yes$/m, 'the lab turns monitoring history on');
    const p = (await probeDirect(lab.nodes[0]!.port, 'repmgr')).repmgr;
    assert.ok(p?.available);
    assert.equal(p.replicationStatus, null, 'repmgrd on a primary writes no monitoring history');
    for (const [i, n] of lab.nodes.entries()) {
      if (i === 0) continue;
      // repmgrd writes a row every monitor_interval_secs (2 s); the first may still be on its way.
      let st = null;
      for (let k = 0; k < 50 && !st; k++) {
        const r = (await probeDirect(n.port, 'repmgr')).repmgr;
        assert.ok(r?.available && r.replicationStatus !== undefined, `${n.name}: ${JSON.stringify(r)}`);
        st = r.replicationStatus;
        if (!st) await new Promise((res) => setTimeout(res, 200));
      }
      assert.ok(st, `${n.name}: no monitoring_history row`);
      assert.deepEqual([st.primaryNodeId, st.standbyNodeId], [1, i + 1]);
      assert.ok(Date.now() - Date.parse(st.lastMonitorTime) < 30_000, `${n.name}: ${st.lastMonitorTime}`);
      assert.ok(st.replicationLagBytes >= 0 && st.applyLagBytes >= 0);
      assert.ok(st.communicationTimeLagSeconds !== null && st.communicationTimeLagSeconds < 30, `${n.name}: ${st.communicationTimeLagSeconds}`);
    }
  });

  test('a role with only the documented grants keeps repmgr state, without events or monitoring', async () => {
    for (const n of lab.nodes) {
      const r = (await probeDirect(n.port, CORE_ONLY)).repmgr;
      assert.ok(r?.available, `${n.name}: ${JSON.stringify(r)}`);
      assert.equal(r.nodes.length, 3);
      assert.ok(!('events' in r) && !('replicationStatus' in r), `${n.name}: not read, not empty`);
    }
  });

  describe('cross-check: repmgr\'s registered topology against PostgreSQL\'s', () => {
    async function pollStates() {
      const { cluster } = loaded();
      const store = createAppStore({ cluster: cluster.name, intervalMs: 1000, nodes: storeNodesFromConfig(cluster) });
      const scheduler = createScheduler(cluster, store);
      try {
        await scheduler.pollOnce();
        const list = lab.nodes.map((n) => store.getState().nodes[n.name]!);
        return repmgrDisagreements(list, buildTopology(list)).map((d) => d.message);
      } finally {
        await scheduler.stop();
      }
    }

    test('a healthy lab: repmgr and PostgreSQL agree', async () => {
      assert.deepEqual(await pollStates(), []);
    });

    test('a registered upstream that is not the real one is named, with both sides', async () => {
      const su = new pg.Client({ host: '127.0.0.1', port: lab.nodes[0]!.port, user: 'repmgr', database: 'repmgr' });
      await su.connect();
      try {
        // What repmgr's record says after a manual re-pointing that bypassed `repmgr standby follow`.
        await su.query('UPDATE repmgr.nodes SET upstream_node_id = 2 WHERE node_id = 3');
        assert.deepEqual(await pollStates(), ['pgsql3 streams from pgsql1 but repmgr registers upstream pgsql2']);
      } finally {
        await su.query('UPDATE repmgr.nodes SET upstream_node_id = 1 WHERE node_id = 3');
        await su.end();
      }
      assert.deepEqual(await pollStates(), []);
    });
  });
});
