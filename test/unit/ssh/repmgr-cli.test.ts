// repmgr CLI over SSH: argv, parsing through the repmgr parsers, and one DBA-readable line per
// failure, driven by outputs captured through the lab sshd (test/fixtures/ssh) and the repmgr
// captures (test/fixtures/repmgr).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { clusterShowArgv, DEFAULT_REPMGR_BIN, probeRepmgrCli, serviceStatusArgv, type RepmgrCliNode } from '../../../src/probes/ssh/repmgr-cli.ts';
import { SshError, SshHostKeyError, SshTimeoutError } from '../../../src/transport/ssh-errors.ts';
import { fixture } from '../repmgr/fixture.ts';
import { FakeRunner, captured, reply, type Script } from './fake-runner.ts';

const NODE: RepmgrCliNode = { name: 'pgsql1', ssh: 'postgres@db1', repmgrConfig: '/etc/repmgr/15/repmgr.conf' };

/** Replies by subcommand: service status --csv / cluster show. */
function byCommand(ss: ReturnType<Script>, cs: ReturnType<Script>): FakeRunner {
  return new FakeRunner((argv) => (argv.includes('service') ? ss : cs));
}

const healthy = () => byCommand(captured('repmgr-service-status-csv', 0), captured('repmgr-cluster-show', 0));

async function errorOf(r: FakeRunner, node: RepmgrCliNode = NODE, repmgrBin?: string): Promise<string> {
  const res = await probeRepmgrCli(r, node, { repmgrBin, now: () => 5 });
  assert.equal(res.ok, false, JSON.stringify(res));
  if (res.ok) throw new Error('unreachable');
  assert.equal(res.at, 5);
  assert.doesNotMatch(res.error, /\n/, 'one line');
  assert.doesNotMatch(res.error, /\bat .*\.ts:\d+/, 'no stack trace');
  return res.error;
}

describe('argv', () => {
  test('arrays, conf as its own element, default binary from PATH', () => {
    assert.equal(DEFAULT_REPMGR_BIN, 'repmgr');
    assert.deepEqual(serviceStatusArgv('/etc/repmgr.conf'), ['repmgr', '-f', '/etc/repmgr.conf', 'service', 'status', '--csv']);
    assert.deepEqual(clusterShowArgv("/x y/it's.conf", '/usr/lib/postgresql/15/bin/repmgr'), ['/usr/lib/postgresql/15/bin/repmgr', '-f', "/x y/it's.conf", 'cluster', 'show']);
  });
  test('runs with the node\'s sudo user and the default repmgr.conf when none is configured', async () => {
    const r = healthy();
    await probeRepmgrCli(r, { name: 'n', ssh: 'db1', sudoUser: 'postgres' });
    assert.equal(r.calls.length, 2);
    for (const c of r.calls) {
      assert.equal(c.opts?.sudoUser, 'postgres');
      assert.equal(c.argv[2], '/etc/repmgr.conf');
      assert.ok((c.opts?.timeoutMs ?? 0) > 0 && (c.opts?.maxOutputBytes ?? 0) > 0);
    }
  });
});

describe('healthy lab (captured over SSH)', () => {
  test('both commands parsed, no warnings', async () => {
    const res = await probeRepmgrCli(healthy(), NODE, { now: () => 7 });
    assert.ok(res.ok);
    assert.equal(res.at, 7);
    assert.deepEqual(res.serviceStatus.map((s) => [s.name, s.role, s.repmgrdRunning]), [['pgsql1', 'primary', true], ['pgsql2', 'standby', true], ['pgsql3', 'standby', true]]);
    assert.deepEqual(res.clusterShow.map((c) => [c.name, c.role, c.upstream?.name ?? null]), [['pgsql1', 'primary', null], ['pgsql2', 'standby', 'pgsql1'], ['pgsql3', 'standby', 'pgsql1']]);
    assert.deepEqual(res.warnings, []);
  });
  test('after a failover: cluster show exits 25 with the table; its issues become warnings', async () => {
    const r = byCommand(reply(fixture('repmgr-service-status-csv-after-failover.txt')), reply(fixture('repmgr-cluster-show-after-failover.txt'), 25, fixture('repmgr-cluster-show-after-failover.stderr.txt')));
    const res = await probeRepmgrCli(r, NODE);
    assert.ok(res.ok, JSON.stringify(res));
    assert.ok(res.warnings.length > 0);
    assert.ok(res.warnings.every((w) => w.length > 0));
  });
});

describe('one-line errors', () => {
  test('repmgr not installed: bash "command not found" / "No such file or directory", exit 127', async () => {
    const e1 = await errorOf(byCommand(captured('repmgr-bin-missing-name', 127), captured('repmgr-bin-missing-name', 127)), NODE, 'repmgr-not-installed');
    assert.equal(e1, 'pgsql1: repmgr not found there (`repmgr-not-installed`): is repmgr installed on that host? (or give the full path to the binary)');
    const e2 = await errorOf(byCommand(captured('repmgr-bin-missing-path', 127), captured('repmgr-bin-missing-path', 127)), NODE, '/usr/lib/postgresql/99/bin/repmgr');
    assert.match(e2, /^pgsql1: repmgr not found there \(`\/usr\/lib\/postgresql\/99\/bin\/repmgr`\)/);
  });
  test('dash and sudo wordings (not capturable here: dash is not a login shell, no sudo)', async () => {
    const dash = reply('', 127, 'sh: 1: repmgr: not found\n');
    assert.match(await errorOf(byCommand(dash, dash)), /repmgr not found there/);
    const sudo = reply('', 1, 'sudo: repmgr: command not found\n');
    assert.match(await errorOf(byCommand(sudo, sudo), { ...NODE, sudoUser: 'postgres' }), /repmgr not found there/);
    const pw = reply('', 1, 'sudo: a password is required\n');
    assert.equal(await errorOf(byCommand(pw, pw), { ...NODE, sudoUser: 'postgres' }), 'pgsql1: sudo -n -u postgres needs a password there; allow it without one (NOPASSWD) for repmgr');
  });
  test('repmgr.conf missing', async () => {
    const r = byCommand(captured('repmgr-conf-missing', 1), captured('repmgr-conf-missing', 1));
    assert.equal(await errorOf(r), 'pgsql1: repmgr.conf /etc/repmgr/15/repmgr.conf missing or unreadable there (No such file or directory); check repmgr_config');
  });
  test('repmgr.conf unreadable', async () => {
    const r = byCommand(captured('repmgr-conf-unreadable', 1), captured('repmgr-conf-unreadable', 1));
    assert.equal(await errorOf(r), 'pgsql1: repmgr.conf /etc/repmgr/15/repmgr.conf missing or unreadable there; check repmgr_config');
  });
  test('local node down: cluster show exits 6 with an ERROR and no table', async () => {
    const r = byCommand(reply(fixture('repmgr-service-status-csv.txt')), reply(fixture('repmgr-cluster-show-from-down-node1-after-failover.txt'), 6, fixture('repmgr-cluster-show-from-down-node1-after-failover.stderr.txt')));
    assert.match(await errorOf(r), /^pgsql1: `repmgr cluster show` failed \(exit 6\): \S/);
  });
  test('malformed output names the command', async () => {
    const e1 = await errorOf(byCommand(reply('this is not csv\n'), captured('repmgr-cluster-show', 0)));
    assert.match(e1, /^pgsql1: malformed output from `repmgr service status --csv`: line 1: expected 10 fields/);
    const e2 = await errorOf(byCommand(captured('repmgr-service-status-csv', 0), reply('ID | Name\nno rule here\n')));
    assert.match(e2, /^pgsql1: malformed output from `repmgr cluster show`: expected a "----\+----" rule/);
    const e3 = await errorOf(byCommand(captured('repmgr-service-status-csv', 0), reply('', 0)));
    assert.equal(e3, 'pgsql1: malformed output from `repmgr cluster show`: empty output');
  });
  test('transport failures: wrong key, refused, timeout, changed key — said once', async () => {
    const auth = new SshError('auth', 'ssh postgres@db1:22: authentication failed (tried /k/id_ed25519)');
    assert.equal(await errorOf(byCommand(auth, auth)), 'pgsql1: ssh postgres@db1:22: authentication failed (tried /k/id_ed25519)');
    const refused = new SshError('refused', 'ssh postgres@db1:22: connection refused (is sshd running on that port?)');
    assert.match(await errorOf(byCommand(refused, refused)), /connection refused/);
    const slow = new SshTimeoutError('ssh postgres@db1:22: command timed out after 15000 ms: repmgr -f x cluster show');
    assert.match(await errorOf(byCommand(captured('repmgr-service-status-csv', 0), slow)), /timed out/);
    const changed = new SshHostKeyError('changed', 'SHA256:abc', 'ssh postgres@db1:22: HOST KEY CHANGED — now ssh-ed25519 SHA256:abc, known_hosts has another key at /k:1; if the change is expected, remove that line (ssh-keygen -R) and reconnect');
    assert.match(await errorOf(byCommand(changed, changed)), /HOST KEY CHANGED/);
  });
  test('unknown host key: fingerprint and both ways to accept it', async () => {
    const unknown = new SshHostKeyError('unknown', 'SHA256:xyz', 'ssh postgres@db1:2222: host key not known (ssh-ed25519 SHA256:xyz); to trust it, run `ssh -p 2222 postgres@db1` once and accept the key, or start pgtop-ha with --ssh-accept-new');
    const e = await errorOf(byCommand(unknown, unknown));
    assert.match(e, /SHA256:xyz/);
    assert.match(e, /--ssh-accept-new/);
    assert.match(e, /`ssh-keyscan -p 2222 -t ssh-ed25519 db1 >> ~\/\.ssh\/known_hosts`/);
  });
  test('a node without ssh, and a runner that throws a plain Error', async () => {
    assert.match(await errorOf(healthy(), { name: 'n1' }), /^n1: no ssh target configured/);
    const boom = new Error('ssh target "x:0": bad port "0"\n    at resolve (ssh-config.ts:1:1)');
    assert.equal(await errorOf(byCommand(boom, boom)), 'pgsql1: ssh target "x:0": bad port "0"');
  });
});
