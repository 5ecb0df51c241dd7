// `pgtop-ha record` on a real PostgreSQL 17 cluster (the demo's three nodes, in their own temp
// dir on free ports): a first recorder killed with SIGKILL, a second one appending to the same
// file through an incident (a standby stopped and started again) and stopped with SIGTERM; then
// `pgtop-ha replay` of that file in a real terminal (tmux on a private socket): the recording
// holds both sessions' samples, and the replay shows the incident at its time.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { writeDemoConfig } from '../../src/cli/demo.ts';
import { type DemoCluster, startDemoCluster } from '../../src/demo/cluster.ts';
import type { RecordedBatch } from '../../src/record/format.ts';
import { readRecording } from '../../src/record/reader.ts';
import { openReplay } from '../../src/record/replay-controller.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SOCKET = `pgtop-ha-replay-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-t', 'replay');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let cluster: DemoCluster;
let config: string;
let file: string;

before(async () => {
  cluster = await startDemoCluster({ applyDelay: '0' });
  config = writeDemoConfig(cluster);
  file = join(cluster.baseDir, 'incident.ndjson.gz');
});

after(async () => {
  try {
    tmux('kill-server');
  } catch {
    // not started or already gone
  }
  await cluster?.stop();
});

async function waitForScreen(what: string, ok: (s: string) => boolean, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let s = '';
  while (Date.now() < deadline) {
    s = screen();
    if (ok(s)) return s;
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}; screen:\n${s}`);
}

const record = () => {
  const child = spawn(process.execPath, ['bin/pgtop-ha', 'record', file, '--config', config, '--interval', '0.5'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  const out = { child, err: '' };
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out.err += d));
  return out;
};

test('record an incident, then replay it to the moment it happened', async () => {
  // a recorder killed outright leaves what it wrote readable, and the next one appends after it
  const killed = record();
  await sleep(3000);
  killed.child.kill('SIGKILL');
  await once(killed.child, 'exit');
  const before = readRecording(file).times.length;
  assert.ok(before > 0, `samples from the killed recorder: ${killed.err}`);

  const second = record();
  const rec = second.child;
  await sleep(3000);
  await cluster.stopNode('pg-standby2');
  await sleep(3000);
  await cluster.startNode('pg-standby2');
  await sleep(4000);
  rec.kill('SIGTERM');
  const [code] = await once(rec, 'exit');
  const err = second.err;
  assert.equal(code, 0, err);
  const n = Number(/recorded (\d+) sample\(s\) to /.exec(err)?.[1]);
  assert.ok(n >= 10, err);

  const batches: RecordedBatch[] = [];
  const recording = readRecording(file, { onBatch: (b) => batches.push(b) });
  assert.equal(recording.times.length, before + n, 'both sessions');
  assert.equal(recording.header.cluster, 'demo');
  const samplesOf = (name: string) => batches.flatMap((b) => b.u).filter((u) => 'sample' in u && !('layer' in u) && u.name === name).length;
  for (const node of ['pg-primary', 'pg-standby1', 'pg-standby2']) assert.ok(samplesOf(node) >= 5, `${node}: ${samplesOf(node)} samples`);
  assert.ok(batches.some((b) => b.u.some((u) => 'health' in u && !('layer' in u) && u.name === 'pg-standby2' && u.health.kind === 'down')), 'the outage is in the file');
  const replay = openReplay(file);
  const downAt = replay.alertChanges.find((i) => {
    replay.seek(i);
    return replay.store.getState().alerts.some((a) => a.code === 'NODE_DOWN' && a.subject === 'pg-standby2');
  });
  assert.ok(downAt !== undefined, `NODE_DOWN among the alert changes ${replay.alertChanges}`);
  replay.seek(recording.times.length - 1);
  assert.ok(!replay.store.getState().alerts.some((a) => a.code === 'NODE_DOWN'), 'cleared by the end');

  tmux('new-session', '-d', '-s', 'replay', '-x', '120', '-y', '40', '-c', ROOT, `env NO_COLOR=1 node bin/pgtop-ha replay ${file}; sleep 30`);
  await waitForScreen('the replay at its first sample', (s) => /REPLAY \d{4}-\d\d-\d\d \d\d:\d\d:\d\d · 1\/\d+ paused/.test(s));
  // ] jumps to each change of the alerts; the standby's outage is one of them
  let s = '';
  for (let i = 0; i < 6 && !/NODE_DOWN/.test(s); i++) {
    tmux('send-keys', '-t', 'replay', ']');
    await sleep(700);
    s = screen();
  }
  assert.match(s, /CRIT .*NODE_DOWN +pg-standby2/, s);
  assert.match(s, /pg-standby2 +DOWN/);
  tmux('send-keys', '-t', 'replay', 'w');
  await waitForScreen('actions refused', (x) => x.includes('replay: nothing runs against a cluster here'));
  tmux('send-keys', '-t', 'replay', 'q');
  await waitForScreen('the replay gone', (x) => !x.includes('REPLAY'));
});
