// SshPool.stream through a real OpenSSH server: output arrives while the command still runs.
// sshd must start: if it cannot, this fails rather than skips.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { appendKnownHost } from '../../src/transport/known-hosts.ts';
import { SshPool } from '../../src/transport/ssh-pool.ts';
import { TestSshd } from '../helpers/sshd.ts';

let sshd: TestSshd;
const pool = new SshPool({ agent: false });

before(async () => {
  sshd = await TestSshd.start();
});
after(async () => {
  await pool.close();
  await sshd?.destroy();
});

test('first chunk arrives before the command ends; exit code and stderr come through', async () => {
  const kh = join(sshd.dir, 'kh-stream');
  appendKnownHost(kh, '127.0.0.1', sshd.port, sshd.hostKey.type, sshd.hostKey.blob);
  const target = { host: '127.0.0.1', port: sshd.port, user: sshd.user, identity_file: sshd.clientKey, known_hosts: kh };
  const chunks: Array<{ text: string; ended: boolean }> = [];
  let ended = false;
  let err = '';
  const r = await pool
    .stream(target, ['sh', '-c', 'echo a; sleep 1; echo b; echo e >&2; exit 4'], {
      onStdout: (text) => chunks.push({ text, ended }),
      onStderr: (t) => (err += t),
    })
    .finally(() => (ended = true));
  // No clock involved: what matters is the order — 'a' was delivered while the call was still pending.
  assert.equal(chunks[0]?.text, 'a\n');
  assert.equal(chunks[0]?.ended, false);
  assert.equal(chunks.map((c) => c.text).join(''), 'a\nb\n');
  assert.ok(chunks.length >= 2, 'a and b came in separate chunks (the sleep separates them)');
  assert.equal(err, 'e\n');
  assert.deepEqual([r.code, r.signal, r.aborted], [4, null, false]);
  assert.ok(r.durationMs >= 900, `ran the whole command (${r.durationMs} ms)`);
});
