// snapshot --json's HA keys (repmgr, pgpool, vip, consistency), built from the golden HA scenarios
// (real captures of PostgreSQL 15 + repmgr 5.3 + pgpool-II 4.3.5; see test/helpers/states.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildSnapshot } from '../../../src/model/snapshot.ts';
import { SCENARIOS } from '../../helpers/states.ts';

function snap(name: 'haLab' | 'haFailover' | 'healthy17') {
  const st = SCENARIOS[name]().store.getState();
  return JSON.parse(JSON.stringify(buildSnapshot(st.cluster, st.nodeOrder, st.nodes, Date.UTC(2026, 10, 22, 12), st)));
}

describe('snapshot --json: the HA layers', () => {
  test('haLab: every layer agrees; repmgr nodes with repmgrd and cluster show status, pgpool backends by node, watchdog, VIP', () => {
    const s = snap('haLab');
    assert.deepEqual(s.consistency.disagreements, []);
    assert.deepEqual(s.consistency.rows.map((r: { node: string; postgres: string; repmgr: string; vip: boolean }) => [r.node, r.postgres, r.repmgr, r.vip]), [
      ['pgsql1', 'primary', 'primary', true], ['pgsql2', 'standby', 'standby', false], ['pgsql3', 'standby', 'standby', false],
    ]);
    assert.deepEqual(s.repmgr.nodes.map((n: Record<string, unknown>) => [n.node_name, n.type, n.upstream, n.active, n.repmgrd, n.cluster_show_status]), [
      ['pgsql1', 'primary', null, true, 'running', '* running'],
      ['pgsql2', 'standby', 'pgsql1', true, 'running', 'running'],
      ['pgsql3', 'standby', 'pgsql1', true, 'running', 'running'],
    ]);
    assert.ok(s.repmgr.events.length > 0 && s.repmgr.events.every((e: { successful: boolean }) => e.successful));
    assert.deepEqual(s.pgpool.map((p: { name: string; reachable: boolean; version: string }) => [p.name, p.reachable, p.version]), [['pgpool1', true, '4.3.5'], ['pgpool2', true, '4.3.5']]);
    assert.deepEqual(s.pgpool[0].nodes.map((b: Record<string, unknown>) => [b.node_id, b.node, b.status, b.pg_status, b.role, b.pg_role, b.replication_delay, b.replication_delay_unit]), [
      [0, 'pgsql1', 'up', 'up', 'primary', 'primary', 0, 'bytes'], [1, 'pgsql2', 'up', 'up', 'standby', 'standby', 0, 'bytes'], [2, 'pgsql3', 'up', 'up', 'standby', 'standby', 0, 'bytes'],
    ]);
    assert.equal(s.pgpool[0].watchdog.quorum_state, 'QUORUM EXIST');
    assert.equal(s.pgpool[1].watchdog, null, 'no PCP configured for pgpool2');
    assert.deepEqual([s.vip.address, s.vip.holders, s.vip.problem], ['10.0.0.100', ['pgsql1'], null]);
  });

  test('haFailover: the disagreements name the layers; unreachable pieces carry their error', () => {
    const s = snap('haFailover');
    assert.deepEqual(s.consistency.disagreements.map((d: { layers: string[]; message: string }) => [d.layers.join('+'), d.message]), [
      ['pgpool2', 'pgpool2 does not answer: refuses new sessions: failed to create a backend 0 connection'],
      ['postgres+vip', "the VIP 10.0.0.100 is on pgsql1 but PostgreSQL's primary is pgsql2"],
    ]);
    assert.deepEqual(s.pgpool.map((p: { reachable: boolean; error: string | null }) => [p.reachable, p.error]), [[true, null], [false, 'refuses new sessions: failed to create a backend 0 connection']]);
    assert.deepEqual(s.pgpool[0].watchdog, { available: false, error: 'PCP login as pcpadmin failed: wrong password (check ~/.pcppass)' });
    assert.deepEqual(s.repmgr.cli.map((c: { node: string; ok: boolean }) => [c.node, c.ok]), [['pgsql1', false], ['pgsql2', true], ['pgsql3', false]]);
    assert.equal(s.repmgr.nodes.find((n: { node_name: string }) => n.node_name === 'pgsql1').active, false);
    assert.equal(s.repmgr.events[0].event, 'child_node_new_connect');
  });

  test('a cluster without the HA layers: the keys are there, empty', () => {
    const s = snap('healthy17');
    assert.deepEqual([s.repmgr, s.pgpool, s.vip, s.backups], [null, [], null, []]);
    assert.deepEqual(s.consistency.disagreements, []);
    assert.equal(s.consistency.rows.length, 4);
  });
});
