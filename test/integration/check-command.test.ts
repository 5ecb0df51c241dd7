// `pgtop-ha check` and `snapshot --format md` as a monitoring system runs them: the real CLI as a
// child process against a real PostgreSQL 17 cluster, with real faults (replay paused, a standby
// stopped) and a broken config. Exit codes are what Nagios/Icinga read.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { writeDemoConfig } from '../../src/cli/demo.ts';
import { parseConninfo, toPgTarget } from '../../src/config/conninfo.ts';
import { type DemoCluster, startDemoCluster } from '../../src/demo/cluster.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let cluster: DemoCluster;
let config: string;

before(async () => {
  cluster = await startDemoCluster({ applyDelay: '0' });
  config = writeDemoConfig(cluster);
});

after(async () => {
  await cluster?.stop();
});

function cli(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, ['bin/pgtop-ha', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs check until it returns `code` (a standby may still be connecting); the last run on timeout. */
async function checkUntil(code: number, timeoutMs = 30_000, ...extra: string[]) {
  const deadline = Date.now() + timeoutMs;
  let r = cli('check', '--config', config, ...extra);
  while (r.code !== code && Date.now() < deadline) {
    await sleep(1000);
    r = cli('check', '--config', config, ...extra);
  }
  return r;
}

async function sql(node: string, text: string) {
  const client = new pg.Client({ ...toPgTarget(parseConninfo(cluster.superuserConninfo(node))), database: 'postgres' });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

test('a healthy cluster: OK, exit 0, perfdata per standby', async () => {
  const r = await checkUntil(0);
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, /^PGTOP-HA OK - demo: 3\/3 nodes up, no alerts \| /);
  assert.match(r.out, /'pg-standby1 lag_bytes'=\d+B;16777216;;0/);
  assert.match(r.out, /'pg-primary\/pg_standby2 retained'=\d+B;;;0/);
});

test('replay paused on a standby: WARNING, exit 1, named in the line and the long output', async () => {
  await sql('pg-standby1', 'SELECT pg_wal_replay_pause()');
  try {
    const r = await checkUntil(1);
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(r.out, /^PGTOP-HA WARNING - demo: 0 critical, 1 warning: REPLAY_PAUSED pg-standby1 \| /);
    assert.match(r.out, /\nWARNING REPLAY_PAUSED pg-standby1: WAL replay is paused on pg-standby1\n/);
  } finally {
    await sql('pg-standby1', 'SELECT pg_wal_replay_resume()');
  }
  assert.equal((await checkUntil(0)).code, 0, 'OK again once resumed');
});

test('a standby stopped: CRITICAL, exit 2, and --json lists the alerts', async () => {
  await cluster.stopNode('pg-standby2');
  try {
    const r = await checkUntil(2);
    assert.equal(r.code, 2, r.out + r.err);
    assert.match(r.out, /^PGTOP-HA CRITICAL - demo: \d+ critical, \d+ warning: .*NODE_DOWN pg-standby2/);
    const j = cli('check', '--json', '--config', config);
    assert.equal(j.code, 2);
    const doc = JSON.parse(j.out) as { status: string; alerts: Array<{ code: string; subject: string; severity: string; since: string; acked: boolean }> };
    assert.equal(doc.status, 'CRITICAL');
    assert.ok(doc.alerts.some((a) => a.code === 'NODE_DOWN' && a.subject === 'pg-standby2' && a.severity === 'critical' && !Number.isNaN(Date.parse(a.since)) && a.acked === false), j.out);
    const text = cli('snapshot', '--config', config);
    assert.equal(text.code, 0, text.err);
    assert.match(text.out, /\n== Alerts ==\n\d+ critical, \d+ warning\n(.*\n)*CRIT NODE_DOWN pg-standby2: pg-standby2 does not answer: /);
    const md = cli('snapshot', '--format', 'md', '--config', config);
    assert.equal(md.code, 0, md.err);
    assert.match(md.out, /## Alerts\n\n\d+ critical, \d+ warning\.\n/);
    assert.match(md.out, /\| critical \| `NODE_DOWN` \| pg-standby2 \|/);
    const js = JSON.parse(cli('snapshot', '--json', '--config', config).out) as { alerts: Array<{ code: string }> };
    assert.ok(js.alerts.some((a) => a.code === 'NODE_DOWN'), 'snapshot --json carries the alerts');
  } finally {
    await cluster.startNode('pg-standby2');
  }
  assert.equal((await checkUntil(0)).code, 0, 'OK again once it is back');
});

test('a broken config or command line is UNKNOWN (exit 3), never CRITICAL', () => {
  const bad = join(cluster.baseDir, 'bad.yaml');
  writeFileSync(bad, 'clusters:\n  p:\n    nodes: "a,b"\n');
  const r = cli('check', '--config', bad);
  assert.equal(r.code, 3);
  assert.match(r.err, /^PGTOP-HA UNKNOWN - .*clusters\.p\.nodes: expected a non-empty list of nodes/);
  const missing = cli('check', '--config', join(cluster.baseDir, 'no-such.yaml'));
  assert.equal(missing.code, 3);
  assert.match(missing.err, /^PGTOP-HA UNKNOWN - .*cannot read the file/);
  assert.equal(missing.err.trim().split('\n').length, 1, 'one line');
  const o = cli('check', '--no-such-option');
  assert.equal(o.code, 3);
  assert.match(o.err, /^PGTOP-HA UNKNOWN - Unknown argument/);
});
