import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildChains } from '../../../src/model/backup-chains.ts';
import type { BackupInfo } from '../../../src/model/backups.ts';
import { parseListBackups, parseShowBackup } from '../../../src/probes/barman/barman-json.ts';
import { barmanFixture, barmanFixtures } from './fixtures.ts';

function b(id: string, over: Partial<BackupInfo> = {}): BackupInfo {
  return {
    id, name: null, type: over.parentId ? 'incremental' : 'full', status: 'DONE', parentId: null, childrenIds: [],
    beginTime: `2026-01-${id.slice(-2)}T00:00:00.000Z`, endTime: null, durationSeconds: null, sizeBytes: null, walBytes: null,
    resourcesSavedBytes: null, retentionStatus: null, timeline: 1, beginLsn: null, endLsn: null, summarizeWal: true, ...over,
  };
}

describe('buildChains', () => {
  const cases: Array<{ name: string; in: BackupInfo[]; want: Array<[string, string[], string | null]> }> = [
    { name: 'empty', in: [], want: [] },
    {
      name: 'three levels, children by begin time, single fulls as one-member chains, newest root first',
      in: [b('f-01'), b('i-03', { parentId: 'i-02' }), b('i-02', { parentId: 'f-01' }), b('j-04', { parentId: 'f-01' }), b('r-05', { type: 'rsync' }), b('s-06', { type: 'snapshot' })],
      want: [['s-06', ['s-06'], null], ['r-05', ['r-05'], null], ['f-01', ['f-01', 'i-02', 'i-03', 'j-04'], null]],
    },
    {
      name: 'orphan incremental',
      in: [b('i-09', { parentId: 'gone-08' }), b('f-01')],
      want: [['i-09', ['i-09'], 'i-09 hangs on gone-08, which is missing'], ['f-01', ['f-01'], null]],
    },
    {
      name: 'FAILED in the middle',
      in: [b('f-01'), b('i-02', { parentId: 'f-01', status: 'FAILED' }), b('i-03', { parentId: 'i-02' })],
      want: [['f-01', ['f-01', 'i-02', 'i-03'], 'i-03 hangs on i-02, which is FAILED']],
    },
    {
      name: 'FAILED leaf breaks nothing',
      in: [b('f-01'), b('i-02', { parentId: 'f-01', status: 'FAILED' })],
      want: [['f-01', ['f-01', 'i-02'], null]],
    },
    {
      name: 'parent taken with summarize_wal off',
      in: [b('f-01', { summarizeWal: false }), b('i-02', { parentId: 'f-01' })],
      want: [['f-01', ['f-01', 'i-02'], 'i-02 hangs on f-01, taken with summarize_wal off']],
    },
    {
      name: 'link from the parent children list when the child has no parentId (barman FAILED incremental)',
      in: [b('f-01', { childrenIds: ['i-02'] }), b('i-02', { type: 'incremental', status: 'FAILED' }), b('i-03', { parentId: 'i-02' })],
      want: [['f-01', ['f-01', 'i-02', 'i-03'], 'i-03 hangs on i-02, which is FAILED']],
    },
    {
      name: 'a loop is cut, never spins',
      in: [b('a-01', { parentId: 'b-02' }), b('b-02', { parentId: 'a-01' })],
      want: [['a-01', ['a-01', 'b-02'], 'a-01 is incremental but its parent is unknown']],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(buildChains(c.in).map((x) => [x.rootId, x.members, x.reason]), c.want);
      for (const x of buildChains(c.in)) assert.equal(x.broken, x.reason !== null);
    });
  }

  it('3.15 constructed catalogue: every case at once', () => {
    const shown = barmanFixtures(/^constructed-3\.15-show-backup-.*\.json$/).map((f) => parseShowBackup(barmanFixture(f)));
    const chains = buildChains(shown);
    assert.deepEqual(chains.map((c) => [c.rootId, c.members, c.reason]), [
      ['20260312T020000', ['20260312T020000'], null],
      ['20260309T020000', ['20260309T020000', '20260310T020000', '20260311T020000'], '20260310T020000 hangs on 20260309T020000, taken with summarize_wal off'],
      ['20260308T020000', ['20260308T020000'], '20260308T020000 hangs on 20260307T020000, which is missing'],
      ['20260304T020000', ['20260304T020000', '20260305T020000', '20260306T020000'], '20260306T020000 hangs on 20260305T020000, which is FAILED'],
      ['20260301T020000', ['20260301T020000', '20260302T020000', '20260303T020000'], null],
      ['20260228T020000', ['20260228T020000'], null],
    ]);
  });

  it('3.4 real list: two one-member chains, newest first', () => {
    const chains = buildChains(parseListBackups(barmanFixture('real-3.4-list-backups-json.json')));
    assert.deepEqual(chains.map((c) => [c.rootId, c.members.length, c.broken]), [['20261122T034654', 1, false], ['20261122T034649', 1, false]]);
  });
});
