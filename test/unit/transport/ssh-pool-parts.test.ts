// The pure pieces around the pool: error mapping, auth planning, host-key algorithm order.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { planAuth } from '../../../src/transport/ssh-auth.ts';
import { SshError, mapSshError } from '../../../src/transport/ssh-errors.ts';
import { hostKeyAlgorithms } from '../../../src/transport/ssh-pool.ts';

const W = 'ssh pg@db1:22';

describe('mapSshError', () => {
  const cases: Array<[unknown, string, string]> = [
    [{ level: 'client-authentication', message: 'All configured authentication methods failed' }, 'auth', `${W}: authentication failed (tried ssh-agent, /k)`],
    [Object.assign(new Error('connect ECONNREFUSED 1.2.3.4:22'), { code: 'ECONNREFUSED' }), 'refused', `${W}: connection refused (is sshd running on that port?)`],
    [{ level: 'client-timeout', message: 'Timed out while waiting for handshake' }, 'timeout', `${W}: connection timed out`],
    [{ code: 'ENOTFOUND' }, 'dns', `${W}: host name not found`],
    [{ code: 'EHOSTUNREACH' }, 'network', `${W}: host unreachable`],
    [{ code: 'ECONNRESET' }, 'closed', `${W}: connection reset`],
    [new Error('Not connected'), 'closed', `${W}: connection lost`],
    [new Error('weird thing\n    at foo (x.js:1:1)'), 'protocol', `${W}: weird thing`],
  ];
  for (const [err, kind, msg] of cases) {
    test(`${kind}: ${msg}`, () => {
      const e = mapSshError(err, W, ['ssh-agent', '/k']);
      assert.equal(e.kind, kind);
      assert.equal(e.message, msg);
    });
  }
  test('no credentials at all', () =>
    assert.match(mapSshError({ level: 'client-authentication' }, W).message, /tried nothing \(no ssh-agent, no identity file\)/));
  test('SshError passes through; messages are one line', () => {
    const e = new SshError('config', 'a\n  b');
    assert.equal(mapSshError(e, W), e);
    assert.equal(e.message, 'a b');
  });
});

describe('planAuth', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgtop-auth-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  test('agent first, then usable keys; encrypted and bogus keys are named, never read out', () => {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'plain')]);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'sekrit-pass', '-f', join(dir, 'enc')]);
    writeFileSync(join(dir, 'bogus'), 'not a key');
    const p = planAuth('pg', [join(dir, 'missing'), join(dir, 'plain'), join(dir, 'enc'), join(dir, 'bogus')], '/tmp/agent.sock', dir);
    assert.deepEqual(p.methods.map((m) => m.type), ['agent', 'publickey']);
    assert.deepEqual(p.tried, [
      'ssh-agent', join(dir, 'plain'), `${join(dir, 'enc')} (encrypted; load it into ssh-agent)`, `${join(dir, 'bogus')} (not a usable private key)`,
    ]);
    assert.doesNotMatch(p.tried.join(' '), /sekrit/);
  });
  test('default identities under ~/.ssh when none configured', () => {
    const home = mkdtempSync(join(dir, 'home-'));
    execFileSync('mkdir', ['-p', join(home, '.ssh')]);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(home, '.ssh', 'id_ed25519')]);
    assert.deepEqual(planAuth('pg', [], undefined, home).tried, [join(home, '.ssh', 'id_ed25519')]);
  });
});

describe('hostKeyAlgorithms', () => {
  test('default order without known keys', () => assert.equal(hostKeyAlgorithms([])[0], 'ssh-ed25519'));
  test('known RSA host asks for RSA first', () =>
    assert.deepEqual(hostKeyAlgorithms(['ssh-rsa']).slice(0, 4), ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa', 'ssh-ed25519']));
  test('known ecdsa', () => assert.equal(hostKeyAlgorithms(['ecdsa-sha2-nistp256'])[0], 'ecdsa-sha2-nistp256'));
  test('no duplicates', () => {
    const a = hostKeyAlgorithms(['ssh-ed25519', 'ssh-rsa']);
    assert.equal(new Set(a).size, a.length);
  });
});
