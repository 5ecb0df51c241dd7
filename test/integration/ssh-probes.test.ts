// The SSH-side probes against the real lab: repmgr's CLI over the lab sshd as postgres, the VIP
// holder, and every failure a DBA will meet (wrong key, unknown / changed host key, sshd down,
// a silent port, repmgr or repmgr.conf missing), each one line and never an exception.
// Needs root (the lab runs PostgreSQL, sshd and the VIP). If the lab, its sshd or the VIP cannot
// start, the suite FAILS: the probes would otherwise be untested.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { probeRepmgrCli, type RepmgrCliNode, type RepmgrCliResult } from '../../src/probes/ssh/repmgr-cli.ts';
import { probeVip } from '../../src/probes/ssh/vip.ts';
import type { SshTarget } from '../../src/transport/ssh-config.ts';
import { SshPool } from '../../src/transport/ssh-pool.ts';
import { freeLoopbackPort } from '../lab/lab-sshd.ts';
import { vipPresent } from '../lab/lab-vip.ts';
import { labDown, labUp, runRaw, type LabInfo } from '../lab/lab.ts';

const DIR = '/tmp/pgtop-ha-lab-ssh';
const logs: string[] = [];
let lab: LabInfo;
let scratch: string;
const pools: SshPool[] = [];

/** A fresh pool per case: the pool keys connections by user@host:port and backs off after a failure. */
function pool(opts: ConstructorParameters<typeof SshPool>[0] = {}): SshPool {
  const p = new SshPool({ agent: false, backoffInitialMs: 50, backoffMaxMs: 200, connectTimeoutMs: 5_000, ...opts });
  pools.push(p);
  return p;
}

function target(over: Partial<Exclude<SshTarget, string>> = {}): SshTarget {
  const s = lab.sshd!;
  return { host: s.host, port: s.port, user: 'postgres', identity_file: s.clientKey, known_hosts: s.knownHosts, ...over };
}

function node1(over: Partial<RepmgrCliNode> = {}): RepmgrCliNode {
  return { name: 'pgsql1', ssh: target(), repmgrConfig: lab.nodes[0].repmgrConf, ...over };
}

/** Probes must resolve to ok:false with one line naming the node; returns the line. */
async function failure(p: Promise<RepmgrCliResult>): Promise<string> {
  const r = await p;
  assert.equal(r.ok, false, JSON.stringify(r));
  if (r.ok) throw new Error('unreachable');
  assert.doesNotMatch(r.error, /\n/);
  assert.match(r.error, /^pgsql1: /);
  return r.error;
}

describe('SSH-side probes on the lab', { timeout: 300_000 }, () => {
  before(
    async () => {
      lab = await labUp({ dir: DIR, fresh: true, layers: ['repmgr'], log: (m) => logs.push(m) });
      assert.ok(lab.sshd, 'lab.sshd recorded');
      assert.ok(lab.vip, 'lab.vip recorded');
      scratch = mkdtempSync(join(tmpdir(), 'pgtop-ssh-probes-'));
    },
    { timeout: 240_000 },
  );

  after(async () => {
    for (const p of pools) await p.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    await labDown({ dir: DIR, log: (m) => logs.push(m) });
  });

  describe('repmgr CLI as postgres', () => {
    test('service status and cluster show list the lab\'s 3 nodes', async () => {
      const r = await probeRepmgrCli(pool(), node1());
      assert.ok(r.ok, JSON.stringify(r));
      const names = lab.nodes.map((n) => n.name);
      assert.deepEqual(r.serviceStatus.map((s) => s.name), names);
      assert.deepEqual(r.clusterShow.map((c) => c.name), names);
      assert.deepEqual(r.serviceStatus.map((s) => [s.role, s.pgRunning, s.repmgrdRunning]), lab.nodes.map((n) => [n.initialRole, true, true]));
      assert.deepEqual(r.serviceStatus.map((s) => s.repmgrdPid), lab.nodes.map((n) => n.repmgrdPid));
      assert.deepEqual(r.clusterShow.map((c) => c.upstream?.name ?? null), [null, 'pgsql1', 'pgsql1']);
      assert.deepEqual(r.clusterShow.map((c) => c.status.state), ['running', 'running', 'running']);
      assert.deepEqual(r.warnings, []);
    });

    test('the lab sshd also takes barman, and nobody else', async () => {
      const p = pool();
      const r = await p.run(target({ user: 'barman' }), ['id', '-un']);
      assert.equal(r.stdout.trim(), 'barman');
      await assert.rejects(pool().run(target({ user: 'root' }), ['true']), /authentication failed/);
    });
  });

  describe('VIP', () => {
    test('exactly one holder, then none when the address goes away', async () => {
      const vip = lab.vip!;
      const s = await probeVip(pool(), vip);
      assert.deepEqual(s.holders, ['lab'], JSON.stringify(s));
      assert.equal(s.problem, null);
      assert.equal(s.hosts[0].iface, vip.label);
      // no systemd in the lab: pidof + the binary decide; keepalived is never running here
      assert.ok(s.hosts[0].keepalived === 'absent' || s.hosts[0].keepalived === 'inactive', String(s.hosts[0].keepalived));

      const del = await runRaw(['ip', 'addr', 'del', `${vip.address}/32`, 'dev', 'lo', 'label', vip.label]);
      assert.equal(del.code, 0, del.stderr);
      try {
        const gone = await probeVip(pool(), vip);
        assert.equal(gone.problem, 'none-holds', JSON.stringify(gone));
        assert.deepEqual(gone.hosts.map((h) => h.holds), [false]);
      } finally {
        await runRaw(['ip', 'addr', 'add', `${vip.address}/32`, 'dev', 'lo', 'label', vip.label]);
      }
      assert.ok(vipPresent(vip));
    });

    test('an unreachable host gets a one-line error; the verdict does not claim an outage', async () => {
      const closed = await freeLoopbackPort();
      const vip = { address: lab.vip!.address, hosts: [...lab.vip!.hosts, { name: 'ghost', ssh: target({ port: closed }) }] };
      const s = await probeVip(pool(), vip);
      assert.deepEqual(s.holders, ['lab']);
      assert.equal(s.problem, null);
      assert.equal(s.hosts[1].holds, null);
      assert.match(s.hosts[1].error!, /^ghost: ssh postgres@127\.0\.0\.1:\d+: connection refused/);
    });
  });

  describe('failures: one line each, never thrown', () => {
    test('wrong client key', async () => {
      const key = join(scratch, 'wrong_ed25519');
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'wrong', '-f', key]);
      const e = await failure(probeRepmgrCli(pool(), node1({ ssh: target({ identity_file: key }) })));
      assert.match(e, /authentication failed \(tried .*wrong_ed25519\)/);
    });

    test('unknown host key (empty known_hosts): fingerprint, --ssh-accept-new and ssh-keyscan', async () => {
      const kh = join(scratch, 'known_hosts_empty');
      writeFileSync(kh, '');
      const e = await failure(probeRepmgrCli(pool(), node1({ ssh: target({ known_hosts: kh }) })));
      const [type, blob] = lab.sshd!.hostKeyPub.split(/\s+/);
      const fp = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', '-'], { input: `${type} ${blob}\n` }).toString().split(/\s+/)[1];
      assert.ok(e.includes(fp), `${e} should show ${fp}`);
      assert.match(e, /host key not known/);
      assert.match(e, /--ssh-accept-new/);
      assert.ok(e.includes(`ssh-keyscan -p ${lab.sshd!.port} -t ssh-ed25519 127.0.0.1 >> ~/.ssh/known_hosts`), e);
    });

    test('changed host key (known_hosts holds another key)', async () => {
      const other = join(scratch, 'other_host_key');
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'other', '-f', other]);
      const [type, blob] = readFileSync(`${other}.pub`, 'utf8').trim().split(/\s+/);
      const kh = join(scratch, 'known_hosts_changed');
      writeFileSync(kh, `[127.0.0.1]:${lab.sshd!.port} ${type} ${blob}\n`);
      const e = await failure(probeRepmgrCli(pool(), node1({ ssh: target({ known_hosts: kh }) })));
      assert.match(e, /HOST KEY CHANGED/);
      assert.match(e, /ssh-keygen -R/);
    });

    test('sshd not listening (port closed)', async () => {
      const closed = await freeLoopbackPort();
      const e = await failure(probeRepmgrCli(pool(), node1({ ssh: target({ port: closed }) })));
      assert.match(e, /connection refused \(is sshd running on that port\?\)/);
    });

    test('a port that accepts and never speaks: timeout', async () => {
      const held: Socket[] = [];
      const silent: Server = createServer((s) => held.push(s));
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
      const port = (silent.address() as { port: number }).port;
      try {
        const e = await failure(probeRepmgrCli(pool({ connectTimeoutMs: 800 }), node1({ ssh: target({ port }) }), { timeoutMs: 1_500 }));
        assert.match(e, /timed out/);
      } finally {
        for (const s of held) s.destroy();
        await new Promise((r) => silent.close(r));
      }
    });

    test('repmgr not installed at the configured path', async () => {
      const e = await failure(probeRepmgrCli(pool(), node1(), { repmgrBin: '/usr/lib/postgresql/99/bin/repmgr' }));
      assert.equal(e, 'pgsql1: repmgr not found there (`/usr/lib/postgresql/99/bin/repmgr`): is repmgr installed on that host? (or give the full path to the binary)');
    });

    test('repmgr.conf missing', async () => {
      const e = await failure(probeRepmgrCli(pool(), node1({ repmgrConfig: `${DIR}/no-such-node/repmgr.conf` })));
      assert.equal(e, `pgsql1: repmgr.conf ${DIR}/no-such-node/repmgr.conf missing or unreadable there (No such file or directory); check repmgr_config`);
    });
  });
});
