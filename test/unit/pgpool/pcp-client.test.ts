// PcpClient against a tiny in-process fake PCP server: frame codec, md5 auth, replies of every
// pgpool version's node info shape, and the failure kinds (truncated / malformed / silent server).
// The real-server behaviour is covered by test/integration/pcp-client.test.ts on the lab.
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import {
  FrameReader, PcpClient, PcpError, cstrings, decodeNodeInfo, encodeFrame, parseServerMessage, pcpMd5, splitCStrings, type PcpErrorKind,
} from '../../../src/probes/pgpool/pcp-client.ts';
import { readFileSync } from 'node:fs';
import { FIXTURES, fixture } from './psql-text.ts';
import { join } from 'node:path';

const PASSWORD = 'fake-pass-123';
const SALT = Buffer.from([1, 2, 0xfe, 0x41]);
// The 'E' payload pgpool 4.3.5 sent for node id 7 (captured), and the one for use_watchdog = off
// built from pcp_worker.c inform_watchdog_info (errmsg / errdetail).
const INVALID_NODE = readFileSync(join(FIXTURES, 'pcp-error-frame-4.3.5-invalid-node.bin'));
const NO_WATCHDOG = cstrings('SERROR', 'CXX000', 'MPCP: informing watchdog info failed', 'Dwatchdog is not enabled', 'Fpcp_worker.c', 'L795', '');
const AUTH_FATAL = cstrings('SFATAL', 'CXX000', 'Mauthentication failed for user "pcpadmin"', 'Dusername and/or password does not match', '');
const NODE_43 = ['127.0.0.1', '5432', '2', '0', 'up', '715827882.333333', '2', 'primary', '0', '', '', '1763790000'];

type Mode = 'ok' | 'no-watchdog' | 'truncated' | 'bad-length' | 'silent' | 'wrong-type' | 'bad-json';
let mode: Mode = 'ok';
let connections = 0;
const received: string[] = [];

function serve(sock: Socket): void {
  connections++;
  const reader = new FrameReader();
  sock.on('error', () => undefined);
  sock.on('data', (chunk: Buffer) => {
    for (const f of reader.push(chunk)) {
      received.push(f.type);
      const args = splitCStrings(f.payload);
      if (f.type === 'M') sock.write(encodeFrame('m', SALT));
      else if (f.type === 'R') {
        if (args[1] === pcpMd5(PASSWORD, args[0], SALT)) sock.write(encodeFrame('r', cstrings('AuthenticationOK')));
        else sock.end(encodeFrame('E', AUTH_FATAL));
      } else if (mode === 'silent') continue;
      else if (mode === 'truncated') sock.end(encodeFrame('l', cstrings('CommandComplete', '3')).subarray(0, 9));
      else if (mode === 'bad-length') sock.write(Buffer.from([0x6c, 0xff, 0xff, 0xff, 0xf0]));
      else if (mode === 'wrong-type') sock.write(encodeFrame('z', cstrings('CommandComplete')));
      else if (f.type === 'L') sock.write(encodeFrame('l', cstrings('CommandComplete', '3')));
      else if (f.type === 'I') {
        if (args[0] === '7') {
          sock.write(encodeFrame('E', INVALID_NODE));
          continue;
        }
        sock.write(encodeFrame('i', cstrings('ArraySize', '1')));
        sock.write(encodeFrame('N', cstrings('SNOTICE', 'Mjust a notice', '')));
        sock.write(encodeFrame('i', cstrings('NodeInfo', ...NODE_43)));
        sock.write(encodeFrame('i', cstrings('CommandComplete')));
      } else if (f.type === 'W') {
        if (mode === 'no-watchdog') sock.write(encodeFrame('E', NO_WATCHDOG));
        else {
          const json = mode === 'bad-json' ? '{"NodeCount":' : fixture('pcp-watchdog-json-4.3.5-leader.json');
          sock.write(encodeFrame('w', cstrings('CommandComplete', json)));
        }
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

const client = (over: Partial<ConstructorParameters<typeof PcpClient>[0]> = {}) =>
  new PcpClient({ host: '127.0.0.1', port, user: 'pcpadmin', password: PASSWORD, timeoutMs: 1000, ...over });

async function rejectsWith(p: Promise<unknown>, kind: PcpErrorKind, re: RegExp): Promise<PcpError> {
  let caught: unknown;
  await p.catch((e: unknown) => (caught = e));
  assert.ok(caught instanceof PcpError, `expected PcpError, got ${String(caught)}`);
  assert.equal(caught.kind, kind, caught.message);
  assert.match(caught.message, re);
  assert.ok(!caught.message.includes('\n'), 'one line');
  assert.ok(!caught.message.includes(PASSWORD) && !String(caught.stack).includes(PASSWORD), 'no password');
  return caught;
}

describe('codec', () => {
  test('frame = type, int32 BE length including itself, payload', () => {
    assert.deepEqual([...encodeFrame('M')], [0x4d, 0, 0, 0, 4]);
    assert.deepEqual([...encodeFrame('I', cstrings('-1'))], [0x49, 0, 0, 0, 7, 0x2d, 0x31, 0]);
  });

  test('FrameReader reassembles split frames and keeps the rest', () => {
    const r = new FrameReader();
    const bytes = Buffer.concat([encodeFrame('l', cstrings('CommandComplete', '3')), encodeFrame('N', cstrings('SNOTICE', ''))]);
    assert.deepEqual(r.push(bytes.subarray(0, 3)), []);
    const got = r.push(bytes.subarray(3, 25));
    assert.deepEqual(got.map((f) => [f.type, splitCStrings(f.payload)]), [['l', ['CommandComplete', '3']]]);
    assert.ok(r.pending > 0);
    assert.deepEqual(r.push(bytes.subarray(25)).map((f) => f.type), ['N']);
    assert.equal(r.pending, 0);
  });

  test('impossible lengths are protocol errors naming the frame', () => {
    assert.throws(() => new FrameReader().push(Buffer.from([0x77, 0, 0, 0, 2])), (e: unknown) => e instanceof PcpError && e.kind === 'protocol' && /frame 'w' declares length 2/.test(e.message));
    assert.throws(() => new FrameReader().push(Buffer.from([0x01, 0x7f, 0, 0, 0])), /frame '\\x01' declares length/);
  });

  test('md5 as pcp_authorize: md5hex(md5hex(md5hex(pw)+user)+salt)', () => {
    // Computed independently with md5sum in a shell: pw "pcp-lab-pass", user "pcpadmin", salt "abcd".
    assert.equal(pcpMd5('pcp-lab-pass', 'pcpadmin', Buffer.from('abcd')), '08bd269c61b66c9ad561cdfbe29acd31');
  });

  test('error fields of the captured 4.3.5 reply', () => {
    assert.deepEqual(parseServerMessage(INVALID_NODE), { severity: 'ERROR', message: 'informing node info failed', detail: 'invalid node ID : 7' });
  });

  test('node info: 11 (4.3.0), 12 (4.3.1+) and 13 (4.4+) fields', () => {
    const n43 = decodeNodeInfo(0, NODE_43);
    assert.equal(n43.status, 'up');
    assert.equal(n43.role, 'primary');
    assert.ok(Math.abs(n43.weight - 1 / 3) < 1e-6);
    assert.deepEqual(n43.replicationDelay, { bytes: 0 });
    assert.equal(n43.statusChangedAt?.toISOString(), '2025-11-22T05:40:00.000Z');
    const f430 = [...NODE_43.slice(0, 3), ...NODE_43.slice(4)];
    assert.deepEqual(decodeNodeInfo(0, f430), n43);
    const f44 = [...NODE_43.slice(0, 3), '1', 'up', NODE_43[5], '3', 'standby', '1', '2500000', 'streaming', 'async', '0'];
    const q = decodeNodeInfo(2, ['h', '5433', '3', ...f44.slice(3)]);
    assert.equal(q.status, 'quarantine');
    assert.equal(q.statusMismatch, true);
    assert.deepEqual(q.replicationDelay, { seconds: 2.5 });
    assert.equal(q.lastStatusChange, null);
    assert.throws(() => decodeNodeInfo(0, NODE_43.slice(0, 10)), /10 fields, expected 11 to 13/);
    assert.throws(() => decodeNodeInfo(0, NODE_43.map((v, i) => (i === 4 ? 'sideways' : v))), /pg_status is "sideways"/);
  });
});

describe('PcpClient over a fake server', () => {
  test('one connection for several calls; node count, node info, watchdog info; close sends X', async () => {
    mode = 'ok';
    const before = connections;
    received.length = 0;
    const c = client();
    assert.equal(await c.nodeCount(), 3);
    const [n] = await c.allNodeInfo();
    assert.equal(n.hostname, '127.0.0.1');
    assert.equal((await c.nodeInfo(0)).nodeId, 0);
    const w = await c.watchdogInfo();
    assert.equal(w.quorumState, 'QUORUM EXIST');
    await c.close();
    // close() resolves once X is written; give the server a moment to read it.
    for (let i = 0; i < 50 && !received.includes('X'); i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(connections - before, 1);
    assert.deepEqual(received, ['M', 'R', 'L', 'I', 'I', 'W', 'X']);
  });

  test('concurrent calls are serialized on the one connection', async () => {
    mode = 'ok';
    const c = client();
    const [a, b, w] = await Promise.all([c.nodeCount(), c.nodeInfo(0), c.watchdogInfo()]);
    assert.equal(a, 3);
    assert.equal(b.port, 5432);
    assert.equal(w.nodes.length, 2);
    await c.close();
  });

  test('wrong password → auth, and the password is not in the message', async () => {
    mode = 'ok';
    await rejectsWith(client({ password: 'wrong-one' }).nodeCount(), 'auth', /PCP authentication failed for user "pcpadmin" at 127\.0\.0\.1:\d+: wrong password or user not in pcp\.conf/);
  });

  test('watchdog disabled → watchdog-disabled; connection kept for the next call', async () => {
    mode = 'no-watchdog';
    const before = connections;
    const c = client();
    await rejectsWith(c.watchdogInfo(), 'watchdog-disabled', /watchdog is not enabled in pgpool at 127\.0\.0\.1:\d+ \(use_watchdog = off\)/);
    assert.equal(await c.nodeCount(), 3);
    assert.equal(connections - before, 1);
    await c.close();
  });

  test('other server ERROR → server, with pgpool\'s message', async () => {
    mode = 'ok';
    const c = client();
    await rejectsWith(c.nodeInfo(7), 'server', /refused the request: informing node info failed: invalid node ID : 7/);
    await c.close();
  });

  test('truncated reply → closed, saying it was cut; the next call reconnects', async () => {
    mode = 'truncated';
    const c = client();
    await rejectsWith(c.nodeCount(), 'closed', /closed the PCP connection .* in the middle of a reply \(9 bytes of an incomplete frame\)/);
    mode = 'ok';
    const before = connections;
    assert.equal(await c.nodeCount(), 3);
    assert.equal(connections - before, 1);
    await c.close();
  });

  test('bad length, unexpected frame type, bad JSON → protocol naming the problem', async () => {
    mode = 'bad-length';
    await rejectsWith(client().nodeCount(), 'protocol', /frame 'l' declares length -16/);
    mode = 'wrong-type';
    await rejectsWith(client().nodeCount(), 'protocol', /expected frame 'l', got 'z'/);
    mode = 'bad-json';
    await rejectsWith(client().watchdogInfo(), 'protocol', /malformed pcp_watchdog_info reply: not valid JSON/);
  });

  test('silent server → timeout; then reconnects', async () => {
    mode = 'silent';
    const c = client({ timeoutMs: 300 });
    await rejectsWith(c.nodeCount(), 'timeout', /pcp_node_count at 127\.0\.0\.1:\d+: no reply within 300 ms/);
    mode = 'ok';
    assert.equal(await c.nodeCount(), 3);
    await c.close();
  });

  test('nothing listening → refused', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const freePort = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    await rejectsWith(client({ port: freePort }).nodeCount(), 'refused', new RegExp(`connection refused by 127\\.0\\.0\\.1:${freePort}`));
  });

  test('no password given and none in .pcppass → no-password naming the file and the line to add', async () => {
    const e = await rejectsWith(client({ password: undefined, env: { PCPPASSFILE: '/nonexistent/pcppass' } }).nodeCount(), 'no-password', /\/nonexistent\/pcppass does not exist/);
    assert.match(e.message, new RegExp(`add the line "127\\.0\\.0\\.1:${port}:pcpadmin:<password>" to /nonexistent/pcppass`));
  });
});
