// The console in a real terminal (tmux, on a private socket), read back as the screen a DBA
// sees: after many redraws and a resize, one header, one footer, every box closed, nothing
// drawn twice, and keys that act. This is what a byte-stream test cannot catch (a redraw that
// lands one line lower each time looks fine as bytes).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';

const ROOT = join(import.meta.dirname, '..', '..');
const SOCKET = `pgtop-ha-test-${process.pid}`;
const SESSION = 'console';

const tmux = (...args: string[]) => execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-t', SESSION);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

after(() => {
  try {
    tmux('kill-server'); // this test's own tmux server only
  } catch {
    // already gone
  }
});

async function waitForScreen(what: string, ok: (s: string) => boolean, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let s = '';
  while (Date.now() < deadline) {
    s = screen();
    if (ok(s)) return s;
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}; screen:\n${s}`);
}

/** The invariants of any frame: exactly one header and footer, closed boxes, no repeated titles. */
function assertIntact(s: string, cols: number, label: string): void {
  const lines = s.split('\n');
  assert.equal(lines.filter((l) => l.startsWith('pgtop-ha demo')).length, 1, `${label}: one header\n${s}`);
  assert.ok(lines[0]!.startsWith('pgtop-ha demo'), `${label}: the header is the top line\n${s}`);
  const boxes = (title: string) => lines.filter((l) => l.includes(`─ ${title}`) || l.includes(`▶ ${title}`)).length;
  // what is primary and what is wrong show at every size; the rest at most once each
  for (const title of ['Topology', 'Alerts']) assert.equal(boxes(title), 1, `${label}: one "${title}" box\n${s}`);
  for (const title of ['Replication lag', 'Replication slots', 'WAL & archiving', 'Timeline']) assert.ok(boxes(title) <= 1, `${label}: "${title}" twice\n${s}`);
  assert.equal(lines.filter((l) => l.startsWith('┌')).length, lines.filter((l) => l.startsWith('└')).length, `${label}: every box closed\n${s}`);
  for (const l of lines) assert.ok([...l].length <= cols, `${label}: line wider than ${cols}: ${l}`);
}

test('the live console redraws in place, survives a resize, and quits cleanly', async () => {
  tmux('new-session', '-d', '-s', SESSION, '-x', '100', '-y', '32', '-c', ROOT,
    'env NO_COLOR=1 node bin/pgtop-ha demo --no-load --interval 0.5 2>/tmp/pgtop-ha-screen-test.log; sleep 60');
  let s = await waitForScreen('three nodes up', (x) => /3\/3 up/.test(x) && /pg-standby2/.test(x) && /SUMMARIZER/.test(x), 40000);
  assertIntact(s, 100, 'first frames');
  const baseDir = /demo cluster in (\S+?):/.exec(s)?.[1];

  await sleep(4000); // ~8 redraws at 0.5 s
  s = screen();
  assertIntact(s, 100, 'after 8 redraws');

  tmux('resize-window', '-t', SESSION, '-x', '80', '-y', '24');
  await sleep(1500);
  s = screen();
  assertIntact(s, 80, 'after shrinking to 80x24');
  assert.ok(s.trimEnd().split('\n').length <= 23, 'the frame stays one row short of the terminal');

  tmux('resize-window', '-t', SESSION, '-x', '120', '-y', '40');
  await sleep(1500);
  assertIntact(screen(), 120, 'after growing to 120x40');

  tmux('send-keys', '-t', SESSION, '?');
  s = await waitForScreen('help', (x) => x.includes('Keys') && x.includes('Switch WAL') === false && x.includes('pg_switch_wal()'), 5000);
  tmux('send-keys', '-t', SESSION, 'Escape');
  await waitForScreen('help closed', (x) => x.includes('Topology'), 5000);

  tmux('send-keys', '-t', SESSION, 'w');
  await waitForScreen('the confirm dialog', (x) => x.includes('Proceed? [y/N]'), 5000);
  tmux('send-keys', '-t', SESSION, 'n');
  await waitForScreen('cancelled, said in the footer', (x) => x.includes('switch WAL cancelled'), 5000);

  tmux('send-keys', '-t', SESSION, 'q');
  await waitForScreen('the console gone', (x) => !x.includes('Topology'), 20000);
  if (baseDir) await waitForScreen('the cluster removed', () => !existsSync(baseDir), 20000);
});
