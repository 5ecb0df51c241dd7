// barman backup: argv, mode choice, the running-backup guard, and the output parser over real
// barman 3.4 captures (test/fixtures/barman-actions/README.md), fed whole and in awkward chunks.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  BackupOutputParser, backupAlreadyRunning, backupMode, barmanBackupArgv, parseBackupLine, runBarmanBackup,
  type BackupEvent, type StreamingPool,
} from '../../../src/actions/barman-backup.ts';
import { buildCommand } from '../../../src/transport/shell-quote.ts';
import type { StreamOptions } from '../../../src/transport/ssh-pool.ts';

const FIX = join(import.meta.dirname, '../../fixtures/barman-actions');
const fx = (name: string) => ({
  stdout: readFileSync(join(FIX, `${name}.stdout`), 'utf8'),
  stderr: readFileSync(join(FIX, `${name}.stderr`), 'utf8'),
  code: Number(readFileSync(join(FIX, `${name}.rc`), 'utf8').trim()),
});

describe('barmanBackupArgv', () => {
  test('full, with a config file', () =>
    assert.deepEqual(barmanBackupArgv({ server: 'main', incremental: null, configFile: '/etc/b.conf', wait: true }), ['barman', '-c', '/etc/b.conf', 'backup', '--wait', 'main']));
  test('incremental on latest, own binary, wait timeout', () =>
    assert.deepEqual(barmanBackupArgv({ server: 'pg', incremental: 'latest', barmanBin: '/opt/barman/bin/barman', wait: true, waitTimeoutS: 600 }),
      ['/opt/barman/bin/barman', 'backup', '--incremental', 'latest', '--wait', '--wait-timeout', '600', 'pg']));
  test('a hostile server name stays ONE argument through buildCommand', () => {
    const server = `it's a "srv" $(id) \`id\``;
    const argv = barmanBackupArgv({ server, incremental: null, wait: true });
    assert.equal(argv.at(-1), server);
    assert.equal(buildCommand(argv), `'barman' 'backup' '--wait' 'it'\\''s a "srv" $(id) \`id\`'`);
  });
  test("refuses names barman would not read as one server", () => {
    assert.throws(() => barmanBackupArgv({ server: '--help', incremental: null, wait: true }), /starts with '-'/);
    assert.throws(() => barmanBackupArgv({ server: 'all', incremental: null, wait: true }), /every server/);
    assert.throws(() => barmanBackupArgv({ server: '', incremental: null, wait: true }), /empty/);
  });
});

describe('backupMode', () => {
  const ok = { pgMajor: 17, summarizeWal: true, barmanVersion: '3.11.0' };
  test('incremental offered only with PG ≥ 17, summarize_wal on, barman ≥ 3.11; default full', () => {
    assert.deepEqual(backupMode(ok), { choices: ['full', 'incremental'], default: 'full', incrementalUnavailable: null });
    assert.deepEqual(backupMode({ ...ok, barmanVersion: '3.15.1', pgMajor: 18 }).choices, ['full', 'incremental']);
  });
  const no: Array<[string, Parameters<typeof backupMode>[0], RegExp]> = [
    ['PG 15', { ...ok, pgMajor: 15 }, /PostgreSQL 15 has no incremental/],
    ['PG unknown', { ...ok, pgMajor: null }, /version unknown/],
    ['summarize_wal off', { ...ok, summarizeWal: false }, /summarize_wal is off/],
    ['barman 3.4.0 (the lab)', { ...ok, barmanVersion: '3.4.0' }, /barman 3\.4\.0 has no incremental/],
    ['barman 3.10.9', { ...ok, barmanVersion: '3.10.9' }, /3\.11\+/],
    ['barman unknown', { ...ok, barmanVersion: null }, /version unknown/],
    ['rsync method', { ...ok, backupMethod: 'rsync' }, /backup_method = rsync/],
  ];
  for (const [name, facts, why] of no)
    test(`full only: ${name}`, () => {
      const m = backupMode(facts);
      assert.deepEqual(m.choices, ['full']);
      assert.match(m.incrementalUnavailable ?? '', why);
    });
});

describe('backupAlreadyRunning', () => {
  const during = JSON.parse(readFileSync(join(FIX, 'list-backups-during.json'), 'utf8')) as { main: Array<{ status: string; backup_id: string }> };
  const after = JSON.parse(readFileSync(join(FIX, 'list-backups-after.json'), 'utf8')) as { main: Array<{ status: string; backup_id: string }> };
  test('without list-processes (barman < 3.14) a STARTED backup (real capture) means running', () => {
    const r = backupAlreadyRunning(null, during.main);
    assert.equal(r.running, true);
    assert.match(r.reason ?? '', /^backup 20261122T071640 is STARTED/);
  });
  test('all DONE: not running', () => assert.deepEqual(backupAlreadyRunning(null, after.main), { running: false, reason: null }));
  test('list-processes (3.14+ JSON) decides when present', () => {
    assert.deepEqual(backupAlreadyRunning({ main: [{ pid: 4242, name: 'backup' }, { pid: 1, name: 'receive-wal' }] }, after.main), { running: true, reason: 'a barman backup is already running (pid 4242)' });
    // a STARTED leftover of a killed barman is not a running backup when the process list says so
    assert.deepEqual(backupAlreadyRunning({ main: [{ pid: 1, name: 'receive-wal' }] }, during.main), { running: false, reason: null });
    assert.deepEqual(backupAlreadyRunning({ main: [] }, []), { running: false, reason: null });
  });
});

/** Feeds a capture through the parser in chunks of `size` characters. */
function parse(name: string, size = Infinity): BackupEvent[] {
  const { stdout, stderr } = fx(name);
  const events: BackupEvent[] = [];
  const p = new BackupOutputParser((e) => events.push(e));
  for (const [s, text] of [['stdout', stdout], ['stderr', stderr]] as const)
    for (let i = 0; i < text.length; i += Number.isFinite(size) ? size : text.length || 1) p.push(s, text.slice(i, i + size));
  p.end();
  return events;
}

describe('backup output (barman 3.4 captures)', () => {
  test('backup-wait: every phase in order, with its facts', () => {
    const ev = parse('backup-wait');
    assert.deepEqual(ev.map((e) => e.phase), ['start', 'start-lsn', 'copy', 'copy-done', 'finalise', 'size', 'end-lsn', 'completed', 'wait-wal', 'wal', 'wal', 'wal', 'wal', 'wal']);
    assert.equal(ev[0]!.backupId, '20261122T071640');
    assert.deepEqual([ev[1]!.lsn, ev[1]!.walFile], ['0/C001D00', '00000001000000000000000C']);
    assert.equal(ev[2]!.backupId, '20261122T071640');
    assert.equal(ev[3]!.elapsed, 'less than one second');
    assert.equal(ev[5]!.size, '29.5 MiB');
    assert.deepEqual([ev[6]!.lsn, ev[6]!.walFile], ['0/E001D78', '00000001000000000000000E']);
    assert.equal(ev[7]!.elapsed, 'less than one second');
    assert.equal(ev[8]!.walFile, '00000001000000000000000E');
    assert.deepEqual(ev.filter((e) => e.walFile && e.phase === 'wal').map((e) => e.walFile), ['00000001000000000000000C', '00000001000000000000000D', '00000001000000000000000E']);
    assert.ok(ev.every((e) => !e.error));
  });
  test('chunking never changes the events (1, 7 and 64 character chunks)', () => {
    const whole = parse('backup-wait-2');
    for (const n of [1, 7, 64]) assert.deepEqual(parse('backup-wait-2', n), whole);
    assert.equal(whole.find((e) => e.phase === 'copy-done')!.elapsed, '1 second');
  });
  for (const [name, msg] of [
    ['backup-locked', 'Another backup process is running'],
    ['backup-check-failed', "Impossible to start the backup. Check the log for more details, or run 'barman check main'"],
    ['backup-unknown-server', "Unknown server 'nope'"],
  ] as const)
    test(`${name}: one error event with barman's message`, () => assert.deepEqual(parse(name), [{ phase: 'error', text: `ERROR: ${msg}`, error: msg }]));
  test('multi-line ERROR (from backup.py: "Backup failed …\\nDETAILS: …") stays one error', () => {
    const ev: BackupEvent[] = [];
    const p = new BackupOutputParser((e) => ev.push(e));
    p.push('stderr', 'ERROR: Backup failed copying files.\nDETAILS: data transfer failure\n');
    p.push('stdout', 'Starting backup using postgres method for server main in /b/main/base/20240101T000000\n');
    assert.deepEqual(ev.map((e) => [e.phase, e.error]), [['error', 'Backup failed copying files.'], ['error', 'DETAILS: data transfer failure'], ['start', undefined]]);
  });
  test('colour codes (barman on a tty) are stripped', () =>
    assert.deepEqual(parseBackupLine('\x1b[31mERROR: Another backup process is running\x1b[0m', 'stderr'), { phase: 'error', text: 'ERROR: Another backup process is running', error: 'Another backup process is running' }));
  test('unknown lines are info, not dropped', () => assert.deepEqual(parseBackupLine('This is the first backup for server main', 'stdout'), { phase: 'info', text: 'This is the first backup for server main' }));
});

/** A pool that replays a capture through the callbacks, split at odd places, like a channel. */
function replay(name: string, opts: { throwErr?: Error } = {}): StreamingPool & { calls: Array<{ argv: readonly string[]; opts: StreamOptions }> } {
  const calls: Array<{ argv: readonly string[]; opts: StreamOptions }> = [];
  return {
    calls,
    async stream(_t, argv, o) {
      calls.push({ argv, opts: o });
      const { stdout, stderr, code } = fx(name);
      for (let i = 0; i < stdout.length; i += 50) o.onStdout(stdout.slice(i, i + 50));
      if (opts.throwErr) throw opts.throwErr;
      if (stderr) o.onStderr(stderr);
      return { code, signal: null, durationMs: 1 };
    },
  };
}

describe('runBarmanBackup (replayed captures)', () => {
  const opts = { server: 'main', incremental: null, configFile: '/c', wait: true as const, sudoUser: 'barman' };
  test('success: ok, completed, backup id, events in order; never a timeout or an abort signal', async () => {
    const pool = replay('backup-wait');
    const seen: string[] = [];
    const r = await runBarmanBackup(pool, 'barman@h', opts, (e) => seen.push(e.phase));
    assert.deepEqual({ ...r, elapsedMs: 0 }, { ok: true, code: 0, error: null, completed: true, backupId: '20261122T071640', elapsedMs: 0 });
    assert.equal(seen[0], 'start');
    assert.equal(seen.at(-1), 'wal');
    assert.deepEqual(pool.calls[0]!.argv, ['barman', '-c', '/c', 'backup', '--wait', 'main']);
    assert.equal(pool.calls[0]!.opts.sudoUser, 'barman');
    assert.equal(pool.calls[0]!.opts.timeoutMs, undefined);
    assert.equal(pool.calls[0]!.opts.signal, undefined);
  });
  test("failure: barman's own message", async () => {
    const r = await runBarmanBackup(replay('backup-locked'), 'h', opts, () => undefined);
    assert.deepEqual({ ...r, elapsedMs: 0 }, { ok: false, code: 1, error: 'Another backup process is running', completed: false, backupId: null, elapsedMs: 0 });
  });
  test('a throwing onEvent does not stop the run', async () => {
    const r = await runBarmanBackup(replay('backup-wait'), 'h', opts, () => {
      throw new Error('ui bug');
    });
    assert.equal(r.ok, true);
  });
  test('connection lost mid-backup: one line saying the backup may still run', async () => {
    const r = await runBarmanBackup(replay('backup-wait', { throwErr: new Error('ssh barman@h:22: connection lost while running a command') }), 'h', opts, () => undefined);
    assert.equal(r.ok, false);
    assert.equal(r.code, null);
    assert.equal(r.completed, true);
    assert.equal(r.error, 'ssh barman@h:22: connection lost while running a command; backup 20261122T071640 may still be running on the barman host: check barman list-backups main');
  });
});
