// A directory of pg_basebackup backups (full_… / incr_…, plain or tar format) read over SSH:
// one `find` to list it, then one fixed reader script per batch of directories not seen before.
// A finished backup (manifest written) never changes, so it is read once and kept in the
// caller's cache; a backup still without a manifest is read again each time until it finishes.
// Never throws: a failure becomes reachable false and one line. Chains are left to the caller.

import type { BackupSourceState } from '../../model/backups.ts';
import { describeRunFailure, type RunResult, type SshRunner, type SshTarget } from '../ssh/ssh-runner.ts';
import { analyzeBackupDirectories, type BackupDirectoryRead } from './basebackup-chains.ts';
import { listArgv, parseListOutput, parseReadOutput, readArgv, type RawDirectory } from './read-script.ts';

export const BASEBACKUP_TIMEOUT_MS = 30_000;
/** Directories per reader run: bounds one reply to a few dozen manifests. */
export const READ_BATCH = 16;
/** A manifest is ~150 bytes per file of the cluster; this leaves room for large ones. */
export const READ_MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

export interface BasebackupDirSource {
  ssh: SshTarget;
  path: string;
  sudoUser?: string;
}

/** Finished directories already read, by name; one per source, kept by the caller across probes. */
export type BasebackupDirCache = Map<string, RawDirectory>;

export interface BasebackupProbeOptions {
  cache?: BasebackupDirCache;
  timeoutMs?: number;
  batchSize?: number;
  maxOutputBytes?: number;
  now?: () => number;
}

export interface BasebackupProbeResult extends BackupSourceState {
  source: 'basebackup_dir';
  /** Per backup id: orphan, unreadable label, no manifest yet, … (BackupInfo has no such field). */
  notes: Record<string, string[]>;
  /** Remote commands this probe ran (the cache keeps it at one when nothing is new). */
  commands: number;
}

export function targetLabel(t: SshTarget): string {
  if (typeof t === 'string') return t;
  return `${t.user ? `${t.user}@` : ''}${t.host}${t.port !== undefined && t.port !== 22 ? `:${t.port}` : ''}`;
}

const firstLine = (s: string): string => s.trim().split('\n')[0] ?? '';

/** One line for a failed remote command, or null when it worked. sudo's wording is matched first. */
export function describeRemoteFailure(r: RunResult, cfg: BasebackupDirSource, where: string): string | null {
  const err = r.stderr;
  const as = cfg.sudoUser ? ` as ${cfg.sudoUser}` : '';
  if (/^sudo: (?:a )?password is required|^sudo: a terminal is required/m.test(err)) return `sudo -n -u ${cfg.sudoUser} needs a password on ${where}; allow it without one (NOPASSWD)`;
  if (/^sudo: unknown user/m.test(err)) return `sudo: OS user ${cfg.sudoUser} does not exist on ${where} (check sudo_user)`;
  if (/\bsudo: .*(?:not allowed|may not run)/.test(err)) return `sudo refuses to run commands as ${cfg.sudoUser} on ${where}: ${firstLine(err)}`;
  if (r.signal) return `reading ${cfg.path} on ${where} was killed by signal ${r.signal}`;
  if (r.code === 0) return null;
  if (/No such file or directory/.test(err)) return `backup directory ${cfg.path} does not exist on ${where}`;
  if (/Not a directory/.test(err)) return `${cfg.path} on ${where} is not a directory`;
  if (/Permission denied/.test(err)) return `permission denied reading ${cfg.path} on ${where}${as}${cfg.sudoUser ? '' : ' (set sudo_user to the backup owner, e.g. postgres)'}`;
  if (r.code === 127) return `a command the probe needs (find, sh, tar, du) is missing on ${where}: ${firstLine(err)}`;
  return `reading ${cfg.path} on ${where} failed (exit ${r.code})${firstLine(err) ? `: ${firstLine(err)}` : ''}`;
}

/** Not a backup at all: nothing backup-like inside and not named like one (lost+found, tmp…). */
const notABackup = (d: RawDirectory): boolean =>
  d.label === null && d.tarFile === null && d.manifest === null && d.errors.length === 0 && !d.manifestInProgress &&
  !/^(?:full|incr(?:emental)?)[_-]/i.test(d.name);

const finished = (d: RawDirectory): boolean => d.complete && d.manifest !== null && d.errors.length === 0 && d.label !== null;

function toRead(d: RawDirectory): BackupDirectoryRead {
  return {
    name: d.name,
    label: d.label,
    manifest: d.manifest,
    sizeBytes: d.sizeBytes,
    manifestMtime: d.manifestMtime,
    manifestInProgress: d.manifestInProgress,
    readError: d.errors.length > 0 ? d.errors.join('; ') : null,
  };
}

export async function probeBasebackupDir(runner: SshRunner, cfg: BasebackupDirSource, opts: BasebackupProbeOptions = {}): Promise<BasebackupProbeResult> {
  const now = opts.now ?? Date.now;
  const where = targetLabel(cfg.ssh);
  const cache = opts.cache ?? new Map<string, RawDirectory>();
  const timeoutMs = opts.timeoutMs ?? BASEBACKUP_TIMEOUT_MS;
  const maxOutputBytes = opts.maxOutputBytes ?? READ_MAX_OUTPUT_BYTES;
  const batchSize = Math.max(1, opts.batchSize ?? READ_BATCH);
  let commands = 0;
  const state = (fields: Partial<BasebackupProbeResult>): BasebackupProbeResult => ({
    source: 'basebackup_dir', name: cfg.path, where, reachable: false, error: null, at: now(),
    backups: [], chains: [], checks: null, wal: null, notes: {}, commands, ...fields,
  });
  const run = async (argv: string[], maxBytes: number): Promise<RunResult | string> => {
    commands++;
    try {
      return await runner.run(cfg.ssh, argv, { timeoutMs, maxOutputBytes: maxBytes, sudoUser: cfg.sudoUser });
    } catch (e) {
      return `${where}: ${describeRunFailure(e)}`;
    }
  };

  const list = await run(listArgv(cfg.path), 4 * 1024 * 1024);
  if (typeof list === 'string') return state({ error: list });
  const listFailure = describeRemoteFailure(list, cfg, where);
  if (listFailure) return state({ error: listFailure });
  const names = parseListOutput(list.stdout);

  for (const name of cache.keys()) if (!names.includes(name)) cache.delete(name);
  const fresh = new Map<string, RawDirectory>();
  const pending = names.filter((n) => !cache.has(n));
  for (let i = 0; i < pending.length; i += batchSize) {
    const batch = pending.slice(i, i + batchSize);
    const r = await run(readArgv(cfg.path, batch), maxOutputBytes);
    if (typeof r === 'string') return state({ error: r });
    const failure = describeRemoteFailure(r, cfg, where);
    if (failure) return state({ error: failure });
    for (const d of parseReadOutput(r.stdout)) fresh.set(d.name, d);
    for (const name of batch) {
      const d = fresh.get(name);
      if (d && d.complete) continue;
      // cut by the output cap (or vanished mid-read): shown as unreadable, retried next time
      fresh.set(name, {
        name, label: d?.label ?? null, tarFile: d?.tarFile ?? null, manifest: null, manifestMtime: null,
        manifestInProgress: false, sizeBytes: null, complete: false,
        errors: [r.truncated ? `not read: the reply passed ${maxOutputBytes} bytes (manifest too large for one read?)` : 'not read: the directory vanished while being read'],
      });
    }
  }
  for (const [name, d] of fresh) if (finished(d)) cache.set(name, d);

  const dirs = names.map((n) => cache.get(n) ?? fresh.get(n)).filter((d): d is RawDirectory => d !== undefined && !notABackup(d));
  const { backups, notes } = analyzeBackupDirectories(dirs.map(toRead));
  return state({ reachable: true, backups, notes });
}
