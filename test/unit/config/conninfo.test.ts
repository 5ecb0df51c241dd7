import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  ConninfoError, describeTarget, parseConninfo, parseKeyValue, redactConninfo, resolveService, toClientConfig, toPgTarget,
} from '../../../src/config/conninfo.ts';

describe('parseKeyValue (libpq syntax)', () => {
  const cases: Array<[string, Record<string, string>]> = [
    ['host=10.0.0.1 port=5432', { host: '10.0.0.1', port: '5432' }],
    [`user=rep host=10.0.0.1 application_name='my app' dbname='a\\'b'`, { user: 'rep', host: '10.0.0.1', application_name: 'my app', dbname: "a'b" }],
    ['  host = db1   port= 5433 ', { host: 'db1', port: '5433' }],
    ["password='' user=x", { password: '', user: 'x' }],
    ['', {}],
    // pg_stat_wal_receiver shows keywords node-postgres has never heard of; they still parse
    ['sslsni=1 ssl_min_protocol_version=TLSv1.2 fallback_application_name=walreceiver', { sslsni: '1', ssl_min_protocol_version: 'TLSv1.2', fallback_application_name: 'walreceiver' }],
  ];
  for (const [input, expected] of cases) test(JSON.stringify(input), () => assert.deepEqual(parseKeyValue(input), expected));

  test('errors name the problem', () => {
    assert.throws(() => parseKeyValue('host'), /missing "=" after "host"/);
    assert.throws(() => parseKeyValue("host='db1"), /unterminated quoted value for "host"/);
  });
});

describe('parseConninfo', () => {
  test('URI with user, password, port and database', () => {
    assert.deepEqual(parseConninfo('postgresql://rep:s3cret@db1:5433/repmgr?application_name=x'), {
      user: 'rep', password: 's3cret', host: 'db1', port: '5433', dbname: 'repmgr', application_name: 'x',
    });
  });
  test('unknown keywords and non-conninfo text are refused', () => {
    assert.throws(() => parseConninfo('host=x prt=5'), (e: Error) => e instanceof ConninfoError && /unknown connection keyword "prt"/.test(e.message));
    assert.throws(() => parseConninfo('just a name'), /key=value/);
    assert.throws(() => parseConninfo('  '), /empty/);
  });
});

describe('toPgTarget', () => {
  test('maps libpq keywords onto node-postgres settings', () => {
    assert.deepEqual(toPgTarget({ host: 'db1', port: '5433', dbname: 'd', user: 'u', connect_timeout: '3', sslmode: 'require' }), {
      host: 'db1', port: 5433, database: 'd', user: 'u', password: undefined, connectTimeoutMs: 3000, ssl: { rejectUnauthorized: false },
    });
  });
  test('hostaddr wins over host; verify-full verifies', () => {
    const t = toPgTarget({ host: 'name', hostaddr: '10.0.0.9', sslmode: 'verify-full' });
    assert.equal(t.host, '10.0.0.9');
    assert.deepEqual(t.ssl, { rejectUnauthorized: true });
  });
  test('bad values are refused with a reason', () => {
    assert.throws(() => toPgTarget({ port: '99999' }), /not a TCP port/);
    assert.throws(() => toPgTarget({ host: 'a,b' }), /multiple hosts/);
    assert.throws(() => toPgTarget({ sslmode: 'maybe' }), /sslmode "maybe"/);
  });
});

describe('service files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgtop-svc-'));
  const file = join(dir, 'pg_service.conf');
  writeFileSync(file, '# comment\n[prod1]\nhost=10.0.0.1\nport=5433\ndbname=repmgr\n\n[other]\nhost=x\n');
  const env = { PGSERVICEFILE: file, PGSYSCONFDIR: dir, HOME: dir };
  test('service= is expanded and explicit keywords win', () => {
    assert.deepEqual(resolveService({ service: 'prod1', user: 'me', port: '6000' }, env), { host: '10.0.0.1', port: '6000', dbname: 'repmgr', user: 'me' });
  });
  test('PGSERVICE applies when the conninfo names none', () => {
    assert.equal(resolveService({}, { ...env, PGSERVICE: 'other' }).host, 'x');
  });
  test('an unknown service says where it looked', () => {
    assert.throws(() => resolveService({ service: 'nope' }, env), /service "nope" not found in .*pg_service\.conf/);
  });
});

describe('what the screen and the logs show', () => {
  test('describeTarget never includes the password', () => {
    assert.equal(describeTarget({ host: 'db1', port: '5433', user: 'u', dbname: 'd', password: 'secret' }, {}), 'u@db1:5433/d');
    assert.equal(describeTarget({}, { PGHOST: 'envhost', PGUSER: 'eu' }), 'eu@envhost:5432/eu');
  });
  test('redactConninfo drops passwords, from key=value and URIs alike', () => {
    assert.equal(redactConninfo("host=db1 password='p w' user=u"), 'host=db1 user=u');
    assert.equal(redactConninfo('postgres://u:pw@db1/d'), 'user=u host=db1 dbname=d');
    assert.equal(redactConninfo('garbage'), '(unparseable conninfo)');
  });
  test('toClientConfig keeps application_name and the connect timeout', () => {
    const c = toClientConfig('host=db1 port=5433 user=u dbname=d application_name=app connect_timeout=2');
    assert.equal(c.application_name, 'app');
    assert.equal(c.connectionTimeoutMillis, 2000);
    assert.equal(c.port, 5433);
  });
});
