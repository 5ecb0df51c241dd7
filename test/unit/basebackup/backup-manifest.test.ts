import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { BackupManifestError, parseBackupManifest, startRange } from '../../../src/probes/basebackup/backup-manifest.ts';

const fixture = (dir: string) => readFileSync(new URL(`../../fixtures/basebackup/backups/${dir}/backup_manifest`, import.meta.url), 'utf8');

/** A manifest as backup_manifest.c lays it out, with its checksum. */
function manifest(head: string, files: string[], ranges: string[]): string {
  const body = `${head}"Files": [\n${files.join(',\n')}\n],\n"WAL-Ranges": [\n${ranges.join(',\n')}\n],\n`;
  return `${body}"Manifest-Checksum": "${createHash('sha256').update(body).digest('hex')}"}\n`;
}
const V2 = '{ "PostgreSQL-Backup-Manifest-Version": 2,\n"System-Identifier": 18446744073709551615,\n';
const file = (p: string, size: number) => `{ "Path": "${p}", "Size": ${size}, "Last-Modified": "2026-11-22 07:16:21 GMT" }`;
const range = (tli: number, s: string, e: string) => `{ "Timeline": ${tli}, "Start-LSN": "${s}", "End-LSN": "${e}" }`;

describe('parseBackupManifest', () => {
  test('a real PostgreSQL 17 full backup manifest (tar format, 967 files)', () => {
    const m = parseBackupManifest(fixture('full_20261122_071621'));
    assert.equal(m.version, 2);
    // exactly, not the double JSON.parse would round it to (7710891255044930560)
    assert.equal(m.systemIdentifier, '7710891255044930389');
    assert.deepEqual(m.walRanges, [{ timeline: 1, startLsn: '0/2000028', endLsn: '0/2000120' }]);
    assert.equal(m.fileCount, 967);
    assert.equal(m.incrementalFileCount, 0);
    assert.equal(m.checksumValid, true);
    assert.ok(m.totalSize > 20_000_000);
  });

  test('a real PostgreSQL 17 incremental manifest counts INCREMENTAL.* files', () => {
    const m = parseBackupManifest(fixture('incr_20261122_071634'));
    assert.equal(m.incrementalFileCount, 665);
    assert.equal(m.checksumValid, true);
    assert.equal(startRange(m).startLsn, '0/5000028');
  });

  test('a backup across a timeline switch: newest range first, startRange is the last', () => {
    const m = parseBackupManifest(manifest(V2, [file('PG_VERSION', 3)], [range(2, '0/5000000', '0/6000100'), range(1, '0/4000028', '0/5000000')]));
    assert.equal(m.systemIdentifier, '18446744073709551615');
    assert.deepEqual(startRange(m), { timeline: 1, startLsn: '0/4000028', endLsn: '0/5000000' });
    assert.equal(m.walRanges[0].endLsn, '0/6000100');
  });

  test('version 1 (13–16) has no System-Identifier; Encoded-Path names count too', () => {
    const incr = Buffer.from('base/5/INCREMENTAL.16384').toString('hex');
    const m = parseBackupManifest(manifest('{ "PostgreSQL-Backup-Manifest-Version": 1,\n',
      [file('PG_VERSION', 3), `{ "Encoded-Path": "${incr}", "Size": 100, "Last-Modified": "x" }`], [range(1, '0/2000028', '0/2000100')]));
    assert.equal(m.version, 1);
    assert.equal(m.systemIdentifier, null);
    assert.equal(m.fileCount, 2);
    assert.equal(m.totalSize, 103);
    assert.equal(m.incrementalFileCount, 1);
  });

  test('an edited manifest fails its checksum', () => {
    const text = fixture('incr_20261122_071634').replace('"Size": 3,', '"Size": 4,');
    assert.equal(parseBackupManifest(text).checksumValid, false);
  });

  const good = manifest(V2, [file('PG_VERSION', 3)], [range(1, '0/2000028', '0/2000100')]);
  const bad: Array<[string, string, RegExp]> = [
    ['empty', '', /empty/],
    ['truncated', fixture('full_20261122_071621').slice(0, 5000), /not valid JSON \(truncated or corrupt\?\)/],
    ['not an object', '[1]', /not a JSON object/],
    ['no version', '{"Files": []}', /no PostgreSQL-Backup-Manifest-Version/],
    ['version 3', good.replace('Version": 2', 'Version": 3'), /unsupported manifest version 3/],
    ['v2 without sysid', good.replace('"System-Identifier": 18446744073709551615,\n', ''), /version 2 without System-Identifier/],
    ['no files', good.replace('"Files"', '"Filez"'), /no Files list/],
    ['bad size', good.replace('"Size": 3', '"Size": -1'), /Files\[0\]\.Size/],
    ['no WAL ranges', manifest(V2, [], []), /no WAL-Ranges/],
    ['bad LSN', manifest(V2, [], [range(1, 'zz', '0/1')]), /WAL-Ranges\[0\]\.Start-LSN is not an LSN/],
  ];
  for (const [name, text, re] of bad) {
    test(`error: ${name}`, () => {
      assert.throws(() => parseBackupManifest(text), (e: unknown) => e instanceof BackupManifestError && re.test(e.message));
    });
  }
});
