// VIP probe parsers on captured `ip -o addr`, `systemctl`, `pidof` outputs, and probeVip's
// verdicts (one holder, none, several, unreachable hosts) through a scripted runner.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { VipConfig } from '../../../src/config/schema.ts';
import { parseIpAddrShow, parsePidof, parseSystemctlIsActive, probeVip, sameAddress } from '../../../src/probes/ssh/vip.ts';
import { SshError } from '../../../src/transport/ssh-errors.ts';
import { HOSTILE } from '../transport/hostile-inputs.ts';
import { FakeRunner, captured, reply, sshFixture } from './fake-runner.ts';

describe('parseIpAddrShow', () => {
  test('the lab VIP with its keepalived-style label', () => {
    assert.deepEqual(parseIpAddrShow(sshFixture('ip-addr-show-to-vip-held.txt')), [
      { ifindex: 1, iface: 'lo', family: 'inet', address: '127.0.0.201', prefixLength: 32, label: 'lo:pgtopvip', scope: 'host' },
    ]);
  });
  test('not held: empty output', () => {
    assert.deepEqual(parseIpAddrShow(sshFixture('ip-addr-show-to-vip-not-held.txt')), []);
  });
  test('a plain address: the label is the interface, reported as null', () => {
    const [lo] = parseIpAddrShow(sshFixture('ip-addr-show-to-lo.txt'));
    assert.equal(lo.label, null);
    assert.equal(lo.prefixLength, 8);
    const [eth] = parseIpAddrShow(sshFixture('ip-addr-show-to-eth0.txt'));
    assert.deepEqual([eth.iface, eth.address, eth.label, eth.scope], ['eth0', '192.0.2.2', null, 'global']);
  });
  test('IPv6: no label, flags after the scope are not a label', () => {
    assert.deepEqual(parseIpAddrShow(sshFixture('ip-addr-show-to-ipv6-held.txt')), [
      { ifindex: 1, iface: 'lo', family: 'inet6', address: '::1', prefixLength: 128, label: null, scope: 'host' },
    ]);
    const [g] = parseIpAddrShow(sshFixture('ip-addr-show-to-ipv6-global.txt'));
    assert.deepEqual([g.iface, g.address, g.label, g.scope], ['eth0', 'fd00::2', null, 'global']);
  });
  test('veth names (eth0@if12) and secondary addresses (synthetic, in ip\'s -o layout)', () => {
    const out = '12: eth0@if13    inet 10.0.0.50/24 brd 10.0.0.255 scope global secondary eth0:vip\\       valid_lft forever preferred_lft forever\n';
    assert.deepEqual(parseIpAddrShow(out)[0], { ifindex: 12, iface: 'eth0', family: 'inet', address: '10.0.0.50', prefixLength: 24, label: 'eth0:vip', scope: 'global' });
  });
  test('garbage and error text yield no entries', () => {
    assert.deepEqual(parseIpAddrShow(sshFixture('ip-addr-show-bad-address.stderr.txt')), []);
    for (const h of HOSTILE) assert.deepEqual(parseIpAddrShow(h), []);
  });
  test('sameAddress normalises IPv6 spellings', () => {
    assert.ok(sameAddress('fd00::2', 'fd00:0:0:0:0:0:0:2'));
    assert.ok(sameAddress('FD00::0002', 'fd00::2'));
    assert.ok(!sameAddress('fd00::2', 'fd00::20'));
    assert.ok(sameAddress('127.0.0.201', '127.0.0.201'));
  });
});

describe('keepalived state', () => {
  test('no systemd (captured in this container): fall back', () => {
    assert.equal(parseSystemctlIsActive(captured('systemctl-is-active-over-ssh', 1)), 'no-systemd');
    assert.equal(parseSystemctlIsActive(reply('', 127, 'bash: line 1: systemctl: command not found\n')), 'no-systemd');
  });
  test('systemd hosts (documented words, not captured here)', () => {
    assert.equal(parseSystemctlIsActive(reply('active\n', 0)), 'active');
    assert.equal(parseSystemctlIsActive(reply('inactive\n', 3)), 'inactive');
    assert.equal(parseSystemctlIsActive(reply('failed\n', 3)), 'failed');
    assert.equal(parseSystemctlIsActive(reply('activating\n', 3)), 'unknown');
  });
  test('pidof', () => {
    assert.deepEqual(parsePidof(captured('pidof-keepalived-over-ssh', 1)), []);
    const pids = parsePidof(reply(sshFixture('pidof-running.txt'), 0));
    assert.ok(pids && pids.length > 1 && pids.every((p) => Number.isInteger(p) && p > 0));
    assert.equal(parsePidof(reply('', 127, 'bash: line 1: pidof: command not found')), null);
  });
});

const VIP: VipConfig = { address: '127.0.0.201', hosts: [{ name: 'db1', ssh: 'postgres@db1' }, { name: 'db2', ssh: 'postgres@db2' }] };

/** Each host: whether it holds the VIP, what systemctl says; `down` hosts refuse SSH. */
function cluster(hosts: Record<string, { holds: boolean; systemctl?: 'no-systemd' | string; keepalivedRunning?: boolean; installed?: boolean } | 'down'>): FakeRunner {
  return new FakeRunner((argv, target) => {
    const name = String(target).replace('postgres@', '');
    const h = hosts[name];
    if (h === 'down') return new SshError('refused', `ssh postgres@${name}:22: connection refused (is sshd running on that port?)`);
    const cmd = argv.join(' ');
    if (cmd === 'ip -o addr show to 127.0.0.201') return h.holds ? captured('ip-addr-show-to-vip-held', 0) : captured('ip-addr-show-to-vip-not-held', 0);
    if (cmd === 'systemctl is-active keepalived') return h.systemctl === undefined || h.systemctl === 'no-systemd' ? captured('systemctl-is-active-over-ssh', 1) : reply(`${h.systemctl}\n`, h.systemctl === 'active' ? 0 : 3);
    if (cmd === 'pidof keepalived') return h.keepalivedRunning ? reply('4242 4241\n', 0) : captured('pidof-keepalived-over-ssh', 1);
    if (cmd === 'test -e /usr/sbin/keepalived') return reply('', h.installed === false ? 1 : 0);
    return new Error(`unexpected argv ${JSON.stringify(argv)}`);
  });
}

describe('probeVip', () => {
  test('exactly one holder; keepalived from pidof when there is no systemd', async () => {
    const r = cluster({ db1: { holds: true, keepalivedRunning: true }, db2: { holds: false, keepalivedRunning: true } });
    const s = await probeVip(r, VIP, { now: () => 1234 });
    assert.deepEqual(s, {
      address: '127.0.0.201',
      at: 1234,
      holders: ['db1'],
      problem: null,
      hosts: [
        { name: 'db1', holds: true, iface: 'lo:pgtopvip', keepalived: 'active', error: null },
        { name: 'db2', holds: false, iface: null, keepalived: 'active', error: null },
      ],
    });
    // the address is one argv element, never spliced into a string
    assert.ok(r.calls.some((c) => c.argv.length === 6 && c.argv[5] === '127.0.0.201'));
  });
  test('none holds: outage, with keepalived stopped / not installed', async () => {
    const s = await probeVip(cluster({ db1: { holds: false, systemctl: 'inactive' }, db2: { holds: false, systemctl: 'inactive', installed: false } }), VIP);
    assert.equal(s.problem, 'none-holds');
    assert.deepEqual(s.holders, []);
    assert.deepEqual(s.hosts.map((h) => h.keepalived), ['inactive', 'absent']);
  });
  test('several hold: split brain', async () => {
    const s = await probeVip(cluster({ db1: { holds: true, systemctl: 'active' }, db2: { holds: true, systemctl: 'failed' } }), VIP);
    assert.equal(s.problem, 'several-hold');
    assert.deepEqual(s.holders, ['db1', 'db2']);
    assert.deepEqual(s.hosts.map((h) => h.keepalived), ['active', 'failed']);
  });
  test('an unreachable host: holds null, one-line error, and no "none-holds" verdict', async () => {
    const s = await probeVip(cluster({ db1: { holds: false }, db2: 'down' }), VIP);
    assert.equal(s.problem, null);
    assert.deepEqual(s.hosts[1], { name: 'db2', holds: null, iface: null, keepalived: null, error: 'db2: ssh postgres@db2:22: connection refused (is sshd running on that port?)' });
  });
  test('ip failing on the host is reported, not thrown', async () => {
    const r = new FakeRunner((argv) => (argv[0] === 'ip' ? captured('ip-addr-show-bad-address', 1) : reply('active\n', 0)));
    const s = await probeVip(r, { address: '127.0.0.201', hosts: [{ name: 'db1', ssh: 'db1' }] });
    assert.equal(s.hosts[0].holds, null);
    assert.match(s.hosts[0].error!, /^db1: `ip -o addr show to 127\.0\.0\.201` failed \(exit 1\): Error: any valid prefix/);
    assert.equal(s.problem, null);
  });
});
