// The basebackup probe through a real sshd on loopback, on a copy of the fixture tree under a path
// with a space, holding a backup directory named with `$(…)` and quotes: the names travel as
// data, so the command substitution never runs.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { appendKnownHost } from '../../src/transport/known-hosts.ts';
import { SshPool } from '../../src/transport/ssh-pool.ts';
import { probeBasebackupDir } from '../../src/probes/basebackup/basebackup-probe.ts';
import { TestSshd } from '../helpers/sshd.ts';
import { copyFixtureTree } from '../unit/basebackup/local-runner.ts';

let sshd: TestSshd;
let pool: SshPool;
let root: string;

before(async () => {
  sshd = await TestSshd.start();
  pool = new SshPool({ agent: false });
  root = mkdtempSync(join(tmpdir(), 'pgtop-bb-it-'));
});
after(async () => {
  await pool?.close();
  await sshd?.destroy();
  rmSync(root, { recursive: true, force: true });
});

test('probe over ssh: chains, and no shell injection through names', async () => {
  const base = join(root, 'backup dir');
  copyFixtureTree(base);
  // no '/' can be in a name: the command would create `pgtop-pwned-…` in the login's home directory
  const marker = `pgtop-pwned-${process.pid}`;
  const evil = `incr_$(touch ${marker})'x"; echo`;
  mkdirSync(join(base, evil));
  cpSync(join(base, 'incr_20261201_020001'), join(base, evil), { recursive: true });
  const kh = join(sshd.dir, 'known_hosts');
  appendKnownHost(kh, '127.0.0.1', sshd.port, sshd.hostKey.type, sshd.hostKey.blob);
  const ssh = { host: '127.0.0.1', port: sshd.port, user: sshd.user, identity_file: sshd.clientKey, known_hosts: kh };

  const s = await probeBasebackupDir(pool, { ssh, path: base });
  assert.equal(s.error, null);
  assert.equal(s.reachable, true);
  assert.equal(s.backups.length, 9);
  const by = new Map(s.backups.map((b) => [b.id, b]));
  assert.equal(by.get('incr_20261122_071648')!.parentId, 'incr_20261122_071634');
  assert.equal(by.get('incr_20261122_071634')!.parentId, 'full_20261122_071621');
  assert.equal(by.get('incr_20261203_020001')!.parentId, null);
  // the copy is a second child of the same parent, read under its hostile name
  assert.equal(by.get(evil)!.parentId, 'incr_20261130_020001');
  assert.equal(by.get(evil)!.status, 'DONE');
  assert.equal(existsSync(join(homedir(), marker)), false, 'a command in a directory name ran');

  const missing = await probeBasebackupDir(pool, { ssh, path: join(root, 'no such') });
  assert.equal(missing.reachable, false);
  assert.equal(missing.error, `backup directory ${join(root, 'no such')} does not exist on ${sshd.user}@127.0.0.1:${sshd.port}`);
});
