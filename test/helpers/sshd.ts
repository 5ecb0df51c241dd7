// A real OpenSSH server for the transport tests: loopback only, its own temp dir, host key,
// authorized_keys and client key, so nothing on the machine (or ~/.ssh) is touched or trusted.

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export const SSHD = '/usr/sbin/sshd';

export interface PubKey { type: string; blob: Buffer; line: string }

function readPub(file: string): PubKey {
  const line = readFileSync(file, 'utf8').trim();
  const [type, b64] = line.split(/\s+/);
  return { type, blob: Buffer.from(b64, 'base64'), line };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function keygen(file: string): void {
  rmSync(file, { force: true });
  rmSync(`${file}.pub`, { force: true });
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'pgtop-test', '-f', file]);
}

export class TestSshd {
  readonly dir: string;
  readonly user: string;
  port = 0;
  hostKey!: PubKey;
  /** Private key the server accepts for `user`. */
  readonly clientKey: string;
  /** Everything sshd wrote to stderr, across restarts. */
  log = '';
  private proc: ChildProcess | null = null;

  private constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'pgtop-sshd-'));
    this.user = userInfo().username;
    this.clientKey = join(this.dir, 'client_ed25519');
  }

  static async start(): Promise<TestSshd> {
    const s = new TestSshd();
    keygen(join(s.dir, 'host_ed25519'));
    s.hostKey = readPub(join(s.dir, 'host_ed25519.pub'));
    keygen(s.clientKey);
    writeFileSync(join(s.dir, 'authorized_keys'), readFileSync(`${s.clientKey}.pub`, 'utf8'), { mode: 0o600 });
    s.port = await freePort();
    await s.launch();
    return s;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  /** A fresh host key: what a reinstalled (or impostor) server looks like. Takes effect on restart. */
  rotateHostKey(): void {
    keygen(join(this.dir, 'host_ed25519'));
    this.hostKey = readPub(join(this.dir, 'host_ed25519.pub'));
  }

  /** Successful logins so far (sshd logs one line per authenticated connection). */
  acceptedLogins(): number {
    return (this.log.match(/Accepted publickey for /g) ?? []).length;
  }

  /** Processes under the listener: per-connection sshd children and the commands they run. */
  sessions(): Array<{ pid: number; cmdline: string }> {
    if (!this.proc?.pid) return [];
    return descendants(this.proc.pid).flatMap((pid) => {
      try {
        return [{ pid, cmdline: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim() }];
      } catch {
        return [];
      }
    });
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  /**
   * Stops the server AND its per-connection children. Stopping only the listener (what
   * `systemctl restart ssh` does) leaves established sessions alive, so a client would not notice.
   */
  async stop(): Promise<void> {
    const p = this.proc;
    this.proc = null;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const gone = new Promise((r) => p.once('exit', r));
    const children = descendants(p.pid!);
    process.kill(p.pid!, 'SIGTERM');
    for (const pid of children) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
    }
    await gone;
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async launch(): Promise<void> {
    // Privilege separation directory; Debian creates it from the service unit, which we do not use.
    if (!existsSync('/run/sshd')) mkdirSync('/run/sshd', { mode: 0o755 });
    const cfg = join(this.dir, 'sshd_config');
    writeFileSync(cfg, [
      `ListenAddress 127.0.0.1`,
      `Port ${this.port}`,
      `HostKey ${join(this.dir, 'host_ed25519')}`,
      `PidFile ${join(this.dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(this.dir, 'authorized_keys')}`,
      `StrictModes no`, // temp dirs are not owned the way StrictModes insists
      `PasswordAuthentication no`,
      `KbdInteractiveAuthentication no`,
      `UsePAM no`,
      `PermitRootLogin prohibit-password`,
      `AllowUsers ${this.user}`,
      `MaxSessions 10`,
      `LogLevel VERBOSE`,
      `Subsystem sftp internal-sftp`,
      '',
    ].join('\n'));
    const p = spawn(SSHD, ['-D', '-e', '-f', cfg], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.proc = p;
    p.stderr!.setEncoding('utf8');
    p.stderr!.on('data', (d: string) => {
      this.log += d;
    });
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (p.exitCode !== null || p.signalCode !== null) {
        throw new Error(`sshd exited (${p.exitCode ?? p.signalCode}) before listening:\n${this.log}`);
      }
      if (await canConnect(this.port)) return;
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(`sshd did not listen on 127.0.0.1:${this.port} within 10 s:\n${this.log}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Pids whose parent chain leads to `root` (from /proc, so no procps needed). */
export function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // field 4 of /proc/PID/stat, after the parenthesised command name (which may hold spaces)
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      /* exited meanwhile */
    }
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    for (const [child, pp] of parent) if (pp === pid) {
      out.push(child);
      walk(child);
    }
  };
  walk(root);
  return out;
}
