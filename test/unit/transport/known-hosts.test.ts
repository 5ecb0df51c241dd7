// Known-hosts lines here are real: keys come from ssh-keygen in a temp dir, hashed entries from
// `ssh-keygen -H`, and ssh-keygen -F / -l cross-check our matching and fingerprints.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  appendKnownHost, blobKeyType, checkHostKey, fingerprint, knownKeyTypes, lookupName, matchPatternList, parseKnownHosts,
  verifyHostKey,
} from '../../../src/transport/known-hosts.ts';

interface Key { type: string; b64: string; blob: Buffer; pubFile: string }
let dir: string;
const keys: Record<string, Key> = {};

function genKey(name: string, type: string): Key {
  const f = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', name, '-f', f]);
  const [kt, b64] = readFileSync(`${f}.pub`, 'utf8').trim().split(' ');
  return { type: kt, b64, blob: Buffer.from(b64, 'base64'), pubFile: `${f}.pub` };
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'pgtop-kh-'));
  keys.a = genKey('a', 'ed25519');
  keys.b = genKey('b', 'ed25519');
  keys.e = genKey('e', 'ecdsa');
  keys.r = genKey('r', 'rsa');
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('fingerprint and blob', () => {
  test('matches ssh-keygen -l', () => {
    for (const k of Object.values(keys)) {
      const out = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', k.pubFile], { encoding: 'utf8' });
      assert.equal(out.split(' ')[1], fingerprint(k.blob));
    }
  });
  test('blobKeyType', () => {
    assert.equal(blobKeyType(keys.a.blob), 'ssh-ed25519');
    assert.equal(blobKeyType(keys.e.blob), 'ecdsa-sha2-nistp256');
    assert.equal(blobKeyType(keys.r.blob), 'ssh-rsa');
  });
  test('lookupName', () => {
    assert.equal(lookupName('DB1.Example', 22), 'db1.example');
    assert.equal(lookupName('db1', 2222), '[db1]:2222');
  });
});

describe('pattern lists', () => {
  const cases: Array<[string, string, boolean]> = [
    ['db1', 'db1', true],
    ['db1,db2', 'db2', true],
    ['DB1', 'db1', true],
    ['db*', 'db12.example', true],
    ['db?', 'db12', false],
    ['db?', 'db1', true],
    ['*.example,!bad.example', 'bad.example', false],
    ['*.example,!bad.example', 'good.example', true],
    ['!bad', 'other', false], // a list of only negations never matches
    ['[db1]:2222', '[db1]:2222', true],
    ['[db1]:2222', 'db1', false],
    ['[db*]:*', '[db7]:5022', true],
    ['db.1', 'dbx1', false], // '.' is literal, not a regexp dot
  ];
  for (const [list, name, want] of cases) test(`${list} ~ ${name}`, () => assert.equal(matchPatternList(list, name), want));
});

describe('checkHostKey over real lines', () => {
  function file(name: string, text: string): string {
    const f = join(dir, name);
    writeFileSync(f, text);
    return f;
  }
  const line = (hosts: string, k: Key, marker = '') => `${marker ? `${marker} ` : ''}${hosts} ${k.type} ${k.b64} comment\n`;

  test('plain, port, comments, blank lines, garbage', () => {
    const f = file('kh1', `# comment\n\n   \n${line('db1,db2', keys.a)}garbage line\n${line('[db3]:2222', keys.e)}\n`);
    const v = (host: string, port: number, k: Key) => verifyHostKey({ host, port, keyType: k.type, keyBlob: k.blob, files: [f] });
    assert.deepEqual(v('db1', 22, keys.a), { status: 'ok' });
    assert.deepEqual(v('DB2', 22, keys.a), { status: 'ok' });
    assert.deepEqual(v('db3', 2222, keys.e), { status: 'ok' });
    assert.deepEqual(v('db3', 22, keys.e), { status: 'unknown', fingerprint: fingerprint(keys.e.blob) });
    assert.deepEqual(v('db1', 2222, keys.a), { status: 'unknown', fingerprint: fingerprint(keys.a.blob) });
    assert.deepEqual(v('db1', 22, keys.b), { status: 'changed', fingerprint: fingerprint(keys.b.blob), expected: { file: f, line: 4 } });
    // a different key TYPE is not a change (ssh would offer the known type first)
    assert.equal(v('db1', 22, keys.e).status, 'unknown');
  });

  test('hashed entries from ssh-keygen -H', () => {
    const f = file('kh2', line('db1', keys.a) + line('[db3]:2222', keys.e) + line('10.0.0.5', keys.r));
    execFileSync('ssh-keygen', ['-H', '-f', f], { stdio: 'ignore' });
    const text = readFileSync(f, 'utf8');
    assert.ok(!text.includes('db1') && text.startsWith('|1|'), 'ssh-keygen hashed the file');
    const entries = parseKnownHosts(text, f);
    assert.equal(entries.length, 3);
    assert.deepEqual(checkHostKey(entries, 'db1', 22, keys.a.type, keys.a.blob), { status: 'ok' });
    assert.deepEqual(checkHostKey(entries, 'db3', 2222, keys.e.type, keys.e.blob), { status: 'ok' });
    assert.deepEqual(checkHostKey(entries, '10.0.0.5', 22, keys.r.type, keys.r.blob), { status: 'ok' });
    assert.equal(checkHostKey(entries, 'db2', 22, keys.a.type, keys.a.blob).status, 'unknown');
    assert.deepEqual(checkHostKey(entries, 'db1', 22, keys.b.type, keys.b.blob),
      { status: 'changed', fingerprint: fingerprint(keys.b.blob), expected: { file: f, line: 1 } });
  });

  test('@revoked beats a matching plain line, for any host', () => {
    const f = file('kh3', line('db1', keys.a) + line('*', keys.a, '@revoked'));
    const r = verifyHostKey({ host: 'db1', port: 22, keyType: keys.a.type, keyBlob: keys.a.blob, files: [f] });
    assert.deepEqual(r, { status: 'revoked', fingerprint: fingerprint(keys.a.blob) });
    assert.equal(verifyHostKey({ host: 'other', port: 22, keyType: keys.a.type, keyBlob: keys.a.blob, files: [f] }).status, 'revoked');
  });

  test('@cert-authority neither trusts nor refuses', () => {
    const f = file('kh4', line('*', keys.a, '@cert-authority') + line('db1', keys.b, '@cert-authority'));
    assert.equal(verifyHostKey({ host: 'db1', port: 22, keyType: keys.a.type, keyBlob: keys.a.blob, files: [f] }).status, 'unknown');
  });

  test('negation vetoes the line', () => {
    const f = file('kh5', line('*.example,!evil.example', keys.a));
    const v = (host: string) => verifyHostKey({ host, port: 22, keyType: keys.a.type, keyBlob: keys.a.blob, files: [f] }).status;
    assert.equal(v('db.example'), 'ok');
    assert.equal(v('evil.example'), 'unknown');
  });

  test('several files, missing files, first changed line reported', () => {
    const f1 = file('kh6', line('db1', keys.e));
    const f2 = file('kh7', `# x\n${line('db1', keys.b)}`);
    const r = verifyHostKey({ host: 'db1', port: 22, keyType: keys.a.type, keyBlob: keys.a.blob, files: [join(dir, 'nope'), f1, f2] });
    assert.deepEqual(r, { status: 'changed', fingerprint: fingerprint(keys.a.blob), expected: { file: f2, line: 2 } });
    assert.deepEqual(knownKeyTypes([f1, f2], 'db1', 22), [keys.e.type, keys.a.type]);
  });

  test('lines whose blob does not match their type are ignored', () => {
    const entries = parseKnownHosts(`db1 ssh-rsa ${keys.a.b64}\ndb1 ssh-ed25519 !!!\n@bogus db1 ${keys.a.type} ${keys.a.b64}\n`);
    assert.equal(entries.length, 0);
  });
});

describe('appendKnownHost', () => {
  test('creates dir 0700 and file 0600; ssh-keygen -F finds the entry', () => {
    const f = join(dir, 'new', 'sub', 'known_hosts');
    appendKnownHost(f, 'db1', 2222, keys.a.type, keys.a.blob);
    appendKnownHost(f, 'db2', 22, keys.e.type, keys.e.blob);
    assert.equal(statSync(f).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'new', 'sub')).mode & 0o777, 0o700);
    assert.equal(verifyHostKey({ host: 'db1', port: 2222, keyType: keys.a.type, keyBlob: keys.a.blob, files: [f] }).status, 'ok');
    assert.equal(verifyHostKey({ host: 'db2', port: 22, keyType: keys.e.type, keyBlob: keys.e.blob, files: [f] }).status, 'ok');
    const found = execFileSync('ssh-keygen', ['-F', '[db1]:2222', '-f', f], { encoding: 'utf8' });
    assert.match(found, new RegExp(keys.a.b64.replace(/[+/]/g, '\\$&')));
  });
  test('adds a newline when the last line lacks one', () => {
    const f = join(dir, 'kh-nonl');
    writeFileSync(f, `db9 ${keys.b.type} ${keys.b.b64}`);
    appendKnownHost(f, 'db1', 22, keys.a.type, keys.a.blob);
    assert.equal(parseKnownHosts(readFileSync(f, 'utf8')).length, 2);
  });
});
