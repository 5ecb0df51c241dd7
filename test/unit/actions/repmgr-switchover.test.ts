// repmgr standby switchover: argv (words, never a shell string), and the two runners over a
// scripted pool replaying real repmgr 5.3.3 captures (test/fixtures/repmgr/README.md).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  runSwitchover, runSwitchoverDryRun, switchoverArgv,
  type SwitchoverEvent, type SwitchoverRunner, type SwitchoverStreamer,
} from '../../../src/actions/repmgr-switchover.ts';
import { buildCommand } from '../../../src/transport/shell-quote.ts';
import { SshError } from '../../../src/transport/ssh-errors.ts';
import type { RunOptions, RunResult, StreamOptions } from '../../../src/transport/ssh-pool.ts';
import { fixture } from '../repmgr/fixture.ts';

const TARGET = { host: 'db2', port: 22, user: 'postgres' };
const fx = (name: string) => ({ stdout: fixture(`${name}.txt`), stderr: fixture(`${name}.stderr.txt`) });

describe('switchoverArgv', () => {
  test('dry run, siblings follow, config file: no --verbose', () =>
    assert.deepEqual(switchoverArgv({ configFile: '/etc/repmgr/15/repmgr.conf', dryRun: true, siblingsFollow: true }),
      ['repmgr', '-f', '/etc/repmgr/15/repmgr.conf', 'standby', 'switchover', '--dry-run', '--siblings-follow']));
  test('the real run is --verbose by default (progress lines), and can be told not to be', () => {
    assert.deepEqual(switchoverArgv({ dryRun: false, siblingsFollow: true }), ['repmgr', 'standby', 'switchover', '--siblings-follow', '--verbose']);
    assert.deepEqual(switchoverArgv({ dryRun: false, siblingsFollow: false, verbose: false }), ['repmgr', 'standby', 'switchover']);
    assert.deepEqual(switchoverArgv({ dryRun: true, siblingsFollow: false, verbose: true }), ['repmgr', 'standby', 'switchover', '--dry-run', '--verbose']);
  });
  test('every option, own binary', () =>
    assert.deepEqual(
      switchoverArgv({ repmgrBin: '/usr/pgsql-15/bin/repmgr', configFile: '/x/repmgr.conf', dryRun: false, siblingsFollow: true, forceRewind: true, alwaysPromote: true }),
      ['/usr/pgsql-15/bin/repmgr', '-f', '/x/repmgr.conf', 'standby', 'switchover', '--siblings-follow', '--force-rewind', '--always-promote', '--verbose'],
    ));
  test('false options leave no flag', () =>
    assert.deepEqual(switchoverArgv({ dryRun: true, siblingsFollow: false, forceRewind: false, alwaysPromote: false }), ['repmgr', 'standby', 'switchover', '--dry-run']));
  test('a hostile config path stays ONE word through buildCommand', () => {
    const cfg = `/tmp/it's "x" $(id) \`id\`; rm -rf /.conf`;
    const argv = switchoverArgv({ configFile: cfg, dryRun: true, siblingsFollow: false });
    assert.equal(argv[2], cfg);
    assert.equal(buildCommand(argv), `'repmgr' '-f' '/tmp/it'\\''s "x" $(id) \`id\`; rm -rf /.conf' 'standby' 'switchover' '--dry-run'`);
  });
  test('refuses words repmgr would read as options, empty ones, newlines', () => {
    assert.throws(() => switchoverArgv({ configFile: '--dry-run', dryRun: false, siblingsFollow: false }), /starts with '-'/);
    assert.throws(() => switchoverArgv({ configFile: '', dryRun: false, siblingsFollow: false }), /empty/);
    assert.throws(() => switchoverArgv({ repmgrBin: '', dryRun: false, siblingsFollow: false }), /empty/);
    assert.throws(() => switchoverArgv({ configFile: '/a\n/b', dryRun: false, siblingsFollow: false }), /newline/);
  });
});

function runner(reply: (argv: readonly string[]) => RunResult | Error) {
  const calls: Array<{ argv: readonly string[]; opts: RunOptions | undefined }> = [];
  const pool: SwitchoverRunner = {
    async run(_t, argv, opts) {
      calls.push({ argv, opts });
      const r = reply(argv);
      if (r instanceof Error) throw r;
      return r;
    },
  };
  return { pool, calls };
}

const result = (stdout: string, stderr: string, code: number | null, signal: string | null = null): RunResult =>
  ({ code, signal, stdout, stderr, truncated: false, durationMs: 5 });

describe('runSwitchoverDryRun', () => {
  test('a real passing dry run: ok, checks, argv and options as sent', async () => {
    const { stdout, stderr } = fx('real-5.3.3-switchover-dry-run-siblings-follow');
    const { pool, calls } = runner(() => result(stdout, stderr, 0));
    const r = await runSwitchoverDryRun(pool, TARGET, { configFile: '/c.conf', siblingsFollow: true, sudoUser: 'postgres' });
    assert.equal(r.ok, true);
    assert.equal(r.error, null);
    assert.equal(r.code, 0);
    assert.ok(r.checks.some((c) => c.level === 'ok' && /are met/.test(c.text)));
    assert.deepEqual(calls[0].argv, ['repmgr', '-f', '/c.conf', 'standby', 'switchover', '--dry-run', '--siblings-follow']);
    assert.equal(calls[0].opts?.sudoUser, 'postgres');
    assert.equal(calls[0].opts?.timeoutMs, 120_000);
  });

  test('a refusal: ok false, repmgr\'s reason, its exit code', async () => {
    const { stdout, stderr } = fx('real-5.3.3-switchover-dry-run-target-is-primary');
    const { pool } = runner(() => result(stdout, stderr, 18));
    const r = await runSwitchoverDryRun(pool, TARGET, { siblingsFollow: true });
    assert.deepEqual([r.ok, r.code, r.error], [false, 18, 'switchover must be executed from the standby node to be promoted — this node (ID: 1) is the primary']);
  });

  test('SSH failure: never throws, the transport\'s one line', async () => {
    const { pool } = runner(() => new SshError('refused', 'ssh postgres@db2:22: connection refused (is sshd running on that port?)'));
    const r = await runSwitchoverDryRun(pool, TARGET, { siblingsFollow: true });
    assert.deepEqual({ ...r, durationMs: 0 }, { ok: false, checks: [], error: 'ssh postgres@db2:22: connection refused (is sshd running on that port?)', raw: '', code: null, durationMs: 0 });
  });

  test('a bad argv is a failed result, not a throw; nothing is run', async () => {
    const { pool, calls } = runner(() => result('', '', 0));
    const r = await runSwitchoverDryRun(pool, TARGET, { configFile: '-x', siblingsFollow: true });
    assert.equal(r.ok, false);
    assert.match(r.error!, /starts with '-'/);
    assert.equal(calls.length, 0);
  });

  test('sudo wants a password; killed by a signal', async () => {
    const sudo = runner(() => result('', 'sudo: a password is required\n', 1));
    assert.match((await runSwitchoverDryRun(sudo.pool, TARGET, { siblingsFollow: true, sudoUser: 'postgres' })).error!, /^sudo -n -u postgres needs a password there/);
    const { stderr } = fx('real-5.3.3-switchover-dry-run-siblings-follow');
    const killed = runner(() => result('', stderr.split('\n').slice(0, 4).join('\n'), null, 'KILL'));
    const r = await runSwitchoverDryRun(killed.pool, TARGET, { siblingsFollow: true });
    assert.equal(r.ok, false);
    assert.match(r.error!, /^repmgr was killed by signal KILL/);
  });
});

function streamer(stdout: string, stderr: string, code: number | null, opts: { chunk?: number; failAfter?: number } = {}) {
  const seen: StreamOptions[] = [];
  const pool: SwitchoverStreamer = {
    async stream(_t, _argv, o) {
      seen.push(o);
      const step = opts.chunk ?? 17;
      let sent = 0;
      for (let i = 0; i < stderr.length; i += step) {
        o.onStderr(stderr.slice(i, i + step));
        sent += step;
        if (opts.failAfter !== undefined && sent >= opts.failAfter) throw new SshError('closed', 'ssh postgres@db2:22: connection lost while running a command');
      }
      if (stdout) o.onStdout(stdout);
      return { code, signal: null, durationMs: 5 };
    },
  };
  return { pool, seen };
}

describe('runSwitchover', () => {
  test('a real run streams every line, in phases, and ends ok; no timeout, no abort signal', async () => {
    const { stdout, stderr } = fx('real-5.3.3-switchover-verbose-to-pgsql2');
    const { pool, seen } = streamer(stdout, stderr, 0);
    const events: SwitchoverEvent[] = [];
    const r = await runSwitchover(pool, TARGET, { configFile: '/c.conf', siblingsFollow: true }, (e) => events.push(e));
    assert.equal(r.ok, true);
    assert.equal(r.code, 0);
    assert.equal(r.error, null);
    assert.equal(seen[0].timeoutMs, undefined);
    assert.equal(seen[0].signal, undefined);
    assert.equal(events.length, stderr.split('\n').filter((l) => l.trim()).length + 2);
    assert.deepEqual(events.filter((e) => e.phase).map((e) => e.phase), ['checks', 'pause-repmgrd', 'shutdown', 'promote', 'rejoin', 'follow', 'unpause-repmgrd', 'done']);
  });

  test('a throwing callback does not stop the reading', async () => {
    const { stdout, stderr } = fx('real-5.3.3-switchover-to-pgsql1');
    const { pool } = streamer(stdout, stderr, 0);
    let n = 0;
    const r = await runSwitchover(pool, TARGET, { siblingsFollow: true }, () => {
      n++;
      throw new Error('UI bug');
    });
    assert.equal(r.ok, true);
    assert.ok(n > 20);
  });

  test('refused by repmgr (exit 18): its reason and the exit code named', async () => {
    const { stderr } = fx('real-5.3.3-switchover-dry-run-sibling-down-pgsql3');
    const real = stderr.replace('checking switchover on node "pgsql2" (ID: 2) in --dry-run mode', 'executing switchover on node "pgsql2" (ID: 2)');
    const { pool } = streamer('', real, 18);
    const r = await runSwitchover(pool, TARGET, { siblingsFollow: true }, () => {});
    assert.equal(r.ok, false);
    assert.equal(r.code, 18);
    assert.match(r.error!, /^unable to connect to 1 of 3 node\(s\), unable to pause all repmgrd instances — .* \(exit 18 ERR_SWITCHOVER_FAIL\)$/);
  });

  test('exit 0 without the success line is not ok; exit non-zero after it is not ok either', async () => {
    const { stderr } = fx('real-5.3.3-switchover-to-pgsql1');
    const cut = stderr.split('\n').filter((l) => !/has completed successfully/.test(l)).join('\n');
    assert.equal((await runSwitchover(streamer('', cut, 0).pool, TARGET, { siblingsFollow: true }, () => {})).ok, false);
    const r = await runSwitchover(streamer('', stderr, 22).pool, TARGET, { siblingsFollow: true }, () => {});
    assert.equal(r.ok, false);
    assert.equal(r.code, 22);
  });

  test('the connection dies halfway: says repmgr may have been stopped, check the cluster', async () => {
    const { stderr } = fx('real-5.3.3-switchover-to-pgsql1');
    const events: SwitchoverEvent[] = [];
    const r = await runSwitchover(streamer('', stderr, 0, { failAfter: 600 }).pool, TARGET, { siblingsFollow: true }, (e) => events.push(e));
    assert.equal(r.ok, false);
    assert.equal(r.code, null);
    assert.ok(events.length > 0);
    assert.match(r.error!, /^ssh postgres@db2:22: connection lost while running a command; repmgr may have been stopped halfway: check the cluster/);
  });

  test('connection refused before anything ran: just the transport\'s line', async () => {
    const pool: SwitchoverStreamer = { stream: async () => { throw new SshError('refused', 'ssh postgres@db2:22: connection refused (is sshd running on that port?)'); } };
    const r = await runSwitchover(pool, TARGET, { siblingsFollow: true }, () => {});
    assert.deepEqual([r.ok, r.code, r.error], [false, null, 'ssh postgres@db2:22: connection refused (is sshd running on that port?)']);
  });

  test('repmgr missing on the target', async () => {
    const r = await runSwitchover(streamer('', 'bash: line 1: repmgr: command not found\n', 127).pool, TARGET, { siblingsFollow: true }, () => {});
    assert.equal(r.error, 'repmgr not found there: bash: line 1: repmgr: command not found');
  });
});
