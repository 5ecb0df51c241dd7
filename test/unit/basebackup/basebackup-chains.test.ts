import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { analyzeBackupDirectories, backupsFromDirectories, type BackupDirectoryRead } from '../../../src/probes/basebackup/basebackup-chains.ts';
import { FIXTURE_BACKUPS } from './local-runner.ts';

const captured = (n: string) => readFileSync(new URL(`../../fixtures/basebackup/captured/${n}.backup_label`, import.meta.url), 'utf8');
const read = (p: string) => (existsSync(p) ? readFileSync(p, 'utf8') : null);

/** The plain-format fixture directories read straight from disk; tar ones get the captured labels. */
function fixtureDirs(): BackupDirectoryRead[] {
  const tarLabel: Record<string, string> = { full_20261122_071621: 'full1', incr_20261122_071634: 'incr1', incr_20261122_071648: 'incr2' };
  return readdirSync(FIXTURE_BACKUPS).map((name) => ({
    name,
    label: tarLabel[name] ? captured(tarLabel[name]) : read(join(FIXTURE_BACKUPS, name, 'backup_label')),
    manifest: read(join(FIXTURE_BACKUPS, name, 'backup_manifest')),
  }));
}

/** Root → leaf paths from parentIds: enough to check the links without the shared buildChains. */
function paths(dirs: BackupDirectoryRead[]): string[] {
  const b = backupsFromDirectories(dirs);
  const leaves = b.filter((x) => x.childrenIds.length === 0);
  return leaves.map((leaf) => {
    const path = [leaf.id];
    for (let p = leaf.parentId; p; p = b.find((x) => x.id === p)!.parentId) path.unshift(p);
    return path.join(' > ');
  }).sort();
}

describe('backupsFromDirectories', () => {
  test('the fixture tree: two chains, an orphan, an incomplete full', () => {
    assert.deepEqual(paths(fixtureDirs()), [
      'full_20261122_071621 > incr_20261122_071634 > incr_20261122_071648',
      'full_20261129_020001 > incr_20261130_020001 > incr_20261201_020001',
      'full_20261204_020001',
      'incr_20261203_020001',
    ]);
  });

  test('types, statuses, LSNs and notes', () => {
    const { backups, notes } = analyzeBackupDirectories(fixtureDirs());
    const by = new Map(backups.map((b) => [b.id, b]));
    const full = by.get('full_20261122_071621')!;
    assert.deepEqual([full.type, full.status, full.parentId, full.beginLsn, full.endLsn, full.timeline, full.beginTime],
      ['full', 'DONE', null, '0/2000028', '0/2000120', 1, '2026-11-22T07:16:21.000Z']);
    assert.deepEqual(full.childrenIds, ['incr_20261122_071634']);
    const incr = by.get('incr_20261122_071634')!;
    assert.deepEqual([incr.type, incr.status, incr.parentId, incr.summarizeWal, incr.name], ['incremental', 'DONE', 'full_20261122_071621', true, 'incr_20260102_020000']);
    const orphan = by.get('incr_20261203_020001')!;
    assert.deepEqual([orphan.type, orphan.parentId], ['incremental', null]);
    assert.match(notes['incr_20261203_020001'].join(), /orphan: no backup here starts at 0\/16000028 on timeline 1/);
    const inc = by.get('full_20261204_020001')!;
    assert.deepEqual([inc.type, inc.status, inc.endTime, inc.sizeBytes], ['full', 'INCOMPLETE', null, null]);
    assert.match(notes['full_20261204_020001'].join(), /no backup_manifest/);
    assert.equal(notes['full_20261129_020001'], undefined);
  });

  test('the parent is matched on start LSN and TLI, not on its end LSN', () => {
    const dirs = fixtureDirs().filter((d) => d.name.startsWith('full_20261129') || d.name.startsWith('incr_20261130'));
    // the child's INCREMENTAL FROM is the parent's START WAL LOCATION (0/10000028), never its End-LSN
    const child = dirs.find((d) => d.name.startsWith('incr'))!;
    child.label = child.label!.replace('INCREMENTAL FROM LSN: 0/10000028', 'INCREMENTAL FROM LSN: 0/10000120');
    assert.equal(backupsFromDirectories(dirs).find((b) => b.id === child.name)!.parentId, null);
    child.label = child.label.replace('0/10000120', '0/10000028').replace('INCREMENTAL FROM TLI: 1', 'INCREMENTAL FROM TLI: 2');
    assert.equal(backupsFromDirectories(dirs).find((b) => b.id === child.name)!.parentId, null, 'other timeline');
  });

  test('a parent known only by its manifest (label unreadable) still anchors its children; it is FAILED', () => {
    const dirs = fixtureDirs().filter((d) => d.name.startsWith('full_20261129') || d.name.startsWith('incr_20261130'));
    dirs[0] = { ...dirs[0], label: null, readError: 'permission denied reading backup_label' };
    const b = analyzeBackupDirectories(dirs);
    assert.equal(b.backups[0].status, 'FAILED');
    assert.equal(b.backups[1].parentId, 'full_20261129_020001');
  });

  test('a corrupt manifest makes the backup FAILED; an unparsable label too', () => {
    const dirs = fixtureDirs().filter((d) => d.name === 'full_20261129_020001');
    const edited = [{ ...dirs[0], manifest: dirs[0].manifest!.replace('"Size": 3', '"Size": 5') }];
    const a = analyzeBackupDirectories(edited);
    assert.equal(a.backups[0].status, 'FAILED');
    assert.match(a.notes['full_20261129_020001'].join(), /checksum does not match/);
    const b = analyzeBackupDirectories([{ ...dirs[0], label: 'garbage' }]);
    assert.equal(b.backups[0].status, 'FAILED');
    assert.match(b.notes['full_20261129_020001'].join(), /no START WAL LOCATION/);
  });

  test('a backup of another cluster at the same LSN is not a parent', () => {
    const dirs = fixtureDirs().filter((d) => d.name.startsWith('full_20261129') || d.name.startsWith('incr_20261130'));
    dirs[0] = { ...dirs[0], manifest: dirs[0].manifest!.replace('7710891255044930389', '1111') };
    assert.equal(backupsFromDirectories(dirs)[1].parentId, null);
  });
});
