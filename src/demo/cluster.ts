// A real three-node PostgreSQL 17 streaming-replication cluster on loopback, built from the
// embedded binaries. Used by `pgtop-ha demo`, the integration tests and the benchmarks.
// Demo only: trust authentication, fsync off, everything under one throwaway directory.

import { toClientConfig } from '../config/conninfo.ts';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { chmod, copyFile, lchown, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import {
  chownRecursive,
  resolvePgBinaries,
  resolveRunAs,
  runPgTool,
  runPgToolSync,
  type PgBinaries,
  type RunAs,
} from './binaries.ts';

import { freePorts } from './ports.ts';

export interface DemoNode {
  name: string;
  port: number;
  dataDir: string;
  role: 'primary' | 'standby';
  upstream: string | null;
  /** libpq key=value, as the console's least-privileged monitoring role. */
  conninfo: string;
}

export interface DemoCluster {
  baseDir: string;
  archiveDir: string;
  nodes: DemoNode[];
  superuserConninfo(name: string): string;
  /** pg_ctl stop -m fast; the data directory stays in place. No-op if the node is not running. */
  stopNode(name: string): Promise<void>;
  /** pg_ctl start -w: resolves once the node accepts connections (a standby may still be catching up). */
  startNode(name: string): Promise<void>;
  /** Path of a node's server log (pg_ctl -l). */
  logFile(name: string): string;
  /** Stops every postmaster this cluster started, then removes baseDir unless keep. Idempotent. */
  stop(opts?: { keep?: boolean }): Promise<void>;
  /**
   * Blocking stop for process 'exit' and signal handlers, where an async stop() would be cut
   * short: the postmasters run in their own sessions and would otherwise outlive us.
   */
  stopSync(opts?: { keep?: boolean }): void;
}

export interface StartDemoClusterOptions {
  /** Must not exist yet or be empty: it is removed on stop(). Default: a fresh mkdtemp under os.tmpdir(). */
  baseDir?: string;
  /** recovery_min_apply_delay of pg-standby2, so replay lag is visible. Default '3s'. */
  applyDelay?: string;
  log?: (line: string) => void;
  /** Use ports portBase, portBase+1, portBase+2 instead of asking the kernel for free ones. */
  portBase?: number;
  /** Deadline for the whole start, in ms. Default 60 000. */
  startTimeoutMs?: number;
  /** Leave baseDir behind when start fails, to read the logs. */
  keepOnFailure?: boolean;
}

export const DEMO_NODE_NAMES = ['pg-primary', 'pg-standby1', 'pg-standby2'] as const;

const MONITOR_ROLE = 'pgtop_ha';
const REPLICATION_ROLE = 'replicator';
const APPLICATION_NAME = 'pgtop-ha';

export async function startDemoCluster(opts: StartDemoClusterOptions = {}): Promise<DemoCluster> {
  const log = opts.log ?? (() => {});
  const applyDelay = opts.applyDelay ?? '3s';
  if (!/^\d+\s*(us|ms|s|min|h|d)?$/.test(applyDelay)) {
    throw new Error(`applyDelay must be a PostgreSQL interval such as '3s' or '500ms', got '${applyDelay}'`);
  }
  const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
  const bins = resolvePgBinaries();
  const runAs = await resolveRunAs(log);
  const ports =
    opts.portBase !== undefined
      ? DEMO_NODE_NAMES.map((_, i) => opts.portBase! + i)
      : await freePorts(DEMO_NODE_NAMES.length);
  const layout = await prepareLayout(opts.baseDir, runAs);
  const cluster = new Cluster(bins, runAs, layout, describeNodes(layout, ports), log);
  try {
    await cluster.bootstrap(applyDelay, deadline);
    return cluster;
  } catch (err) {
    await cluster.stop({ keep: opts.keepOnFailure }).catch((stopErr: unknown) => {
      log(`cleanup after failed start also failed: ${(stopErr as Error).message}`);
    });
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Layout

interface Layout {
  baseDir: string;
  archiveDir: string;
  logsDir: string;
  socketDir: string;
  dataRoot: string;
}

async function prepareLayout(requested: string | undefined, runAs: RunAs): Promise<Layout> {
  let baseDir: string;
  if (requested) {
    baseDir = resolve(requested);
    await mkdir(baseDir, { recursive: true });
    // stop() deletes baseDir recursively, so never adopt a directory that holds someone's files.
    if ((await readdir(baseDir)).length > 0) throw new Error(`demo baseDir ${baseDir} is not empty`);
  } else {
    baseDir = await mkdtemp(join(tmpdir(), 'pgtop-ha-demo-'));
  }
  const layout: Layout = {
    baseDir,
    archiveDir: join(baseDir, 'archive'),
    logsDir: join(baseDir, 'logs'),
    socketDir: join(baseDir, 'sockets'),
    dataRoot: join(baseDir, 'data'),
  };
  try {
    // mkdtemp makes it 0700 root-owned; the postgres user must be able to enter it.
    await chmod(baseDir, 0o755);
    for (const dir of [layout.archiveDir, layout.logsDir, layout.socketDir, layout.dataRoot]) {
      await mkdir(dir, { mode: 0o755 });
    }
    await chownRecursive(baseDir, runAs);
  } catch (err) {
    await rm(baseDir, { recursive: true, force: true });
    throw err;
  }
  return layout;
}

function describeNodes(layout: Layout, ports: number[]): DemoNode[] {
  return DEMO_NODE_NAMES.map((name, i) => ({
    name,
    port: ports[i],
    dataDir: join(layout.dataRoot, name),
    role: i === 0 ? 'primary' : 'standby',
    upstream: i === 0 ? null : DEMO_NODE_NAMES[0],
    conninfo: conninfoFor(ports[i], MONITOR_ROLE),
  }));
}

function conninfoFor(port: number, user: string): string {
  return `host=127.0.0.1 port=${port} dbname=postgres user=${user} application_name=${APPLICATION_NAME}`;
}

/** Replication slots cannot contain '-'. */
function slotNameFor(nodeName: string): string {
  return nodeName.replace(/-/g, '_');
}

// ---------------------------------------------------------------------------------------------
// Configuration files

/** A postgresql.conf string literal. */
function confString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

function commonConf(layout: Layout): string {
  const dest = `${layout.archiveDir}/%f`;
  return [
    '# pgtop-ha demo: shared by every node of the demo cluster.',
    "listen_addresses = '127.0.0.1'",
    // Never the distribution's /var/run/postgresql: it may not exist or belong to another cluster.
    `unix_socket_directories = ${confString(layout.socketDir)}`,
    'max_connections = 30',
    'shared_buffers = 32MB',
    'wal_level = replica',
    'max_wal_senders = 10',
    'max_replication_slots = 10',
    'hot_standby = on',
    // PG17 incremental-backup WAL summaries, which the console shows; allowed on standbys too.
    'summarize_wal = on',
    // Standbys inherit this but only archive with 'always', so only the primary fills archiveDir.
    'archive_mode = on',
    // Refuse to overwrite: an archive must never silently replace a segment it already holds.
    `archive_command = ${confString(`test ! -f '${dest}' && cp %p '${dest}'`)}`,
    'wal_keep_size = 64MB',
    // A standby left stopped must not let its slot pin WAL forever: past this the slot is
    // invalidated ('lost'), which the console shows, instead of the disk filling up.
    'max_slot_wal_keep_size = 256MB',
    // Recycle WAL segments early so pg_wal stays small under the demo's light load.
    'min_wal_size = 32MB',
    'max_wal_size = 128MB',
    // Throwaway data: skipping fsync makes start-up and the write load cheap. Never do this for real.
    'fsync = off',
    // Standbys report positions every second, so lag columns move smoothly.
    'wal_receiver_status_interval = 1s',
    // pg_ctl -l writes each node's log to baseDir/logs.
    'logging_collector = off',
    "log_line_prefix = '%m [%p] '",
    '',
  ].join('\n');
}

function nodeConf(node: DemoNode, primary: DemoNode, applyDelay: string | null): string {
  const lines = ['# pgtop-ha demo: this node only.', `port = ${node.port}`, `cluster_name = ${confString(node.name)}`];
  if (node.role === 'standby') {
    const primaryConninfo = `host=127.0.0.1 port=${primary.port} user=${REPLICATION_ROLE} application_name=${node.name}`;
    lines.push(`primary_conninfo = ${confString(primaryConninfo)}`);
    lines.push(`primary_slot_name = ${confString(slotNameFor(node.name))}`);
    if (applyDelay) lines.push(`recovery_min_apply_delay = ${confString(applyDelay)}`);
  }
  return lines.join('\n') + '\n';
}

const HBA_CONF = [
  '# pgtop-ha demo only: trust on loopback and the private socket directory.',
  '# TYPE  DATABASE     USER  ADDRESS       METHOD',
  'local   all          all                 trust',
  'host    all          all   127.0.0.1/32  trust',
  'local   replication  all                 trust',
  'host    replication  all   127.0.0.1/32  trust',
  '',
].join('\n');

const INCLUDE_LINES = "\n# pgtop-ha demo\ninclude 'pgtop-ha-common.conf'\ninclude 'pgtop-ha-node.conf'\n";

// ---------------------------------------------------------------------------------------------
// Copying a running primary's data directory between pg_backup_start and pg_backup_stop

/** Top-level directories whose contents a base backup leaves out (as pg_basebackup does). */
const SKIP_CONTENTS_OF = new Set([
  'pg_wal',
  'pg_replslot',
  'pg_stat_tmp',
  'pg_dynshmem',
  'pg_notify',
  'pg_serial',
  'pg_snapshots',
  'pg_subtrans',
]);
/** Files never copied, wherever they are. */
const SKIP_FILES = new Set([
  'postmaster.pid',
  'postmaster.opts',
  'pg_internal.init',
  'backup_label',
  'backup_label.old',
  'tablespace_map',
  'standby.signal',
  'recovery.signal',
]);
/** Empty directories recovery expects to find. */
const RECREATE_DIRS = ['pg_wal/archive_status', 'pg_wal/summaries'];

async function copyDataDir(src: string, dst: string): Promise<void> {
  await mkdir(dst, { mode: 0o700 });
  await copyTree(src, dst, '');
  for (const dir of RECREATE_DIRS) await mkdir(join(dst, dir), { recursive: true, mode: 0o700 });
}

async function copyTree(src: string, dst: string, rel: string): Promise<void> {
  let entries;
  try {
    entries = await readdir(join(src, rel), { withFileTypes: true });
  } catch (err) {
    if (isEnoent(err)) return; // vanished while the primary runs: recovery recreates it
    throw err;
  }
  for (const entry of entries) {
    const relPath = rel ? join(rel, entry.name) : entry.name;
    if (SKIP_FILES.has(entry.name) || entry.name.startsWith('pgsql_tmp')) continue;
    if (entry.isDirectory()) {
      await mkdir(join(dst, relPath), { mode: 0o700 });
      if (!(rel === '' && SKIP_CONTENTS_OF.has(entry.name))) await copyTree(src, dst, relPath);
    } else if (entry.isFile()) {
      try {
        await copyFile(join(src, relPath), join(dst, relPath));
        await chmod(join(dst, relPath), 0o600);
      } catch (err) {
        // A relation dropped mid-copy: WAL replay from the backup's start removes it anyway.
        if (!isEnoent(err)) throw err;
      }
    } else {
      throw new Error(`cannot copy ${relPath}: tablespaces and special files are not supported by the demo`);
    }
  }
}

function isEnoent(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'ENOENT';
}

// ---------------------------------------------------------------------------------------------
// Processes

/** Alive and not a zombie: an orphaned postmaster may linger as a zombie if PID 1 does not reap. */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    if (existsSync('/proc/self/stat')) return false;
    try {
      process.kill(pid, 0);
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'EPERM';
    }
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > until) return false;
    await sleep(50);
  }
  return true;
}

function waitForExitSync(pid: number, timeoutMs: number): boolean {
  const until = Date.now() + timeoutMs;
  const cell = new Int32Array(new SharedArrayBuffer(4));
  while (isAlive(pid)) {
    if (Date.now() > until) return false;
    Atomics.wait(cell, 0, 0, 50);
  }
  return true;
}

function readPostmasterPid(dataDir: string): number | null {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

async function logTail(path: string, lines = 20): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log file)';
  }
}

async function withClient<T>(conninfo: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ ...toClientConfig(conninfo), connectionTimeoutMillis: 5_000 });
  // A server going away emits 'error' on an idle client; unhandled, that would crash the process.
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------------
// The cluster

class Cluster implements DemoCluster {
  readonly baseDir: string;
  readonly archiveDir: string;
  /** Postmaster pid per node currently started by us. */
  private readonly pids = new Map<string, number>();
  /** Every postmaster pid we ever started, all of which stop() verifies are gone. */
  private readonly startedPids = new Set<number>();
  private stopping: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly bins: PgBinaries,
    private readonly runAs: RunAs,
    private readonly layout: Layout,
    readonly nodes: DemoNode[],
    private readonly log: (line: string) => void,
  ) {
    this.baseDir = layout.baseDir;
    this.archiveDir = layout.archiveDir;
  }

  superuserConninfo(name: string): string {
    return conninfoFor(this.node(name).port, 'postgres');
  }

  logFile(name: string): string {
    return join(this.layout.logsDir, `${this.node(name).name}.log`);
  }

  async startNode(name: string, timeoutMs = 60_000): Promise<void> {
    if (this.stopping) throw new Error('demo cluster is stopped');
    const node = this.node(name);
    const running = readPostmasterPid(node.dataDir);
    if (running !== null && isAlive(running)) return;
    this.log(`starting ${node.name} on port ${node.port}`);
    const timeoutSec = Math.max(1, Math.ceil(timeoutMs / 1000));
    try {
      await this.pgTool(this.bins.pgCtl, ['start', '-w', '-t', String(timeoutSec), '-D', node.dataDir, '-l', this.logFile(name)]);
    } catch (err) {
      throw new Error(`${node.name} did not start: ${(err as Error).message}\n--- last lines of ${this.logFile(name)}:\n${await logTail(this.logFile(name))}`);
    } finally {
      // Even after a timed-out start the postmaster may be up: remember it so stop() can reach it.
      const pid = readPostmasterPid(node.dataDir);
      if (pid !== null) {
        this.pids.set(node.name, pid);
        this.startedPids.add(pid);
      }
    }
  }

  async stopNode(name: string): Promise<void> {
    const node = this.node(name);
    const pid = this.pids.get(node.name) ?? readPostmasterPid(node.dataDir);
    if (pid === null || !isAlive(pid)) {
      this.pids.delete(node.name);
      return;
    }
    this.log(`stopping ${node.name}`);
    await this.pgCtlStop(node, 'fast', 30).catch((err: Error) => this.log(err.message));
    if (!(await waitForExit(pid, 5_000))) {
      this.log(`${node.name} (pid ${pid}) still running after a fast stop; trying immediate`);
      await this.pgCtlStop(node, 'immediate', 10).catch((err: Error) => this.log(err.message));
    }
    if (!(await waitForExit(pid, 5_000))) {
      // Our own postmaster, identified by the pid it wrote: the last resort.
      process.kill(pid, 'SIGKILL');
      if (!(await waitForExit(pid, 5_000))) throw new Error(`${node.name} postmaster pid ${pid} survived SIGKILL`);
    }
    this.pids.delete(node.name);
  }

  stop(opts: { keep?: boolean } = {}): Promise<void> {
    this.stopping ??= this.stopAll(opts.keep ?? false);
    return this.stopping;
  }

  private async stopAll(keep: boolean): Promise<void> {
    const failures: string[] = [];
    // Standbys first, so the primary's shutdown does not make them log reconnect attempts.
    for (const node of [...this.nodes].reverse()) {
      await this.stopNode(node.name).catch((err: Error) => failures.push(err.message));
    }
    const survivors = [...this.startedPids].filter(isAlive);
    if (survivors.length > 0) failures.push(`postmaster pids still alive: ${survivors.join(', ')}`);
    // Deleting a live server's data directory would only make things worse.
    if (!keep && survivors.length === 0) await rm(this.baseDir, { recursive: true, force: true });
    if (failures.length > 0) throw new Error(`demo cluster did not stop cleanly:\n${failures.join('\n')}`);
    this.stopped = true;
    this.log(keep ? `stopped; kept ${this.baseDir}` : 'stopped and removed');
  }

  stopSync(opts: { keep?: boolean } = {}): void {
    // Runs even while an async stop() is under way: that one will not get to finish.
    if (this.stopped) return;
    this.stopping ??= Promise.resolve();
    for (const node of [...this.nodes].reverse()) {
      try {
        this.stopNodeSync(node);
      } catch (err) {
        this.log((err as Error).message);
      }
    }
    const survivors = [...this.startedPids].filter(isAlive);
    if (survivors.length === 0 && !opts.keep) rmSync(this.baseDir, { recursive: true, force: true });
    this.stopped = survivors.length === 0;
  }

  private stopNodeSync(node: DemoNode): void {
    const pid = this.pids.get(node.name) ?? readPostmasterPid(node.dataDir);
    if (pid !== null && isAlive(pid)) {
      const ctl = (mode: string) => {
        try {
          runPgToolSync(this.runAs, this.bins.pgCtl, ['stop', '-D', node.dataDir, '-m', mode, '-w', '-t', '10'], { cwd: this.baseDir, timeoutMs: 15_000 });
        } catch (err) {
          this.log((err as Error).message);
        }
      };
      ctl('fast');
      if (!waitForExitSync(pid, 5_000)) ctl('immediate');
      if (!waitForExitSync(pid, 5_000)) {
        process.kill(pid, 'SIGKILL');
        waitForExitSync(pid, 5_000);
      }
    }
    this.pids.delete(node.name);
  }

  // -- bootstrap ------------------------------------------------------------------------------

  async bootstrap(applyDelay: string, deadline: number): Promise<void> {
    const [primary, ...standbys] = this.nodes;
    await this.initPrimary(primary);
    await this.startNode(primary.name, deadline - Date.now());
    await withClient(this.superuserConninfo(primary.name), async (client) => {
      await createRoles(client);
      for (const standby of standbys) {
        await client.query('SELECT pg_create_physical_replication_slot($1, true)', [slotNameFor(standby.name)]);
      }
      await this.cloneStandbys(client, primary, standbys);
    });
    for (const standby of standbys) {
      const delay = standby.name === 'pg-standby2' ? applyDelay : null;
      await this.writeOwned(join(standby.dataDir, 'pgtop-ha-node.conf'), nodeConf(standby, primary, delay));
      await this.writeOwned(join(standby.dataDir, 'standby.signal'), '');
    }
    // allSettled: cleanup after a failure must not race a sibling that is still starting.
    const started = await Promise.allSettled(standbys.map((s) => this.startNode(s.name, deadline - Date.now())));
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    await this.waitUntilStreaming(primary, standbys, deadline);
    this.log('cluster ready');
  }

  private async initPrimary(primary: DemoNode): Promise<void> {
    this.log(`initdb ${primary.name}`);
    await this.pgTool(this.bins.initdb, [
      '-D', primary.dataDir,
      '-U', 'postgres',
      '-A', 'trust',
      '-E', 'UTF8',
      '--locale=C',
      // fsync is off for the whole demo; syncing the fresh cluster would only cost time.
      '--no-sync',
      '--no-instructions',
    ]);
    await this.writeOwned(join(primary.dataDir, 'pgtop-ha-common.conf'), commonConf(this.layout));
    await this.writeOwned(join(primary.dataDir, 'pgtop-ha-node.conf'), nodeConf(primary, primary, null));
    await this.writeOwned(join(primary.dataDir, 'pg_hba.conf'), HBA_CONF);
    const conf = join(primary.dataDir, 'postgresql.conf');
    await writeFile(conf, (await readFile(conf, 'utf8')) + INCLUDE_LINES);
  }

  /**
   * pg_basebackup is not shipped, so take the backup by hand: a non-exclusive backup held
   * on one session, a file copy per standby, and the label pg_backup_stop hands back.
   * The slots already exist and reserve WAL, so everything since the backup's start
   * checkpoint stays on the primary until each standby has streamed it.
   */
  private async cloneStandbys(client: pg.Client, primary: DemoNode, standbys: DemoNode[]): Promise<void> {
    this.log('base backup of the primary');
    await client.query('SELECT pg_backup_start($1, true)', ['pgtop-ha demo']);
    let stopped = false;
    try {
      for (const standby of standbys) await copyDataDir(primary.dataDir, standby.dataDir);
      const { rows } = await client.query<{ labelfile: string; spcmapfile: string | null }>(
        'SELECT labelfile, spcmapfile FROM pg_backup_stop(false)',
      );
      stopped = true;
      for (const standby of standbys) {
        await writeFile(join(standby.dataDir, 'backup_label'), rows[0].labelfile, { mode: 0o600 });
        if (rows[0].spcmapfile) {
          await writeFile(join(standby.dataDir, 'tablespace_map'), rows[0].spcmapfile, { mode: 0o600 });
        }
        await chownRecursive(standby.dataDir, this.runAs);
      }
    } finally {
      // A backup left running would block the next pg_backup_start on this primary.
      if (!stopped) await client.query('SELECT pg_backup_stop(false)').catch(() => {});
    }
  }

  private async waitUntilStreaming(primary: DemoNode, standbys: DemoNode[], deadline: number): Promise<void> {
    this.log('waiting for both standbys to stream and the WAL summarizer to run');
    await withClient(this.superuserConninfo(primary.name), async (client) => {
      while (true) {
        const senders = await client.query<{ application_name: string; state: string }>(
          'SELECT application_name, state FROM pg_stat_replication',
        );
        const summarizer = await client.query<{ summarizer_pid: number | null }>(
          'SELECT summarizer_pid FROM pg_get_wal_summarizer_state()',
        );
        const stateOf = (name: string) => senders.rows.find((r) => r.application_name === name)?.state ?? null;
        const notStreaming = standbys.filter((s) => stateOf(s.name) !== 'streaming');
        const summarizerRunning = summarizer.rows[0]?.summarizer_pid != null;
        if (notStreaming.length === 0 && summarizerRunning) return;
        if (Date.now() > deadline) {
          const culprit = notStreaming[0] ?? primary;
          const what = notStreaming[0]
            ? `is not streaming from ${primary.name} (walsender state: ${stateOf(culprit.name) ?? 'not connected'})`
            : 'has no WAL summarizer running';
          throw new Error(
            `demo cluster: ${culprit.name} ${what} at the start deadline\n--- last lines of ${this.logFile(culprit.name)}:\n${await logTail(this.logFile(culprit.name))}`,
          );
        }
        await sleep(100);
      }
    });
  }

  // -- helpers --------------------------------------------------------------------------------

  private node(name: string): DemoNode {
    const node = this.nodes.find((n) => n.name === name);
    if (!node) throw new Error(`no demo node named ${name} (have ${this.nodes.map((n) => n.name).join(', ')})`);
    return node;
  }

  private pgTool(file: string, args: string[]) {
    return runPgTool(this.runAs, file, args, { cwd: this.baseDir, timeoutMs: 120_000 });
  }

  private pgCtlStop(node: DemoNode, mode: 'fast' | 'immediate', timeoutSec: number) {
    return this.pgTool(this.bins.pgCtl, ['stop', '-D', node.dataDir, '-m', mode, '-w', '-t', String(timeoutSec)]);
  }

  private async writeOwned(path: string, content: string): Promise<void> {
    await writeFile(path, content, { mode: 0o600 });
    if (this.runAs.uid !== undefined && this.runAs.gid !== undefined) await lchown(path, this.runAs.uid, this.runAs.gid);
  }
}

async function createRoles(client: pg.Client): Promise<void> {
  // The console's role gets only what it reads and the one action it offers (switching WAL).
  await client.query(`CREATE ROLE ${MONITOR_ROLE} LOGIN`);
  await client.query(`GRANT pg_monitor TO ${MONITOR_ROLE}`);
  await client.query(`GRANT EXECUTE ON FUNCTION pg_switch_wal() TO ${MONITOR_ROLE}`);
  await client.query(`CREATE ROLE ${REPLICATION_ROLE} WITH REPLICATION LOGIN`);
}
