import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { lookupHost, parseSshConfig, parseUserHostPort, resolveTarget } from '../../../src/transport/ssh-config.ts';

const HOME = '/home/op';
const CONFIG = parseSshConfig(`
# global defaults before any Host apply to all
IdentityFile ~/.ssh/global_key

Host db1
  HostName 10.0.0.1
  Port 2222
  User postgres
  IdentityFile ~/.ssh/db1_key
  StrictHostKeyChecking accept-new

Host db? !db9
  User "barman"
  Port=2200
  UserKnownHostsFile ~/.ssh/kh_cluster /etc/ssh/kh_extra

Host behind
  HostName 192.168.1.5
  ProxyJump ops@bastion:2022

Host bastion
  HostName bastion.example
  IdentityFile ~/.ssh/bastion_key

Host chain
  ProxyJump a, b
Host chain2
  ProxyJump a,b:23

Host %templ
  HostName %h.internal

Match host db1
  User should_not_apply

Host *.example
  User www
  StrictHostKeyChecking no

Host *
  User fallback
  Port 22
`);

describe('lookupHost', () => {
  test('first obtained value wins; IdentityFile accumulates in order', () => {
    assert.deepEqual(lookupHost(CONFIG, 'db1', HOME), {
      identityFiles: ['/home/op/.ssh/global_key', '/home/op/.ssh/db1_key'],
      hostName: '10.0.0.1', port: 2222, user: 'postgres', strictHostKeyChecking: 'accept-new',
      userKnownHostsFiles: ['/home/op/.ssh/kh_cluster', '/etc/ssh/kh_extra'],
    });
  });
  test('? wildcard, quoted value, Key=value', () => {
    const o = lookupHost(CONFIG, 'db2', HOME);
    assert.equal(o.user, 'barman');
    assert.equal(o.port, 2200);
    assert.equal(o.hostName, undefined);
  });
  test('negated pattern vetoes the block', () => {
    const o = lookupHost(CONFIG, 'db9', HOME);
    assert.equal(o.user, 'fallback');
    assert.equal(o.port, 22);
    assert.equal(o.userKnownHostsFiles, undefined);
  });
  test('* wildcard with suffix', () => {
    assert.equal(lookupHost(CONFIG, 'x.example', HOME).user, 'www');
    assert.equal(lookupHost(CONFIG, 'x.example', HOME).strictHostKeyChecking, 'no');
  });
  test('Match blocks are skipped', () => assert.equal(lookupHost(CONFIG, 'db1', HOME).user, 'postgres'));
  test('%h in HostName', () => assert.equal(lookupHost(CONFIG, '%templ', HOME).hostName, '%templ.internal'));
  test('bad port is a clear error', () =>
    assert.throws(() => lookupHost(parseSshConfig('Host x\n Port abc\n'), 'x'), /bad Port "abc" for x/));
});

describe('parseUserHostPort', () => {
  const cases: Array<[string, ReturnType<typeof parseUserHostPort>]> = [
    ['db1', { user: undefined, host: 'db1', port: undefined }],
    ['pg@db1', { user: 'pg', host: 'db1', port: undefined }],
    ['pg@db1:2222', { user: 'pg', host: 'db1', port: 2222 }],
    ['db1:22', { user: undefined, host: 'db1', port: 22 }],
    ['[::1]:2222', { user: undefined, host: '::1', port: 2222 }],
    ['u@[fe80::1]', { user: 'u', host: 'fe80::1', port: undefined }],
    ['::1', { user: undefined, host: '::1', port: undefined }],
    ['a@b@host', { user: 'a@b', host: 'host', port: undefined }],
  ];
  for (const [s, want] of cases) test(s, () => assert.deepEqual(parseUserHostPort(s), want));
  for (const bad of ['@db1', 'db1:0', 'db1:70000', 'db1:x', '', 'u@:22']) {
    test(`rejects ${JSON.stringify(bad)}`, () => assert.throws(() => parseUserHostPort(bad), /ssh target/));
  }
});

describe('resolveTarget', () => {
  const env = { config: CONFIG, home: HOME, defaultUser: 'me' };
  test('alias', () => {
    assert.deepEqual(resolveTarget('db1', env), {
      label: 'db1', host: '10.0.0.1', port: 2222, user: 'postgres',
      identityFiles: ['/home/op/.ssh/global_key', '/home/op/.ssh/db1_key'],
      knownHostsFiles: ['/home/op/.ssh/kh_cluster', '/etc/ssh/kh_extra'],
      strictHostKeyChecking: 'accept-new', proxyJump: [],
    });
  });
  test('explicit user and port beat the config', () => {
    const r = resolveTarget('root@db1:22', env);
    assert.equal(r.user, 'root');
    assert.equal(r.port, 22);
    assert.equal(r.host, '10.0.0.1');
  });
  test('unknown host falls back to Host * and default known_hosts', () => {
    const r = resolveTarget('other', { config: parseSshConfig(''), home: HOME, defaultUser: 'me' });
    assert.deepEqual(r, {
      label: 'other', host: 'other', port: 22, user: 'me', identityFiles: [],
      knownHostsFiles: ['/home/op/.ssh/known_hosts', '/home/op/.ssh/known_hosts2'], strictHostKeyChecking: 'yes', proxyJump: [],
    });
  });
  test('object form', () => {
    const r = resolveTarget({ host: 'db2', port: 5022, user: 'u', identity_file: '~/k', known_hosts: ['/kh'] }, env);
    assert.equal(r.port, 5022);
    assert.equal(r.user, 'u');
    assert.deepEqual(r.identityFiles, ['/home/op/k', '/home/op/.ssh/global_key']);
    assert.deepEqual(r.knownHostsFiles, ['/kh']);
    assert.equal(r.label, 'u@db2:5022');
  });
  test('ProxyJump hop resolved through the config', () => {
    assert.deepEqual(resolveTarget('behind', env).proxyJump, [
      { host: 'bastion.example', port: 2022, user: 'ops', identityFiles: ['/home/op/.ssh/global_key', '/home/op/.ssh/bastion_key'] },
    ]);
  });
  test('ProxyJump list', () => {
    assert.deepEqual(resolveTarget('chain2', env).proxyJump.map((j) => `${j.user}@${j.host}:${j.port}`), ['fallback@a:22', 'fallback@b:23']);
  });
});
