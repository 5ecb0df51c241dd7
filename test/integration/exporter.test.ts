// `pgtop-ha exporter` as Prometheus meets it: the real CLI as a child process on a real
// PostgreSQL 17 cluster, scraped over HTTP, the body checked by a strict OpenMetrics parser.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { writeDemoConfig } from '../../src/cli/demo.ts';
import { type DemoCluster, startDemoCluster } from '../../src/demo/cluster.ts';
import { freePorts } from '../../src/demo/ports.ts';
import { OPENMETRICS_TYPE, TEXT_TYPE } from '../../src/metrics/http-server.ts';
import { parseOpenMetrics, parsePrometheusText } from '../helpers/openmetrics.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let cluster: DemoCluster;
let config: string;
let port: number;
let exporter: ChildProcess | null = null;
let stderr = '';

function start(listen: string): ChildProcess {
  const child = spawn(process.execPath, ['bin/pgtop-ha', 'exporter', '--config', config, '--listen', listen, '--interval', '0.5'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return child;
}

before(async () => {
  cluster = await startDemoCluster({ applyDelay: '0' });
  config = writeDemoConfig(cluster);
  [port] = await freePorts(1);
  exporter = start(`127.0.0.1:${port}`);
});

after(async () => {
  if (exporter && exporter.exitCode === null) {
    exporter.kill('SIGTERM');
    await once(exporter, 'exit');
  }
  await cluster?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// What Prometheus 2.x sends by default: OpenMetrics first.
const PROMETHEUS_ACCEPT = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

async function scrapeUntil(ok: (body: string) => boolean, timeoutMs = 30_000, accept = PROMETHEUS_ACCEPT): Promise<{ body: string; type: string | null }> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { Accept: accept } });
      last = await r.text();
      if (r.status === 200 && ok(last)) return { body: last, type: r.headers.get('content-type') };
    } catch {
      // not listening yet
    }
    await sleep(300);
  }
  throw new Error(`timed out; last body:\n${last}\nstderr:\n${stderr}`);
}

test('serves the standbys\' lag, slots, summaries and alert counts as strict OpenMetrics', async () => {
  const lagOf = /pgtop_ha_replication_lag_(bytes|seconds)\{[^}]*standby="pg-standby2"[^}]*\} /g;
  const { body, type } = await scrapeUntil((b) => new Set([...b.matchAll(lagOf)].map((m) => m[1])).size === 2);
  assert.equal(type, OPENMETRICS_TYPE);
  const fams = parseOpenMetrics(body);
  const names = new Set(fams.map((f) => f.name));
  for (const f of ['pgtop_ha_node_up', 'pgtop_ha_replication_lag_bytes', 'pgtop_ha_replication_lag_seconds', 'pgtop_ha_replication_slot_retained_bytes',
    'pgtop_ha_wal_summary_files', 'pgtop_ha_archiver_archived', 'pgtop_ha_alerts', 'pgtop_ha_build']) assert.ok(names.has(f), `${f} in\n${body}`);
  const up = fams.find((f) => f.name === 'pgtop_ha_node_up')!.samples;
  assert.deepEqual(up.map((s) => [s.labels.node, s.value]), [['pg-primary', 1], ['pg-standby1', 1], ['pg-standby2', 1]]);
  assert.match(stderr, new RegExp(`serving http://127\\.0\\.0\\.1:${port}/metrics`));
  assert.doesNotMatch(stderr, /no TLS/, 'loopback: no warning');
});

test('a scraper that does not ask for OpenMetrics gets the same series as Prometheus text 0.0.4', async () => {
  const { body, type } = await scrapeUntil((b) => /pgtop_ha_replication_lag_bytes\{[^}]*standby="pg-standby2"/.test(b), 30_000, '*/*');
  assert.equal(type, TEXT_TYPE);
  const fams = parsePrometheusText(body);
  assert.equal(fams.find((f) => f.name === 'pgtop_ha_build_info')?.type, 'gauge');
  assert.equal(fams.find((f) => f.name === 'pgtop_ha_archiver_archived')?.type, 'counter');
  assert.ok(fams.find((f) => f.name === 'pgtop_ha_replication_lag_bytes')!.samples.some((s) => s.labels.standby === 'pg-standby2' && s.labels.cluster === 'demo'));
});

test('a stopped standby shows as node_up 0 and a critical alert at the next scrapes', async () => {
  await cluster.stopNode('pg-standby1');
  try {
    const { body } = await scrapeUntil((b) => /pgtop_ha_node_up\{cluster="demo",node="pg-standby1"\} 0/.test(b));
    const fams = parseOpenMetrics(body);
    const crit = fams.find((f) => f.name === 'pgtop_ha_alerts')!.samples.find((s) => s.labels.severity === 'critical')!;
    assert.ok(crit.value >= 1);
    assert.ok(fams.find((f) => f.name === 'pgtop_ha_alert')!.samples.some((s) => s.labels.code === 'NODE_DOWN' && s.labels.subject === 'pg-standby1'));
  } finally {
    await cluster.startNode('pg-standby1');
  }
  await scrapeUntil((b) => /pgtop_ha_node_up\{cluster="demo",node="pg-standby1"\} 1/.test(b));
});

test('/ links to /metrics, other paths are 404', async () => {
  assert.match(await (await fetch(`http://127.0.0.1:${port}/`)).text(), /href="\/metrics"/);
  assert.equal((await fetch(`http://127.0.0.1:${port}/nope`)).status, 404);
});

test('a port already in use: one line, exit 1', async () => {
  const before = stderr;
  const second = start(`127.0.0.1:${port}`);
  const [code] = await once(second, 'exit');
  assert.equal(code, 1);
  assert.match(stderr.slice(before.length), new RegExp(`pgtop-ha: cannot listen on 127\\.0\\.0\\.1:${port}: the port is already in use`));
});

test('SIGTERM stops it cleanly', async () => {
  exporter!.kill('SIGTERM');
  const [code] = await once(exporter!, 'exit');
  assert.equal(code, 0);
});
