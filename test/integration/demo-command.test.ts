// `pgtop-ha demo` as a user runs it: in a real pseudo-terminal (util-linux `script`), the live
// console must show the three nodes, and `q` or SIGTERM must leave no process or directory.
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const ROOT = join(import.meta.dirname, '..', '..');

interface Running {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

function startDemo(): Running {
  // script gives the console a TTY of a fixed size; its own stdin pipe is how we type keys.
  const child = spawn('script', ['-qfec', 'stty cols 120 rows 40; exec node bin/pgtop-ha demo --no-load --interval 1', '/dev/null'], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, TERM: 'xterm-256color', NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function waitFor(what: string, fn: () => boolean, timeoutMs: number, r: Running): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (fn()) return;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`timed out waiting for ${what}; output so far:\n${r.output().slice(-3000)}`);
}

function baseDirOf(out: string): string {
  const m = /cluster up in (\S+?);/.exec(out);
  assert.ok(m, 'demo prints where its cluster lives');
  return m[1]!;
}

function postmasterPids(baseDir: string): number[] {
  const dataRoot = join(baseDir, 'data');
  return readdirSync(dataRoot).map((d) => Number(readFileSync(join(dataRoot, d, 'postmaster.pid'), 'utf8').split('\n')[0]));
}

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat); // a zombie has exited; only its parent has not reaped it
  } catch {
    return false;
  }
}

async function liveConsole(r: Running): Promise<{ baseDir: string; pids: number[] }> {
  await waitFor('the console to show three nodes up', () => /3\/3 up/.test(r.output()) && /pg-standby2/.test(r.output()), 30000, r);
  const baseDir = baseDirOf(r.output());
  const pids = postmasterPids(baseDir);
  assert.equal(pids.length, 3);
  assert.ok(pids.every(alive));
  return { baseDir, pids };
}

test('demo: a live three-node PostgreSQL 17 console within seconds; q stops and removes everything', async () => {
  const r = startDemo();
  try {
    const started = Date.now();
    const { baseDir, pids } = await liveConsole(r);
    assert.ok(Date.now() - started < 15000, `console live after ${Date.now() - started} ms`);
    await waitFor('WAL summarizer running', () => /SUMMARIZER/.test(r.output()) && /\brunning\b/.test(r.output()), 10000, r);
    r.child.stdin!.write('q');
    const code = await Promise.race([r.exited, new Promise((res) => setTimeout(() => res('timeout'), 20000))]);
    assert.equal(code, 0, r.output().slice(-2000));
    assert.equal(existsSync(baseDir), false, `${baseDir} removed`);
    assert.deepEqual(pids.filter(alive), [], 'no postmaster left');
  } finally {
    if (r.child.exitCode === null) r.child.kill('SIGKILL');
  }
});

test('demo: SIGTERM also stops the cluster and removes its directory', async () => {
  const r = startDemo();
  try {
    const { baseDir, pids } = await liveConsole(r);
    // The console runs as script's child; signal it, not script, as a process manager would.
    const consolePid = Number(execFileSync('pgrep', ['-P', String(r.child.pid)]).toString().trim().split('\n')[0]);
    process.kill(consolePid, 'SIGTERM');
    await Promise.race([r.exited, new Promise((res) => setTimeout(res, 20000))]);
    assert.equal(existsSync(baseDir), false, `${baseDir} removed`);
    assert.deepEqual(pids.filter(alive), [], 'no postmaster left');
  } finally {
    if (r.child.exitCode === null) r.child.kill('SIGKILL');
  }
});
