// PcpClient against the real lab: two pgpool-II 4.3.5 instances in one watchdog cluster over
// PostgreSQL 15 ×3 + repmgr. Needs root (labUp); if the lab cannot start, the suite FAILS.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PcpClient, PcpError, type PcpErrorKind } from '../../src/probes/pgpool/pcp-client.ts';
import { PG_BIN, labDown, labUp, parsePoolNodes, runRaw, type LabInfo, type LabPgpool } from '../lab/lab.ts';

const DIR = '/tmp/pgtop-ha-lab-pcp';
const logs: string[] = [];
let lab: LabInfo;
const clients: PcpClient[] = [];
const tmp = mkdtempSync(join(tmpdir(), 'pcp-itest-'));

function client(pp: LabPgpool, over: Partial<ConstructorParameters<typeof PcpClient>[0]> = {}): PcpClient {
  const c = new PcpClient({ host: '127.0.0.1', port: pp.pcpPort, user: pp.pcpUser, env: { PCPPASSFILE: pp.pcpPassFile }, timeoutMs: 5000, ...over });
  clients.push(c);
  return c;
}

async function rejectsWith(p: Promise<unknown>, kind: PcpErrorKind, re: RegExp): Promise<void> {
  let caught: unknown;
  await p.catch((e: unknown) => (caught = e));
  assert.ok(caught instanceof PcpError, `expected PcpError, got ${String(caught)}`);
  assert.equal(caught.kind, kind, caught.message);
  assert.match(caught.message, re);
  assert.ok(!caught.message.includes(lab.pgpool!.pcpPassword), 'no password in the message');
}

describe('PcpClient on the lab (pgpool-II 4.3.5 ×2, watchdog)', { timeout: 300_000 }, () => {
  before(async () => {
    lab = await labUp({ dir: DIR, fresh: true, layers: ['repmgr', 'pgpool'], log: (m) => logs.push(m) });
  }, { timeout: 240_000 });

  after(async () => {
    for (const c of clients) await c.close();
    rmSync(tmp, { recursive: true, force: true });
    await labDown({ dir: DIR, log: (m) => logs.push(m) });
  });

  test('login, node count and node info match SHOW pool_nodes', async () => {
    const pp = lab.pgpool!;
    const r = await runRaw([`${PG_BIN}/psql`, '-X', '-A', '-t', '-h', '127.0.0.1', '-p', String(pp.port), '-U', 'postgres', '-d', 'postgres', '-c', 'SHOW pool_nodes'], { user: 'postgres', timeoutMs: 30_000 });
    assert.equal(r.code, 0, r.stderr);
    const rows = parsePoolNodes(r.stdout);
    const c = client(pp);
    assert.equal(await c.nodeCount(), rows.length);
    const all = await c.allNodeInfo();
    assert.deepEqual(
      all.map((n) => [String(n.nodeId), String(n.port), n.status, n.pgStatus, n.role, n.pgRole, n.replicationState ?? '']),
      rows.map((row) => [row.node_id, row.port, row.status, row.pg_status, row.role, row.pg_role, row.replication_state]),
    );
    assert.deepEqual(all.map((n) => n.port), lab.nodes.map((n) => n.port));
    const one = await c.nodeInfo(1);
    assert.equal(one.port, lab.nodes[1].port);
    assert.equal(one.role, 'standby');
    assert.ok(Math.abs(one.weight - 1 / 3) < 1e-6, `weight ${one.weight}`);
    await rejectsWith(c.nodeInfo(7), 'server', /invalid node ID : 7/);
    assert.equal(await c.nodeCount(), 3, 'the connection survives an ERROR reply');
  });

  test('watchdog info from both pgpools: the two lab nodes, one leader, quorum', async () => {
    const pools = [lab.pgpool!, lab.pgpoolPeer!];
    for (const [i, pp] of pools.entries()) {
      const w = await client(pp).watchdogInfo();
      assert.equal(w.totalNodes, 2);
      assert.equal(w.quorumState, 'QUORUM EXIST');
      assert.equal(w.nodes[0].pgpoolPort, pp.port, 'the asked node comes first');
      assert.deepEqual(w.nodes.map((n) => [n.pgpoolNodeId, n.pgpoolPort, n.watchdogPort, n.membership, n.delegateIp]).sort(),
        pools.map((p) => [p.wdNodeId, p.port, p.wdPort, 'MEMBER', null]).sort());
      const leaders = w.nodes.filter((n) => n.state === 'LEADER');
      assert.equal(leaders.length, 1, JSON.stringify(w.nodes));
      assert.equal(w.nodes.filter((n) => n.state === 'STANDBY').length, 1);
      assert.equal(w.leaderNodeName, leaders[0].nodeName);
      assert.equal(w.localNodeEscalation, w.nodes[0].state === 'LEADER', `asked pgpool ${i}`);
    }
  });

  test('wrong password → auth', async () => {
    await rejectsWith(client(lab.pgpool!, { password: 'not-the-password' }).nodeCount(), 'auth', /PCP authentication failed for user "pcpadmin"/);
    await rejectsWith(client(lab.pgpool!, { user: 'nobody', password: 'x' }).nodeCount(), 'auth', /user "nobody"/);
  });

  test('no .pcppass entry → no-password, naming the file and the line to add', async () => {
    const file = join(tmp, 'pcppass');
    writeFileSync(file, `127.0.0.1:1:pcpadmin:${lab.pgpool!.pcpPassword}\n`);
    chmodSync(file, 0o600);
    const pp = lab.pgpool!;
    await rejectsWith(client(pp, { env: { PCPPASSFILE: file } }).nodeCount(), 'no-password',
      new RegExp(`no line in ${file} matches 127\\.0\\.0\\.1:${pp.pcpPort}:pcpadmin; add the line "127\\.0\\.0\\.1:${pp.pcpPort}:pcpadmin:<password>"`));
  });

  test('PCP port closed → refused', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    await rejectsWith(client(lab.pgpool!, { port, password: 'x' }).nodeCount(), 'refused', new RegExp(`connection refused by 127\\.0\\.0\\.1:${port}`));
  });
});
