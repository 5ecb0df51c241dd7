// The incident timeline: what pgtop-ha sees change between two store states, and the merge with
// what the layers keep themselves (repmgr.events, pgpool's last_status_change, backup times).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BackupSourceState } from '../../../src/model/backups.ts';
import { buildTimeline, layerEntries, type ObservedInput, observeChanges } from '../../../src/model/timeline.ts';
import type { NodeSample, NodeState } from '../../../src/model/types.ts';
import { SCENARIOS } from '../../helpers/states.ts';

const AT = Date.UTC(2026, 10, 22, 12, 0, 5);

function lab(): ObservedInput {
  const s = SCENARIOS.haLab().store.getState();
  return { nodeOrder: s.nodeOrder, nodes: s.nodes, pgpoolOrder: s.pgpoolOrder, pgpools: s.pgpools, vip: s.vip, backupOrder: s.backupOrder, backups: s.backups };
}

const withNode = (x: ObservedInput, name: string, f: (n: NodeState) => NodeState): ObservedInput => ({ ...x, nodes: { ...x.nodes, [name]: f(x.nodes[name]!) } });
const withSample = (x: ObservedInput, name: string, f: (s: NodeSample) => NodeSample) => withNode(x, name, (n) => ({ ...n, sample: f(n.sample!) }));
const seen = (prev: ObservedInput, next: ObservedInput) => observeChanges(prev, next, AT).map((e) => `${e.source} ${e.subject}: ${e.event} (${e.details})`);

describe('observeChanges', () => {
  const before = lab();
  const cases: Array<[string, (x: ObservedInput) => ObservedInput, string[]]> = [
    ['nothing changed', (x) => x, []],
    ['a node stops answering', (x) => withNode(x, 'pgsql2', (n) => ({ ...n, health: { kind: 'down', reason: 'connection refused', since: AT, retryAt: AT + 2000 } })), ['postgres pgsql2: stopped answering (connection refused)']],
    ['a standby is promoted on a new timeline', (x) => withSample(x, 'pgsql2', (s) => ({ ...s, role: 'primary', timeline: (s.timeline ?? 1) + 1, receiver: null })), ['postgres pgsql2: became primary (was standby)', 'postgres pgsql2: timeline switch (timeline 1 → 2)']],
    ['the WAL receiver stops', (x) => withSample(x, 'pgsql3', (s) => ({ ...s, receiver: { ...s.receiver!, status: 'waiting' } })), ['postgres pgsql3: receiver waiting (was streaming)']],
    ['repmgrd paused', (x) => withSample(x, 'pgsql3', (s) => ({ ...s, repmgr: s.repmgr?.available ? { ...s.repmgr, repmgrdPaused: true } : s.repmgr })), ['repmgr pgsql3: repmgrd paused (was running)']],
    ['pgpool detaches a backend', (x) => {
      const p = x.pgpools.pgpool1!;
      const sample = { ...p.sample!, nodes: p.sample!.nodes.map((r) => (r.nodeId === 2 ? { ...r, status: 'down' as const } : r)) };
      return { ...x, pgpools: { ...x.pgpools, pgpool1: { ...p, sample } } };
    }, ['pgpool pgpool1/pgsql3: backend down (was up)']],
    ['the VIP moves', (x) => ({ ...x, vip: { ...x.vip!, holders: ['pgsql2'] } }), ['vip 10.0.0.100: held by pgsql2 (was pgsql1)']],
  ];
  for (const [name, change, want] of cases) test(name, () => assert.deepEqual(seen(before, change(before)), want));

  test('a node answering again, stamped with the write time', () => {
    const down = withNode(before, 'pgsql2', (n) => ({ ...n, health: { kind: 'down', reason: 'x', since: 0, retryAt: 0 } }));
    const e = observeChanges(down, before, AT);
    assert.deepEqual(e.map((x) => [x.event, x.tone, x.at, x.observed]), [['answers again', 'ok', AT, true]]);
  });
});

describe('layer entries and the merge', () => {
  test('repmgr events come with their own time and tone', () => {
    const e = layerEntries(lab()).filter((x) => x.source === 'repmgr');
    assert.ok(e.length > 5);
    assert.ok(e.every((x) => !x.observed && Number.isFinite(x.at)));
  });

  test('backups: started and finished, a failed one toned bad', () => {
    const src: BackupSourceState = {
      source: 'barman', name: 'pg', where: 'barman@h', reachable: true, error: null, at: AT, chains: [], checks: [], wal: null,
      backups: [
        { id: 'b1', name: null, type: 'full', status: 'DONE', parentId: null, childrenIds: [], beginTime: '2026-11-22T03:00:00Z', endTime: '2026-11-22T03:10:00Z' },
        { id: 'b2', name: null, type: 'incremental', status: 'FAILED', parentId: 'b1', childrenIds: [], beginTime: '2026-11-22T04:00:00Z', endTime: null },
      ] as unknown as BackupSourceState['backups'],
    };
    const x = { ...lab(), backupOrder: ['barman:pg'], backups: { 'barman:pg': src } };
    const e = layerEntries(x).filter((y) => y.source === 'backup').map((y) => `${new Date(y.at).toISOString().slice(11, 16)} ${y.event} ${y.details} ${y.tone ?? ''}`.trim());
    assert.deepEqual(e, ['03:00 backup started full b1', '03:10 backup finished full b1 ok', '04:00 backup started incremental b2', '04:00 backup failed incremental b2 bad']);
  });

  test('newest first; pgpool\'s own last change is dropped where pgtop-ha saw the same change', () => {
    const x = lab();
    const row = x.pgpools.pgpool1!.sample!.nodes.find((r) => r.lastStatusChange)!;
    const t = Date.parse(row.lastStatusChange!);
    const subject = `pgpool1/${x.nodeOrder.find((n) => x.nodes[n]!.endpoint?.port === row.port)}`;
    const mine = { at: t + 1500, source: 'pgpool' as const, subject, event: 'backend up', details: 'was down', observed: true };
    const merged = buildTimeline([mine], x);
    assert.ok(merged.some((e) => e === mine));
    assert.ok(!merged.some((e) => !e.observed && e.subject === subject), 'the same moment is not listed twice');
    assert.ok(buildTimeline([], x).some((e) => !e.observed && e.subject === subject), 'kept when pgtop-ha did not see it');
    for (let i = 1; i < merged.length; i++) assert.ok(merged[i - 1]!.at >= merged[i]!.at, 'newest first');
    assert.equal(buildTimeline([], x, 3).length, 3, 'limited');
  });
});
