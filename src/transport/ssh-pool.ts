// One SSH connection per host, shared by every command the probes run there. Commands become
// channels on that connection, capped per host below sshd's MaxSessions (10) so a burst queues
// here instead of being refused by the server.

import { StringDecoder } from 'node:string_decoder';
import ssh2 from 'ssh2';
import type { Client as ClientT, ClientChannel, ConnectConfig } from 'ssh2';
import { buildCommand } from './shell-quote.ts';
import { appendKnownHost, blobKeyType, knownKeyTypes, verifyHostKey } from './known-hosts.ts';
import { resolveTarget, type JumpHost, type ResolvedTarget, type SshTarget } from './ssh-config.ts';
import { planAuth } from './ssh-auth.ts';
import { SshError, SshHostKeyError, SshTimeoutError, mapSshError } from './ssh-errors.ts';

const { Client } = ssh2;

export interface SshPoolOptions {
  maxChannelsPerHost?: number;
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  connectTimeoutMs?: number;
  /** Record keys of hosts not yet in known_hosts (never replaces a changed key). */
  acceptNew?: boolean;
  /** ssh-agent socket; defaults to $SSH_AUTH_SOCK, `false` disables the agent. */
  agent?: string | false;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** How targets become addresses; defaults to ~/.ssh/config resolution. */
  resolve?: (target: SshTarget) => ResolvedTarget;
}

export interface RunOptions {
  /** Bounds the whole run: queueing, connecting and the command. */
  timeoutMs?: number;
  /** Per stream; beyond it output is discarded and `truncated` set. */
  maxOutputBytes?: number;
  sudoUser?: string;
}

export interface RunResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  truncated: boolean;
  durationMs: number;
}

export interface StreamOptions {
  sudoUser?: string;
  /**
   * Bounds queueing, connecting AND the command; at the deadline the remote process is sent KILL
   * (as `run` does). Unset: queueing + connecting get 30 s and the command runs unbounded — what
   * a backup that may take hours needs.
   */
  timeoutMs?: number;
  /** Output as it arrives, decoded as UTF-8; a character split across packets is held back, not mangled. */
  onStdout(chunk: string): void;
  onStderr(chunk: string): void;
  /**
   * Stops READING: closes the channel and resolves with `aborted: true`. It does not promise to
   * stop the remote command (no signal is sent; OpenSSH without a pty may let it run on, or it may
   * die on its next write to the closed pipe). Callers that must not disturb the command (a barman
   * backup) never abort. Aborted before the exec request is sent, the command never starts.
   */
  signal?: AbortSignal;
}

export interface StreamResult {
  code: number | null;
  signal: string | null;
  durationMs: number;
  aborted: boolean;
}

export interface HostStats {
  connects: number;
  active: number;
  maxActive: number;
  queued: number;
  connected: boolean;
}

interface Conn {
  target: ResolvedTarget;
  where: string;
  client: ClientT | null;
  jump: ClientT | null;
  connecting: Promise<ClientT> | null;
  active: number;
  maxActive: number;
  queue: Array<() => void>;
  connects: number;
  failures: number;
  retryAt: number;
  lastError: SshError | null;
}

// ssh2's own default order; known key types are moved to the front like ssh does, so a host
// trusted for its RSA key is not asked for a (yet unknown) ed25519 key.
const HOST_KEY_ALGOS = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];

export function hostKeyAlgorithms(known: readonly string[]): string[] {
  const first = known.flatMap((t) => (t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : HOST_KEY_ALGOS.includes(t) ? [t] : []));
  return [...new Set([...first, ...HOST_KEY_ALGOS])];
}

/**
 * Closes a channel we give up on, asking sshd to kill its process first when `kill` (OpenSSH ≥ 7.9).
 * The slot frees when sshd confirms the close; if it never does, it is freed anyway.
 */
function closeChannel(channel: ClientChannel | null, release: () => void, kill: boolean): void {
  if (!channel) return release();
  if (kill) {
    try {
      channel.signal('KILL');
    } catch {
      /* the channel may already be closing */
    }
  }
  channel.close();
  setTimeout(release, 5_000).unref();
}

export class SshPool {
  private readonly conns = new Map<string, Conn>();
  private readonly opts: Required<Omit<SshPoolOptions, 'agent' | 'resolve'>> & Pick<SshPoolOptions, 'agent' | 'resolve'>;
  private closed = false;

  constructor(opts: SshPoolOptions = {}) {
    this.opts = {
      maxChannelsPerHost: 8,
      keepaliveIntervalMs: 15_000,
      keepaliveCountMax: 3,
      connectTimeoutMs: 10_000,
      acceptNew: false,
      backoffInitialMs: 500,
      backoffMaxMs: 30_000,
      ...opts,
    };
  }

  async run(target: SshTarget, argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    const t0 = performance.now();
    const s = await this.start(target, argv, opts.sudoUser, opts.timeoutMs ?? 30_000);
    return this.exec(s.conn, s.client, s.command, s.deadline, s.timedOut, opts.maxOutputBytes ?? 1 << 20, t0, s.release);
  }

  /** A channel slot on a connected client, within `timeoutMs`; the caller must `release` it. */
  private async start(target: SshTarget, argv: readonly string[], sudoUser: string | undefined, timeoutMs: number) {
    if (this.closed) throw new SshError('closed', 'ssh pool is closed');
    const command = buildCommand(argv, { sudoUser });
    const conn = this.conn(target);
    const deadline = Date.now() + timeoutMs;
    const timedOut = () => new SshTimeoutError(`${conn.where}: command timed out after ${timeoutMs} ms: ${argv.join(' ').slice(0, 80)}`);
    const release = await this.acquire(conn, deadline, timedOut);
    try {
      const client: ClientT = await withDeadline(this.connected(conn), deadline, timedOut);
      return { conn, client, command, deadline, timedOut, release };
    } catch (err) {
      release();
      throw err;
    }
  }

  /** Like `run`, same queue, channel cap and errors, but output goes to callbacks as it arrives. */
  async stream(target: SshTarget, argv: readonly string[], opts: StreamOptions): Promise<StreamResult> {
    if (this.closed) throw new SshError('closed', 'ssh pool is closed');
    const t0 = performance.now();
    const aborted = (): StreamResult => ({ code: null, signal: null, durationMs: Math.round(performance.now() - t0), aborted: true });
    if (opts.signal?.aborted) return aborted();
    // Without timeoutMs only queueing and connecting are bounded (30 s); the command is not.
    const s = await this.start(target, argv, opts.sudoUser, opts.timeoutMs ?? 30_000);
    if (opts.signal?.aborted) {
      s.release();
      return aborted();
    }
    return this.execStream(s.conn, s.client, s.command, opts.timeoutMs === undefined ? null : s.deadline, s.timedOut, opts, t0, s.release);
  }

  stats(target: SshTarget): HostStats {
    const c = this.conns.get(keyOf(this.resolve(target)));
    return c
      ? { connects: c.connects, active: c.active, maxActive: c.maxActive, queued: c.queue.length, connected: c.client !== null }
      : { connects: 0, active: 0, maxActive: 0, queued: 0, connected: false };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const c of this.conns.values()) {
      c.client?.end();
      c.jump?.end();
      c.client = null;
      c.jump = null;
    }
    this.conns.clear();
  }

  private resolve(target: SshTarget): ResolvedTarget {
    return (this.opts.resolve ?? resolveTarget)(target);
  }

  private conn(target: SshTarget): Conn {
    const t = this.resolve(target);
    const key = keyOf(t);
    let c = this.conns.get(key);
    if (!c) {
      c = {
        target: t, where: `ssh ${key}`, client: null, jump: null, connecting: null, active: 0, maxActive: 0,
        queue: [], connects: 0, failures: 0, retryAt: 0, lastError: null,
      };
      this.conns.set(key, c);
    }
    return c;
  }

  /** Waits for a channel slot; resolves to an idempotent release. */
  private acquire(c: Conn, deadline: number, timedOut: () => Error): Promise<() => void> {
    const take = () => {
      c.active++;
      c.maxActive = Math.max(c.maxActive, c.active);
      let done = false;
      return () => {
        if (done) return;
        done = true;
        c.active--;
        c.queue.shift()?.();
      };
    };
    if (c.active < this.opts.maxChannelsPerHost) return Promise.resolve(take());
    return new Promise((resolve, reject) => {
      const wake = () => {
        clearTimeout(timer);
        resolve(take());
      };
      const timer = setTimeout(() => {
        const i = c.queue.indexOf(wake);
        if (i >= 0) c.queue.splice(i, 1);
        reject(timedOut());
      }, Math.max(0, deadline - Date.now()));
      c.queue.push(wake);
    });
  }

  private connected(c: Conn): Promise<ClientT> {
    if (c.client) return Promise.resolve(c.client);
    if (c.connecting) return c.connecting;
    // After a failure, fail fast with the same error until the backoff elapses: a console that
    // polls every second must not hammer a host that is down or refusing our key.
    if (c.lastError && Date.now() < c.retryAt) return Promise.reject(c.lastError);
    c.connecting = this.connect(c).then(
      (client) => {
        c.client = client;
        c.connects++;
        c.failures = 0;
        c.lastError = null;
        client.on('close', () => {
          if (c.client === client) c.client = null; // next run reconnects
          c.jump?.end();
          c.jump = null;
        });
        return client;
      },
      (err: unknown) => {
        const e = err instanceof SshError ? err : mapSshError(err, c.where);
        c.failures++;
        c.retryAt = Date.now() + Math.min(this.opts.backoffMaxMs, this.opts.backoffInitialMs * 2 ** (c.failures - 1));
        c.lastError = e;
        throw e;
      },
    ).finally(() => {
      c.connecting = null;
    });
    return c.connecting;
  }

  private async connect(c: Conn): Promise<ClientT> {
    const t = c.target;
    if (t.proxyJump.length > 1) throw new SshError('config', `${c.where}: ProxyJump with ${t.proxyJump.length} hops is not supported (one hop only)`);
    let sock: ConnectConfig['sock'];
    if (t.proxyJump.length === 1) {
      const hop = t.proxyJump[0];
      const jump = await this.handshake(hopTarget(t, hop), `ssh ${hop.user}@${hop.host}:${hop.port} (ProxyJump for ${c.where})`);
      c.jump = jump;
      try {
        sock = await new Promise((resolve, reject) =>
          jump.forwardOut('127.0.0.1', 0, t.host, t.port, (err, stream) => (err ? reject(err) : resolve(stream))));
      } catch (err) {
        jump.end();
        c.jump = null;
        throw new SshError('network', `${c.where}: ProxyJump ${hop.host} could not reach ${t.host}:${t.port} (${(err as Error).message})`);
      }
    }
    return this.handshake(t, c.where, sock);
  }

  /** One SSH handshake with host-key checking against known_hosts and agent/key auth. */
  private handshake(t: ResolvedTarget, where: string, sock?: ConnectConfig['sock']): Promise<ClientT> {
    const agent = this.opts.agent === false ? undefined : this.opts.agent ?? process.env.SSH_AUTH_SOCK;
    const auth = planAuth(t.user, t.identityFiles, agent);
    const acceptNew = this.opts.acceptNew || t.strictHostKeyChecking === 'accept-new' || t.strictHostKeyChecking === 'no';
    let hostKeyError: SshHostKeyError | null = null;

    const hostVerifier = (blob: Buffer): boolean => {
      let keyType: string;
      try {
        keyType = blobKeyType(blob);
      } catch {
        hostKeyError = new SshHostKeyError('unknown', '?', `${where}: server sent a malformed host key`);
        return false;
      }
      const r = verifyHostKey({ host: t.host, port: t.port, keyType, keyBlob: blob, files: t.knownHostsFiles });
      if (r.status === 'ok') return true;
      const sshCmd = `ssh ${t.port === 22 ? '' : `-p ${t.port} `}${t.user}@${t.host}`;
      if (r.status === 'unknown') {
        if (acceptNew && t.knownHostsFiles.length > 0) {
          appendKnownHost(t.knownHostsFiles[0], t.host, t.port, keyType, blob);
          return true;
        }
        hostKeyError = new SshHostKeyError('unknown', r.fingerprint,
          `${where}: host key not known (${keyType} ${r.fingerprint}); to trust it, run \`${sshCmd}\` once and accept the key, or start pgtop-ha with --ssh-accept-new`);
      } else if (r.status === 'changed') {
        hostKeyError = new SshHostKeyError('changed', r.fingerprint,
          `${where}: HOST KEY CHANGED — now ${keyType} ${r.fingerprint}, known_hosts has another key at ${r.expected.file}:${r.expected.line}; if the change is expected, remove that line (ssh-keygen -R) and reconnect`);
      } else {
        hostKeyError = new SshHostKeyError('revoked', r.fingerprint, `${where}: host key ${keyType} ${r.fingerprint} is marked @revoked in known_hosts; refusing`);
      }
      return false;
    };

    return new Promise((resolve, reject) => {
      const client = new Client();
      // Each running command listens for 'close'; a cap above 8 must not trip Node's leak warning.
      client.setMaxListeners(this.opts.maxChannelsPerHost + 10);
      let settled = false;
      const fail = (err: unknown) => {
        if (settled) return;
        settled = true;
        client.end();
        reject(hostKeyError ?? mapSshError(err, where, auth.tried));
      };
      client.once('ready', () => {
        settled = true;
        // After ready, errors are reported through 'close' and failing channels; keep the listener
        // so an error event never becomes an uncaught exception.
        resolve(client);
      });
      client.on('error', fail);
      client.once('close', () => fail(new SshError('closed', `${where}: connection closed during handshake`)));
      if (auth.methods.length === 0) {
        fail({ level: 'client-authentication' });
        return;
      }
      client.connect({
        host: t.host,
        port: t.port,
        username: t.user,
        sock,
        readyTimeout: this.opts.connectTimeoutMs,
        keepaliveInterval: this.opts.keepaliveIntervalMs,
        keepaliveCountMax: this.opts.keepaliveCountMax,
        hostVerifier,
        authHandler: auth.methods,
        algorithms: { serverHostKey: hostKeyAlgorithms(knownKeyTypes(t.knownHostsFiles, t.host, t.port)) as never },
      });
    });
  }

  private exec(c: Conn, client: ClientT, command: string, deadline: number, timedOut: () => Error, cap: number, t0: number, release: () => void): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      const out = { stdout: [] as Buffer[], stderr: [] as Buffer[], outLen: 0, errLen: 0, truncated: false };
      let code: number | null = null;
      let signal: string | null = null;
      let channel: ClientChannel | null = null;
      let finished = false;
      const finish = (err: Error | null) => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        client.removeListener('close', onConnClose);
        if (err) reject(err);
        else
          resolve({
            code, signal, truncated: out.truncated, durationMs: Math.round(performance.now() - t0),
            stdout: Buffer.concat(out.stdout).toString('utf8'), stderr: Buffer.concat(out.stderr).toString('utf8'),
          });
      };
      const onConnClose = () => {
        release();
        finish(new SshError('closed', `${c.where}: connection lost while running a command`));
      };
      client.once('close', onConnClose);
      const timer = setTimeout(() => {
        closeChannel(channel, release, true);
        finish(timedOut());
      }, Math.max(0, deadline - Date.now()));

      const keep = (which: 'stdout' | 'stderr', chunk: Buffer) => {
        const lenKey = which === 'stdout' ? 'outLen' : 'errLen';
        const room = cap - out[lenKey];
        if (room <= 0) {
          out.truncated = true;
          return;
        }
        if (chunk.length > room) out.truncated = true;
        const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
        out[which].push(part);
        out[lenKey] += part.length;
      };

      try {
        client.exec(command, (err, stream) => {
          if (err) {
            release();
            finish(mapSshError(err, c.where));
            return;
          }
          channel = stream;
          if (finished) {
            stream.close(); // timed out while the channel was opening
            stream.once('close', release);
            return;
          }
          stream.on('data', (d: Buffer) => keep('stdout', d));
          stream.stderr.on('data', (d: Buffer) => keep('stderr', d));
          stream.on('exit', (exitCode: number | null, sig?: string) => {
            code = exitCode ?? null;
            signal = sig ?? null;
          });
          stream.once('close', () => {
            release();
            finish(null);
          });
        });
      } catch (err) {
        release();
        finish(mapSshError(err, c.where));
      }
    });
  }

  private execStream(c: Conn, client: ClientT, command: string, deadline: number | null, timedOut: () => Error, opts: StreamOptions, t0: number, release: () => void): Promise<StreamResult> {
    return new Promise((resolve, reject) => {
      const decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
      let code: number | null = null;
      let signal: string | null = null;
      let channel: ClientChannel | null = null;
      let finished = false;
      let timer: NodeJS.Timeout | undefined;
      const finish = (err: Error | null, wasAborted = false) => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        client.removeListener('close', onConnClose);
        opts.signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve({ code, signal, durationMs: Math.round(performance.now() - t0), aborted: wasAborted });
      };
      // A throwing callback must not become an uncaught exception inside ssh2's event loop.
      const deliver = (which: 'stdout' | 'stderr', text: string) => {
        if (finished || text === '') return;
        try {
          (which === 'stdout' ? opts.onStdout : opts.onStderr)(text);
        } catch (err) {
          closeChannel(channel, release, false);
          finish(err instanceof Error ? err : new Error(String(err)));
        }
      };
      const onConnClose = () => {
        release();
        finish(new SshError('closed', `${c.where}: connection lost while running a command`));
      };
      const onAbort = () => {
        if (finished) return;
        closeChannel(channel, release, false);
        finish(null, true);
      };
      client.once('close', onConnClose);
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      if (deadline !== null) {
        timer = setTimeout(() => {
          if (finished) return;
          closeChannel(channel, release, true);
          finish(timedOut());
        }, Math.max(0, deadline - Date.now()));
      }

      try {
        client.exec(command, (err, stream) => {
          if (err) {
            release();
            finish(mapSshError(err, c.where));
            return;
          }
          channel = stream;
          if (finished) {
            stream.close(); // timed out or aborted while the channel was opening
            stream.once('close', release);
            return;
          }
          stream.on('data', (d: Buffer) => deliver('stdout', decoders.stdout.write(d)));
          stream.stderr.on('data', (d: Buffer) => deliver('stderr', decoders.stderr.write(d)));
          stream.on('exit', (exitCode: number | null, sig?: string) => {
            code = exitCode ?? null;
            signal = sig ?? null;
          });
          stream.once('close', () => {
            release();
            // a truncated sequence at the very end comes out as U+FFFD rather than vanishing
            deliver('stdout', decoders.stdout.end());
            deliver('stderr', decoders.stderr.end());
            finish(null);
          });
        });
      } catch (err) {
        release();
        finish(mapSshError(err, c.where));
      }
    });
  }
}

function keyOf(t: ResolvedTarget): string {
  return `${t.user}@${t.host}:${t.port}`;
}

function hopTarget(t: ResolvedTarget, hop: JumpHost): ResolvedTarget {
  return { ...t, label: `${hop.user}@${hop.host}:${hop.port}`, host: hop.host, port: hop.port, user: hop.user, identityFiles: hop.identityFiles.length ? hop.identityFiles : t.identityFiles, proxyJump: [] };
}

function withDeadline<T>(p: Promise<T>, deadline: number, timedOut: () => Error): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(timedOut()), Math.max(0, deadline - Date.now()));
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
