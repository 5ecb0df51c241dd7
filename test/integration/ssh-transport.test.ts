// The SSH transport against a real sshd on loopback: commands, quoting, the output cap, timeouts,
// connection reuse, the channel cap, host-key policy and reconnects. sshd must start: if it cannot,
// these tests fail rather than skip, since the probes built on this transport would be untested.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { appendKnownHost, fingerprint } from '../../src/transport/known-hosts.ts';
import { SshError, SshHostKeyError, SshTimeoutError } from '../../src/transport/ssh-errors.ts';
import { SshPool } from '../../src/transport/ssh-pool.ts';
import type { SshTarget } from '../../src/transport/ssh-config.ts';
import { TestSshd } from '../helpers/sshd.ts';
import { HOSTILE } from '../unit/transport/hostile-inputs.ts';

let sshd: TestSshd;
let n = 0;
const pools: SshPool[] = [];

/** A pool that never reads ~/.ssh or the agent: everything comes from the test's temp dir. */
function pool(opts: ConstructorParameters<typeof SshPool>[0] = {}): SshPool {
  const p = new SshPool({ agent: false, backoffInitialMs: 100, backoffMaxMs: 400, ...opts });
  pools.push(p);
  return p;
}

function target(knownHosts: string): SshTarget {
  return { host: '127.0.0.1', port: sshd.port, user: sshd.user, identity_file: sshd.clientKey, known_hosts: knownHosts };
}

/** A known_hosts file trusting the server's current key. */
function trusted(): string {
  const f = join(sshd.dir, `kh-${++n}`);
  appendKnownHost(f, '127.0.0.1', sshd.port, sshd.hostKey.type, sshd.hostKey.blob);
  return f;
}

before(async () => {
  sshd = await TestSshd.start();
});
after(async () => {
  for (const p of pools) await p.close();
  await sshd?.destroy();
});

describe('running commands', () => {
  let p: SshPool;
  let t: SshTarget;
  before(() => {
    p = pool();
    t = target(trusted());
  });

  test('exit code, stdout and stderr', async () => {
    const r = await p.run(t, ['sh', '-c', 'echo out; echo err >&2; exit 7']);
    assert.equal(r.code, 7);
    assert.equal(r.signal, null);
    assert.equal(r.stdout, 'out\n');
    assert.equal(r.stderr, 'err\n');
    assert.equal(r.truncated, false);
    assert.ok(r.durationMs >= 0);
    assert.equal((await p.run(t, ['true'])).code, 0);
  });

  test('hostile arguments arrive byte for byte', async () => {
    const r = await p.run(t, ['printf', '%s\\n', ...HOSTILE]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, HOSTILE.map((s) => `${s}\n`).join(''));
    // and no command inside them ran: `$(id)` would have printed uid=…
    assert.doesNotMatch(r.stdout, /uid=/);
  });

  test('large output is capped and flagged, the exit code still arrives', async () => {
    const r = await p.run(t, ['head', '-c', '3000000', '/dev/zero'], { maxOutputBytes: 100_000 });
    assert.equal(r.code, 0);
    assert.equal(r.stdout.length, 100_000);
    assert.equal(r.truncated, true);
    const whole = await p.run(t, ['head', '-c', '500000', '/dev/zero'], { maxOutputBytes: 1_000_000 });
    assert.equal(whole.stdout.length, 500_000);
    assert.equal(whole.truncated, false);
  });

  test('timeout closes the channel and says so', async () => {
    const t0 = Date.now();
    await assert.rejects(p.run(t, ['sleep', '5'], { timeoutMs: 500 }), (e: unknown) => {
      assert.ok(e instanceof SshTimeoutError);
      assert.match(e.message, /timed out after 500 ms: sleep 5/);
      return true;
    });
    assert.ok(Date.now() - t0 < 2000, 'did not wait for sleep 5');
    // We asked sshd to KILL it. sshd can signal only non-root sessions (privilege separation); for
    // root it refuses and logs why, and the command runs on until it ends or next writes output.
    await new Promise((r) => setTimeout(r, 300));
    if (sshd.user === 'root') assert.match(sshd.log, /session signalling requires privilege separation/);
    else assert.deepEqual(sshd.sessions().filter((s) => s.cmdline === 'sleep 5'), []);
    // the connection is still usable afterwards
    assert.equal((await p.run(t, ['echo', 'ok'])).stdout, 'ok\n');
  });

  test('sudo wrapping is quoted too (sudo -n fails cleanly when absent or not allowed)', async () => {
    const r = await p.run(t, ['id', '-un'], { sudoUser: sshd.user });
    // Without sudo installed the shell reports 127; with it, root may run as root.
    if (r.code === 0) assert.equal(r.stdout, `${sshd.user}\n`);
    else assert.ok(r.code === 127 || r.code === 1, `code ${r.code}: ${r.stderr}`);
  });

  test('N commands share one TCP connection', async () => {
    const q = pool();
    const before = sshd.acceptedLogins();
    for (let i = 0; i < 5; i++) await q.run(t, ['true']);
    await Promise.all(Array.from({ length: 6 }, () => q.run(t, ['true'])));
    assert.equal(q.stats(t).connects, 1);
    // wait for the log line to arrive over the pipe
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(sshd.acceptedLogins() - before, 1, 'sshd saw exactly one login');
  });

  test('channel cap: 20 concurrent commands all succeed, never more than the cap at once', async () => {
    const q = pool({ maxChannelsPerHost: 8 });
    const t0 = Date.now();
    const rs = await Promise.all(Array.from({ length: 20 }, (_, i) => q.run(t, ['sh', '-c', `sleep 0.3; echo ${i}`])));
    rs.forEach((r, i) => {
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `${i}\n`);
    });
    const s = q.stats(t);
    assert.equal(s.maxActive, 8);
    assert.equal(s.active, 0);
    assert.equal(s.connects, 1);
    assert.ok(Date.now() - t0 >= 900, '20 / 8 → at least three waves of 0.3 s');
  });
});

describe('host keys', () => {
  test('unknown host key is refused with its fingerprint and how to accept it', async () => {
    const p = pool();
    const kh = join(sshd.dir, `kh-${++n}-empty`);
    await assert.rejects(p.run(target(kh), ['true']), (e: unknown) => {
      assert.ok(e instanceof SshHostKeyError);
      assert.equal(e.status, 'unknown');
      assert.equal(e.fingerprint, fingerprint(sshd.hostKey.blob));
      assert.ok(e.message.includes(fingerprint(sshd.hostKey.blob)));
      assert.ok(e.message.includes(`ssh -p ${sshd.port} ${sshd.user}@127.0.0.1`));
      assert.match(e.message, /--ssh-accept-new/);
      assert.doesNotMatch(e.message, /\n|    at /);
      return true;
    });
    assert.equal(existsSync(kh), false, 'nothing was written');
  });

  test('accept-new appends the key, then connects', async () => {
    const kh = join(sshd.dir, `kh-${++n}-new`, 'known_hosts');
    const r = await pool({ acceptNew: true }).run(target(kh), ['echo', 'hi']);
    assert.equal(r.stdout, 'hi\n');
    const text = readFileSync(kh, 'utf8');
    assert.equal(text, `[127.0.0.1]:${sshd.port} ${sshd.hostKey.type} ${sshd.hostKey.blob.toString('base64')}\n`);
    // a strict pool now trusts that file
    assert.equal((await pool().run(target(kh), ['true'])).code, 0);
  });

  test('a changed key is refused, even with accept-new, and the file is not touched', async () => {
    const other = join(sshd.dir, `kh-${++n}-changed`);
    // a known_hosts entry for this host:port with another ed25519 key
    const fake = Buffer.from(sshd.hostKey.blob);
    fake[fake.length - 1] ^= 0xff;
    appendKnownHost(other, '127.0.0.1', sshd.port, sshd.hostKey.type, fake);
    const before = readFileSync(other, 'utf8');
    await assert.rejects(pool({ acceptNew: true }).run(target(other), ['true']), (e: unknown) => {
      assert.ok(e instanceof SshHostKeyError);
      assert.equal(e.status, 'changed');
      assert.ok(e.message.includes(fingerprint(sshd.hostKey.blob)));
      assert.ok(e.message.includes(`${other}:1`));
      return true;
    });
    assert.equal(readFileSync(other, 'utf8'), before);
  });
});

describe('ProxyJump', () => {
  test('one hop: through this sshd to itself', async () => {
    const kh = trusted();
    const hop = { host: '127.0.0.1', port: sshd.port, user: sshd.user, identityFiles: [sshd.clientKey] };
    const p = pool({
      resolve: () => ({
        label: 'behind', host: '127.0.0.1', port: sshd.port, user: sshd.user, identityFiles: [sshd.clientKey],
        knownHostsFiles: [kh], strictHostKeyChecking: 'yes', proxyJump: [hop],
      }),
    });
    const before = sshd.acceptedLogins();
    const r = await p.run('behind', ['echo', 'via jump']);
    assert.equal(r.stdout, 'via jump\n');
    assert.equal((await p.run('behind', ['true'])).code, 0);
    await new Promise((res) => setTimeout(res, 100));
    assert.equal(sshd.acceptedLogins() - before, 2, 'one login for the hop, one for the target, reused after');
  });
});

describe('failures and reconnect', () => {
  test('wrong client key: one-line authentication error', async () => {
    const t: SshTarget = { host: '127.0.0.1', port: sshd.port, user: sshd.user, identity_file: join(sshd.dir, 'host_ed25519'), known_hosts: trusted() };
    await assert.rejects(pool().run(t, ['true']), (e: unknown) => {
      assert.ok(e instanceof SshError);
      assert.equal(e.kind, 'auth');
      assert.match(e.message, /authentication failed \(tried .*host_ed25519\)/);
      assert.doesNotMatch(e.message, /\n/);
      return true;
    });
  });

  test('nothing listening: connection refused', async () => {
    const { freePort } = await import('../helpers/sshd.ts');
    const port = await freePort();
    await assert.rejects(pool().run({ host: '127.0.0.1', port, user: 'x', identity_file: sshd.clientKey, known_hosts: trusted() }, ['true']), (e: unknown) => {
      assert.ok(e instanceof SshError);
      assert.equal(e.kind, 'refused');
      assert.equal(e.message, `ssh x@127.0.0.1:${port}: connection refused (is sshd running on that port?)`);
      return true;
    });
  });

  test('reconnects after sshd restarts', async () => {
    const p = pool();
    const t = target(trusted());
    assert.equal((await p.run(t, ['echo', 'one'])).stdout, 'one\n');
    await sshd.restart();
    // The old connection died with the server; the next runs reconnect (with backoff on failures).
    let r: Awaited<ReturnType<SshPool['run']>> | undefined;
    const errors: string[] = [];
    for (let i = 0; i < 40 && !r; i++) {
      try {
        r = await p.run(t, ['echo', 'two']);
      } catch (e) {
        errors.push((e as Error).message);
        await new Promise((res) => setTimeout(res, 100));
      }
    }
    assert.ok(r, `never reconnected: ${errors.join(' | ')}`);
    assert.equal(r.stdout, 'two\n');
    assert.equal(p.stats(t).connects, 2);
  });

  test('keepalive notices a server that stopped answering', async () => {
    const p = pool({ keepaliveIntervalMs: 200, keepaliveCountMax: 2 });
    const t = target(trusted());
    assert.equal((await p.run(t, ['true'])).code, 0);
    const mine = sshd.sessions().map((s) => s.pid);
    assert.ok(mine.length > 0);
    for (const pid of mine) process.kill(pid, 'SIGSTOP'); // a hung host: TCP stays open, nothing answers
    try {
      const t0 = Date.now();
      while (p.stats(t).connected && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 50));
      assert.equal(p.stats(t).connected, false, 'connection dropped by keepalive');
    } finally {
      for (const pid of mine) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
    assert.equal((await p.run(t, ['echo', 'back'])).stdout, 'back\n');
    assert.equal(p.stats(t).connects, 2);
  });

  test('rotated host key after restart is refused as changed', async () => {
    const kh = trusted();
    const p = pool();
    assert.equal((await p.run(target(kh), ['true'])).code, 0);
    sshd.rotateHostKey();
    await sshd.restart();
    let err: unknown;
    for (let i = 0; i < 20; i++) {
      try {
        await p.run(target(kh), ['true']);
      } catch (e) {
        err = e;
        if (e instanceof SshHostKeyError) break;
      }
      await new Promise((res) => setTimeout(res, 100));
    }
    assert.ok(err instanceof SshHostKeyError, String(err));
    assert.equal(err.status, 'changed');
  });
});
