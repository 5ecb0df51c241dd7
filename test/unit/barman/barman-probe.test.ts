import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SshError } from '../../../src/transport/ssh-errors.ts';
import { barmanArgv, parseBarmanVersion, probeBarman, type BarmanTarget } from '../../../src/probes/barman/barman-probe.ts';
import { FakeRunner, reply } from '../ssh/fake-runner.ts';
import { barman315, barmanFixture as fx } from './fixtures.ts';

const ssh = { host: 'backup1', port: 2222, user: 'barman' };
const cfg: BarmanTarget = { ssh, server: 'pg17', configFile: '/etc/barman.d/pg17.conf' };
const asPg17 = (s: string) => s.replace(/"main"/g, '"pg17"');

describe('probeBarman', () => {
  it('argv: -c and -f json before the command, never a shell string', () => {
    assert.deepEqual(barmanArgv(cfg, 'show-backup', 'pg17', 'x'), ['barman', '-c', '/etc/barman.d/pg17.conf', '-f', 'json', 'show-backup', 'pg17', 'x']);
    assert.deepEqual(barmanArgv({ barmanBin: '/opt/barman/bin/barman' }, 'list-backups', 'main'), ['/opt/barman/bin/barman', '-f', 'json', 'list-backups', 'main']);
  });

  it('first read: list, one show-backup each, check and status; chains and WAL', async () => {
    const runner = new FakeRunner(barman315);
    const s = await probeBarman(runner, { ...cfg, sudoUser: 'barman' }, null, { now: () => 42 });
    assert.equal(s.reachable, true);
    assert.equal(s.error, null);
    assert.deepEqual([s.source, s.name, s.where, s.at], ['barman', 'pg17', 'barman@backup1:2222', 42]);
    assert.equal(s.backups.length, 12);
    assert.equal(runner.calls.filter((c) => c.argv.includes('show-backup')).length, 12);
    assert.ok(runner.calls.every((c) => c.opts?.sudoUser === 'barman' && c.argv[0] === 'barman'));
    assert.equal(s.chains.length, 6);
    assert.equal(s.chains.filter((c) => c.broken).length, 3);
    assert.deepEqual(s.checks!.filter((c) => !c.ok).map((c) => c.name), ['archiver errors']);
    assert.deepEqual(s.wal, {
      lastArchivedWal: '000000010000000000000019', lastArchivedTime: 'Sun Nov 22 03:48:16 2026', failedCount: 0, walsPerHour: 718.86,
      receiveWalRunning: true, walStreaming: true, firstRecoverabilityPoint: null, // first_backup of the 3.4 status is not in this catalogue
    });
    const inc = s.backups.find((b) => b.id === '20260302T020000')!;
    assert.deepEqual([inc.parentId, inc.resourcesSavedBytes, inc.retentionStatus], ['20260301T020000', 1390 * 1024 * 1024, 'VALID']);
  });

  it('next read: show-backup only for new and unfinished backups', async () => {
    const first = await probeBarman(new FakeRunner(barman315), cfg, null);
    const runner = new FakeRunner(barman315);
    const s = await probeBarman(runner, cfg, first);
    const shown = runner.calls.filter((c) => c.argv.includes('show-backup')).map((c) => c.argv.at(-1)).sort();
    assert.deepEqual(shown, ['20260311T020000', '20260312T020000']);
    assert.deepEqual(s.backups, first.backups);
  });

  it('a backup gone from the list is gone; a new one is shown', async () => {
    const first = await probeBarman(new FakeRunner(barman315), cfg, null);
    const prev = { ...first, backups: first.backups.filter((b) => b.id !== '20260303T020000').concat({ ...first.backups[0], id: '20250101T000000' }) };
    const runner = new FakeRunner(barman315);
    const s = await probeBarman(runner, cfg, prev);
    assert.ok(runner.calls.some((c) => c.argv.at(-1) === '20260303T020000'));
    assert.ok(!s.backups.some((b) => b.id === '20250101T000000'));
  });

  it('first point of recoverability: end of the first backup barman names', async () => {
    const runner = new FakeRunner((argv) => {
      const cmd = argv[argv.indexOf('json') + 1];
      if (cmd === 'list-backups') return reply(fx('real-3.4-list-backups-json.json'));
      if (cmd === 'show-backup') return reply(fx('real-3.4-show-backup-latest-json.json').replace(/20261122T034654/g, argv.at(-1)!));
      if (cmd === 'check') return reply(fx('real-3.4-check-json.json'));
      return reply(fx('real-3.4-status-json.json'));
    });
    const s = await probeBarman(runner, { ssh, server: 'main' }, null);
    assert.equal(s.wal?.firstRecoverabilityPoint, '2026-11-22T03:46:59.103Z');
    assert.equal(s.backups.length, 2);
    // list-backups "-" does not overwrite show-backup's VALID
    assert.equal(s.backups[0].retentionStatus, 'VALID');
  });

  const failures: Array<[string, (argv: readonly string[]) => ReturnType<typeof reply> | Error, RegExp]> = [
    ['ssh failure', () => new SshError('refused', 'ssh barman@backup1:2222: connection refused'), /^ssh barman@backup1:2222: connection refused$/],
    ['barman missing', () => reply('', 127, fx('lab-3.4-command-not-found.stderr.txt').replace('barmanx', 'barman')), /^barman not found there \(`barman`\)/],
    ['wrong OS user', () => reply('', 1, fx('lab-3.4-list-backups-as-postgres.stderr.txt')), /log in as barman or set sudo_user: barman/],
    ['missing config', () => reply('', 1, fx('lab-3.4-list-backups-missing-config.stderr.txt')), /barman configuration \/nonexistent\.conf does not exist there/],
    ['unknown server', () => reply(fx('lab-3.4-list-backups-unknown-server.json').replace('nosuch', 'pg17'), 1), /^barman list-backups: Unknown server 'pg17'$/],
    ['malformed JSON', () => reply('{"pg17": [', 0), /^barman list-backups: output is not JSON/],
    ['sudo password', () => reply('', 1, 'sudo: a password is required\n'), /needs a password there/],
    ['permission denied', () => reply('', 1, "PermissionError: [Errno 13] Permission denied: '/var/lib/barman/pg17'\n"), /permission denied/],
    ['killed by timeout', () => reply('', null, ''), /barman list-backups failed \(exit \?\): no output/],
  ];
  for (const [name, script, want] of failures) {
    it(`${name} → reachable false, one line, previous backups kept, never a throw`, async () => {
      const first = await probeBarman(new FakeRunner(barman315), cfg, null);
      const s = await probeBarman(new FakeRunner(script), cfg, first, { now: () => 7 });
      assert.equal(s.reachable, false);
      assert.match(s.error!, want);
      assert.ok(!s.error!.includes('\n') && !/\bat .*\.ts:\d+/.test(s.error!));
      assert.equal(s.backups.length, 12);
      assert.equal(s.at, 7);
      const fresh = await probeBarman(new FakeRunner(script), cfg, null);
      assert.deepEqual([fresh.reachable, fresh.backups, fresh.chains, fresh.checks, fresh.wal], [false, [], [], null, null]);
    });
  }

  it('check failing alone: reachable, error names the command', async () => {
    const runner = new FakeRunner((argv) => (argv.includes('check') ? reply('', 1, 'boom\n') : barman315(argv)));
    const s = await probeBarman(runner, cfg, null);
    assert.equal(s.reachable, true);
    assert.equal(s.checks, null);
    assert.equal(s.error, 'barman check failed (exit 1): boom');
    assert.equal(s.wal?.receiveWalRunning, null);
  });

  it('after a failover barman still points at the dead old primary: streaming unknown, barman says why', async () => {
    // real 3.4 captures from the lab right after repmgrd promoted another node
    const runner = new FakeRunner((argv) =>
      argv.includes('replication-status') ? reply(asPg17(fx('real-3.4-replication-status-json-after-failover.json')))
      : argv.includes('check') ? reply(asPg17(fx('real-3.4-check-json-after-failover.json')), 1)
      : barman315(argv));
    const s = await probeBarman(runner, cfg, null);
    assert.equal(s.wal?.walStreaming, null);
    assert.match(s.error!, /barman replication-status: Unable to connect to server/);
  });

  it('replication-status failing alone: streaming unknown, the error names it', async () => {
    const runner = new FakeRunner((argv) => (argv.includes('replication-status') ? reply('', 1, 'ERROR: boom\n') : barman315(argv)));
    const s = await probeBarman(runner, cfg, null);
    assert.equal(s.reachable, true);
    assert.equal(s.wal?.walStreaming, null);
    assert.match(s.error!, /^barman replication-status failed \(exit 1\): boom/);
  });

  it('one show-backup failing: its list record stays, asked again next time', async () => {
    const bad = '20260301T020000';
    const runner = new FakeRunner((argv) => (argv.at(-1) === bad ? reply(fx('lab-3.4-show-backup-unknown-backup.json'), 1) : barman315(argv)));
    const s = await probeBarman(runner, cfg, null);
    assert.equal(s.reachable, true);
    assert.match(s.error!, /^barman show-backup: Unknown backup/);
    assert.equal(s.backups.find((b) => b.id === bad)!.beginTime, null);
    const again = new FakeRunner(barman315);
    await probeBarman(again, cfg, s);
    assert.ok(again.calls.some((c) => c.argv.at(-1) === bad));
  });
});

describe('barman version', () => {
  it('parses `barman -v` (real 3.4.0 capture) and asks it once per source', async () => {
    assert.equal(parseBarmanVersion(fx('real-3.4-version.txt')), '3.4.0');
    assert.equal(parseBarmanVersion('Barman by EnterpriseDB'), null);
    const withVersion = (argv: readonly string[]) => (argv.at(-1) === '-v' ? reply(fx('real-3.4-version.txt')) : barman315(argv));
    const runner = new FakeRunner(withVersion);
    const first = await probeBarman(runner, cfg, null);
    assert.equal(first.barmanVersion, '3.4.0');
    const again = new FakeRunner(withVersion);
    await probeBarman(again, cfg, first);
    assert.ok(!again.calls.some((c) => c.argv.at(-1) === '-v'), 'known version is not asked again');
  });
});
