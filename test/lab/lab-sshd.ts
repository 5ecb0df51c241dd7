// The lab's sshd: one OpenSSH server on a free 127.0.0.1 port, so the SSH-side probes (repmgr CLI,
// VIP holder) run against a real server exactly as on a production node. Key-only logins for the
// OS users `postgres` and `barman`; host key, client key and known_hosts all live in <lab>/sshd.
//
// Why AuthorizedKeysCommand and not AuthorizedKeysFile: with StrictModes on (kept on, as in
// production) sshd refuses a keys file under a group/world-writable directory, and the lab lives
// under /tmp (1777). `cat` of the keys file as `nobody` sidesteps that without loosening anything.
// Why UsePAM yes: Debian creates postgres/barman with a locked password ("!"); without PAM, sshd
// refuses locked accounts even for public keys. Passwords stay off either way.

import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { descendants, freePort } from '../helpers/sshd.ts';
import { LabStepError, osIds, pidAlive, run } from './lab.ts';

export const SSHD_BIN = '/usr/sbin/sshd';
export const LAB_SSH_USERS = ['postgres', 'barman'] as const;

export interface LabSshd {
  host: '127.0.0.1';
  port: number;
  dir: string;
  configFile: string;
  /** Private host key (root, 0600) and its public line ("ssh-ed25519 AAAA…"). */
  hostKeyFile: string;
  hostKeyPub: string;
  /** Private key every lab SSH user accepts (root, 0600); pass as identity_file. */
  clientKey: string;
  clientKeyPub: string;
  /**
   * The same private key, owned by `postgres` (0600): repmgr runs ssh as the postgres OS user
   * (`standby switchover` reaches the primary and siblings with it), and ssh refuses a key its user
   * cannot read or that others can. repmgr.conf's `ssh_options` point at it (repmgrSshOptions).
   */
  repmgrKey: string;
  /** Public keys sshd accepts (read through AuthorizedKeysCommand). */
  authorizedKeys: string;
  /** "[127.0.0.1]:PORT ssh-ed25519 AAAA…": pass as known_hosts. */
  knownHosts: string;
  pidFile: string;
  logFile: string;
  users: string[];
  pid?: number;
}

export function planSshd(labDir: string, port: number): LabSshd {
  const dir = join(labDir, 'sshd');
  return {
    host: '127.0.0.1',
    port,
    dir,
    configFile: join(dir, 'sshd_config'),
    hostKeyFile: join(dir, 'ssh_host_ed25519_key'),
    hostKeyPub: '',
    clientKey: join(dir, 'client_ed25519'),
    clientKeyPub: '',
    repmgrKey: join(dir, 'client_ed25519.postgres'),
    authorizedKeys: join(dir, 'authorized_keys'),
    knownHosts: join(dir, 'known_hosts'),
    pidFile: join(dir, 'sshd.pid'),
    logFile: join(labDir, 'log', 'sshd.log'),
    users: [...LAB_SSH_USERS],
  };
}

/** A free port on 127.0.0.1, not one of `taken` (ports the lab picked but has not bound yet). */
export async function freeLoopbackPort(taken: readonly number[] = []): Promise<number> {
  for (;;) {
    const p = await freePort();
    if (!taken.includes(p) && p !== 5432) return p;
  }
}

function sshdConfig(s: LabSshd): string {
  return [
    '# pgtop-ha lab sshd: loopback only, public keys only',
    `ListenAddress ${s.host}`,
    `Port ${s.port}`,
    `HostKey ${s.hostKeyFile}`,
    `PidFile ${s.pidFile}`,
    'AuthorizedKeysFile none',
    `AuthorizedKeysCommand /usr/bin/cat ${s.authorizedKeys}`,
    'AuthorizedKeysCommandUser nobody',
    'StrictModes yes',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitEmptyPasswords no',
    'UsePAM yes',
    'PermitRootLogin no',
    `AllowUsers ${s.users.join(' ')}`,
    'MaxSessions 10',
    // tests open many connections at once (bad keys, retries); the default 10:30:100 drops some
    'MaxStartups 50:30:100',
    'PrintMotd no',
    'LogLevel VERBOSE',
    'Subsystem sftp internal-sftp',
    '',
  ].join('\n');
}

async function keygen(file: string, comment: string): Promise<string> {
  rmSync(file, { force: true });
  rmSync(`${file}.pub`, { force: true });
  await run('sshd keys', ['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
  chmodSync(file, 0o600); // sshd refuses a host key others can read
  return readFileSync(`${file}.pub`, 'utf8').trim();
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

function readPid(file: string): number | undefined {
  try {
    const n = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/** The listener's pid if it is running (and is an sshd). */
export function sshdPid(s: LabSshd): number | undefined {
  const pid = readPid(s.pidFile) ?? s.pid;
  if (!pid || !pidAlive(pid)) return undefined;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(s.configFile) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** OpenSSH client argv logging in to the lab sshd as `user` (strict host-key checking). */
export function sshArgv(s: LabSshd, user: string, ...command: string[]): string[] {
  return [
    'ssh', '-F', '/dev/null', '-i', s.clientKey, '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes',
    '-o', `UserKnownHostsFile=${s.knownHosts}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'ConnectTimeout=5',
    '-p', String(s.port), `${user}@${s.host}`, ...command,
  ];
}

/**
 * repmgr.conf `ssh_options` for the lab: repmgr builds `ssh -o Batchmode=yes <ssh_options> HOST CMD`
 * (repmgr 5.3.3 sysutils.c make_remote_command, repmgr-client.c test_ssh_connection) with HOST from
 * the node's conninfo (127.0.0.1), so the port, key and known_hosts must all come from here. `-F
 * /dev/null` keeps ~postgres/.ssh/config and /etc/ssh/ssh_config out; `-q -o ConnectTimeout=10` is
 * repmgr's own default (DEFAULT_SSH_OPTIONS), which setting ssh_options replaces. Space-separated
 * words only (repmgr pastes it into a shell command line): the lab dir needs no quoting (labDir).
 */
export function repmgrSshOptions(s: LabSshd): string {
  return [
    '-q', '-o', 'ConnectTimeout=10', '-F', '/dev/null', '-p', String(s.port), '-i', s.repmgrKey, '-o', 'IdentitiesOnly=yes',
    '-o', `UserKnownHostsFile=${s.knownHosts}`, '-o', 'StrictHostKeyChecking=yes',
  ].join(' ');
}

/** Starts the sshd planned by planSshd (saved in lab.json first, so labDown finds it whatever happens). */
export async function startSshd(s: LabSshd, log: (m: string) => void): Promise<void> {
  mkdirSync(s.dir, { recursive: true, mode: 0o755 });
  chmodSync(s.dir, 0o755); // `nobody` must reach authorized_keys
  // Privilege separation directory: the ssh.service unit creates it, and we do not use the unit.
  if (!existsSync('/run/sshd')) mkdirSync('/run/sshd', { mode: 0o755 });
  s.hostKeyPub = await keygen(s.hostKeyFile, 'pgtop-ha-lab-host');
  s.clientKeyPub = await keygen(s.clientKey, 'pgtop-ha-lab-client');
  rmSync(s.repmgrKey, { force: true });
  copyFileSync(s.clientKey, s.repmgrKey);
  chmodSync(s.repmgrKey, 0o600);
  if (process.getuid?.() === 0) {
    const pg = osIds('postgres');
    chownSync(s.repmgrKey, pg.uid, pg.gid);
  }
  writeFileSync(s.authorizedKeys, `restrict ${s.clientKeyPub}\n`, { mode: 0o644 });
  chmodSync(s.authorizedKeys, 0o644);
  const [type, blob] = s.hostKeyPub.split(/\s+/);
  writeFileSync(s.knownHosts, `[${s.host}]:${s.port} ${type} ${blob}\n`, { mode: 0o644 });
  writeFileSync(s.configFile, sshdConfig(s), { mode: 0o644 });
  await run('sshd config check', [SSHD_BIN, '-t', '-f', s.configFile]);
  // Without -D sshd binds, then daemonizes: when the command returns, the port is listening.
  await run('sshd start', [SSHD_BIN, '-f', s.configFile, '-E', s.logFile], { logFile: s.logFile, timeoutMs: 30_000 });
  const deadline = Date.now() + 10_000;
  while (!(sshdPid(s) && (await canConnect(s.port)))) {
    if (Date.now() > deadline) throw new LabStepError('sshd start', `sshd not listening on ${s.host}:${s.port} after 10 s (pid file ${s.pidFile})`);
    await new Promise((r) => setTimeout(r, 100));
  }
  s.pid = sshdPid(s);
  for (const user of s.users) {
    // the whole chain a probe needs: host key in known_hosts, key login, PAM session, a shell
    await run(`sshd login as ${user}`, sshArgv(s, user, 'true'), { logFile: s.logFile, timeoutMs: 30_000 });
  }
  // repmgr's own way in: ssh run BY postgres with repmgr.conf's ssh_options (key, known_hosts, port)
  await run('sshd login as postgres with repmgr ssh_options', ['ssh', '-o', 'Batchmode=yes', ...repmgrSshOptions(s).split(' '), s.host, 'true'], {
    user: 'postgres',
    logFile: s.logFile,
    timeoutMs: 30_000,
  });
  log(`sshd on ${s.host}:${s.port} (pid ${s.pid}), users ${s.users.join(', ')}`);
}

/**
 * Stops the lab's sshd by its pid, and the sessions it forked: stopping only the listener would
 * leave established probe connections (and the commands they run) alive. Returns a problem or null.
 */
export async function downSshd(s: LabSshd, log: (m: string) => void): Promise<string | null> {
  const pid = sshdPid(s);
  if (!pid) return null;
  log(`stopping sshd (pid ${pid})`);
  const pids = [pid, ...descendants(pid)];
  for (const p of pids) {
    try {
      process.kill(p, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
  const deadline = Date.now() + 10_000;
  while (pids.some(pidAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const left = pids.filter(pidAlive);
  for (const p of left) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  if (left.length === 0) return null;
  await new Promise((r) => setTimeout(r, 500));
  const stuck = left.filter(pidAlive);
  return stuck.length ? `sshd pids ${stuck.join(', ')} did not stop` : null;
}
