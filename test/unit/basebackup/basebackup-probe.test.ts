// The probe's real commands (find, the reader script, tar, du) run locally on a copy of the
// fixture tree, with no shell in between: what sshd would execute, minus the network.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { probeBasebackupDir, type BasebackupDirCache } from '../../../src/probes/basebackup/basebackup-probe.ts';
import { parseReadOutput } from '../../../src/probes/basebackup/read-script.ts';
import { FakeRunner, reply } from '../ssh/fake-runner.ts';
import { copyFixtureTree, LocalRunner } from './local-runner.ts';

const tree = copyFixtureTree();
after(() => rmSync(dirname(tree), { recursive: true, force: true }));
const ssh = { host: 'backup1', user: 'postgres' };
const now = () => 1_800_000_000_000;

describe('probeBasebackupDir over local commands', () => {
  test('reads every backup: plain, tar, tar.gz; end time from the manifest mtime', async () => {
    const s = await probeBasebackupDir(new LocalRunner(), { ssh, path: tree }, { now });
    assert.equal(s.error, null);
    assert.deepEqual([s.source, s.name, s.where, s.reachable, s.at, s.chains, s.checks, s.wal], ['basebackup_dir', tree, 'postgres@backup1', true, now(), [], null, null]);
    assert.equal(s.backups.length, 8);
    const by = new Map(s.backups.map((b) => [b.id, b]));
    const gz = by.get('full_20261122_071621')!; // base.tar.gz
    assert.deepEqual([gz.status, gz.beginLsn, gz.endTime, gz.durationSeconds], ['DONE', '0/2000028', '2026-11-22T07:16:24.000Z', 3]);
    assert.ok(gz.sizeBytes! > 137_000, 'du of the directory');
    assert.equal(by.get('incr_20261122_071634')!.parentId, 'full_20261122_071621'); // base.tar
    assert.equal(by.get('incr_20261122_071648')!.parentId, 'incr_20261122_071634');
    assert.equal(by.get('incr_20261201_020001')!.parentId, 'incr_20261130_020001');
    assert.equal(by.get('incr_20261203_020001')!.parentId, null);
    assert.equal(by.get('full_20261204_020001')!.status, 'INCOMPLETE');
    assert.match(s.notes['incr_20261203_020001'].join(), /orphan/);
    assert.equal(s.commands, 2);
  });

  test('finished backups are read once; an incomplete one each time', async () => {
    const runner = new LocalRunner();
    const cache: BasebackupDirCache = new Map();
    await probeBasebackupDir(runner, { ssh, path: tree }, { cache, batchSize: 3 });
    assert.equal(runner.calls.length, 1 + 3); // find + 8 directories in batches of 3
    assert.equal(cache.size, 7);
    runner.calls.length = 0;
    const again = await probeBasebackupDir(runner, { ssh, path: tree }, { cache });
    assert.equal(again.backups.length, 8);
    assert.equal(runner.calls.length, 2);
    assert.deepEqual(runner.calls[1].slice(4), [tree, 'full_20261204_020001']);
  });

  test('directories that are not backups are left out; unreadable files become notes', async () => {
    mkdirSync(join(tree, 'lost+found'));
    mkdirSync(join(tree, 'full_20261205_020001'));
    writeFileSync(join(tree, 'full_20261205_020001', 'backup_manifest.tmp'), '{');
    try {
      const s = await probeBasebackupDir(new LocalRunner(), { ssh, path: tree });
      assert.equal(s.backups.find((b) => b.id === 'lost+found'), undefined);
      const b = s.backups.find((x) => x.id === 'full_20261205_020001')!;
      assert.equal(b.status, 'INCOMPLETE');
      assert.match(s.notes['full_20261205_020001'].join(), /being written/);
    } finally {
      rmSync(join(tree, 'lost+found'), { recursive: true });
      rmSync(join(tree, 'full_20261205_020001'), { recursive: true });
    }
  });

  test('no such directory: unreachable with one line', async () => {
    const s = await probeBasebackupDir(new LocalRunner(), { ssh, path: join(tree, 'nope') });
    assert.equal(s.reachable, false);
    assert.equal(s.error, `backup directory ${join(tree, 'nope')} does not exist on postgres@backup1`);
  });

  test('a tar without backup_label: the extraction failure is named', async () => {
    const d = join(tree, 'full_20261206_020001');
    mkdirSync(d);
    writeFileSync(join(d, 'x'), 'x');
    const { execFileSync } = await import('node:child_process');
    execFileSync('tar', ['-cf', join(d, 'base.tar'), '-C', d, 'x']);
    try {
      const s = await probeBasebackupDir(new LocalRunner(), { ssh, path: tree });
      assert.equal(s.backups.find((b) => b.id === 'full_20261206_020001')!.status, 'FAILED');
      assert.match(s.notes['full_20261206_020001'].join(), /could not extract backup_label from base\.tar \(tar exit 2\)/);
    } finally {
      rmSync(d, { recursive: true });
    }
  });

  // Root reads everything: as root the probe runs as `nobody`, as an SSH login of another user would.
  test('permission denied', async () => {
    chmodSync(dirname(tree), 0o755);
    chmodSync(tree, 0o000);
    try {
      const s = await probeBasebackupDir(new LocalRunner('nobody'), { ssh, path: tree });
      assert.match(s.error ?? '', /permission denied reading/);
    } finally {
      chmodSync(tree, 0o755);
    }
  });
});

describe('probeBasebackupDir failures (scripted)', () => {
  test('ssh failure is one line, nothing else runs', async () => {
    const r = new FakeRunner(() => new Error('ssh postgres@backup1:22: connect ECONNREFUSED'));
    const s = await probeBasebackupDir(r, { ssh, path: '/b' });
    assert.deepEqual([s.reachable, s.error, r.calls.length], [false, 'postgres@backup1: ssh postgres@backup1:22: connect ECONNREFUSED', 1]);
  });

  test('permission denied and sudo without NOPASSWD', async () => {
    const denied = new FakeRunner(() => reply('', 1, "find: '/b': Permission denied\n"));
    assert.equal((await probeBasebackupDir(denied, { ssh, path: '/b' })).error, 'permission denied reading /b on postgres@backup1 (set sudo_user to the backup owner, e.g. postgres)');
    const sudo = new FakeRunner(() => reply('', 1, 'sudo: a password is required\n'));
    const s = await probeBasebackupDir(sudo, { ssh, path: '/b', sudoUser: 'postgres' });
    assert.equal(s.error, 'sudo -n -u postgres needs a password on postgres@backup1; allow it without one (NOPASSWD)');
    assert.equal(sudo.calls[0].opts?.sudoUser, 'postgres');
  });

  test('a reply cut by the output cap: the cut directory is retried, not cached', async () => {
    const out = 'D\0a\0L\0x\0E\0\0D\0b\0L\0partial';
    assert.deepEqual(parseReadOutput(out).map((d) => [d.name, d.complete]), [['a', true], ['b', false]]);
    const r = new FakeRunner((argv) => (argv[0] === 'find' ? reply('b\0') : { ...reply(out), truncated: true }));
    const cache: BasebackupDirCache = new Map();
    const s = await probeBasebackupDir(r, { ssh, path: '/b' }, { cache, maxOutputBytes: 30 });
    assert.match(s.notes['b'].join(), /not read: the reply passed 30 bytes/);
    assert.equal(cache.size, 0);
  });
});
