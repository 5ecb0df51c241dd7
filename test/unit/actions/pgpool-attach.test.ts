// attachPgpoolNode and PcpClient.attachNode / detachNode against a small fake PCP server that
// behaves as pgpool 4.3.5 did on the lab (test/integration/pcp-client.test.ts has the real one):
// node info first, the request only when the node is not already in the asked state, the status
// changing after the reply, an unknown id refused with pgpool's words, and the connection closed
// as soon as the client is idle.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { attachCommandLine, attachPgpoolNode, pcpClientOptions, promoteCommandLine, promotePgpoolNode } from '../../../src/actions/pgpool-attach.ts';
import type { PgpoolConfig } from '../../../src/config/schema.ts';
import { FrameReader, PcpClient, PcpError, attachNode, cstrings, encodeFrame, pcpMd5, promoteNode, splitCStrings } from '../../../src/probes/pgpool/pcp-client.ts';

const PASSWORD = 'fake-pass-123';
const SALT = Buffer.from([9, 8, 7, 6]);
const UP = '2';
const WAITING = '1';
const DOWN = '3';

/** Backend status codes by node id; 3 nodes as in the lab. */
let status: string[] = [];
/** What the fake does with an attach: apply it after `delayMs`, never, or hang up without a reply. */
let onAttach: 'apply' | 'ignore' | 'hang-up' = 'apply';
let delayMs = 30;
let pgStatus = 'up';
/** The backend pgpool takes for its primary (pcp_promote_node changes it). */
let primaryId = 0;
/** The backend PostgreSQL says is primary (pg_role): after a switchover pgpool did not notice, not primaryId. */
let pgPrimaryId = 0;
/** Simulates a promote that races pgpool's own change: node info says standby, the promote finds it primary. */
let promoteFindsPrimary = false;
/** pgpool answers a promote but its role never moves. */
let promoteIgnored = false;
let received: string[] = [];
/** Raw promote frames ('J'/'j'), as sent. */
let promoteFrames: Buffer[] = [];
let open = 0;

const nodeInfo = (id: number) =>
  ['127.0.0.1', String(5432 + id), status[id], '0', pgStatus, '715827882.333333', id === primaryId ? '2' : '3', id === pgPrimaryId ? 'primary' : 'standby', '0', '', '', '1763790000'];
const error = (message: string, detail: string) => encodeFrame('E', cstrings('SERROR', 'CXX000', `M${message}`, `D${detail}`, ''));

function serve(sock: Socket): void {
  open++;
  sock.on('close', () => open--);
  sock.on('error', () => undefined);
  const reader = new FrameReader();
  sock.on('data', (chunk: Buffer) => {
    const frames = reader.push(chunk);
    // the raw bytes of a promote request (one frame per write from the client)
    if (frames.length === 1 && (frames[0]!.type === 'J' || frames[0]!.type === 'j')) promoteFrames.push(chunk);
    for (const f of frames) {
      const [arg] = splitCStrings(f.payload);
      received.push(f.type === 'M' || f.type === 'R' || f.type === 'X' ? f.type : `${f.type}${arg}`);
      if (f.type === 'M') sock.write(encodeFrame('m', SALT));
      else if (f.type === 'R') {
        const [user, hash] = splitCStrings(f.payload);
        if (hash === pcpMd5(PASSWORD, user, SALT)) sock.write(encodeFrame('r', cstrings('AuthenticationOK')));
        else sock.end(encodeFrame('E', cstrings('SFATAL', 'Mauthentication failed for user "pcpadmin"', 'Dusername and/or password does not match', '')));
      } else if (f.type === 'I') {
        const id = Number(arg);
        // pcp_worker.c inform_node_info: errmsg / errdetail for an id pgpool has no backend for.
        if (!(id in status)) sock.write(error('informing node info failed', `invalid node ID : ${arg}`));
        else {
          sock.write(encodeFrame('i', cstrings('ArraySize', '1')));
          sock.write(encodeFrame('i', cstrings('NodeInfo', ...nodeInfo(id))));
          sock.write(encodeFrame('i', cstrings('CommandComplete')));
        }
      } else if (f.type === 'C' || f.type === 'D') {
        const id = Number(arg);
        if (f.type === 'C' && onAttach === 'hang-up') {
          setTimeout(() => (status[id] = WAITING), delayMs);
          sock.destroy();
          continue;
        }
        if (f.type === 'D' || onAttach === 'apply') setTimeout(() => (status[id] = f.type === 'C' ? WAITING : DOWN), delayMs);
        sock.write(encodeFrame(f.type === 'C' ? 'c' : 'd', cstrings('CommandComplete')));
      } else if (f.type === 'J' || f.type === 'j') {
        // pcp.c _pcp_promote_node: "<id> "\0 then the option byte ('n' or 's'); pcp_worker.c
        // process_promote_node: FATAL (and the worker exits) for pgpool's primary; a backend it has
        // down is answered CommandComplete and ignored (promote_backend only logs it).
        const option = String.fromCharCode(f.payload[f.payload.length - 1]!);
        const id = Number(arg);
        received[received.length - 1] = `${f.type}${arg!.trim()}${option}`;
        if (id === primaryId || promoteFindsPrimary) {
          sock.end(encodeFrame('E', cstrings('SFATAL', 'Minvalid promote request', `Dspecified node is already primary node, can't promote node id ${id}`, '')));
          continue;
        }
        if (status[id] !== DOWN && !promoteIgnored) setTimeout(() => (primaryId = id), delayMs);
        sock.write(encodeFrame('d', cstrings('CommandComplete')));
      } else if (f.type === 'X') sock.end();
    }
  });
}

let server: Server;
let port = 0;
before(async () => {
  server = createServer(serve);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
after(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(async () => {
  await settle();
  status = [UP, DOWN, UP];
  onAttach = 'apply';
  delayMs = 30;
  pgStatus = 'up';
  primaryId = 0;
  pgPrimaryId = 0;
  promoteFindsPrimary = false;
  promoteIgnored = false;
  received = [];
  promoteFrames = [];
});

const cfg = (over: Partial<PgpoolConfig> = {}): PgpoolConfig => ({
  name: 'pgpool1', conninfo: 'host=127.0.0.1 port=9999 dbname=postgres user=pgtop_ha', pcp: { port, user: 'pcpadmin' }, ...over,
});
/** The password as a .pcppass gives it: attachPgpoolNode takes no password, only env/home. */
const passDir = mkdtempSync(join(tmpdir(), 'pgpool-attach-'));
const passFile = join(passDir, 'pcppass');
writeFileSync(passFile, `127.0.0.1:*:pcpadmin:${PASSWORD}\n`, { mode: 0o600 });
after(() => rmSync(passDir, { recursive: true, force: true }));
const opts = () => ({ env: { PCPPASSFILE: passFile }, pollMs: 20, waitMs: 1000 });
const settle = async () => {
  for (let i = 0; i < 100 && open > 0; i++) await new Promise((r) => setTimeout(r, 10));
};

describe('promotePgpoolNode', () => {
  test('pgpool kept the old primary after a switchover: J "2 "\\0 n, then the role read back until primary', async () => {
    pgPrimaryId = 2;
    const r = await promotePgpoolNode(cfg(), 2, opts());
    assert.equal(r.ok, true, r.message);
    assert.match(r.message, /^pgpool1: promoted node 2 \(127\.0\.0\.1:5434\): role standby → role primary in \d+\.\d s$/);
    assert.deepEqual(received.slice(0, 4), ['M', 'R', 'I2', 'J2n']);
    assert.ok(received.filter((x) => x === 'I2').length >= 2, 'read back after the request');
    // pcp.c: 'J', int32 length = 4 + payload, "2 " NUL, the option byte
    assert.deepEqual(promoteFrames, [Buffer.from([0x4a, 0, 0, 0, 8, 0x32, 0x20, 0, 0x6e])]);
    assert.equal(promoteCommandLine(cfg(), 2), `pcp_promote_node -h 127.0.0.1 -p ${port} -U pcpadmin -w -n 2`);
    await settle();
    assert.equal(open, 0, 'the client closed every connection');
  });

  test('switchover: option byte s, and -s in the command line', async () => {
    pgPrimaryId = 1;
    const r = await promotePgpoolNode(cfg(), 1, { ...opts(), switchover: true });
    assert.equal(r.ok, false, 'node 1 is down: refused');
    status[1] = UP;
    const ok = await promotePgpoolNode(cfg(), 1, { ...opts(), switchover: true });
    assert.equal(ok.ok, true, ok.message);
    assert.ok(received.includes('J1s'), received.join(' '));
    assert.equal(promoteCommandLine(cfg(), 1, { switchover: true }), `pcp_promote_node -h 127.0.0.1 -p ${port} -U pcpadmin -w -n 1 -s`);
    assert.equal(promoteCommandLine(cfg({ pcp: undefined }), 1), 'pcp_promote_node -n 1');
  });

  test('already pgpool\'s primary: nothing sent', async () => {
    const r = await promotePgpoolNode(cfg(), 0, opts());
    assert.deepEqual(r, { ok: true, message: 'pgpool1: node 0 (127.0.0.1:5432) is already promoted (role primary); nothing sent' });
    assert.ok(!received.some((x) => x.startsWith('J')));
  });

  test('a backend pgpool has down is refused before anything is sent (pgpool would ignore it)', async () => {
    pgPrimaryId = 1;
    const r = await promotePgpoolNode(cfg(), 1, opts());
    assert.deepEqual(r, {
      ok: false,
      message: `pgpool1: pgpool at 127.0.0.1:${port}: not sending pcp_promote_node -n 1: node 1 is down there and pgpool promotes only an attached backend (it would answer and do nothing): attach it first`,
    });
    assert.ok(!received.some((x) => x.startsWith('J')));
    assert.equal(primaryId, 0);
  });

  test('a node PostgreSQL calls standby: promoted, with a warning', async () => {
    const r = await promotePgpoolNode(cfg(), 2, opts());
    assert.equal(r.ok, true, r.message);
    assert.match(r.message, /: role standby → role primary in \d+\.\d s; but PostgreSQL there is a standby \(pg_role\): writes through pgpool will fail$/);
  });

  test('unknown id: pgpool\'s words, nothing sent', async () => {
    const r = await promotePgpoolNode(cfg(), 5, opts());
    assert.deepEqual(r, { ok: false, message: `pgpool1: pgpool at 127.0.0.1:${port} refused pcp_promote_node -n 5: informing node info failed: invalid node ID : 5` });
    assert.ok(!received.some((x) => x.startsWith('J')));
  });

  test('pgpool accepts but the role does not move: ok false, says so', async () => {
    promoteIgnored = true;
    const r = await promotePgpoolNode(cfg(), 2, { ...opts(), waitMs: 150 });
    assert.equal(r.ok, false);
    assert.match(r.message, /^pgpool1: asked to promote node 2 \(127\.0\.0\.1:5434\), but after \d+\.\d s it is still role standby; see pgpool's log$/);
  });
});

describe('PcpClient.promoteNode', () => {
  const client = () => new PcpClient({ host: '127.0.0.1', port, user: 'pcpadmin', password: PASSWORD, timeoutMs: 1000 });

  test('gracefully: j; the result carries the node as it was; the one-shot says goodbye', async () => {
    const c = client();
    const r = await c.promoteNode(2, { gracefully: true });
    assert.deepEqual([r.nodeId, r.sent, r.before.role, r.before.status], [2, true, 'standby', 'up']);
    await c.close();
    assert.deepEqual(promoteFrames, [Buffer.from([0x6a, 0, 0, 0, 8, 0x32, 0x20, 0, 0x6e])]);
    await new Promise((res) => setTimeout(res, 2 * delayMs));
    const again = await promoteNode({ host: '127.0.0.1', port, user: 'pcpadmin', password: PASSWORD }, 2, { switchover: true });
    assert.equal(again.sent, false, 'now pgpool\'s primary');
    await settle();
    assert.deepEqual(received.filter((x) => x !== 'M' && x !== 'R'), ['I2', 'j2n', 'X', 'I2', 'X']);
  });

  test('a FATAL reply (pgpool hangs up) drops the connection; the next call reconnects', async () => {
    const c = client();
    promoteFindsPrimary = true;
    await assert.rejects(c.promoteNode(2), (e: unknown) =>
      e instanceof PcpError && e.kind === 'server' && e.message === `pgpool at 127.0.0.1:${port} refused pcp_promote_node -n 2: invalid promote request: specified node is already primary node, can't promote node id 2`);
    assert.equal((await c.nodeInfo(2)).port, 5434);
    assert.equal(received.filter((x) => x === 'M').length, 2, 'a new connection after the FATAL');
    await c.close();
  });

  test('a bad id never reaches pgpool', async () => {
    await assert.rejects(client().promoteNode(-1), (e: unknown) => e instanceof PcpError && /node id must be a non-negative integer, got -1/.test(e.message));
    assert.deepEqual(received, []);
  });
});

describe('attachPgpoolNode', () => {
  test('down → attached: node info, then C; read back until waiting; nothing left open', async () => {
    const r = await attachPgpoolNode(cfg(), 1, opts());
    assert.equal(r.ok, true, r.message);
    assert.match(r.message, /^pgpool1: attached node 1 \(127\.0\.0\.1:5433\): down → waiting in \d+\.\d s$/);
    assert.deepEqual(received.slice(0, 4), ['M', 'R', 'I1', 'C1']);
    assert.ok(received.filter((x) => x === 'I1').length >= 2, 'read back after the request');
    await settle();
    assert.equal(open, 0, 'the client closed every connection');
  });

  test('already up: nothing sent', async () => {
    const r = await attachPgpoolNode(cfg(), 2, opts());
    assert.deepEqual(r, { ok: true, message: 'pgpool1: node 2 (127.0.0.1:5434) is already attached (up); nothing sent' });
    assert.ok(!received.some((x) => x.startsWith('C')));
  });

  test('unknown id: pgpool\'s message, and no attach request goes out', async () => {
    const r = await attachPgpoolNode(cfg(), 7, opts());
    assert.deepEqual(r, { ok: false, message: `pgpool1: pgpool at 127.0.0.1:${port} refused pcp_attach_node -n 7: informing node info failed: invalid node ID : 7` });
    assert.ok(!received.some((x) => x.startsWith('C')));
  });

  test('pgpool accepts but the node stays down: ok false, says so', async () => {
    onAttach = 'ignore';
    const r = await attachPgpoolNode(cfg(), 1, { ...opts(), waitMs: 150 });
    assert.equal(r.ok, false);
    assert.match(r.message, /^pgpool1: asked to attach node 1 \(127\.0\.0\.1:5433\), but after \d+\.\d s it is still down; see pgpool's log$/);
  });

  test('reply cut off after the request: the node\'s status decides', async () => {
    onAttach = 'hang-up';
    const r = await attachPgpoolNode(cfg(), 1, opts());
    assert.equal(r.ok, true, r.message);
    assert.match(r.message, /^pgpool1: attached node 1 \(127\.0\.0\.1:5433\): waiting in/);
  });

  test('PostgreSQL down behind the node: attached, with a warning', async () => {
    pgStatus = 'down';
    const r = await attachPgpoolNode(cfg(), 1, opts());
    assert.equal(r.ok, true);
    assert.match(r.message, /; but PostgreSQL there is down \(pg_status\), pgpool will detach it again$/);
  });

  test('refusals before any connection, and auth, in one line without the password', async () => {
    assert.deepEqual(await attachPgpoolNode(cfg(), 1.5, opts()), { ok: false, message: 'pgpool1: node id must be a non-negative integer, got 1.5' });
    assert.deepEqual(await attachPgpoolNode(cfg({ pcp: undefined }), 1, opts()),
      { ok: false, message: 'pgpool1 has no pcp: in the configuration (attaching a node needs PCP: pcp: { port, user })' });
    assert.deepEqual(await attachPgpoolNode(cfg({ conninfo: 'nonsense' }), 1, opts()).then((r) => r.ok), false, 'pcp.host absent: conninfo unreadable');
    writeFileSync(passFile, `127.0.0.1:*:pcpadmin:wrong\n`, { mode: 0o600 });
    try {
      const r = await attachPgpoolNode(cfg(), 1, opts());
      assert.equal(r.ok, false);
      assert.match(r.message, /^pgpool1: PCP authentication failed for user "pcpadmin"/);
      assert.ok(!r.message.includes('\n') && !r.message.includes(PASSWORD));
    } finally {
      writeFileSync(passFile, `127.0.0.1:*:pcpadmin:${PASSWORD}\n`, { mode: 0o600 });
    }
    const closed = await attachPgpoolNode(cfg({ pcp: { port: 1, user: 'pcpadmin' } }), 1, opts());
    assert.match(closed.message, /^pgpool1: connection refused by 127\.0\.0\.1:1/);
  });

  test('the PCP host: pcp.host, else the conninfo\'s hostaddr/host, else localhost', () => {
    assert.equal(pcpClientOptions(cfg({ pcp: { host: 'pcp.example', port: 9898, user: 'u' } })).host, 'pcp.example');
    assert.equal(pcpClientOptions(cfg({ conninfo: 'host=db1 hostaddr=10.0.0.5 port=9999' })).host, '10.0.0.5');
    assert.equal(pcpClientOptions(cfg({ conninfo: 'postgres://u@lb1:9999/postgres' })).host, 'lb1');
    assert.equal(pcpClientOptions(cfg({ conninfo: 'port=9999 dbname=postgres' })).host, 'localhost');
    assert.equal(attachCommandLine(cfg({ conninfo: 'host=lb1 port=9999', pcp: { port: 9898, user: 'pcpadmin' } }), 2), 'pcp_attach_node -h lb1 -p 9898 -U pcpadmin -w -n 2');
  });
});

describe('PcpClient.attachNode / detachNode / attachNode()', () => {
  const client = () => new PcpClient({ host: '127.0.0.1', port, user: 'pcpadmin', password: PASSWORD, timeoutMs: 1000 });

  test('detach sends D only when the node is not down; the result carries the node as it was', async () => {
    const c = client();
    const d = await c.detachNode(2);
    assert.deepEqual([d.nodeId, d.sent, d.before.status, d.before.port], [2, true, 'up', 5434]);
    const again = await c.detachNode(1);
    assert.deepEqual([again.sent, again.before.status], [false, 'down']);
    await c.close();
    assert.deepEqual(received.filter((x) => /^[ICD]/.test(x)), ['I2', 'D2', 'I1']);
  });

  test('the one-shot attachNode connects, attaches and says goodbye', async () => {
    const r = await attachNode({ host: '127.0.0.1', port, user: 'pcpadmin', password: PASSWORD }, 1);
    assert.equal(r.sent, true);
    await settle();
    assert.deepEqual(received, ['M', 'R', 'I1', 'C1', 'X']);
  });

  test('a bad id never reaches pgpool', async () => {
    await assert.rejects(client().attachNode(-1), (e: unknown) => e instanceof PcpError && /node id must be a non-negative integer, got -1/.test(e.message));
    assert.deepEqual(received, []);
  });

  test('idle connections are closed (idleCloseMs 0 by default), back-to-back calls share one', async () => {
    const c = client();
    await c.nodeInfo(0);
    await c.nodeInfo(0);
    await c.nodeInfo(1);
    await settle();
    assert.equal(open, 0);
    assert.deepEqual(received.filter((x) => x === 'M').length, 1, 'one connection for the three calls');
    await c.nodeInfo(2);
    await settle();
    assert.deepEqual(received.filter((x) => x === 'M').length, 2, 'a later call reconnects');
    const held = new PcpClient({ host: '127.0.0.1', port, user: 'pcpadmin', password: PASSWORD, idleCloseMs: 60_000 });
    await held.nodeInfo(0);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(open, 1, 'idleCloseMs keeps it open when asked to');
    await held.close();
    await settle();
    assert.equal(open, 0);
  });
});
