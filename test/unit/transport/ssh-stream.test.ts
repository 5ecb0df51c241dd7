// SshPool.stream against an in-process ssh2 server whose commands are scripted by the test, so
// chunk boundaries and timing are exact: a UTF-8 character split across packets, output that
// must reach the caller BEFORE the command may go on, abort, the channel cap, timeout.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import ssh2 from 'ssh2';
import type { ServerChannel } from 'ssh2';
import { appendKnownHost } from '../../../src/transport/known-hosts.ts';
import { SshTimeoutError } from '../../../src/transport/ssh-errors.ts';
import { SshPool, type StreamOptions } from '../../../src/transport/ssh-pool.ts';
import type { SshTarget } from '../../../src/transport/ssh-config.ts';

type Script = (ch: ServerChannel) => void | Promise<void>;
const scripts = new Map<string, Script>();
const execs: string[] = [];
/** Signals the client asked sshd to deliver, by command. */
const signals: Array<[string, string]> = [];
const conns: ssh2.Connection[] = [];
let server: ssh2.Server;
let target: SshTarget;
let dir: string;
const pools: SshPool[] = [];
const pool = (opts: ConstructorParameters<typeof SshPool>[0] = {}) => {
  const p = new SshPool({ agent: false, ...opts });
  pools.push(p);
  return p;
};
const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pgtop-stream-'));
  for (const k of ['host', 'client']) execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, k)]);
  server = new ssh2.Server({ hostKeys: [readFileSync(join(dir, 'host'))] }, (client) => {
    client.on('authentication', (ctx) => (ctx.method === 'publickey' ? ctx.accept() : ctx.reject(['publickey'])));
    client.on('error', () => undefined);
    conns.push(client);
    client.on('session', (accept) => {
      const session = accept();
      let command = '';
      session.on('signal', (_acc, _rej, info) => signals.push([command, info.name]));
      session.on('exec', (acc, _rej, info) => {
        command = info.command;
        execs.push(info.command);
        const ch = acc();
        const script = scripts.get(info.command);
        if (!script) {
          ch.stderr.write(`no script for ${info.command}\n`);
          ch.exit(127);
          ch.end();
          return;
        }
        void script(ch);
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const pub = readFileSync(join(dir, 'host.pub'), 'utf8').split(' ');
  appendKnownHost(join(dir, 'known_hosts'), '127.0.0.1', port, pub[0]!, Buffer.from(pub[1]!, 'base64'));
  target = { host: '127.0.0.1', port, user: 'tester', identity_file: join(dir, 'client'), known_hosts: join(dir, 'known_hosts') };
});
after(async () => {
  for (const p of pools) await p.close();
  for (const c of conns) c.end();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

/** Collects output; `seen(text)` resolves once that much stdout has arrived. */
function sink(): Pick<StreamOptions, 'onStdout' | 'onStderr'> & { out: string[]; err: string[]; seen(s: string): Promise<void> } {
  const out: string[] = [];
  const err: string[] = [];
  const waiters: Array<[string, () => void]> = [];
  return {
    out, err,
    onStdout: (c) => {
      out.push(c);
      for (const [s, r] of waiters) if (out.join('').includes(s)) r();
    },
    onStderr: (c) => err.push(c),
    seen: (s) => new Promise<void>((r) => (out.join('').includes(s) ? r() : waiters.push([s, r]))),
  };
}

describe('SshPool.stream', () => {
  test('a UTF-8 character split across packets arrives whole', async () => {
    const bytes = Buffer.from('é🐘日本\n', 'utf8');
    scripts.set(`'split'`, async (ch) => {
      for (const b of bytes) {
        ch.write(Buffer.from([b]));
        await tick(2);
      }
      ch.stderr.write(Buffer.from('ü', 'utf8').subarray(0, 1));
      await tick(2);
      ch.stderr.write(Buffer.from('ü', 'utf8').subarray(1));
      ch.exit(0);
      ch.end();
    });
    const s = sink();
    const r = await pool().stream(target, ['split'], s);
    assert.equal(s.out.join(''), 'é🐘日本\n');
    assert.ok(s.out.length > 1, 'delivered in several chunks');
    assert.ok(s.out.every((c) => !c.includes('\uFFFD')));
    assert.equal(s.err.join(''), 'ü');
    assert.deepEqual([r.code, r.signal, r.aborted], [0, null, false]);
  });

  test('output reaches the caller before the command ends (the command waits for it)', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    scripts.set(`'gated'`, async (ch) => {
      ch.write('first\n');
      await gate; // only the test's onStdout can open this: a pool that buffered to the end would hang here
      ch.write('second\n');
      ch.exit(3);
      ch.end();
    });
    const s = sink();
    const done = pool().stream(target, ['gated'], s);
    await s.seen('first\n');
    assert.equal(s.out.join(''), 'first\n');
    release();
    const r = await done;
    assert.equal(s.out.join(''), 'first\nsecond\n');
    assert.equal(r.code, 3);
  });

  test('abort stops reading: resolves aborted, closes the channel, frees the slot; no KILL is sent', async () => {
    let open = true;
    scripts.set(`'endless'`, async (ch) => {
      ch.on('close', () => (open = false));
      while (open) {
        ch.write('tick\n');
        await tick(5);
      }
    });
    const p = pool();
    const ac = new AbortController();
    const s = sink();
    const done = p.stream(target, ['endless'], { ...s, signal: ac.signal });
    await s.seen('tick\n');
    ac.abort();
    const r = await done;
    assert.deepEqual([r.code, r.signal, r.aborted], [null, null, true]);
    const n = s.out.length;
    await tick(50);
    assert.equal(s.out.length, n, 'nothing delivered after the abort');
    for (let i = 0; i < 100 && p.stats(target).active > 0; i++) await tick(10);
    assert.equal(p.stats(target).active, 0);
    open = false;
    assert.deepEqual(signals.filter(([c]) => c === `'endless'`), []);
  });

  test('aborted before it starts: the command is never sent', async () => {
    const ac = new AbortController();
    ac.abort();
    const before = execs.length;
    const r = await pool().stream(target, ['never'], { ...sink(), signal: ac.signal });
    assert.equal(r.aborted, true);
    assert.equal(execs.length, before);
  });

  test('shares the per-host channel cap with run: a second stream waits for a slot', async () => {
    let releaseA!: () => void;
    const gateA = new Promise<void>((r) => (releaseA = r));
    scripts.set(`'a'`, async (ch) => {
      ch.write('a\n');
      await gateA;
      ch.exit(0);
      ch.end();
    });
    scripts.set(`'b'`, (ch) => {
      ch.write('b\n');
      ch.exit(0);
      ch.end();
    });
    const p = pool({ maxChannelsPerHost: 1 });
    const sa = sink();
    const a = p.stream(target, ['a'], sa);
    await sa.seen('a\n');
    const sb = sink();
    const b = p.stream(target, ['b'], sb);
    await tick(100);
    assert.deepEqual([p.stats(target).active, p.stats(target).queued, sb.out.length], [1, 1, 0]);
    releaseA();
    await a;
    await b;
    assert.equal(sb.out.join(''), 'b\n');
    assert.equal(p.stats(target).maxActive, 1);
  });

  test('timeoutMs bounds the command: SshTimeoutError, KILL asked for', async () => {
    scripts.set(`'slow'`, (ch) => {
      ch.write('started\n');
    });
    const killed = () => signals.some(([c, n]) => c === `'slow'` && n === 'KILL');
    const s = sink();
    await assert.rejects(pool().stream(target, ['slow'], { ...s, timeoutMs: 300 }), (e: Error) => e instanceof SshTimeoutError && /command timed out after 300 ms: slow/.test(e.message));
    assert.equal(s.out.join(''), 'started\n');
    for (let i = 0; i < 50 && !killed(); i++) await tick(10);
    assert.equal(killed(), true);
  });

  test('a throwing callback rejects with its error instead of crashing the process', async () => {
    scripts.set(`'once'`, (ch) => {
      ch.write('x\n');
      ch.exit(0);
      ch.end();
    });
    await assert.rejects(pool().stream(target, ['once'], { onStdout: () => { throw new Error('ui bug'); }, onStderr: () => undefined }), /ui bug/);
  });
});
