// A native client for pgpool-II's PCP protocol (the pcp_* tools' protocol), so the probe reads
// node and watchdog state without the pgpool CLI installed. Wire format from pgpool's
// src/libs/pcp/pcp.c (client) and src/pcp_con/pcp_worker.c (server), 4.3–4.6:
//  - frames both ways: 1 type byte, int32 BE length counting itself, payload of NUL-ended strings;
//  - auth: 'M' → 'm' + 4-byte salt; 'R' user\0 md5hex(md5hex(md5hex(pw)+user)+salt)\0 → 'r'
//    "AuthenticationOK"; a failure is an 'E' frame (FATAL) and the server hangs up;
//  - 'E' (error) / 'N' (notice) frames carry PostgreSQL-style fields (S severity, M message, D detail);
//  - attach: 'C' "<id>"\0 → 'c' "CommandComplete"; detach: 'D' (or 'd', gracefully) "<id>"\0 → 'd'
//    "CommandComplete" (pcp_worker.c process_attach_node / process_detach_node, unchanged 4.3–4.6);
//  - promote: 'J' (or 'j', gracefully) "<id> "\0 + one option byte, 'n' or 's' (switchover) → 'd'
//    "CommandComplete" (pcp.c _pcp_promote_node / pcp_worker.c process_promote_node, the same bytes
//    4.3.0–4.6.7; 4.2 sent "<id>"\0 only, and reads this packet's id all the same);
//  - an ERROR leaves the PCP worker waiting for the next request; after a FATAL it hangs up.
// One connection serves calls made back to back, one request at a time, and is closed as soon as
// none is queued (see PcpClientOptions.idleCloseMs: an open PCP connection stalls pgpool after a
// failover); after any failure it is dropped and the next call reconnects. Errors are PcpError:
// one line, no password, no stack.

import { createHash } from 'node:crypto';
import { Socket, createConnection } from 'node:net';
import { join } from 'node:path';

import { PG_ROLES, PG_STATUSES, isRoleMismatch, isStatusMismatch, type BackendStatus, type PgRole, type PgStatus, type PoolRole } from './node-state.ts';
import { lookupPcpPassword } from './pcp-pass.ts';
import type { PcpNodeInfo, WatchdogInfo } from './pcp-text.ts';
import { WatchdogJsonError, parseWatchdogJson } from './watchdog-json.ts';

export type PcpErrorKind = 'refused' | 'timeout' | 'auth' | 'no-password' | 'watchdog-disabled' | 'protocol' | 'closed' | 'server';

export class PcpError extends Error {
  constructor(
    readonly kind: PcpErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'PcpError';
    // A DBA-facing one-liner: the stack adds nothing but noise if someone prints the error.
    this.stack = `PcpError [${kind}]: ${message}`;
  }
}

// ------------------------------------------------------------------------------------ codec

export interface PcpFrame {
  type: string;
  payload: Buffer;
}

/** Replies can be large (watchdog JSON of many nodes); anything past this is not PCP. */
export const MAX_REPLY_LENGTH = 16 * 1024 * 1024;

export function encodeFrame(type: string, payload: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(payload.length + 4, 1);
  return Buffer.concat([head, payload]);
}

/** NUL-terminated strings, concatenated. */
export function cstrings(...parts: string[]): Buffer {
  return Buffer.concat(parts.map((p) => Buffer.from(`${p}\0`, 'utf8')));
}

/** Splits a byte stream into frames; throws PcpError('protocol') on an impossible length. */
export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): PcpFrame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: PcpFrame[] = [];
    while (this.buf.length >= 5) {
      const len = this.buf.readInt32BE(1);
      const type = String.fromCharCode(this.buf[0]);
      if (len < 4 || len > MAX_REPLY_LENGTH) throw new PcpError('protocol', `malformed PCP reply: frame '${printable(type)}' declares length ${len}`);
      if (this.buf.length < 1 + len) break;
      out.push({ type, payload: this.buf.subarray(5, 1 + len) });
      this.buf = this.buf.subarray(1 + len);
    }
    return out;
  }

  /** Bytes of an incomplete frame still buffered (to report a truncated reply). */
  get pending(): number {
    return this.buf.length;
  }
}

function printable(type: string): string {
  return /^[\x21-\x7e]$/.test(type) ? type : `\\x${type.charCodeAt(0).toString(16).padStart(2, '0')}`;
}

/** The payload's NUL-terminated strings; bytes after the last NUL are ignored, as pcp.c does. */
export function splitCStrings(payload: Buffer): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < payload.length; i++) {
    if (payload[i] === 0) {
      out.push(payload.toString('utf8', start, i));
      start = i + 1;
    }
  }
  return out;
}

/** The hash pcp_authorize sends: md5hex(md5hex(md5hex(password) + user) + salt). */
export function pcpMd5(password: string, user: string, salt: Buffer): string {
  const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
  const inner = md5(Buffer.from(password, 'utf8'));
  const withUser = md5(Buffer.from(inner + user, 'utf8'));
  return md5(Buffer.concat([Buffer.from(withUser, 'latin1'), salt]));
}

export interface PcpServerMessage {
  severity: string | null;
  message: string | null;
  detail: string | null;
}

/** Fields of an 'E'/'N' frame: type byte + string, repeated, as pcp.c process_error_response reads them. */
export function parseServerMessage(payload: Buffer): PcpServerMessage {
  const out: PcpServerMessage = { severity: null, message: null, detail: null };
  for (const f of splitCStrings(payload)) {
    if (f === '') break;
    const v = f.slice(1);
    if (f[0] === 'S') out.severity = v;
    else if (f[0] === 'M') out.message = v;
    else if (f[0] === 'D') out.detail = v;
  }
  return out;
}

// ------------------------------------------------------------------------------- node info

/** pcp_node_info's answer for one backend: what PcpNodeInfo (the -v text) has, plus the id and the raw time. */
export interface PcpBackendInfo extends PcpNodeInfo {
  nodeId: number;
  /** status_changed_time as sent (epoch seconds); null when 0 (never changed). */
  statusChangedAt: Date | null;
}

const BACKEND_STATUS_BY_CODE: readonly BackendStatus[] = ['unused', 'waiting', 'up', 'down'];
const ROLE_BY_CODE: readonly PoolRole[] = ['main', 'replica', 'primary', 'standby'];
/** pgpool stores weights scaled to RAND_MAX; pcp_node_info divides it back. */
const RAND_MAX = 2147483647;

function num(name: string, v: string, integer: boolean): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) throw new PcpError('protocol', `malformed PCP node info: ${name} is ${JSON.stringify(v)}`);
  return n;
}

function pick<T extends string>(name: string, allowed: readonly T[], v: string): T {
  if ((allowed as readonly string[]).includes(v)) return v as T;
  throw new PcpError('protocol', `malformed PCP node info: ${name} is ${JSON.stringify(v)}, expected one of ${allowed.join('/')}`);
}

/** "YYYY-MM-DD HH:MM:SS" in this process's zone, as pcp_node_info prints it (localtime_r on the client). */
function localStamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/**
 * The fields after "NodeInfo" in one 'i' frame. Their number tells the server version
 * (probe reference §3.6): 11 = 4.3.0 (no quarantine), 12 = 4.3.1–4.3.x, 13 = 4.4+ (adds
 * standby_delay_by_time, in which case the delay is in microseconds).
 */
export function decodeNodeInfo(nodeId: number, fields: string[]): PcpBackendInfo {
  let f = fields;
  if (f.length === 11) f = [...f.slice(0, 3), '0', ...f.slice(3)];
  if (f.length === 12) f = [...f.slice(0, 8), '0', ...f.slice(8)];
  if (f.length !== 13) throw new PcpError('protocol', `malformed PCP node info: ${fields.length} fields, expected 11 to 13`);
  const [hostname, port, status, quarantine, pgStatus, weight, role, pgRole, byTime, delay, replState, syncState, changed] = f;
  const statusCode = num('status', status, true);
  const base = BACKEND_STATUS_BY_CODE[statusCode];
  if (!base) throw new PcpError('protocol', `malformed PCP node info: status code ${statusCode}`);
  const roleName = ROLE_BY_CODE[num('role', role, true)];
  if (!roleName) throw new PcpError('protocol', `malformed PCP node info: role code ${role}`);
  const st: BackendStatus = base === 'down' && quarantine !== '0' ? 'quarantine' : base;
  const pgSt: PgStatus = pick('pg_status', PG_STATUSES, pgStatus);
  const pgR: PgRole = pick('pg_role', PG_ROLES, pgRole);
  const delayN = num('standby_delay', delay, true);
  const epoch = num('status_changed_time', changed, true);
  const at = epoch > 0 ? new Date(epoch * 1000) : null;
  return {
    nodeId,
    hostname,
    port: num('port', port, true),
    statusCode,
    weight: num('weight', weight, false) / RAND_MAX,
    status: st,
    pgStatus: pgSt,
    role: roleName,
    pgRole: pgR,
    replicationDelay: byTime !== '0' ? { seconds: delayN / 1e6 } : { bytes: delayN },
    replicationState: replState === '' ? null : replState,
    replicationSyncState: syncState === '' ? null : syncState,
    lastStatusChange: at ? localStamp(at) : null,
    statusChangedAt: at,
    statusMismatch: isStatusMismatch(st, pgSt),
    roleMismatch: isRoleMismatch(roleName, pgR),
  };
}

// ---------------------------------------------------------------------------------- client

export interface PcpNodeRequestOptions {
  /** For this request, node read included (default: the client's timeoutMs). */
  timeoutMs?: number;
}

/** What attachNode / detachNode / promoteNode did. */
export interface PcpNodeRequestResult {
  nodeId: number;
  /** The backend as pgpool reported it just before the request. */
  before: PcpBackendInfo;
  /** false: the node was already attached (up/waiting), detached (down) or pgpool's primary, so nothing was sent. */
  sent: boolean;
}

export interface PcpClientOptions {
  /** TCP host, or a directory holding the Unix socket `.s.PGSQL.<port>`. */
  host: string;
  /** PCP port (pgpool's pcp_port, 9898 by default). */
  port: number;
  user: string;
  /** Given: used as is. Omitted: looked up in $PCPPASSFILE / ~/.pcppass like `pcp_* -w`. */
  password?: string;
  /** For the .pcppass lookup (default process.env / $HOME). */
  env?: Record<string, string | undefined>;
  home?: string;
  /** Per request, connect and auth included (default 5000 ms). */
  timeoutMs?: number;
  /**
   * Close the connection after this long without a request (default 0: as soon as no request is
   * queued; calls made back to back still share it). Never hold one open: pgpool restarts its PCP
   * process at the end of every failover, failback and detach, and that restart waits until every
   * open PCP connection has closed. Meanwhile (seen on 4.3.5) pgpool's main process waits in
   * failover() — a failback or failover requested in that time is not carried out — and no new PCP
   * connection is accepted, so pcp_* tools and failover scripts hang too.
   */
  idleCloseMs?: number;
}

/** One open, authenticated connection and its incoming frames. */
class Conn {
  private readonly reader = new FrameReader();
  private readonly frames: PcpFrame[] = [];
  private waiter: (() => void) | null = null;
  failure: PcpError | null = null;

  constructor(
    readonly socket: Socket,
    private readonly where: string,
  ) {
    socket.on('data', (chunk: Buffer) => {
      try {
        this.frames.push(...this.reader.push(chunk));
      } catch (err) {
        this.fail(err as PcpError);
      }
      this.wake();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => this.fail(socketError(err, where)));
    socket.on('close', () => {
      const cut = this.reader.pending ? ` in the middle of a reply (${this.reader.pending} bytes of an incomplete frame)` : '';
      this.fail(new PcpError('closed', `pgpool closed the PCP connection to ${where}${cut}`));
    });
  }

  private fail(err: PcpError): void {
    this.failure ??= err;
    this.socket.destroy();
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  async next(): Promise<PcpFrame> {
    for (;;) {
      const f = this.frames.shift();
      if (f) return f;
      if (this.failure) throw this.failure;
      await new Promise<void>((r) => (this.waiter = r));
    }
  }

  send(frame: Buffer): void {
    this.socket.write(frame);
  }
}

function socketError(err: NodeJS.ErrnoException, where: string): PcpError {
  if (err.code === 'ECONNREFUSED' || err.code === 'ENOENT') return new PcpError('refused', `connection refused by ${where}: is pgpool running with pcp_port ${where.split(':').pop()}?`);
  if (err.code === 'ETIMEDOUT') return new PcpError('timeout', `connecting to PCP at ${where} timed out`);
  if (err.code === 'ECONNRESET' || err.code === 'EPIPE') return new PcpError('closed', `pgpool reset the PCP connection to ${where}`);
  return new PcpError('refused', `cannot connect to PCP at ${where}: ${err.code ?? err.message}`);
}

/** Errors from an 'E' frame of severity FATAL: pgpool's PCP worker exits after sending one. */
const FATAL_REPLIES = new WeakSet<PcpError>();

export class PcpClient {
  private conn: Conn | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private pending = 0;
  private idleTimer: NodeJS.Timeout | null = null;
  private readonly timeoutMs: number;
  private readonly idleCloseMs: number;
  readonly where: string;

  constructor(private readonly opts: PcpClientOptions) {
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.idleCloseMs = opts.idleCloseMs ?? 0;
    this.where = opts.host.startsWith('/') ? join(opts.host, `.s.PGSQL.${opts.port}`) : `${opts.host}:${opts.port}`;
  }

  /** Number of backends configured in pgpool (pcp_node_count). */
  nodeCount(): Promise<number> {
    return this.request('pcp_node_count', async (c) => {
      c.send(encodeFrame('L'));
      const [code, n] = splitCStrings(await this.reply(c, 'l'));
      if (code !== 'CommandComplete' || n === undefined || !/^\d+$/.test(n)) throw new PcpError('protocol', `malformed PCP node count reply: ${JSON.stringify([code, n])}`);
      return Number(n);
    });
  }

  /** One backend (pcp_node_info -n id). */
  async nodeInfo(id: number): Promise<PcpBackendInfo> {
    if (!Number.isInteger(id) || id < 0) throw new PcpError('protocol', `node id must be a non-negative integer, got ${id}`);
    const [one] = await this.nodeInfos(id);
    return one;
  }

  /** Every configured backend in node-id order (pcp_node_info without -n; unused slots included). */
  allNodeInfo(): Promise<PcpBackendInfo[]> {
    return this.nodeInfos(-1);
  }

  private nodeInfos(id: number): Promise<PcpBackendInfo[]> {
    return this.request('pcp_node_info', (c) => this.readNodeInfos(c, id));
  }

  private async readNodeInfos(c: Conn, id: number, what?: string): Promise<PcpBackendInfo[]> {
    c.send(encodeFrame('I', cstrings(String(id))));
    const [head, size] = splitCStrings(await this.reply(c, 'i', what));
    if (head !== 'ArraySize' || size === undefined || !/^\d+$/.test(size)) throw new PcpError('protocol', `malformed PCP node info reply: expected ArraySize, got ${JSON.stringify(head)}`);
    const out: PcpBackendInfo[] = [];
    for (;;) {
      const [kind, ...fields] = splitCStrings(await this.reply(c, 'i', what));
      if (kind === 'CommandComplete') break;
      if (kind !== 'NodeInfo') throw new PcpError('protocol', `malformed PCP node info reply: unexpected ${JSON.stringify(kind)}`);
      out.push(decodeNodeInfo(id >= 0 ? id : out.length, fields));
    }
    if (out.length !== Number(size)) throw new PcpError('protocol', `malformed PCP node info reply: ArraySize ${size} but ${out.length} nodes sent`);
    return out;
  }

  /**
   * pcp_attach_node -n id: asks pgpool to put a detached (or quarantined) backend back into use.
   * The node is read first (pcp_node_info), in the same request, for two reasons: pgpool 4.3
   * accepts a failback request for ANY id below 128 — an id it has no backend for is answered
   * "CommandComplete" and marks that empty slot "waiting" in shared memory — so an id pgpool does
   * not know ends here with pgpool's own "invalid node ID" error; and a failback request for a
   * node that is already up or waiting is answered "CommandComplete" while pgpool only logs that
   * it is invalid, so nothing is sent then (`sent: false`). pgpool carries the request out
   * asynchronously: the reply means "accepted", the status changes a moment later (read it with
   * nodeInfo on a new connection: while any PCP connection stays open, pgpool's main process waits
   * at the end of the previous failover and does not carry the failback out; see idleCloseMs).
   */
  attachNode(id: number, opts: PcpNodeRequestOptions = {}): Promise<PcpNodeRequestResult> {
    return this.nodeRequest('pcp_attach_node', 'C', 'c', id, (s) => s === 'up' || s === 'waiting', opts);
  }

  /**
   * pcp_detach_node -n id [-g]: detaches a backend. pgpool runs failover_command for it as for a
   * failed node (detaching the primary usually means promoting a standby); for a standby it keeps
   * its child processes. Not sent when the node is already down. `gracefully`
   * makes pgpool wait until every client session has ended first, which can take long: give it a
   * `timeoutMs` to match. With auto_failback = on, pgpool re-attaches a standby that still streams
   * at its next health check.
   */
  detachNode(id: number, opts: PcpNodeRequestOptions & { gracefully?: boolean } = {}): Promise<PcpNodeRequestResult> {
    return this.nodeRequest(opts.gracefully ? 'pcp_detach_node -g' : 'pcp_detach_node', opts.gracefully ? 'd' : 'D', 'd', id, (s) => s === 'down', opts);
  }

  /**
   * pcp_promote_node -n id [-s] [-g]: make pgpool take backend `id` for its primary. Needed after a
   * switchover pgpool did not notice (repmgr standby switchover with the old primary down for ~1 s,
   * failover_command = ''): it keeps the old primary's role and routes writes there (lab, 4.3.5).
   * Wire format (pcp.c _pcp_promote_node, identical 4.3.0–4.6.7): 'J' ('j' with `gracefully`),
   * "<id> "\0, then one byte: 'n' (default) or 's' (`switchover`); the reply is 'd' "CommandComplete".
   *
   * The node is read first, in the same request: when pgpool already has it as primary nothing is
   * sent (`sent: false`; pgpool would answer FATAL "specified node is already primary node" and
   * hang up); a backend pgpool has down (or quarantined, unused) is refused here with a PcpError
   * ('server'), since pgpool answers "CommandComplete" and only logs "invalid promote backend
   * request ... not valid" (attach it first). pgpool answers before acting; what it does then
   * (4.3.5 on the lab, both watchdog members):
   *  - 'n': within milliseconds the node is primary, EVERY other backend is set down ("follow
   *    degeneration"), all child processes are restarted — every client session through pgpool is
   *    dropped, on the watchdog peer too — and with auto_failback the standbys that stream come
   *    back "waiting" at their next health checks (1–4 s on the lab). No command is run, and
   *    PostgreSQL is not touched: promoting a node PostgreSQL calls standby points pgpool's writes
   *    at a read-only server and detaches the real primary, which auto_failback does not bring back.
   *  - 's' (4.3+): the CURRENT primary is detached instead (failover_command runs with the new
   *    main node = id), then pgpool searches for the primary among the others (~1 s; up to
   *    search_primary_node_timeout when none is), the other standbys stay attached; the pgpool
   *    asked drops only the sessions that use the old primary, its watchdog peer restarts all its
   *    children when it syncs the new primary (~1 s). Meant for pgpool-driven switchovers whose
   *    failover_command promotes `id`; with failover_command = '' and `id` not primary, pgpool is
   *    left without one.
   *  - `gracefully`: pgpool first waits for every client session to end and answers only when done:
   *    give it a `timeoutMs` to match.
   */
  promoteNode(id: number, opts: PcpNodeRequestOptions & { switchover?: boolean; gracefully?: boolean } = {}): Promise<PcpNodeRequestResult> {
    const what = `pcp_promote_node${opts.switchover ? ' -s' : ''}${opts.gracefully ? ' -g' : ''}`;
    return this.nodeRequest(what, opts.gracefully ? 'j' : 'J', 'd', id, (_s, n) => n.role === 'primary', opts, {
      payload: Buffer.concat([cstrings(`${id} `), Buffer.from(opts.switchover ? 's' : 'n', 'latin1')]),
      refuse: (n) => (n.status === 'up' || n.status === 'waiting' ? null : `node ${id} is ${n.status} there and pgpool promotes only an attached backend (it would answer and do nothing): attach it first`),
    });
  }

  private nodeRequest(
    what: string,
    type: string,
    replyType: string,
    id: number,
    already: (s: BackendStatus, n: PcpBackendInfo) => boolean,
    opts: PcpNodeRequestOptions,
    { payload, refuse }: { payload?: Buffer; refuse?: (n: PcpBackendInfo) => string | null } = {},
  ): Promise<PcpNodeRequestResult> {
    if (!Number.isInteger(id) || id < 0) return Promise.reject(new PcpError('protocol', `node id must be a non-negative integer, got ${id}`));
    const request = `${what} -n ${id}`;
    return this.request(request, async (c) => {
      // An unknown id: "pgpool at … refused pcp_attach_node -n 7: informing node info failed: invalid node ID : 7".
      const [before] = await this.readNodeInfos(c, id, request);
      if (!before) throw new PcpError('protocol', `malformed PCP node info reply: no node ${id}`);
      if (already(before.status, before)) return { nodeId: id, before, sent: false };
      const why = refuse?.(before);
      if (why) throw new PcpError('server', `pgpool at ${this.where}: not sending ${request}: ${why}`);
      c.send(encodeFrame(type, payload ?? cstrings(String(id))));
      const [code] = splitCStrings(await this.reply(c, replyType, request));
      if (code !== 'CommandComplete') throw new PcpError('protocol', `malformed PCP reply to ${what}: ${JSON.stringify(code ?? '')}`);
      return { nodeId: id, before, sent: true };
    }, opts.timeoutMs, 'pgpool may still carry it out');
  }

  /** pcp_watchdog_info: id -1 = every watchdog node (local first), 0 = the local node only. */
  watchdogInfo(id = -1): Promise<WatchdogInfo> {
    return this.request('pcp_watchdog_info', async (c) => {
      c.send(encodeFrame('W', cstrings(String(id))));
      const payload = await this.reply(c, 'w');
      const nul = payload.indexOf(0);
      if (nul < 0 || payload.toString('utf8', 0, nul) !== 'CommandComplete') throw new PcpError('protocol', 'malformed PCP watchdog reply: no CommandComplete before the JSON');
      const end = payload.indexOf(0, nul + 1);
      try {
        return parseWatchdogJson(payload.toString('utf8', nul + 1, end < 0 ? payload.length : end));
      } catch (err) {
        if (err instanceof WatchdogJsonError) throw new PcpError('protocol', `malformed ${err.message}`);
        throw err;
      }
    });
  }

  /** Sends the terminate message and closes; the next call would reconnect. */
  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    this.clearIdleTimer();
    const c = this.conn;
    this.conn = null;
    if (!c || c.failure) return;
    await new Promise<void>((resolve) => {
      c.socket.end(encodeFrame('X'), () => resolve());
      setTimeout(resolve, 1000).unref();
    });
    c.socket.destroy();
  }

  // One request at a time on the one connection; a timeout or any failure drops the connection.
  private request<T>(what: string, fn: (c: Conn) => Promise<T>, timeoutMs = this.timeoutMs, onTimeout?: string): Promise<T> {
    const run = async (): Promise<T> => {
      let timer: NodeJS.Timeout | undefined;
      let conn: Conn | null = null;
      const timeout = new Promise<never>((_, reject) => {
        const note = onTimeout ? ` (${onTimeout})` : '';
        timer = setTimeout(() => reject(new PcpError('timeout', `${what} at ${this.where}: no reply within ${timeoutMs} ms${note}`)), timeoutMs);
      });
      try {
        return await Promise.race([
          (async () => {
            conn = this.conn && !this.conn.failure ? this.conn : await this.connect();
            this.conn = conn;
            return fn(conn);
          })(),
          timeout,
        ]);
      } catch (err) {
        // An ERROR reply (not FATAL) leaves pgpool's PCP worker waiting for the next request, so
        // the connection is kept: each new one forks a worker and redoes the md5 exchange.
        // After a FATAL one (e.g. promote of pgpool's primary) it hangs up: that one is dropped.
        const keep = err instanceof PcpError && (err.kind === 'server' || err.kind === 'watchdog-disabled') && !FATAL_REPLIES.has(err) && conn !== null;
        if (!keep) {
          const dead = this.conn;
          this.conn = null;
          dead?.socket.destroy();
        }
        throw err instanceof PcpError ? err : new PcpError('protocol', `${what} at ${this.where}: ${(err as Error).message}`);
      } finally {
        clearTimeout(timer);
      }
    };
    this.clearIdleTimer();
    this.pending++;
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => undefined).finally(() => {
      if (--this.pending === 0) this.armIdleTimer();
    });
    return p;
  }

  private clearIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  private armIdleTimer(): void {
    if (!this.conn) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      const c = this.conn;
      if (this.pending > 0 || !c) return;
      this.conn = null;
      if (c.failure) return;
      c.socket.end(encodeFrame('X'));
      setTimeout(() => c.socket.destroy(), 1000).unref();
    }, this.idleCloseMs);
    this.idleTimer.unref();
  }

  private async connect(): Promise<Conn> {
    const { host, port, user } = this.opts;
    let password = this.opts.password;
    if (password === undefined || password === '') {
      const found = lookupPcpPassword({ host, port, user, env: this.opts.env, home: this.opts.home });
      if (found.password === null) throw new PcpError('no-password', `no PCP password for ${user}@${this.where}: ${found.reason}; add the line "${found.hint}" to ${found.file} (mode 0600)`);
      password = found.password;
    }
    const socket = host.startsWith('/') ? createConnection(this.where) : createConnection({ host, port });
    socket.setNoDelay(true);
    const c = new Conn(socket, this.where);
    // Dropped if we give up (timeout) while the connect is still pending.
    this.conn = c;
    c.send(encodeFrame('M'));
    const salt = await this.reply(c, 'm');
    if (salt.length < 4) throw new PcpError('protocol', `malformed PCP salt reply: ${salt.length} bytes, expected 4`);
    c.send(encodeFrame('R', cstrings(user, pcpMd5(password, user, salt.subarray(0, 4)))));
    const ok = splitCStrings(await this.reply(c, 'r'))[0];
    if (ok !== 'AuthenticationOK') throw new PcpError('auth', `PCP authentication failed for user "${user}" at ${this.where}: ${ok ?? 'empty reply'}`);
    return c;
  }

  /** The next frame of the expected type, skipping notices; an 'E' frame becomes a PcpError. */
  private async reply(c: Conn, expected: string, what?: string): Promise<Buffer> {
    for (;;) {
      let f: PcpFrame;
      try {
        f = await c.next();
      } catch (err) {
        // pgpool hangs up right after a FATAL auth error; that 'E' frame was already handled.
        if (err instanceof PcpError && err.kind === 'closed' && expected === 'r') throw new PcpError('auth', `PCP authentication failed for user "${this.opts.user}" at ${this.where}: pgpool closed the connection`);
        throw err;
      }
      if (f.type === 'N') continue;
      if (f.type === 'E') {
        const m = parseServerMessage(f.payload);
        const err = this.serverError(m, expected, what);
        if (m.severity === 'FATAL') FATAL_REPLIES.add(err);
        throw err;
      }
      if (f.type !== expected) throw new PcpError('protocol', `malformed PCP reply: expected frame '${expected}', got '${printable(f.type)}'`);
      return f.payload;
    }
  }

  private serverError(m: PcpServerMessage, expected: string, what = 'the request'): PcpError {
    const text = [m.message, m.detail].filter(Boolean).join(': ') || 'no message';
    if (/watchdog is not enabled/i.test(text)) return new PcpError('watchdog-disabled', `watchdog is not enabled in pgpool at ${this.where} (use_watchdog = off): no watchdog information`);
    if (expected === 'm' || expected === 'r' || /authentication failed/i.test(text)) {
      return new PcpError('auth', `PCP authentication failed for user "${this.opts.user}" at ${this.where}: wrong password or user not in pcp.conf (${oneLine(text)})`);
    }
    return new PcpError('server', `pgpool at ${this.where} refused ${what}: ${oneLine(text)}`);
  }
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** One-shot pcp_attach_node -n nodeId: connects, attaches (see PcpClient.attachNode), disconnects. Throws PcpError. */
export async function attachNode(opts: PcpClientOptions, nodeId: number): Promise<PcpNodeRequestResult> {
  const client = new PcpClient(opts);
  try {
    return await client.attachNode(nodeId);
  } finally {
    await client.close();
  }
}

/** One-shot pcp_promote_node -n nodeId [-s] [-g] (see PcpClient.promoteNode). Throws PcpError. */
export async function promoteNode(opts: PcpClientOptions, nodeId: number, { switchover = false, gracefully = false } = {}): Promise<PcpNodeRequestResult> {
  const client = new PcpClient(opts);
  try {
    return await client.promoteNode(nodeId, { switchover, gracefully });
  } finally {
    await client.close();
  }
}

/** One-shot pcp_detach_node -n nodeId [-g] (see PcpClient.detachNode). Throws PcpError. */
export async function detachNode(opts: PcpClientOptions, nodeId: number, { gracefully = false } = {}): Promise<PcpNodeRequestResult> {
  const client = new PcpClient(opts);
  try {
    return await client.detachNode(nodeId, { gracefully });
  } finally {
    await client.close();
  }
}
