// barman switch-wal: argv and the parser over every real barman 3.4 capture.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { barmanSwitchWalArgv, parseSwitchWal, runBarmanSwitchWal, type RunningPool } from '../../../src/actions/barman-switch-wal.ts';
import { buildCommand } from '../../../src/transport/shell-quote.ts';
import { SshError } from '../../../src/transport/ssh-errors.ts';

const FIX = join(import.meta.dirname, '../../fixtures/barman-actions');
const fx = (name: string) => ({
  stdout: readFileSync(join(FIX, `${name}.stdout`), 'utf8'),
  stderr: readFileSync(join(FIX, `${name}.stderr`), 'utf8'),
  code: Number(readFileSync(join(FIX, `${name}.rc`), 'utf8').trim()),
});
const parsed = (name: string) => {
  const f = fx(name);
  return parseSwitchWal(f.stdout, f.stderr, f.code);
};

describe('barmanSwitchWalArgv', () => {
  test('default: --force --archive, barman global -c first', () =>
    assert.deepEqual(barmanSwitchWalArgv({ server: 'main', configFile: '/x/barman.conf' }), ['barman', '-c', '/x/barman.conf', 'switch-wal', '--force', '--archive', 'main']));
  test('archive timeout, no force', () =>
    assert.deepEqual(barmanSwitchWalArgv({ server: 'main', force: false, archiveTimeoutS: 60 }), ['barman', 'switch-wal', '--archive', '--archive-timeout', '60', 'main']));
  test('a hostile server name stays one argument', () => {
    const server = 'a b; $(id) \'q\'';
    assert.equal(buildCommand(barmanSwitchWalArgv({ server })), `'barman' 'switch-wal' '--force' '--archive' 'a b; $(id) '\\''q'\\'''`);
  });
  test('refuses option-like names, `all` and bad timeouts', () => {
    assert.throws(() => barmanSwitchWalArgv({ server: '-h' }), /starts with '-'/);
    assert.throws(() => barmanSwitchWalArgv({ server: 'all' }), /every server/);
    assert.throws(() => barmanSwitchWalArgv({ server: 'm', archiveTimeoutS: 1.5 }), /bad --archive-timeout/);
  });
});

describe('parseSwitchWal (barman 3.4 captures)', () => {
  const cases: Array<[string, ReturnType<typeof parseSwitchWal>]> = [
    ['switch-wal-force-archive', { ok: true, walName: '000000010000000000000012', archived: true, message: 'closed 000000010000000000000012; barman has it archived' }],
    ['switch-wal-plain', { ok: true, walName: '000000010000000000000013', archived: false, message: 'closed 000000010000000000000013; barman did not confirm archiving' }],
    ['switch-wal-noswitch-archive', { ok: true, walName: null, archived: true, message: 'no switch needed (no WAL written since the last one); a new WAL file reached barman' }],
    ['switch-wal-noswitch-timeout', { ok: true, walName: null, archived: false, message: 'no switch needed (no WAL written since the last one); no new WAL file reached barman before the timeout' }],
    ['switch-wal-archive-timeout', { ok: false, walName: '000000010000000000000015', archived: false, message: 'closed 000000010000000000000015, but The WAL file 000000010000000000000015 has not been received in 3 seconds' }],
    ['switch-wal-unknown-server', { ok: false, walName: null, archived: false, message: "Unknown server 'nope'" }],
    ['switch-wal-pg-down', { ok: false, walName: null, archived: false, message: "Unable to perform pg_switch_wal for server 'main'." }],
  ];
  for (const [name, want] of cases) test(name, () => assert.deepEqual(parsed(name), want));
  test('standby (server.py message) is not a success', () =>
    assert.deepEqual(parseSwitchWal("No switch performed because server 'main' is a standby.\n", '', 0), { ok: false, walName: null, archived: false, message: 'no switch performed: barman reports the server is a standby' }));
  test('non-zero exit without an ERROR line', () => assert.equal(parseSwitchWal('', 'Traceback …\n', 2).message, 'barman switch-wal exited with code 2'));
});

describe('runBarmanSwitchWal', () => {
  test('runs the argv through pool.run with a timeout above barman\'s own wait', async () => {
    const calls: unknown[] = [];
    const pool: RunningPool = {
      async run(_t, argv, opts) {
        calls.push({ argv, opts });
        return fx('switch-wal-force-archive');
      },
    };
    const r = await runBarmanSwitchWal(pool, 'b@h', { server: 'main', sudoUser: 'barman', archiveTimeoutS: 30 });
    assert.equal(r.archived, true);
    assert.deepEqual(calls, [{ argv: ['barman', 'switch-wal', '--force', '--archive', '--archive-timeout', '30', 'main'], opts: { sudoUser: 'barman', timeoutMs: 90_000, maxOutputBytes: 262_144 } }]);
  });
  test('SSH failures come back as ok:false, one line', async () => {
    const pool: RunningPool = { run: async () => { throw new SshError('refused', 'ssh b@h:22: connection refused (is sshd running on that port?)'); } };
    assert.deepEqual(await runBarmanSwitchWal(pool, 'b@h', { server: 'main' }), { ok: false, walName: null, archived: false, message: 'ssh b@h:22: connection refused (is sshd running on that port?)' });
  });
});
