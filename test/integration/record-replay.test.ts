// `pgtop-ha record` on a real PostgreSQL 17 cluster through an incident (a standby stopped and
// started again), then `pgtop-ha replay` of that file in a real terminal (tmux on a private
// socket): the recording holds the samples, and the replay shows the incident at its time.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { writeDemoConfig } from '../../src/cli/demo.ts';
import { type DemoCluster, startDemoCluster } from '../../src/demo/cluster.ts';
import { readRecording } from '../../src/record/reader.ts';
import { createReplay } from '../../src/record/replay-controller.ts';

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

test('record an incident, then replay it to the moment it happened', async () => {
  const rec = spawn(process.execPath, ['bin/pgtop-ha', 'record', file, '--config', config, '--interval', '0.5'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  rec.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  await sleep(3000);
  await cluster.stopNode('pg-standby2');
  await sleep(3000);
  await cluster.startNode('pg-standby2');
  await sleep(4000);
  rec.kill('SIGTERM');
  const [code] = await once(rec, 'exit');
  assert.equal(code, 0, err);
  const n = Number(/recorded (\d+) sample\(s\)/.exec(err)?.[1]);
  assert.ok(n >= 10, err);

  const recording = readRecording(file);
  assert.equal(recording.batches.length, n);
  assert.equal(recording.header.cluster, 'demo');
  const replay = createReplay(recording);
  const downAt = replay.alertChanges.find((i) => {
    replay.seek(i);
    return replay.store.getState().alerts.some((a) => a.code === 'NODE_DOWN' && a.subject === 'pg-standby2');
  });
  assert.ok(downAt !== undefined, `NODE_DOWN among the alert changes ${replay.alertChanges}`);
  replay.seek(recording.batches.length - 1);
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
