// The barman backup source, read over SSH: list-backups every time, show-backup only for
// backups not seen before or not finished (a finished backup's record does not change, and one
// barman run costs ~0.5 s of Python start-up on the host), check and status beside it. Never
// throws: a failure becomes `reachable: false` and one line, with the previous backups kept as
// the last known ones.

import { buildChains } from '../../model/backup-chains.ts';
import type { BackupCheck, BackupInfo, BackupSourceState, WalArchiving } from '../../model/backups.ts';
import { parseCheck, parseListBackups, parseReplicationStatus, parseShowBackup, parseStatus, type ReplicationStatus } from './barman-json.ts';
import { BARMAN_TIMEOUT_MS, runBarman, type BarmanTarget } from './barman-run.ts';
import type { BarmanCommand, Json } from './json-access.ts';
import type { SshRunner, SshTarget } from '../ssh/ssh-runner.ts';

export { barmanArgv, DEFAULT_BARMAN_BIN, type BarmanTarget } from './barman-run.ts';

export interface BarmanProbeOptions {
  now?: () => number;
  timeoutMs?: number;
  /** show-backup runs at once (they share the host's one pooled SSH connection). */
  concurrency?: number;
}

/** Statuses whose show-backup record may still change. */
const UNFINISHED = new Set(['STARTED', 'WAITING_FOR_WALS', 'SYNCING', 'EMPTY']);

export function describeTarget(ssh: SshTarget): string {
  if (typeof ssh === 'string') return ssh;
  return `${ssh.user ? `${ssh.user}@` : ''}${ssh.host}${ssh.port && ssh.port !== 22 ? `:${ssh.port}` : ''}`;
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: string };

async function command<T>(runner: SshRunner, cfg: BarmanTarget, cmd: BarmanCommand, args: string[], parse: (doc: Json) => T, timeoutMs: number): Promise<Outcome<T>> {
  const r = await runBarman(runner, cfg, cmd, args, timeoutMs);
  if (!r.ok) return r;
  try {
    return { ok: true, value: parse(r.doc) };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message.split('\n')[0] : String(e) };
  }
}

/** `barman check SERVER`, parsed. */
export function probeBarmanCheck(runner: SshRunner, cfg: BarmanTarget, timeoutMs = BARMAN_TIMEOUT_MS): Promise<Outcome<BackupCheck[]>> {
  return command(runner, cfg, 'check', [cfg.server], (d) => parseCheck(d, cfg.server), timeoutMs);
}

/** `barman status SERVER`, parsed. */
export function probeBarmanStatus(runner: SshRunner, cfg: BarmanTarget, timeoutMs = BARMAN_TIMEOUT_MS): Promise<Outcome<ReturnType<typeof parseStatus>>> {
  return command(runner, cfg, 'status', [cfg.server], (d) => parseStatus(d, cfg.server), timeoutMs);
}

/** `barman replication-status SERVER`, parsed: does PostgreSQL see barman's receive-wal streaming? */
export function probeBarmanReplication(runner: SshRunner, cfg: BarmanTarget, timeoutMs = BARMAN_TIMEOUT_MS): Promise<Outcome<ReplicationStatus>> {
  return command(runner, cfg, 'replication-status', [cfg.server], (d) => parseReplicationStatus(d, cfg.server), timeoutMs);
}

/** Whether a listed backup needs its show-backup (again) rather than the previous record. */
export function needsShow(listed: BackupInfo, prev: BackupInfo | undefined): boolean {
  if (!prev) return true;
  if (UNFINISHED.has(listed.status) || UNFINISHED.has(prev.status) || prev.status !== listed.status) return true;
  // a DONE record without begin time came from list-backups only (its show-backup failed)
  return listed.status === 'DONE' && prev.beginTime === null;
}

/** A list-backups entry completed by show-backup or the previous record; list wins on what changes. */
function merge(listed: BackupInfo, full: BackupInfo | undefined): BackupInfo {
  if (!full) return listed;
  return {
    ...full,
    status: listed.status,
    // list-backups' "-" (3.4) is not "no policy", so only a real value replaces show-backup's
    retentionStatus: listed.retentionStatus ?? full.retentionStatus,
    walBytes: listed.walBytes ?? full.walBytes,
  };
}

async function pool<T, R>(items: T[], n: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, worker));
  return out;
}

/** list-backups + the show-backups it needs; the merged records, or why not. */
export async function probeBarmanBackups(runner: SshRunner, cfg: BarmanTarget, prev: BackupInfo[], opts: BarmanProbeOptions = {}): Promise<Outcome<{ backups: BackupInfo[]; warning: string | null }>> {
  const timeoutMs = opts.timeoutMs ?? BARMAN_TIMEOUT_MS;
  const listed = await command(runner, cfg, 'list-backups', [cfg.server], (d) => parseListBackups(d, cfg.server), timeoutMs);
  if (!listed.ok) return listed;
  const before = new Map(prev.map((b) => [b.id, b]));
  const todo = listed.value.filter((b) => needsShow(b, before.get(b.id)));
  const shown = await pool(todo, opts.concurrency ?? 4, async (b) => ({ id: b.id, r: await command(runner, cfg, 'show-backup', [cfg.server, b.id], (d) => parseShowBackup(d, cfg.server), timeoutMs) }));
  const full = new Map<string, BackupInfo>();
  let warning: string | null = null;
  for (const { id, r } of shown) {
    if (r.ok) full.set(id, r.value);
    else warning ??= r.error;
  }
  const backups = listed.value.map((b) => merge(b, full.get(b.id) ?? (todo.includes(b) ? undefined : before.get(b.id))));
  return { ok: true, value: { backups, warning } };
}

/**
 * One full read of a barman server. `state` is the previous answer (for show-backup reuse and
 * the last known backups when this read fails). The scheduler decides how often to call it;
 * probeBarmanCheck / probeBarmanStatus exist for running those at their own cadence.
 */
/** `barman -v` prints "3.4.0 Barman by EnterpriseDB (…)"; null when it does not look like that. */
export function parseBarmanVersion(stdout: string): string | null {
  return /^\s*(\d+\.\d+(?:\.\d+)?)\b/.exec(stdout)?.[1] ?? null;
}

/** barman's version, asked once per source (it decides whether incremental backups are offered). */
async function barmanVersion(runner: SshRunner, cfg: BarmanTarget, timeoutMs: number): Promise<string | null> {
  try {
    const r = await runner.run(cfg.ssh, [cfg.barmanBin ?? 'barman', '-v'], { timeoutMs, sudoUser: cfg.sudoUser });
    return r.code === 0 ? parseBarmanVersion(r.stdout) : null;
  } catch {
    return null;
  }
}

export async function probeBarman(runner: SshRunner, cfg: BarmanTarget, state: BackupSourceState | null, opts: BarmanProbeOptions = {}): Promise<BackupSourceState> {
  const now = opts.now ?? Date.now;
  const timeoutMs = opts.timeoutMs ?? BARMAN_TIMEOUT_MS;
  const prev = state && state.name === cfg.server ? state : null;
  const [list, check, status, replication, version] = await Promise.all([
    probeBarmanBackups(runner, cfg, prev?.backups ?? [], opts),
    probeBarmanCheck(runner, cfg, timeoutMs),
    probeBarmanStatus(runner, cfg, timeoutMs),
    probeBarmanReplication(runner, cfg, timeoutMs),
    prev?.barmanVersion ? Promise.resolve(prev.barmanVersion) : barmanVersion(runner, cfg, timeoutMs),
  ]);
  const base = { source: 'barman' as const, name: cfg.server, where: describeTarget(cfg.ssh), at: now(), barmanVersion: version };
  if (!list.ok) {
    const backups = prev?.backups ?? [];
    return { ...base, reachable: false, error: list.error, backups, chains: prev?.chains ?? buildChains(backups), checks: prev?.checks ?? null, wal: prev?.wal ?? null };
  }
  const backups = list.value.backups;
  const checks = check.ok ? check.value : null;
  let wal: WalArchiving | null = null;
  if (status.ok) {
    const first = status.value.firstBackupId ? backups.find((b) => b.id === status.value.firstBackupId) : undefined;
    wal = {
      ...status.value.wal,
      // barman's receive-wal check is the only word on it; null when check did not run
      receiveWalRunning: checks ? (checks.find((c) => c.name === 'receive wal running')?.ok ?? null) : null,
      // the process running (check) is not the same as PostgreSQL seeing it stream (replication-status)
      walStreaming: replication.ok ? replication.value.receiveWalStreaming : null,
      // a backup restores to any point from its end on: the oldest backup's end is the first point
      firstRecoverabilityPoint: first?.endTime ?? null,
    };
  }
  const named = (cmd: string, e: string) => (e.startsWith('barman ') ? e : `barman ${cmd}: ${e}`);
  const problems = [!check.ok ? named('check', check.error) : null, !status.ok ? named('status', status.error) : null, !replication.ok ? named('replication-status', replication.error) : null, list.value.warning ? named('show-backup', list.value.warning) : null].filter((p): p is string => p !== null);
  return { ...base, reachable: true, error: problems.length ? problems.join('; ') : null, backups, chains: buildChains(backups), checks, wal };
}
