// Eligibility, preflight and post-checks over the HA lab's captured states (real PG15 + repmgr
// 5.3 + pgpool 4.3.5 replies): every reason a standby is refused is named, never "no candidate".
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { backendsDown, pgpoolsToPromote, postCheckRows, preflightRows } from '../../../src/model/switchover/checks.ts';
import { switchoverCandidates } from '../../../src/model/switchover/eligibility.ts';
import type { NodeSample } from '../../../src/model/types.ts';
import { SCENARIOS, type Scenario } from '../../helpers/states.ts';
import { withSsh } from '../../helpers/switchover.ts';


function patchSample(s: Scenario, node: string, f: (x: NodeSample) => NodeSample) {
  const st = s.store.getState();
  const n = st.nodes[node]!;
  s.store.setState({ nodes: { ...st.nodes, [node]: { ...n, sample: f(n.sample!) } } });
}

const levels = (rows: Array<{ name: string; level: string }>) => Object.fromEntries(rows.map((r) => [r.name, r.level]));

describe('switchover candidates', () => {
  test('healthy lab: both standbys eligible, lag and timeline shown', () => {
    const s = SCENARIOS.haLab();
    const c = switchoverCandidates(s.store.getState(), withSsh(s), s.cluster.thresholds);
    assert.equal(c.primary, 'pgsql1');
    assert.equal(c.problem, null);
    assert.deepEqual(c.candidates.map((x) => [x.node, x.level, x.timeline]), [['pgsql2', 'ok', 1], ['pgsql3', 'ok', 1]]);
  });

  test('without ssh: for a node it is refused, saying so', () => {
    const s = SCENARIOS.haLab();
    const c = switchoverCandidates(s.store.getState(), s.cluster, s.cluster.thresholds);
    assert.ok(c.candidates.every((x) => x.level === 'bad' && x.reasons.some((r) => /no ssh:/.test(r))));
  });

  test('each reason is named: lag over threshold (bytes and seconds), replay paused, repmgrd down', () => {
    const s = SCENARIOS.haLab();
    const st = s.store.getState();
    const p = st.nodes.pgsql1!.sample!;
    patchSample(s, 'pgsql1', (x) => ({ ...x, senders: p.senders.map((r) => (r.applicationName === 'pgsql2' ? { ...r, replayLagBytes: 64 * 1024 * 1024, replayLagSeconds: 95 } : r)) }));
    patchSample(s, 'pgsql2', (x) => ({ ...x, replayPaused: true }));
    patchSample(s, 'pgsql3', (x) => ({ ...x, repmgr: x.repmgr?.available ? { ...x.repmgr, repmgrdRunning: false } : x.repmgr }));
    const c = switchoverCandidates(s.store.getState(), withSsh(s), s.cluster.thresholds);
    const [two, three] = c.candidates;
    assert.equal(two!.level, 'bad');
    assert.ok(two!.reasons.some((r) => /replay lag 64\.0 MiB over the 16\.0 MiB threshold/.test(r)), two!.reasons.join('\n'));
    assert.ok(two!.reasons.some((r) => /replay lag 95\.0 s over the 30 s threshold/.test(r)));
    assert.ok(two!.reasons.some((r) => /WAL replay is paused/.test(r)));
    assert.deepEqual([three!.level, three!.reasons], ['bad', ['repmgrd not running on it']]);
  });

  test('after a failover: the old primary is unreachable and down in pgpool', () => {
    const s = SCENARIOS.haFailover();
    const c = switchoverCandidates(s.store.getState(), withSsh(s), s.cluster.thresholds);
    assert.equal(c.primary, 'pgsql2');
    const one = c.candidates.find((x) => x.node === 'pgsql1')!;
    assert.equal(one.level, 'bad');
    assert.ok(one.reasons.some((r) => /^unreachable: /.test(r)));
    assert.ok(one.reasons.some((r) => /pgpool1 has it down/.test(r)));
  });

  test('two primaries: no switchover at all, and why', () => {
    const s = SCENARIOS.haLab();
    patchSample(s, 'pgsql3', (x) => ({ ...x, role: 'primary' }));
    const c = switchoverCandidates(s.store.getState(), withSsh(s), s.cluster.thresholds);
    assert.equal(c.primary, null);
    assert.match(c.problem!, /more than one primary \(pgsql1, pgsql3\)/);
  });
});

describe('preflight matrix', () => {
  test('healthy lab: every store check green, the dry run pending until asked', () => {
    const s = SCENARIOS.haLab();
    const rows = preflightRows(s.store.getState(), withSsh(s), s.cluster.thresholds, 'pgsql2', null);
    assert.deepEqual(levels(rows), {
      target: 'ok', 'replication lag': 'ok', archiving: 'ok', 'WAL senders': 'ok', 'replication slots': 'ok',
      repmgrd: 'ok', pgpool: 'ok', VIP: 'ok', 'repmgr dry run': 'pending',
    });
    assert.match(rows.find((r) => r.name === 'WAL senders')!.evidence, /^10 free of 10 on pgsql2, 2 needed$/);
  });

  test("repmgr's dry run: its error turns the row red; amber lines stay amber", () => {
    const s = SCENARIOS.haLab();
    const red = preflightRows(s.store.getState(), withSsh(s), s.cluster.thresholds, 'pgsql2', { running: false, ok: false, error: 'repmgrd not running on node "pgsql3" (ID: 3)', problems: [] });
    assert.deepEqual(red.at(-1), { name: 'repmgr dry run', level: 'bad', evidence: 'repmgrd not running on node "pgsql3" (ID: 3)' });
    const amber = preflightRows(s.store.getState(), withSsh(s), s.cluster.thresholds, 'pgsql2', { running: false, ok: true, error: null, problems: ['replication lag on this standby is 40 seconds'] });
    assert.equal(amber.at(-1)!.level, 'warn');
  });

  test('too few WAL senders on the target: red, saying what to raise', () => {
    const s = SCENARIOS.haLab();
    patchSample(s, 'pgsql2', (x) => ({ ...x, maxWalSenders: 1 }));
    const row = preflightRows(s.store.getState(), withSsh(s), s.cluster.thresholds, 'pgsql2', null).find((r) => r.name === 'WAL senders')!;
    assert.deepEqual([row.level, row.evidence], ['bad', '1 free of 1 on pgsql2, 2 needed (raise max_wal_senders)']);
  });

  test('repmgrd stopped on one node: red, naming it', () => {
    const s = SCENARIOS.haLab();
    patchSample(s, 'pgsql3', (x) => ({ ...x, repmgr: x.repmgr?.available ? { ...x.repmgr, repmgrdRunning: false } : x.repmgr }));
    const row = preflightRows(s.store.getState(), withSsh(s), s.cluster.thresholds, 'pgsql2', null).find((r) => r.name === 'repmgrd')!;
    assert.equal(row.level, 'bad');
    assert.match(row.evidence, /^not running on pgsql3/);
  });

  test('PG17 WAL summarizer: on at the primary, off at the target → amber (the next backup must be full)', () => {
    const s = SCENARIOS.haLab();
    const ws = (on: boolean) => ({ summarizeWal: on, keepTimeMinutes: 14400, summarizedTli: 1, summarizedLsn: null, pendingLsn: null, summarizerPid: on ? 1 : null, summaryCount: 1, oldestStartLsn: null, newestEndLsn: null, behindBytes: 0 });
    patchSample(s, 'pgsql1', (x) => ({ ...x, walSummary: ws(true) }));
    patchSample(s, 'pgsql2', (x) => ({ ...x, walSummary: ws(false) }));
    const row = preflightRows(s.store.getState(), withSsh(s), s.cluster.thresholds, 'pgsql2', null).find((r) => r.name === 'WAL summarizer')!;
    assert.equal(row.level, 'warn');
    assert.match(row.evidence, /summarize_wal is off on pgsql2/);
  });
});

describe('post-checks', () => {
  test('right after the switch: everything pending, naming what is not there yet', () => {
    const s = SCENARIOS.haLab();
    const rows = postCheckRows(s.store.getState(), { oldPrimary: 'pgsql1', target: 'pgsql2', timelineBefore: 1 });
    assert.ok(rows.every((r) => r.level !== 'ok'), JSON.stringify(rows));
    assert.match(rows.find((r) => r.name === 'new primary')!.evidence, /pgsql2 is still a standby/);
  });

  test('after the failover capture: pgsql2 primary on timeline 2, pgsql3 follows; pgsql1 gone and down in pgpool1', () => {
    const s = SCENARIOS.haFailover();
    const rows = postCheckRows(s.store.getState(), { oldPrimary: 'pgsql1', target: 'pgsql2', timelineBefore: 1 });
    const l = levels(rows);
    assert.equal(l['new primary'], 'ok');
    assert.equal(l.timeline, 'ok');
    assert.equal(l.siblings, 'ok');
    assert.equal(l['old primary'], 'pending');
    assert.deepEqual(backendsDown(s.store.getState()).map((d) => [d.pgpool, d.node]), [['pgpool1', 'pgsql1']]);
  });
});

describe('pgpool left behind', () => {
  test('PostgreSQL says pgsql2 is primary, both pgpools still route to pgsql1: promote node 1 on each', () => {
    const s = SCENARIOS.haLab();
    patchSample(s, 'pgsql2', (x) => ({ ...x, role: 'primary' }));
    assert.deepEqual(pgpoolsToPromote(s.store.getState(), 'pgsql2'), [{ pgpool: 'pgpool1', nodeId: 1, node: 'pgsql2' }, { pgpool: 'pgpool2', nodeId: 1, node: 'pgsql2' }]);
    const row = postCheckRows(s.store.getState(), { oldPrimary: 'pgsql1', target: 'pgsql2', timelineBefore: 1 }).find((r) => r.name === 'pgpool1')!;
    assert.deepEqual([row.level, row.evidence], ['pending', 'primary is pgsql1: press a for pcp_promote_node']);
  });

  test('nothing to promote while the target is not primary in PostgreSQL', () => {
    const s = SCENARIOS.haLab();
    assert.deepEqual(pgpoolsToPromote(s.store.getState(), 'pgsql2'), []);
  });
});
