import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { findPcpPass, lookupPcpPassword, parsePcpPass, pcpPassHost } from '../../../src/probes/pgpool/pcp-pass.ts';

describe('parsePcpPass (pgpool pcp.c PasswordFromFile rules)', () => {
  test('fields, wildcards as null, line numbers, lines without 3 terminated fields skipped', () => {
    const text = ['127.0.0.1:9898:pcpadmin:secret', '', '*:*:*:any', 'host:9898:user', 'h:1:u:'].join('\n');
    assert.deepEqual(parsePcpPass(text), [
      { host: '127.0.0.1', port: '9898', user: 'pcpadmin', password: 'secret', line: 1 },
      { host: null, port: null, user: null, password: 'any', line: 3 },
      { host: 'h', port: '1', user: 'u', password: '', line: 5 },
    ]);
  });

  test('backslash escapes ":" and "\\" in every field; the password ends at the first unescaped ":"', () => {
    const [e] = parsePcpPass('h\\:x:9898:us\\\\er:pa\\:ss\\\\w:ignored');
    assert.deepEqual(e, { host: 'h:x', port: '9898', user: 'us\\er', password: 'pa:ss\\w', line: 1 });
  });

  test('"*" is a wildcard only as the whole field; an escaped \\* is a literal star', () => {
    assert.deepEqual(parsePcpPass('*x:9898:u:p\n\\*:9898:u:p').map((e) => e.host), ['*x', '*']);
    assert.equal(findPcpPass('\\*:9898:u:p', 'db1', 9898, 'u'), null);
    assert.equal(findPcpPass('\\*:9898:u:p', '*', 9898, 'u')?.password, 'p');
  });

  test('no comment syntax and no CR stripping, as in pgpool', () => {
    assert.deepEqual(parsePcpPass('#h:1:u:p').map((e) => e.host), ['#h']);
    assert.equal(parsePcpPass('h:1:u:p\r\n')[0].password, 'p\r');
  });

  test('a trailing backslash in a field makes the line unusable', () => {
    assert.deepEqual(parsePcpPass('h:1:u\\'), []);
  });

  test('first matching line wins; wildcards per field', () => {
    const text = 'db1:9898:admin:first\n*:9898:admin:second\n*:*:*:third';
    assert.equal(findPcpPass(text, 'db1', 9898, 'admin')?.password, 'first');
    assert.equal(findPcpPass(text, 'db2', '9898', 'admin')?.password, 'second');
    assert.equal(findPcpPass(text, 'db2', 9999, 'other')?.line, 3);
    assert.equal(findPcpPass('db1:9898:admin:x', 'db1', 9899, 'admin'), null);
  });

  test('pcpPassHost: no host and the default socket dir /tmp match as localhost, other dirs literally', () => {
    assert.equal(pcpPassHost(''), 'localhost');
    assert.equal(pcpPassHost('/tmp'), 'localhost');
    assert.equal(pcpPassHost('/var/run/pgpool'), '/var/run/pgpool');
    assert.equal(pcpPassHost('127.0.0.1'), '127.0.0.1');
  });
});

describe('lookupPcpPassword', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pcppass-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string, mode: number) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    chmodSync(p, mode);
    return p;
  };

  test('PCPPASSFILE wins over ~/.pcppass', () => {
    const file = write('explicit', '127.0.0.1:9898:pcpadmin:from-env\n', 0o600);
    write('.pcppass', '127.0.0.1:9898:pcpadmin:from-home\n', 0o600);
    assert.deepEqual(lookupPcpPassword({ host: '127.0.0.1', port: 9898, user: 'pcpadmin', env: { PCPPASSFILE: file }, home: dir }), {
      file, password: 'from-env', hint: '127.0.0.1:9898:pcpadmin:<password>',
    });
    assert.equal(lookupPcpPassword({ host: '127.0.0.1', port: 9898, user: 'pcpadmin', env: {}, home: dir }).password, 'from-home');
  });

  test('no entry: null with the file and a hint line, never a password', () => {
    const file = write('other', 'db9:9898:pcpadmin:s3cret-value\n', 0o600);
    const r = lookupPcpPassword({ host: '127.0.0.1', port: 9898, user: 'pcpadmin', env: { PCPPASSFILE: file } });
    assert.equal(r.password, null);
    assert.equal(r.file, file);
    assert.equal(r.hint, '127.0.0.1:9898:pcpadmin:<password>');
    assert.match(r.reason ?? '', /no line in .*other matches 127\.0\.0\.1:9898:pcpadmin/);
    assert.ok(!JSON.stringify(r).includes('s3cret'));
  });

  test('group/world-accessible file ignored (pgpool: permissions should be u=rw (0600) or less)', () => {
    const file = write('loose', '*:*:*:p\n', 0o640);
    const r = lookupPcpPassword({ host: 'h', port: 1, user: 'u', env: { PCPPASSFILE: file } });
    assert.equal(r.password, null);
    assert.match(r.reason ?? '', /group or world access \(mode 640\)/);
    chmodSync(file, 0o400);
    assert.equal(lookupPcpPassword({ host: 'h', port: 1, user: 'u', env: { PCPPASSFILE: file } }).password, 'p');
  });

  test('missing file and a directory are reported, not thrown', () => {
    assert.match(lookupPcpPassword({ host: 'h', port: 1, user: 'u', env: { PCPPASSFILE: join(dir, 'nope') } }).reason ?? '', /does not exist/);
    assert.match(lookupPcpPassword({ host: 'h', port: 1, user: 'u', env: { PCPPASSFILE: dir } }).reason ?? '', /not a plain file/);
  });

  test('hint escapes ":" and "\\" in host and user', () => {
    const r = lookupPcpPassword({ host: 'fe80::1', port: 9898, user: 'a\\b', env: { PCPPASSFILE: join(dir, 'nope') } });
    assert.equal(r.hint, 'fe80\\:\\:1:9898:a\\\\b:<password>');
  });
});
