// The project's HA test lab: PostgreSQL 15 ×3 managed by repmgr 5.3 (repmgrd, automatic
// failover), one pgpool-II 4.3 in streaming-replication mode and barman 3.4 (streaming
// archiver), all on 127.0.0.1 and all under one lab directory. Used by integration tests
// (in-process: labUp/labDown/readLab) and by `npm run lab:up` / `npm run lab:down`.
//
// Rules this module keeps: argv arrays only (never shell strings built from values), every
// PostgreSQL/repmgr command runs as the `postgres` OS user and barman as `barman`, and only
// what the lab started is stopped (pid files, pg_ctl stop, pgpool's own `stop`).

import { spawn, type SpawnOptions } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { freePort } from '../helpers/sshd.ts';
import { downSshd, freeLoopbackPort, planSshd, repmgrSshOptions, sshdPid, startSshd, type LabSshd } from './lab-sshd.ts';
import { downVip, planVip, startVip, vipPresent, type LabVip } from './lab-vip.ts';

export const PG_BIN = '/usr/lib/postgresql/15/bin';
export const DEFAULT_LAB_DIR = '/tmp/pgtop-ha-lab';
export const LAB_PACKAGES = ['postgresql-15-repmgr', 'pgpool2', 'barman', 'barman-cli', 'openssh-server'] as const;
export type LabLayer = 'repmgr' | 'pgpool' | 'barman';
export const ALL_LAYERS: readonly LabLayer[] = ['repmgr', 'pgpool', 'barman'];

export interface LabNode {
  id: number;
  /** repmgr node_name, also the standby's application_name and pgpool's backend_application_name. */
  name: string;
  port: number;
  dataDir: string;
  /** libpq conninfo repmgr uses (user repmgr, db repmgr). */
  conninfo: string;
  /** libpq conninfo for a superuser session (user postgres, db postgres). */
  superConninfo: string;
  repmgrConf: string;
  repmgrLog: string;
  repmgrdPidFile: string;
  pgLog: string;
  /** Role at lab start-up. */
  initialRole: 'primary' | 'standby';
  /** postmaster pid and repmgrd pid as read after start-up. */
  pid?: number;
  repmgrdPid?: number;
}

export interface LabPgpool {
  port: number;
  pcpPort: number;
  pcpUser: string;
  pcpPassword: string;
  /** Set PCPPASSFILE to this for `pcp_* -w`. Owned by whoever ran labUp, 0600. */
  pcpPassFile: string;
  configFile: string;
  pcpConfigFile: string;
  hbaFile: string;
  pidFile: string;
  socketDir: string;
  logFile: string;
  pid?: number;
  /** Watchdog of this instance (use_watchdog = on, no delegate_ip): pgpool_node_id 0 or 1. */
  wdNodeId: number;
  /** Watchdog TCP port and heartbeat UDP port (both 127.0.0.1). */
  wdPort: number;
  heartbeatPort: number;
  /** wd_priority: the first instance is preferred as watchdog leader. */
  wdPriority: number;
}

export interface LabBarman {
  configFile: string;
  home: string;
  logFile: string;
  server: string;
  osUser: string;
  conninfo: string;
  streamingConninfo: string;
  slotName: string;
  receiveWalPid?: number;
}

export interface LabInfo {
  version: 1;
  state: 'starting' | 'up';
  dir: string;
  createdAt: string;
  pgBinDir: string;
  osUser: string;
  socketDir: string;
  walArchiveDir: string;
  logDir: string;
  layers: LabLayer[];
  nodes: LabNode[];
  pgpool?: LabPgpool;
  /** The second pgpool of the watchdog cluster: same backends, own ports, dir and pid (pgpool_node_id 1). */
  pgpoolPeer?: LabPgpool;
  barman?: LabBarman;
  /** sshd for the SSH-side probes (lab-sshd.ts); built with the repmgr layer. */
  sshd?: LabSshd;
  /** A VIP on lo held by the lab's one host (lab-vip.ts); built with the repmgr layer. */
  vip?: LabVip;
  /** Seconds each step took at the last labUp. */
  timings: Record<string, number>;
}

export interface LabUpOptions {
  /** Default: $PGTOP_HA_LAB_DIR or /tmp/pgtop-ha-lab. */
  dir?: string;
  /**
   * Fixed ports: node1..3 = base..base+2, pgpool = base+3, PCP = base+4, its watchdog = base+5,
   * heartbeat (UDP) = base+6; the peer pgpool = base+7, its PCP/watchdog/heartbeat = base+8..10.
   * Default: $PGTOP_HA_LAB_BASE_PORT, else free ports.
   */
  basePort?: number;
  /** Layers to build, in order (a layer needs the ones before it). Default: all. */
  layers?: LabLayer[];
  /** Tear down and rebuild even when a healthy lab is already up. */
  fresh?: boolean;
  /** Run apt-get for missing packages (default true). */
  install?: boolean;
  log?: (msg: string) => void;
}

export class LabStepError extends Error {
  constructor(
    readonly step: string,
    detail: string,
  ) {
    super(`lab step "${step}" failed: ${detail}`);
    this.name = 'LabStepError';
  }
}

// ---------------------------------------------------------------------------------------------
// small helpers

export function labDir(dir?: string): string {
  const d = dir ?? process.env.PGTOP_HA_LAB_DIR ?? DEFAULT_LAB_DIR;
  // Paths end up in config files (repmgr.conf, pgpool.conf, barman.conf, archive_command):
  // refuse anything that would need quoting there.
  if (!/^\/[A-Za-z0-9._\/-]+$/.test(d) || d.length > 60) {
    throw new LabStepError('lab dir', `unsupported lab dir ${JSON.stringify(d)} (absolute, [A-Za-z0-9._/-] only, ≤ 60 chars: sockets live in it)`);
  }
  return d.replace(/\/+$/, '');
}

function labJsonPath(dir: string): string {
  return join(dir, 'lab.json');
}

function tailOf(text: string, lines = 25): string {
  const l = text.trimEnd().split('\n');
  return l.slice(-lines).join('\n');
}

function fileTail(path: string | undefined, lines = 25): string {
  if (!path || !existsSync(path)) return '';
  try {
    return `\n--- tail of ${path} ---\n${tailOf(readFileSync(path, 'utf8'), lines)}`;
  } catch {
    return '';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface RunOpts {
  /** OS user to run as through `runuser -u USER --` (only when we are root and USER differs). */
  user?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
  /** Send stdout/stderr to this file instead of pipes (for commands that leave daemons behind). */
  outFile?: string;
  /** Extra log file whose tail goes into the error. */
  logFile?: string;
  /** Exit codes that count as success (default [0]). */
  okCodes?: number[];
}

function asUser(user: string | undefined, argv: string[]): string[] {
  if (!user || process.getuid?.() !== 0) return argv;
  return ['runuser', '-u', user, '--', ...argv];
}

/** Run argv (as `user`), resolve with its output; never throws. */
export function runRaw(argv: string[], opts: RunOpts = {}): Promise<RunResult> {
  const full = asUser(opts.user, argv);
  return new Promise((resolve) => {
    let fd: number | undefined;
    const so: SpawnOptions = {
      cwd: opts.cwd ?? '/',
      env: { ...process.env, LC_ALL: 'C.UTF-8', ...opts.env },
    };
    if (opts.outFile) {
      fd = openSync(opts.outFile, 'a');
      so.stdio = ['ignore', fd, fd];
    } else so.stdio = ['ignore', 'pipe', 'pipe'];
    const child = spawn(full[0], full.slice(1), so);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (b) => (stdout += b));
    child.stderr?.on('data', (b) => (stderr += b));
    let timer: NodeJS.Timeout | undefined;
    if (opts.timeoutMs) {
      timer = setTimeout(() => {
        stderr += `\n[lab] timed out after ${opts.timeoutMs} ms, sending SIGTERM to pid ${child.pid}`;
        child.kill('SIGTERM');
      }, opts.timeoutMs);
    }
    const done = (code: number | null) => {
      if (timer) clearTimeout(timer);
      if (fd !== undefined) closeSync(fd);
      resolve({ code, stdout, stderr });
    };
    child.on('error', (e) => {
      stderr += String(e);
      done(127);
    });
    // 'exit', not 'close': daemons (pg_ctl's postmaster, repmgrd) may inherit our fds.
    child.on('exit', (code) => setTimeout(() => done(code), 20));
  });
}

/** Run argv (as `user`); throw LabStepError naming `step` with the output and log tails on failure. */
export async function run(step: string, argv: string[], opts: RunOpts = {}): Promise<RunResult> {
  const r = await runRaw(argv, { timeoutMs: 120_000, ...opts });
  const ok = opts.okCodes ?? [0];
  if (r.code === null || !ok.includes(r.code)) {
    const shown = asUser(opts.user, argv).join(' ');
    throw new LabStepError(
      step,
      `\`${shown}\` exited ${r.code}` +
        (r.stdout.trim() ? `\n--- stdout ---\n${tailOf(r.stdout)}` : '') +
        (r.stderr.trim() ? `\n--- stderr ---\n${tailOf(r.stderr)}` : '') +
        fileTail(opts.outFile) +
        fileTail(opts.logFile),
    );
  }
  return r;
}

/** Poll `check` until it returns a truthy value; throw naming the step (and last state) on timeout. */
async function waitFor<T>(step: string, timeoutMs: number, check: () => Promise<T | undefined | false | null>, describeLast?: () => string, logFile?: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // a LabStepError from check() is final (e.g. the daemon exited); anything else is retried
    const v = await check().catch((e) => {
      if (e instanceof LabStepError) throw e;
      return undefined;
    });
    if (v) return v;
    if (Date.now() > deadline) {
      throw new LabStepError(step, `timed out after ${timeoutMs / 1000}s${describeLast ? `\n${describeLast()}` : ''}${fileTail(logFile)}`);
    }
    await sleep(300);
  }
}

export function pidAlive(pid: number | undefined): boolean {
  if (!pid || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  // a zombie is not alive
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z';
  } catch {
    return false;
  }
}

function cmdlineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

function readPidFile(path: string): number | undefined {
  try {
    // pgpool writes "PID\0" (no newline), PostgreSQL "PID\n…", repmgrd "PID\n"
    const m = /^\s*(\d+)/.exec(readFileSync(path, 'utf8'));
    const n = m ? Number(m[1]) : NaN;
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

async function waitPidGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!pidAlive(pid)) return true;
    await sleep(100);
  }
  return !pidAlive(pid);
}

export function osIds(user: string): { uid: number; gid: number; home: string } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${user}:`));
  if (!line) throw new LabStepError('os users', `no OS user "${user}" (is its package installed?)`);
  const f = line.split(':');
  return { uid: Number(f[2]), gid: Number(f[3]), home: f[5] };
}

function mkdirOwned(path: string, user: string | null, mode = 0o750): void {
  mkdirSync(path, { recursive: true, mode });
  chmodSync(path, mode);
  if (user && process.getuid?.() === 0) {
    const { uid, gid } = osIds(user);
    chownSync(path, uid, gid);
  }
}

function writeOwned(path: string, text: string, user: string | null, mode = 0o640): void {
  writeFileSync(path, text, { mode });
  chmodSync(path, mode);
  if (user && process.getuid?.() === 0) {
    const { uid, gid } = osIds(user);
    chownSync(path, uid, gid);
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

// 3 PostgreSQL + 2 pgpools × (pgpool, PCP, watchdog, heartbeat); see LabUpOptions.basePort.
const PORT_COUNT = 11;

async function pickPorts(basePort: number | undefined): Promise<number[]> {
  if (basePort !== undefined) {
    const ports = Array.from({ length: PORT_COUNT }, (_, i) => basePort + i);
    for (const p of ports) {
      if (p === 5432) throw new LabStepError('ports', 'port 5432 is reserved for Debian\'s default cluster; choose another base port');
      if (!(await portFree(p))) throw new LabStepError('ports', `port ${p} on 127.0.0.1 is in use (base port ${basePort})`);
    }
    return ports;
  }
  const ports = new Set<number>();
  while (ports.size < PORT_COUNT) {
    const p = await freePort();
    if (p !== 5432 && p > 1024) ports.add(p);
  }
  return [...ports];
}

function q(v: string): string {
  // single-quoted value for postgresql.conf / repmgr.conf / pgpool.conf / pool config files
  if (/['\\\n]/.test(v)) throw new LabStepError('config', `value needs escaping: ${JSON.stringify(v)}`);
  return `'${v}'`;
}

// ---------------------------------------------------------------------------------------------
// lab.json

export function readLab(dir?: string): LabInfo {
  const d = labDir(dir);
  const p = labJsonPath(d);
  if (!existsSync(p)) throw new Error(`no lab at ${d} (missing ${p}); run \`npm run lab:up\``);
  return JSON.parse(readFileSync(p, 'utf8')) as LabInfo;
}

function tryReadLab(dir: string): LabInfo | undefined {
  try {
    return readLab(dir);
  } catch {
    return undefined;
  }
}

function saveLab(lab: LabInfo): void {
  writeFileSync(labJsonPath(lab.dir), JSON.stringify(lab, null, 2) + '\n', { mode: 0o644 });
}

// ---------------------------------------------------------------------------------------------
// packages

export async function ensurePackages(log: (m: string) => void): Promise<void> {
  const missing: string[] = [];
  for (const p of LAB_PACKAGES) {
    const r = await runRaw(['dpkg-query', '-W', '-f=${Status}', p]);
    if (r.code !== 0 || !r.stdout.includes('install ok installed')) missing.push(p);
  }
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) throw new LabStepError('install packages', `missing ${missing.join(', ')} and not root: apt-get install -y ${missing.join(' ')}`);
  log(`installing ${missing.join(', ')} …`);
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  const r = await runRaw(['apt-get', 'install', '-y', '--no-install-recommends', ...missing], { env, timeoutMs: 600_000 });
  if (r.code !== 0) {
    await run('install packages (apt-get update)', ['apt-get', 'update'], { env, timeoutMs: 300_000 });
    await run('install packages', ['apt-get', 'install', '-y', '--no-install-recommends', ...missing], { env, timeoutMs: 600_000 });
  }
}

// ---------------------------------------------------------------------------------------------
// up

const NODE_NAMES = ['pgsql1', 'pgsql2', 'pgsql3'];
const PRIORITIES = [100, 90, 50];

function planLab(dir: string, ports: number[], layers: LabLayer[]): LabInfo {
  const socketDir = join(dir, 'run');
  const nodes: LabNode[] = NODE_NAMES.map((name, i) => {
    const nd = join(dir, `node${i + 1}`);
    return {
      id: i + 1,
      name,
      port: ports[i],
      dataDir: join(nd, 'data'),
      conninfo: `host=127.0.0.1 port=${ports[i]} user=repmgr dbname=repmgr connect_timeout=2`,
      superConninfo: `host=127.0.0.1 port=${ports[i]} user=postgres dbname=postgres`,
      repmgrConf: join(nd, 'repmgr.conf'),
      repmgrLog: join(dir, 'log', `repmgr-node${i + 1}.log`),
      repmgrdPidFile: join(socketDir, `repmgrd-node${i + 1}.pid`),
      pgLog: join(dir, 'log', `postgresql-node${i + 1}.log`),
      initialRole: i === 0 ? 'primary' : 'standby',
    };
  });
  const lab: LabInfo = {
    version: 1,
    state: 'starting',
    dir,
    createdAt: new Date().toISOString(),
    pgBinDir: PG_BIN,
    osUser: 'postgres',
    socketDir,
    walArchiveDir: join(dir, 'wal_archive'),
    logDir: join(dir, 'log'),
    layers,
    nodes,
    timings: {},
  };
  if (layers.includes('pgpool')) {
    // Two pgpools forming one watchdog cluster. Each needs its own config dir: pgpool reads its
    // pgpool_node_id from a file next to pgpool.conf, and keeps pgpool_status in logdir.
    const planPgpool = (wdNodeId: number, sub: string, p: number[], log: string): LabPgpool => {
      const pd = join(dir, sub);
      return {
        port: p[0],
        pcpPort: p[1],
        pcpUser: 'pcpadmin',
        pcpPassword: 'pcp-lab-pass',
        pcpPassFile: join(dir, '.pcppass'),
        configFile: join(pd, 'pgpool.conf'),
        pcpConfigFile: join(pd, 'pcp.conf'),
        hbaFile: join(pd, 'pool_hba.conf'),
        pidFile: join(pd, 'pgpool.pid'),
        socketDir: pd,
        logFile: join(dir, 'log', log),
        wdNodeId,
        wdPort: p[2],
        heartbeatPort: p[3],
        wdPriority: wdNodeId === 0 ? 2 : 1,
      };
    };
    lab.pgpool = planPgpool(0, 'pgpool', [ports[3], ports[4], ports[5], ports[6]], 'pgpool.log');
    lab.pgpoolPeer = planPgpool(1, 'pgpool-peer', ports.slice(7, 11), 'pgpool-peer.log');
  }
  if (layers.includes('barman')) {
    const bh = join(dir, 'barman');
    lab.barman = {
      configFile: join(dir, 'barman.conf'),
      home: bh,
      logFile: join(bh, 'log', 'barman.log'),
      server: 'main',
      osUser: 'barman',
      conninfo: `host=127.0.0.1 port=${ports[0]} user=barman dbname=postgres`,
      streamingConninfo: `host=127.0.0.1 port=${ports[0]} user=streaming_barman dbname=postgres`,
      slotName: 'barman',
    };
  }
  return lab;
}

function pgConf(lab: LabInfo, node: LabNode): string {
  return [
    '',
    '# ---- pgtop-ha lab ----',
    `port = ${node.port}`,
    "listen_addresses = '127.0.0.1'",
    `unix_socket_directories = ${q(lab.socketDir)}`,
    "shared_preload_libraries = 'repmgr'",
    'wal_level = replica',
    'max_wal_senders = 10',
    'max_replication_slots = 10',
    'hot_standby = on',
    'wal_log_hints = on',
    'wal_keep_size = 256MB',
    'archive_mode = on',
    `archive_command = ${q(`test ! -f ${lab.walArchiveDir}/%f && cp %p ${lab.walArchiveDir}/%f`)}`,
    'max_connections = 60',
    'shared_buffers = 32MB',
    'fsync = off',
    'synchronous_commit = off',
    'full_page_writes = on',
    "log_line_prefix = '%m [%p] %q%u@%d '",
    '',
  ].join('\n');
}

const HBA = [
  '# pgtop-ha lab only: trust on loopback and the local socket',
  'local   all          all                 trust',
  'host    all          all   127.0.0.1/32  trust',
  'local   replication  all                 trust',
  'host    replication  all   127.0.0.1/32  trust',
  '',
].join('\n');

function repmgrConf(lab: LabInfo, node: LabNode): string {
  const pgctl = `${PG_BIN}/pg_ctl`;
  const repmgr = `${PG_BIN}/repmgr`;
  return [
    `node_id=${node.id}`,
    `node_name=${q(node.name)}`,
    `conninfo=${q(node.conninfo)}`,
    `data_directory=${q(node.dataDir)}`,
    `pg_bindir=${q(PG_BIN)}`,
    `priority=${PRIORITIES[node.id - 1]}`,
    "location='dc1'",
    'use_replication_slots=yes',
    'monitoring_history=yes',
    'failover=automatic',
    `promote_command=${q(`${repmgr} standby promote -f ${node.repmgrConf} --log-to-file`)}`,
    `follow_command=${q(`${repmgr} standby follow -f ${node.repmgrConf} --log-to-file --upstream-node-id=%n`)}`,
    `service_start_command=${q(`${pgctl} -D ${node.dataDir} -l ${node.pgLog} -w -t 60 start`)}`,
    `service_stop_command=${q(`${pgctl} -D ${node.dataDir} -m fast -w -t 60 stop`)}`,
    `service_restart_command=${q(`${pgctl} -D ${node.dataDir} -l ${node.pgLog} -m fast -w -t 60 restart`)}`,
    `service_promote_command=${q(`${pgctl} -D ${node.dataDir} -w -t 60 promote`)}`,
    // `standby switchover` SSHes (as postgres) from the promotion candidate to the primary's and the
    // siblings' conninfo host, 127.0.0.1 here: the lab sshd's port, a key postgres can read and the
    // lab's known_hosts. The demoted primary is stopped with service_stop_command (`node service
    // --action=stop --checkpoint`) and started again as a standby by `node rejoin` with
    // service_start_command: pg_ctl with -l, so the postmaster holds none of the SSH session's fds.
    ...(lab.sshd ? [`ssh_options=${q(repmgrSshOptions(lab.sshd))}`] : []),
    // Switchover waits (seconds; repmgr's defaults, spelled out): primary shutdown, promotion,
    // the demoted primary coming back and attaching.
    'shutdown_check_timeout=60',
    'promote_check_timeout=60',
    'standby_reconnect_timeout=60',
    'node_rejoin_timeout=60',
    `log_file=${q(node.repmgrLog)}`,
    "log_level='INFO'",
    `repmgrd_pid_file=${q(node.repmgrdPidFile)}`,
    'monitor_interval_secs=2',
    'reconnect_attempts=3',
    'reconnect_interval=2',
    'standby_disconnect_on_failover=false',
    '',
  ].join('\n');
}

async function psql(step: string, lab: LabInfo, port: number, sql: string, db = 'postgres', user = 'postgres'): Promise<string> {
  const r = await run(step, [`${PG_BIN}/psql`, '-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(port), '-U', user, '-d', db, '-c', sql], {
    user: 'postgres',
    cwd: lab.dir,
    timeoutMs: 30_000,
  });
  return r.stdout.trim();
}

async function startPg(step: string, node: LabNode, lab: LabInfo): Promise<void> {
  await run(step, [`${PG_BIN}/pg_ctl`, '-D', node.dataDir, '-l', node.pgLog, '-w', '-t', '60', 'start'], {
    user: 'postgres',
    cwd: lab.dir,
    outFile: join(lab.logDir, `pg_ctl-node${node.id}.out`),
    logFile: node.pgLog,
  });
  node.pid = readPidFile(join(node.dataDir, 'postmaster.pid'));
}

async function timed<T>(lab: LabInfo, name: string, log: (m: string) => void, fn: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  log(`${name} …`);
  const v = await fn();
  lab.timings[name] = Math.round((Date.now() - t0) / 100) / 10;
  log(`${name}: ${lab.timings[name]}s`);
  saveLab(lab);
  return v;
}

async function upRepmgr(lab: LabInfo, log: (m: string) => void): Promise<void> {
  const [n1, ...standbys] = lab.nodes;
  await timed(lab, 'node1 initdb+start', log, async () => {
    await run('initdb node1', [`${PG_BIN}/initdb`, '-D', n1.dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8'], {
      user: 'postgres',
      cwd: lab.dir,
    });
    writeOwned(join(n1.dataDir, 'pg_hba.conf'), HBA, 'postgres', 0o600);
    const conf = readFileSync(join(n1.dataDir, 'postgresql.conf'), 'utf8');
    writeOwned(join(n1.dataDir, 'postgresql.conf'), conf + pgConf(lab, n1), 'postgres', 0o600);
    await startPg('start node1', n1, lab);
    await psql('create repmgr user/db', lab, n1.port, 'CREATE USER repmgr SUPERUSER');
    await psql('create repmgr user/db', lab, n1.port, 'CREATE DATABASE repmgr OWNER repmgr');
    await psql('set repmgr search_path', lab, n1.port, 'ALTER USER repmgr SET search_path TO repmgr, "$user", public');
  });
  for (const n of lab.nodes) writeOwned(n.repmgrConf, repmgrConf(lab, n), 'postgres', 0o644);
  await timed(lab, 'repmgr primary register', log, () =>
    run('repmgr primary register (node1)', [`${PG_BIN}/repmgr`, '-f', n1.repmgrConf, 'primary', 'register'], { user: 'postgres', cwd: lab.dir, logFile: n1.repmgrLog }),
  );
  for (const n of standbys) {
    await timed(lab, `node${n.id} clone+register`, log, async () => {
      await run(
        `repmgr standby clone (node${n.id})`,
        [`${PG_BIN}/repmgr`, '-h', '127.0.0.1', '-p', String(n1.port), '-U', 'repmgr', '-d', 'repmgr', '-f', n.repmgrConf, 'standby', 'clone', '--fast-checkpoint'],
        { user: 'postgres', cwd: lab.dir, logFile: n.repmgrLog, timeoutMs: 180_000 },
      );
      // The clone copied node1's postgresql.conf (port included): the last setting wins.
      const confPath = join(n.dataDir, 'postgresql.conf');
      writeOwned(confPath, readFileSync(confPath, 'utf8') + `\n# ---- pgtop-ha lab: node${n.id} ----\nport = ${n.port}\n`, 'postgres', 0o600);
      await startPg(`start node${n.id}`, n, lab);
      await run(`repmgr standby register (node${n.id})`, [`${PG_BIN}/repmgr`, '-f', n.repmgrConf, 'standby', 'register', '--wait-sync=60'], {
        user: 'postgres',
        cwd: lab.dir,
        logFile: n.repmgrLog,
      });
    });
  }
  await timed(lab, 'standbys streaming', log, async () => {
    let last = '';
    await waitFor(
      'wait for standbys to stream',
      60_000,
      async () => {
        last = await psql('query pg_stat_replication', lab, n1.port, "SELECT application_name || ':' || state FROM pg_stat_replication ORDER BY 1");
        return standbys.every((s) => last.split('\n').includes(`${s.name}:streaming`));
      },
      () => `pg_stat_replication on node1:\n${last}`,
    );
  });
  await timed(lab, 'repmgrd start', log, async () => {
    for (const n of lab.nodes) {
      // repmgrd daemonizes by default and writes repmgrd_pid_file; runuser returns at once.
      await run(`start repmgrd (node${n.id})`, ['repmgrd', '-f', n.repmgrConf], {
        user: 'postgres',
        cwd: lab.dir,
        outFile: join(lab.logDir, `repmgrd-node${n.id}.out`),
        logFile: n.repmgrLog,
      });
    }
    for (const n of lab.nodes) {
      n.repmgrdPid = await waitFor(`repmgrd pid file (node${n.id})`, 20_000, async () => {
        const pid = readPidFile(n.repmgrdPidFile);
        return pid && pidAlive(pid) ? pid : undefined;
      }, undefined, n.repmgrLog);
    }
    let last = '';
    await waitFor(
      'repmgr service status shows repmgrd running on all nodes',
      30_000,
      async () => {
        const r = await runRaw([`${PG_BIN}/repmgr`, '-f', n1.repmgrConf, 'service', 'status', '--csv'], { user: 'postgres', cwd: lab.dir });
        last = r.stdout + r.stderr;
        const rows = r.stdout.trim().split('\n').map((l) => l.split(','));
        return rows.length === 3 && rows.every((f) => f[3] === '1' && f[4] === '1');
      },
      () => `repmgr service status --csv:\n${last}`,
      n1.repmgrLog,
    );
  });
}

/** Both lab pgpools, watchdog node 0 first. */
function labPgpools(lab: LabInfo): LabPgpool[] {
  return [lab.pgpool, lab.pgpoolPeer].filter((p): p is LabPgpool => p !== undefined);
}

// Watchdog without a VIP (delegate_ip empty: the VIP is someone else's job) and without
// escalation commands. Two nodes: enable_consensus_with_half_votes lets 1 of 2 votes decide, as
// pgpool's docs advise for an even count. Lifecheck by UDP heartbeat on 127.0.0.1, each node on
// its own port. Intervals short so the lab converges (leader + standby) in seconds.
function watchdogConf(lab: LabInfo, pp: LabPgpool): string[] {
  const lines = [
    'use_watchdog = on',
    `wd_ipc_socket_dir = ${q(pp.socketDir)}`,
    "delegate_ip = ''",
    "wd_escalation_command = ''",
    "wd_de_escalation_command = ''",
    "trusted_servers = ''",
    `wd_priority = ${pp.wdPriority}`,
    'enable_consensus_with_half_votes = on',
    "wd_lifecheck_method = 'heartbeat'",
    'wd_interval = 2',
    'wd_heartbeat_keepalive = 1',
    'wd_heartbeat_deadtime = 5',
  ];
  for (const other of labPgpools(lab)) {
    const i = other.wdNodeId;
    lines.push(
      `hostname${i} = '127.0.0.1'`,
      `wd_port${i} = ${other.wdPort}`,
      `pgpool_port${i} = ${other.port}`,
      `heartbeat_hostname${i} = '127.0.0.1'`,
      `heartbeat_port${i} = ${other.heartbeatPort}`,
      `heartbeat_device${i} = ''`,
    );
  }
  return lines;
}

function pgpoolConf(lab: LabInfo, pp: LabPgpool): string {
  const lines = [
    `# pgtop-ha lab pgpool-II 4.3 (streaming replication mode, watchdog node ${pp.wdNodeId}, no delegate_ip)`,
    "backend_clustering_mode = 'streaming_replication'",
    "listen_addresses = '127.0.0.1'",
    `port = ${pp.port}`,
    `unix_socket_directories = ${q(pp.socketDir)}`,
    "pcp_listen_addresses = '127.0.0.1'",
    `pcp_port = ${pp.pcpPort}`,
    `pcp_socket_dir = ${q(pp.socketDir)}`,
    `pid_file_name = ${q(pp.pidFile)}`,
    `logdir = ${q(pp.socketDir)}`,
    "log_destination = 'stderr'",
    'logging_collector = off',
    "log_line_prefix = '%m: %a pid %p: '",
    'enable_pool_hba = on',
    "pool_passwd = ''",
    "allow_clear_text_frontend_auth = off",
    'num_init_children = 8',
    'max_pool = 2',
    'load_balance_mode = on',
    'statement_level_load_balance = off',
    'sr_check_period = 2',
    "sr_check_user = 'repmgr'",
    "sr_check_password = 'lab-trust-unused'", // trust auth: never sent; empty would make pgpool look in pool_passwd and warn every check
    "sr_check_database = 'repmgr'",
    'delay_threshold = 10000000',
    'health_check_period = 2',
    'health_check_timeout = 5',
    "health_check_user = 'repmgr'",
    "health_check_password = 'lab-trust-unused'",
    "health_check_database = 'repmgr'",
    'health_check_max_retries = 2',
    'health_check_retry_delay = 1',
    'connect_timeout = 3000',
    "failover_command = ''",
    "follow_primary_command = ''",
    'failover_on_backend_error = off',
    'auto_failback = on',
    'auto_failback_interval = 10',
    'memory_cache_enabled = off',
    ...watchdogConf(lab, pp),
    '',
  ];
  for (const [i, n] of lab.nodes.entries()) {
    lines.push(
      `backend_hostname${i} = '127.0.0.1'`,
      `backend_port${i} = ${n.port}`,
      `backend_weight${i} = 1`,
      `backend_data_directory${i} = ${q(n.dataDir)}`,
      `backend_flag${i} = 'ALLOW_TO_FAILOVER'`,
      `backend_application_name${i} = ${q(n.name)}`,
      '',
    );
  }
  return lines.join('\n');
}

/** Writes one pgpool's files and starts it; resolves once its pid file, port and PCP port are up. */
async function startPgpool(lab: LabInfo, pp: LabPgpool): Promise<void> {
  const step = `pgpool start (watchdog node ${pp.wdNodeId})`;
  mkdirOwned(pp.socketDir, 'postgres', 0o755);
  writeOwned(pp.configFile, pgpoolConf(lab, pp), 'postgres', 0o640);
  // pgpool (4.2+) reads its watchdog node id from this file next to pgpool.conf.
  writeOwned(join(pp.socketDir, 'pgpool_node_id'), `${pp.wdNodeId}\n`, 'postgres', 0o640);
  const md5 = createHash('md5').update(pp.pcpPassword).digest('hex');
  writeOwned(pp.pcpConfigFile, `# pgtop-ha lab PCP users\n${pp.pcpUser}:${md5}\n`, 'postgres', 0o640);
  writeOwned(pp.hbaFile, ['local all all trust', 'host all all 127.0.0.1/32 trust', ''].join('\n'), 'postgres', 0o640);
  // Foreground (-n) child in its own session so it outlives `npm run lab:up`; -D discards a
  // stale pgpool_status. Runs as postgres (no runuser in between: the pid is pgpool's own).
  const fd = openSync(pp.logFile, 'a');
  const pg = osIds('postgres');
  const asRoot = process.getuid?.() === 0;
  const child = spawn('pgpool', ['-n', '-D', '-f', pp.configFile, '-F', pp.pcpConfigFile, '-a', pp.hbaFile], {
    cwd: lab.dir,
    detached: true,
    stdio: ['ignore', fd, fd],
    env: { ...process.env, HOME: pg.home },
    ...(asRoot ? { uid: pg.uid, gid: pg.gid } : {}),
  });
  closeSync(fd);
  let exited: string | undefined;
  child.on('exit', (code, sig) => (exited = `pgpool exited (code ${code}, signal ${sig})`));
  child.unref();
  pp.pid = child.pid;
  saveLab(lab);
  await waitFor(
    `${step} (pid file + port)`,
    30_000,
    async () => {
      if (exited) throw new LabStepError(step, `${exited}${fileTail(pp.logFile)}`);
      return readPidFile(pp.pidFile) === child.pid && !(await portFree(pp.port)) && !(await portFree(pp.pcpPort));
    },
    () => exited ?? 'pgpool not listening yet',
    pp.logFile,
  );
}

async function upPgpool(lab: LabInfo, log: (m: string) => void): Promise<void> {
  const pools = labPgpools(lab);
  const pp = lab.pgpool!;
  await timed(lab, 'pgpool start', log, async () => {
    // One .pcppass for both instances (pcp_* tools match host:port:user).
    const entries = pools.flatMap((p) => [`127.0.0.1:${p.pcpPort}:${p.pcpUser}:${p.pcpPassword}`, `localhost:${p.pcpPort}:${p.pcpUser}:${p.pcpPassword}`]);
    writeFileSync(pp.pcpPassFile, `${entries.join('\n')}\n`, { mode: 0o600 });
    chmodSync(pp.pcpPassFile, 0o600);
    // Node 0 (higher wd_priority) first, so it is the one that becomes watchdog leader.
    for (const p of pools) await startPgpool(lab, p);
  });
  await timed(lab, 'pgpool nodes up', log, async () => {
    for (const p of pools) {
      let last = '';
      await waitFor(
        `pgpool :${p.port} SHOW pool_nodes: 3 nodes up with the right roles`,
        40_000,
        async () => {
          last = await psql('SHOW pool_nodes', lab, p.port, 'SHOW pool_nodes');
          const rows = parsePoolNodes(last);
          return rows.length === 3 && rows.every((r, i) => r.status === 'up' && r.role === lab.nodes[i].initialRole);
        },
        () => `SHOW pool_nodes:\n${last}`,
        p.logFile,
      );
    }
  });
  await timed(lab, 'pgpool watchdog', log, async () => {
    let last = '';
    await waitFor(
      'pgpool watchdog: one LEADER, the other STANDBY, quorum exists',
      60_000,
      async () => {
        const r = await runRaw(['pcp_watchdog_info', '-h', '127.0.0.1', '-p', String(pp.pcpPort), '-U', pp.pcpUser, '-w', '-v'], {
          env: { PCPPASSFILE: pp.pcpPassFile },
          timeoutMs: 10_000,
        });
        last = r.stdout + r.stderr;
        const states = [...last.matchAll(/^Status Name\s*:\s*(.*)$/gm)].map((m) => m[1].trim()).sort();
        return r.code === 0 && /^Quorum state\s*:\s*QUORUM EXIST$/m.test(last) && states.join(',') === 'LEADER,STANDBY';
      },
      () => `pcp_watchdog_info -v:\n${last}`,
      pp.logFile,
    );
  });
}

export interface PoolNodeRow {
  node_id: string;
  port: string;
  status: string;
  pg_status: string;
  role: string;
  pg_role: string;
  replication_state: string;
}

/** `SHOW pool_nodes` in psql -A -t form (14 columns, `|`-separated, no header). */
export function parsePoolNodes(text: string): PoolNodeRow[] {
  return text
    .trim()
    .split('\n')
    .filter((l) => l.includes('|'))
    .map((l) => {
      const f = l.split('|');
      return { node_id: f[0], port: f[2], status: f[3], pg_status: f[4], role: f[6], pg_role: f[7], replication_state: f[11] ?? '' };
    });
}

function barmanConf(lab: LabInfo, b: LabBarman): string {
  return [
    '[barman]',
    `barman_home = ${b.home}`,
    `barman_user = ${b.osUser}`,
    `log_file = ${b.logFile}`,
    'log_level = INFO',
    `barman_lock_directory = ${join(b.home, 'lock')}`,
    `path_prefix = ${PG_BIN}`,
    'minimum_redundancy = 0',
    '',
    `[${b.server}]`,
    'description = "pgtop-ha lab primary (node1)"',
    `conninfo = ${b.conninfo}`,
    `streaming_conninfo = ${b.streamingConninfo}`,
    'backup_method = postgres',
    'immediate_checkpoint = true',
    'streaming_archiver = on',
    'archiver = off',
    `slot_name = ${b.slotName}`,
    'create_slot = auto',
    `path_prefix = ${PG_BIN}`,
    '',
  ].join('\n');
}

export function barmanArgv(lab: LabInfo, ...args: string[]): string[] {
  return ['barman', '-c', lab.barman!.configFile, ...args];
}

async function barman(step: string, lab: LabInfo, args: string[], timeoutMs = 120_000): Promise<RunResult> {
  return run(step, barmanArgv(lab, ...args), { user: 'barman', cwd: lab.barman!.home, logFile: lab.barman!.logFile, timeoutMs });
}

async function upBarman(lab: LabInfo, log: (m: string) => void): Promise<void> {
  const b = lab.barman!;
  const n1 = lab.nodes[0];
  await timed(lab, 'barman setup', log, async () => {
    mkdirOwned(b.home, 'barman', 0o750);
    mkdirOwned(join(b.home, 'log'), 'barman', 0o750);
    mkdirOwned(join(b.home, 'lock'), 'barman', 0o750);
    writeOwned(b.configFile, barmanConf(lab, b), null, 0o644);
    await psql('create barman users', lab, n1.port, 'CREATE USER barman SUPERUSER');
    await psql('create barman users', lab, n1.port, 'CREATE USER streaming_barman REPLICATION');
  });
  await timed(lab, 'barman cron (receive-wal)', log, async () => {
    await barman('barman cron', lab, ['cron']);
    let last = '';
    await waitFor(
      'barman receive-wal running with slot barman',
      40_000,
      async () => {
        const r = await psql('query barman slot', lab, n1.port, `SELECT active FROM pg_replication_slots WHERE slot_name = '${b.slotName}'`);
        last = r;
        if (r === 't') return true;
        await runRaw(barmanArgv(lab, 'cron'), { user: 'barman', cwd: b.home, timeoutMs: 60_000 });
        return false;
      },
      () => `slot barman active: ${JSON.stringify(last)}`,
      b.logFile,
    );
  });
  await timed(lab, 'barman switch-wal', log, () => barman('barman switch-wal --force --archive main', lab, ['switch-wal', '--force', '--archive', '--archive-timeout', '60', b.server]));
  await timed(lab, 'barman check', log, async () => {
    let last = '';
    await waitFor(
      'barman check main all OK',
      40_000,
      async () => {
        const r = await runRaw(barmanArgv(lab, 'check', b.server), { user: 'barman', cwd: b.home, timeoutMs: 60_000 });
        last = r.stdout + r.stderr;
        if (r.code !== 0) await runRaw(barmanArgv(lab, 'cron'), { user: 'barman', cwd: b.home, timeoutMs: 60_000 });
        return r.code === 0;
      },
      () => `barman check main:\n${last}`,
      b.logFile,
    );
  });
  for (const i of [1, 2]) {
    await timed(lab, `barman backup ${i}`, log, () => barman(`barman backup main --wait (#${i})`, lab, ['backup', '--wait', '--wait-timeout', '120', b.server], 180_000));
  }
  b.receiveWalPid = barmanReceiveWalPid(lab);
}

/** pid of `barman receive-wal main` from its lock file (barman writes the holder's pid into it). */
function barmanReceiveWalPid(lab: LabInfo): number | undefined {
  const b = lab.barman;
  if (!b) return undefined;
  for (const dir of [join(b.home, 'lock'), b.home]) {
    const p = join(dir, `.${b.server}-receive-wal.lock`);
    const pid = readPidFile(p);
    // the lock file keeps the last holder's pid after release: check it is still receive-wal
    if (pid && pidAlive(pid) && cmdlineOf(pid).includes('receive-wal')) return pid;
  }
  return undefined;
}

function labHealthy(lab: LabInfo): boolean {
  if (lab.state !== 'up') return false;
  if (!lab.sshd || !sshdPid(lab.sshd) || !lab.vip || !vipPresent(lab.vip)) return false;
  // A lab from before repmgr's ssh_options (no postgres-owned key) cannot switch over: rebuilt.
  if (!lab.sshd.repmgrKey || !existsSync(lab.sshd.repmgrKey)) return false;
  for (const n of lab.nodes) {
    if (!pidAlive(readPidFile(join(n.dataDir, 'postmaster.pid')))) return false;
    if (!pidAlive(readPidFile(n.repmgrdPidFile))) return false;
  }
  // A lab.json from before the watchdog (no pgpoolPeer) is not healthy: it gets rebuilt.
  if (lab.layers.includes('pgpool') && (!lab.pgpoolPeer || labPgpools(lab).some((p) => !pidAlive(readPidFile(p.pidFile))))) return false;
  if (lab.layers.includes('barman') && !barmanReceiveWalPid(lab)) return false;
  return true;
}

export async function labUp(opts: LabUpOptions = {}): Promise<LabInfo> {
  const log = opts.log ?? ((m: string) => console.error(`[lab] ${m}`));
  const dir = labDir(opts.dir);
  const wanted = opts.layers ?? [...ALL_LAYERS];
  const layers = ALL_LAYERS.filter((l, i) => wanted.includes(l) || ALL_LAYERS.slice(i + 1).some((x) => wanted.includes(x)));
  if (process.getuid?.() !== 0) throw new LabStepError('preflight', 'the lab must be run as root (it runs PostgreSQL as `postgres` and barman as `barman` through runuser)');

  const existing = tryReadLab(dir);
  if (existing && !opts.fresh && layers.every((l) => existing.layers.includes(l)) && labHealthy(existing)) {
    log(`lab already up in ${dir}`);
    return existing;
  }
  if (existing || existsSync(dir)) await labDown({ dir, log });

  const t0 = Date.now();
  if (opts.install !== false) await ensurePackages(log);
  const base = opts.basePort ?? (process.env.PGTOP_HA_LAB_BASE_PORT ? Number(process.env.PGTOP_HA_LAB_BASE_PORT) : undefined);
  if (base !== undefined && !(Number.isInteger(base) && base > 1024 && base + PORT_COUNT <= 65536)) throw new LabStepError('ports', `bad base port ${base}`);
  const ports = await pickPorts(base);
  const lab = planLab(dir, ports, layers);

  mkdirSync(dir, { recursive: true, mode: 0o755 });
  chmodSync(dir, 0o755);
  saveLab(lab);
  mkdirOwned(lab.socketDir, 'postgres', 0o755);
  mkdirOwned(lab.logDir, 'postgres', 0o777); // postgres, pgpool and barman all log here
  mkdirOwned(lab.walArchiveDir, 'postgres', 0o750);
  for (const n of lab.nodes) mkdirOwned(join(dir, `node${n.id}`), 'postgres', 0o755);

  // sshd and VIP for the SSH-side probes; recorded before starting so labDown always finds them
  lab.sshd = planSshd(dir, await freeLoopbackPort(ports));
  saveLab(lab);
  await timed(lab, 'sshd start', log, () => startSshd(lab.sshd!, log));
  lab.vip = planVip(lab.sshd, dir);
  saveLab(lab);
  await timed(lab, 'vip', log, () => startVip(lab.vip!, log));
  await upRepmgr(lab, log);
  if (layers.includes('pgpool')) await upPgpool(lab, log);
  if (layers.includes('barman')) await upBarman(lab, log);
  for (const n of lab.nodes) {
    n.pid = readPidFile(join(n.dataDir, 'postmaster.pid'));
    n.repmgrdPid = readPidFile(n.repmgrdPidFile);
  }
  lab.state = 'up';
  lab.timings.total = Math.round((Date.now() - t0) / 100) / 10;
  saveLab(lab);
  log(`lab up in ${lab.timings.total}s: ${labJsonPath(dir)}`);
  return lab;
}

// ---------------------------------------------------------------------------------------------
// down

export interface LabDownOptions {
  dir?: string;
  /** Keep the lab directory (data, logs) after stopping everything. Default: $PGTOP_HA_LAB_KEEP=1. */
  keep?: boolean;
  log?: (msg: string) => void;
}

async function stopPid(pid: number | undefined, what: string, log: (m: string) => void, timeoutMs = 15_000): Promise<void> {
  if (!pid || !pidAlive(pid)) return;
  log(`stopping ${what} (pid ${pid})`);
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  if (await waitPidGone(pid, timeoutMs)) return;
  log(`${what} (pid ${pid}) ignored SIGTERM, sending SIGKILL`);
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* gone */
  }
  await waitPidGone(pid, 5_000);
}

/** Processes whose command line mentions the lab dir (for the leftover check; never killed by this). */
export function labProcesses(dir?: string): { pid: number; cmd: string }[] {
  const d = labDir(dir);
  const out: { pid: number; cmd: string }[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    const pid = Number(e);
    if (pid === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0').join(' ').trim();
      if ((cmd.includes(`${d}/`) || cmd.endsWith(d)) && pidAlive(pid)) out.push({ pid, cmd });
    } catch {
      /* raced */
    }
  }
  return out;
}

export async function labDown(opts: LabDownOptions = {}): Promise<void> {
  const log = opts.log ?? ((m: string) => console.error(`[lab] ${m}`));
  const dir = labDir(opts.dir);
  const keep = opts.keep ?? process.env.PGTOP_HA_LAB_KEEP === '1';
  const lab = tryReadLab(dir);
  if (!lab && !existsSync(dir)) {
    log(`no lab in ${dir}: nothing to stop`);
    return;
  }
  const problems: string[] = [];

  // 1. barman: stop receive-wal (it stops its pg_receivewal), then any recorded pid.
  if (lab?.barman && existsSync(lab.barman.configFile)) {
    const pid = barmanReceiveWalPid(lab);
    if (pid) {
      log('stopping barman receive-wal');
      await runRaw(barmanArgv(lab, 'receive-wal', '--stop', lab.barman.server), { user: 'barman', cwd: '/', timeoutMs: 30_000 });
      if (!(await waitPidGone(pid, 10_000))) await stopPid(pid, 'barman receive-wal', log);
    }
  }

  // 2. pgpool: its own stop command with its own config, then the pid as a fallback. The peer
  // (watchdog standby) first, so the leader is not left waiting on a node that is going away.
  for (const pp of lab ? labPgpools(lab).reverse() : []) {
    const pid = readPidFile(pp.pidFile) ?? pp.pid;
    if (pid && pidAlive(pid)) {
      const what = `pgpool :${pp.port} (watchdog node ${pp.wdNodeId ?? 0})`;
      log(`stopping ${what}`);
      await runRaw(['pgpool', '-f', pp.configFile, '-F', pp.pcpConfigFile, '-m', 'fast', 'stop'], { user: 'postgres', cwd: '/', timeoutMs: 30_000 });
      if (!(await waitPidGone(pid, 15_000))) await stopPid(pid, what, log);
    }
  }

  // 3. repmgrd before PostgreSQL, or it would try to fail over.
  const nodes = lab?.nodes ?? [];
  for (const n of nodes) await stopPid(readPidFile(n.repmgrdPidFile) ?? n.repmgrdPid, `repmgrd node${n.id}`, log);

  // 4. PostgreSQL, standbys first.
  for (const n of [...nodes].reverse()) {
    const pidFile = join(n.dataDir, 'postmaster.pid');
    const pid = readPidFile(pidFile);
    if (pid && pidAlive(pid)) {
      log(`stopping PostgreSQL node${n.id}`);
      const r = await runRaw([`${PG_BIN}/pg_ctl`, '-D', n.dataDir, '-m', 'fast', '-w', '-t', '30', 'stop'], { user: 'postgres', cwd: '/', timeoutMs: 45_000 });
      if (r.code !== 0) {
        await runRaw([`${PG_BIN}/pg_ctl`, '-D', n.dataDir, '-m', 'immediate', '-w', '-t', '30', 'stop'], { user: 'postgres', cwd: '/', timeoutMs: 45_000 });
      }
      if (!(await waitPidGone(pid, 10_000))) problems.push(`PostgreSQL node${n.id} (pid ${pid}) did not stop`);
    }
  }

  // sshd (and the sessions it forked) and the VIP address the lab added.
  const sshdProblem = lab?.sshd ? await downSshd(lab.sshd, log) : null;
  const vipProblem = lab?.vip ? await downVip(lab.vip, log) : null;
  for (const p of [sshdProblem, vipProblem]) if (p) problems.push(p);

  // 5. anything that still mentions the lab dir is reported, not killed.
  await sleep(200);
  const left = labProcesses(dir);
  if (left.length) problems.push(`processes still running from the lab:\n${left.map((p) => `  ${p.pid} ${p.cmd}`).join('\n')}`);
  if (problems.length) throw new LabStepError('lab down', problems.join('\n'));

  if (!keep) rmSync(dir, { recursive: true, force: true });
  else if (lab) saveLab({ ...lab, state: 'starting' });
  log(`lab down${keep ? ` (kept ${dir})` : ''}`);
}
