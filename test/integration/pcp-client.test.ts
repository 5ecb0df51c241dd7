// PcpClient against the real lab: two pgpool-II 4.3.5 instances in one watchdog cluster over
// PostgreSQL 15 ×3 + repmgr. Needs root (labUp); if the lab cannot start, the suite FAILS. Own lab
// dir (PGTOP_HA_LAB_PCP_DIR, default /tmp/pgtop-ha-lab-pcp), built fresh and torn down.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { attachPgpoolNode, promotePgpoolNode } from '../../src/actions/pgpool-attach.ts';
import type { PgpoolConfig } from '../../src/config/schema.ts';
import { PcpClient, PcpError, detachNode, type PcpBackendInfo, type PcpErrorKind } from '../../src/probes/pgpool/pcp-client.ts';
import { PG_BIN, labDown, labUp, parsePoolNodes, runRaw, type LabInfo, type LabNode, type LabPgpool } from '../lab/lab.ts';
import { pcpTool, setAutoFailback, waitUntil } from '../lab/pgpool-tools.ts';

const DIR = process.env.PGTOP_HA_LAB_PCP_DIR ?? '/tmp/pgtop-ha-lab-pcp';
const logs: string[] = [];
let lab: LabInfo;
const clients: PcpClient[] = [];
const tmp = mkdtempSync(join(tmpdir(), 'pcp-itest-'));

function client(pp: LabPgpool, over: Partial<ConstructorParameters<typeof PcpClient>[0]> = {}): PcpClient {
  const c = new PcpClient({ host: '127.0.0.1', port: pp.pcpPort, user: pp.pcpUser, env: { PCPPASSFILE: pp.pcpPassFile }, timeoutMs: 15_000, ...over });
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

/**
 * SHOW pool_nodes through pgpool `pp`'s own port (psql as postgres, trust). Right after a detach
 * or attach pgpool's children restart and may drop a session that just arrived ("server closed
 * the connection unexpectedly"): such a failure is retried.
 */
async function poolNodes(pp: LabPgpool) {
  for (let attempt = 1; ; attempt++) {
    const r = await runRaw([`${PG_BIN}/psql`, '-X', '-A', '-t', '-h', '127.0.0.1', '-p', String(pp.port), '-U', 'postgres', '-d', 'postgres', '-c', 'SHOW pool_nodes'], { user: 'postgres', timeoutMs: 30_000 });
    if (r.code === 0) return parsePoolNodes(r.stdout);
    if (attempt >= 5 || !/server closed the connection|connection to server was lost|terminating connection/.test(r.stderr)) assert.equal(r.code, 0, r.stderr);
    await new Promise((res) => setTimeout(res, 300));
  }
}

/** The config entry the console would have for `pp`. */
const pgpoolCfg = (pp: LabPgpool, name: string): PgpoolConfig => ({
  name, conninfo: `host=127.0.0.1 port=${pp.port} dbname=postgres user=postgres`, pcp: { port: pp.pcpPort, user: pp.pcpUser },
});

/** `repmgr standby switchover --siblings-follow` run on `to`, as the console runs it: as postgres over the lab sshd. */
async function switchoverTo(to: LabNode): Promise<void> {
  const s = lab.sshd!;
  const r = await runRaw(['ssh', '-F', '/dev/null', '-i', s.clientKey, '-o', 'IdentitiesOnly=yes', '-o', `UserKnownHostsFile=${s.knownHosts}`, '-o', 'StrictHostKeyChecking=yes',
    '-p', String(s.port), 'postgres@127.0.0.1', `${PG_BIN}/repmgr -f ${to.repmgrConf} standby switchover --siblings-follow`], { timeoutMs: 180_000 });
  assert.match(r.stdout + r.stderr, /STANDBY SWITCHOVER has completed successfully/, r.stdout + r.stderr);
  const rec = await runRaw([`${PG_BIN}/psql`, '-X', '-A', '-t', '-h', '127.0.0.1', '-p', String(to.port), '-U', 'postgres', '-d', 'postgres', '-c', 'SELECT pg_is_in_recovery()'], { user: 'postgres', timeoutMs: 15_000 });
  assert.equal(rec.stdout.trim(), 'f', `${to.name} is primary for PostgreSQL`);
}

/** A write through pgpool `pp` (a fresh psql session; one cut off while pgpool restarts its children is retried). */
async function writeThrough(pp: LabPgpool): Promise<{ code: number | null; stderr: string }> {
  for (let attempt = 1; ; attempt++) {
    const r = await runRaw([`${PG_BIN}/psql`, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(pp.port), '-U', 'postgres', '-d', 'postgres',
      '-c', 'CREATE TABLE pcp_promote_probe (x int)', '-c', 'DROP TABLE pcp_promote_probe'], { user: 'postgres', timeoutMs: 30_000 });
    if (r.code === 0 || attempt >= 5 || !/server closed the connection|connection to server was lost|terminating connection/.test(r.stderr)) return r;
    await new Promise((res) => setTimeout(res, 300));
  }
}

/** A client session held open through pgpool `pp`, and when (ms after `t0()`) pgpool cut it. */
async function holdSession(pp: LabPgpool, t0: () => number): Promise<{ cutAt: () => number | null; end: () => Promise<void> }> {
  const c = new pg.Client({ host: '127.0.0.1', port: pp.port, user: 'postgres', database: 'postgres' });
  let cut: number | null = null;
  c.on('error', () => (cut ??= Date.now() - t0()));
  c.on('end', () => (cut ??= Date.now() - t0()));
  await c.connect();
  await c.query('SELECT 1');
  return { cutAt: () => cut, end: () => c.end().catch(() => undefined) };
}

const attachedStatus = (n: PcpBackendInfo) => n.status === 'up' || n.status === 'waiting';

describe('PcpClient on the lab (pgpool-II 4.3.5 ×2, watchdog)', { timeout: 480_000 }, () => {
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
  test('detach a standby, see it down, attach it again (detachNode, attachPgpoolNode), leader and watchdog standby', async () => {
    const pp = lab.pgpool!;
    const peer = lab.pgpoolPeer!;
    const env = { PCPPASSFILE: pp.pcpPassFile };
    await setAutoFailback(lab, false);
    try {
      const c = client(pp);
      const standby = (await c.allNodeInfo()).find((n) => n.role === 'standby' && n.status === 'up');
      assert.ok(standby, 'an attached standby');
      const id = standby.nodeId;
      const port = lab.nodes[id].port;

      // Through the leader: the native detach, then SHOW pool_nodes on both pgpools says down.
      const d = await c.detachNode(id);
      assert.equal(d.sent, true);
      assert.equal(d.before.status, 'up');
      for (const p of [pp, peer]) await waitUntil(`node ${id} down on ${p.port}`, async () => (await poolNodes(p))[id].status === 'down');
      assert.equal((await c.detachNode(id)).sent, false, 'already down: nothing sent');

      const r = await attachPgpoolNode(pgpoolCfg(pp, 'pgpool1'), id, { env });
      assert.equal(r.ok, true, r.message);
      assert.match(r.message, new RegExp(`^pgpool1: attached node ${id} \\(127\\.0\\.0\\.1:${port}\\): down → (up|waiting) in \\d+\\.\\d s$`));
      for (const p of [pp, peer]) await waitUntil(`node ${id} up/waiting on ${p.port}`, async () => ['up', 'waiting'].includes((await poolNodes(p))[id].status));

      const again = await attachPgpoolNode(pgpoolCfg(pp, 'pgpool1'), id, { env });
      assert.equal(again.ok, true, again.message);
      assert.match(again.message, new RegExp(`^pgpool1: node ${id} \\(127\\.0\\.0\\.1:${port}\\) is already attached \\((up|waiting)\\); nothing sent$`));

      // Detach with the real pcp_detach_node, attach through the watchdog STANDBY pgpool: it hands
      // the failback to the leader, and both show the node attached.
      const tool = await pcpTool(pp, 'pcp_detach_node', ['-n', String(id)]);
      assert.match(tool.stdout, /Command Successful/, tool.stdout + tool.stderr);
      for (const p of [pp, peer]) await waitUntil(`node ${id} down on ${p.port}`, async () => (await poolNodes(p))[id].status === 'down');
      const viaPeer = await attachPgpoolNode(pgpoolCfg(peer, 'pgpool2'), id, { env });
      assert.equal(viaPeer.ok, true, viaPeer.message);
      assert.match(viaPeer.message, new RegExp(`^pgpool2: attached node ${id} .*: down → (up|waiting)`));
      for (const p of [pp, peer]) await waitUntil(`node ${id} up/waiting on ${p.port}`, async () => ['up', 'waiting'].includes((await poolNodes(p))[id].status));

      // The one-shot export does the same and says goodbye (X): nothing is left open.
      await detachNode({ host: '127.0.0.1', port: pp.pcpPort, user: pp.pcpUser, env }, id);
      await waitUntil(`node ${id} down`, async () => (await poolNodes(pp))[id].status === 'down');
      const back = await attachPgpoolNode(pgpoolCfg(pp, 'pgpool1'), id, { env });
      assert.equal(back.ok, true, back.message);
    } finally {
      await setAutoFailback(lab, true);
    }
    const rows = await poolNodes(pp);
    assert.deepEqual(rows.map((r) => r.status === 'down'), [false, false, false], JSON.stringify(rows));
  });

  test('attach errors come back as one line in pgpool\'s words; nothing reaches pgpool for an unknown id', async () => {
    const pp = lab.pgpool!;
    const env = { PCPPASSFILE: pp.pcpPassFile };
    const cfg = pgpoolCfg(pp, 'pgpool1');
    const before = await client(pp).allNodeInfo();
    for (const id of [3, 7, 127, 128]) {
      const r = await attachPgpoolNode(cfg, id, { env });
      assert.equal(r.ok, false);
      assert.equal(r.message, `pgpool1: pgpool at 127.0.0.1:${pp.pcpPort} refused pcp_attach_node -n ${id}: informing node info failed: invalid node ID : ${id}`);
    }
    await rejectsWith(client(pp).attachNode(128), 'server', /^pgpool at 127\.0\.0\.1:\d+ refused pcp_attach_node -n 128: informing node info failed: invalid node ID : 128$/);
    await rejectsWith(client(pp).detachNode(9), 'server', /refused pcp_detach_node -n 9: informing node info failed: invalid node ID : 9$/);
    assert.deepEqual((await attachPgpoolNode(cfg, -1, { env })), { ok: false, message: 'pgpool1: node id must be a non-negative integer, got -1' });
    const noPcp = await attachPgpoolNode({ ...cfg, pcp: undefined }, 1, { env });
    assert.deepEqual(noPcp, { ok: false, message: 'pgpool1 has no pcp: in the configuration (attaching a node needs PCP: pcp: { port, user })' });
    const file = join(tmp, 'pcppass-wrong');
    writeFileSync(file, `127.0.0.1:${pp.pcpPort}:pcpadmin:wrong\n`, { mode: 0o600 });
    const wrong = await attachPgpoolNode(cfg, 1, { env: { PCPPASSFILE: file } });
    assert.equal(wrong.ok, false);
    assert.match(wrong.message, /^pgpool1: PCP authentication failed for user "pcpadmin" at 127\.0\.0\.1:\d+: /);
    for (const r of [noPcp, wrong]) assert.ok(!r.message.includes('\n') && !r.message.includes(pp.pcpPassword));
    // The attach of an unknown id never went out: same nodes, same status times, nothing marked.
    const after = await client(pp).allNodeInfo();
    assert.deepEqual(after.map((n) => [n.nodeId, n.status, n.statusChangedAt?.getTime()]), before.map((n) => [n.nodeId, n.status, n.statusChangedAt?.getTime()]));
    assert.doesNotMatch(readFileSync(pp.logFile, 'utf8'), /received failback request for node_id: (3|7|127|128) /);
  });

  test('an idle client does not hold up pgpool\'s PCP restart after a failback (idleCloseMs)', async () => {
    // pgpool restarts its PCP process after every failover/failback and waits for every open PCP
    // connection to end first; until then it accepts no PCP connection. A client kept open (as
    // the console's watchdog probe was) hangs every pcp_* tool; the default closes it after 1 s.
    const pp = lab.pgpool!;
    const env = { PCPPASSFILE: pp.pcpPassFile };
    await setAutoFailback(lab, false);
    const held = client(pp, { idleCloseMs: 60_000 });
    const idle = client(pp);
    try {
      await held.nodeCount();
      await idle.nodeCount();
      const id = 2;
      assert.match((await pcpTool(pp, 'pcp_detach_node', ['-n', String(id)])).stdout, /Command Successful/);
      await new Promise((r) => setTimeout(r, 2500));
      const hung = await pcpTool(pp, 'pcp_node_count', [], 3000);
      assert.notEqual(hung.code, 0, `pcp_node_count answered while a connection was held: ${hung.stdout}`);
      assert.equal((await held.nodeInfo(id)).status, 'down', 'the held connection itself is still served');
      await held.close();
      const t0 = Date.now();
      const ok = await pcpTool(pp, 'pcp_node_count', [], 10_000);
      assert.equal(ok.stdout.trim(), '3', ok.stdout + ok.stderr);
      assert.ok(Date.now() - t0 < 3000, `pcp_node_count took ${Date.now() - t0} ms`);
      assert.equal((await idle.nodeCount()), 3, 'the idle client reconnects on its next call');
      const r = await attachPgpoolNode(pgpoolCfg(pp, 'pgpool1'), id, { env });
      assert.equal(r.ok, true, r.message);
    } finally {
      await setAutoFailback(lab, true);
    }
  });
  test('a repmgr switchover pgpool does not notice: its stale primary, set right by promoteNode (leader) and promotePgpoolNode (watchdog peer)', async (t) => {
    const pp = lab.pgpool!;
    const peer = lab.pgpoolPeer!;
    const env = { PCPPASSFILE: pp.pcpPassFile };
    const pools = [pp, peer];
    // start: pgsql1 is pgpool's primary on both, every backend attached
    for (const p of pools) await waitUntil(`node 0 primary, all attached on ${p.port}`, async () => (await poolNodes(p)).every((r, i) => r.role === (i === 0 ? 'primary' : 'standby') && r.status !== 'down'), 30_000);

    // there to pgsql2 (node 1) with PcpClient.promoteNode on the leader, back to pgsql1 (node 0)
    // with promotePgpoolNode on the watchdog standby pgpool, which hands it to the leader
    for (const [to, from, via] of [[1, 0, pp], [0, 1, peer]] as const) {
      const target = lab.nodes[to];
      await switchoverTo(target);

      // pgpool's stale view: the old primary is still its primary (PostgreSQL says standby there)
      // and nothing was detached; writes through pgpool go to the read-only old primary
      for (const p of pools) {
        const rows = await poolNodes(p);
        assert.deepEqual([rows[from].role, rows[from].pg_role, rows[to].role, rows[to].pg_role], ['primary', 'standby', 'standby', 'primary'],
          `pgpool on ${p.port} after the switchover to ${target.name}: ${JSON.stringify(rows)}`);
        assert.ok(rows.every((r) => r.status === 'up'), JSON.stringify(rows));
      }
      const stale = await writeThrough(pp);
      assert.notEqual(stale.code, 0);
      assert.match(stale.stderr, /cannot execute CREATE TABLE in a read-only transaction/);

      let started = 0;
      const sessions = await Promise.all(pools.map((p) => holdSession(p, () => started)));
      const readers = pools.map((p) => client(p));
      started = Date.now();
      let replied: number;
      if (via === pp) {
        const r = await readers[0].promoteNode(to);
        replied = Date.now() - started;
        assert.deepEqual([r.sent, r.before.role, r.before.pgRole, r.before.status], [true, 'standby', 'primary', 'up']);
      } else {
        const r = await promotePgpoolNode(pgpoolCfg(peer, 'pgpool2'), to, { env, waitMs: 30_000 });
        replied = Date.now() - started;
        assert.equal(r.ok, true, r.message);
        assert.match(r.message, new RegExp(`^pgpool2: promoted node ${to} \\(127\\.0\\.0\\.1:${target.port}\\): role standby → role primary in \\d+\\.\\d s$`));
      }

      // What pgpool does, read over PCP on both pgpools until every backend is attached again.
      const seen: Record<string, number> = {};
      const mark = (what: string) => (seen[what] ??= Date.now() - started);
      await waitUntil(`both pgpools: node ${to} primary, every backend attached again`, async () => {
        let settled = true;
        for (const [i, c] of readers.entries()) {
          let nodes: PcpBackendInfo[];
          try {
            nodes = await c.allNodeInfo();
          } catch {
            settled = false; // pgpool restarting its PCP process
            continue;
          }
          if (nodes[to].role === 'primary') mark(`pgpool${i + 1} primary`);
          for (const n of nodes) if (n.nodeId !== to && n.status === 'down') mark(`pgpool${i + 1} node ${n.nodeId} down`);
          for (const n of nodes) if (n.nodeId !== to && n.status !== 'down' && seen[`pgpool${i + 1} node ${n.nodeId} down`] !== undefined) mark(`pgpool${i + 1} node ${n.nodeId} back`);
          if (!(nodes[to].role === 'primary' && nodes.every(attachedStatus))) settled = false;
        }
        return settled;
      }, 30_000);
      const cuts = sessions.map((x) => x.cutAt());
      await Promise.all(sessions.map((x) => x.end()));
      t.diagnostic(`to ${target.name} via ${via === pp ? 'leader (PcpClient.promoteNode)' : 'peer (promotePgpoolNode)'}: replied ${replied} ms; ${JSON.stringify(seen)}; sessions cut at ${JSON.stringify(cuts)} ms`);

      // pgpool dropped every client session (it restarts all its children), on both pgpools
      for (const [i, cut] of cuts.entries()) assert.ok(cut !== null && cut < 10_000, `session through pgpool${i + 1} cut: ${cut}`);
      // with 'n' pgpool detached every other backend ("follow degeneration"); auto_failback brought
      // them back (they stream from the new primary)
      for (const [i, n] of lab.nodes.entries()) if (i !== to) assert.ok(seen[`pgpool1 node ${i} down`] !== undefined, `node ${n.name} detached on pgpool1: ${JSON.stringify(seen)}`);
      for (const p of pools) {
        const rows = await poolNodes(p);
        assert.deepEqual(rows.map((r) => [r.role, r.pg_role]), lab.nodes.map((_, i) => (i === to ? ['primary', 'primary'] : ['standby', 'standby'])), JSON.stringify(rows));
      }
      const w = await writeThrough(pp);
      assert.equal(w.code, 0, w.stderr);
    }

    // pgpool1's primary is node 0 again: nothing to send
    const again = await promotePgpoolNode(pgpoolCfg(pp, 'pgpool1'), 0, { env });
    assert.deepEqual(again, { ok: true, message: `pgpool1: node 0 (127.0.0.1:${lab.nodes[0].port}) is already promoted (role primary); nothing sent` });
  });

  test('pgpool ignores a promote of a backend it has down and refuses one of its primary (FATAL): promoteNode sends neither', async () => {
    const pp = lab.pgpool!;
    const env = { PCPPASSFILE: pp.pcpPassFile };
    await setAutoFailback(lab, false);
    try {
      const id = 2;
      await detachNode({ host: '127.0.0.1', port: pp.pcpPort, user: pp.pcpUser, env }, id);
      await waitUntil(`node ${id} down`, async () => (await poolNodes(pp))[id].status === 'down');
      const logFrom = readFileSync(pp.logFile, 'utf8').length;
      const tool = await pcpTool(pp, 'pcp_promote_node', ['-n', String(id)]);
      assert.match(tool.stdout, /Command Successful/, 'pgpool answers CommandComplete');
      await waitUntil('pgpool logs it as invalid', async () => readFileSync(pp.logFile, 'utf8').slice(logFrom).includes(`invalid promote backend request, node id : ${id} status: [3] not valid`));
      await new Promise((r) => setTimeout(r, 1500));
      const rows = await poolNodes(pp);
      assert.deepEqual(rows.map((r) => [r.role, r.status === 'down']), [['primary', false], ['standby', false], ['standby', true]], 'and does nothing');
      await rejectsWith(client(pp).promoteNode(id), 'server', /^pgpool at 127\.0\.0\.1:\d+: not sending pcp_promote_node -n 2: node 2 is down there and pgpool promotes only an attached backend/);
      const down = await promotePgpoolNode(pgpoolCfg(pp, 'pgpool1'), id, { env });
      assert.equal(down.ok, false);
      assert.match(down.message, /^pgpool1: pgpool at .*: attach it first$/);

      // pgpool's own answer to a promote of its primary: FATAL, and the worker hangs up (the pcp
      // tools exit 0 whatever happened: only stderr tells)
      const primary = await pcpTool(pp, 'pcp_promote_node', ['-n', '0']);
      assert.doesNotMatch(primary.stdout, /Command Successful/);
      assert.match(primary.stderr, /specified node is already primary node, can't promote node id 0/);
      const c = client(pp);
      const r = await c.promoteNode(0);
      assert.deepEqual([r.sent, r.before.role], [false, 'primary']);
      assert.equal(await c.nodeCount(), 3);
      const back = await attachPgpoolNode(pgpoolCfg(pp, 'pgpool1'), id, { env });
      assert.equal(back.ok, true, back.message);
    } finally {
      await setAutoFailback(lab, true);
    }
  });
});
