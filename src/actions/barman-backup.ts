// `barman backup SERVER --wait` over SSH, its output streamed into the console as it happens.
// Flags checked in EnterpriseDB/barman cli.py: `--wait` / `--wait-timeout` exist at release/3.4.0
// (and long before); `--incremental <id|latest|latest-full>` only from release/3.11.0;
// `list-processes` (with a "backup" task read from the backup lock) only from release/3.14.0.
// The backup is never aborted from here: closing the channel early would make barman's next write
// fail (EPIPE) and barman marks a backup FAILED on any exception — Esc hides, never stops.
import type { SshTarget } from '../transport/ssh-config.ts';
import type { StreamOptions, StreamResult } from '../transport/ssh-pool.ts';
import { type Stream, StreamLines } from '../transport/stream-lines.ts';

export interface BarmanBackupArgvOptions {
  server: string;
  /** `latest`: incremental on the newest backup (barman ≥ 3.11, PG ≥ 17); null: full. */
  incremental: 'latest' | null;
  configFile?: string;
  barmanBin?: string;
  /** Always on: the backup is only usable once its WAL is archived, so "done" means that. */
  wait: true;
  /** barman < 3.15 on an idle PG17 can wait forever for the end WAL (fixed in 3.15.0). */
  waitTimeoutS?: number;
}

/** Refuses names barman's argparse would not read as one server (`all`, or an option). */
export function checkServerName(server: string): void {
  if (server === '') throw new Error('barman server name is empty');
  if (server.startsWith('-')) throw new Error(`barman server name ${JSON.stringify(server)} starts with '-': barman would read it as an option`);
  if (server === 'all') throw new Error("barman server name 'all' means every server to barman: refusing");
}

/** Global options first (`-c` belongs to barman, not to the subcommand). */
export function barmanGlobalArgv(o: { configFile?: string; barmanBin?: string }): string[] {
  return [o.barmanBin ?? 'barman', ...(o.configFile ? ['-c', o.configFile] : [])];
}

export function barmanBackupArgv(o: BarmanBackupArgvOptions): string[] {
  checkServerName(o.server);
  if (o.waitTimeoutS !== undefined && !(Number.isInteger(o.waitTimeoutS) && o.waitTimeoutS >= 0)) throw new Error(`bad --wait-timeout ${o.waitTimeoutS}`);
  return [
    ...barmanGlobalArgv(o),
    'backup',
    ...(o.incremental ? ['--incremental', o.incremental] : []),
    '--wait',
    ...(o.waitTimeoutS !== undefined ? ['--wait-timeout', String(o.waitTimeoutS)] : []),
    o.server,
  ];
}

export interface BackupServerFacts {
  pgMajor: number | null;
  /** summarize_wal now; null when unknown (PG < 17 has no such setting). */
  summarizeWal: boolean | null;
  /** `barman --version`'s first word, e.g. "3.4.0". */
  barmanVersion: string | null;
  /** Incremental needs backup_method = postgres; unknown (undefined) is not held against it. */
  backupMethod?: string;
}

export interface BackupModeChoice {
  choices: Array<'full' | 'incremental'>;
  default: 'full';
  /** Why incremental is not offered, for the dialog; null when it is. */
  incrementalUnavailable: string | null;
}

export function versionAtLeast(version: string | null, want: readonly number[]): boolean {
  const m = version?.match(/^(\d+)(?:\.(\d+))?(?:\.(\d+))?/);
  if (!m) return false;
  const have = [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
  for (let i = 0; i < want.length; i++) if ((have[i] ?? 0) !== want[i]) return (have[i] ?? 0) > want[i]!;
  return true;
}

export function backupMode(f: BackupServerFacts): BackupModeChoice {
  const why =
    f.pgMajor === null ? 'PostgreSQL version unknown'
      : f.pgMajor < 17 ? `PostgreSQL ${f.pgMajor} has no incremental backup (17+)`
        : f.summarizeWal !== true ? 'summarize_wal is off on the server (incremental backups need it)'
          : !versionAtLeast(f.barmanVersion, [3, 11]) ? `barman ${f.barmanVersion ?? '(version unknown)'} has no incremental backup (3.11+)`
            : f.backupMethod !== undefined && f.backupMethod !== 'postgres' ? `backup_method = ${f.backupMethod} (incremental needs postgres)`
              : null;
  return { choices: why ? ['full'] : ['full', 'incremental'], default: 'full', incrementalUnavailable: why };
}

// ---------------------------------------------------------------------------------------------
// output

export type BackupPhase =
  | 'start' // Starting backup using … method for server … in <dir>/<backup id>
  | 'start-lsn' // Backup start at LSN: …
  | 'copy' // Starting backup copy via pg_basebackup / Copying files (rsync)
  | 'copy-done' // Copy done (time: …)
  | 'finalise' // Finalising the backup. / Asking PostgreSQL server to finalize the backup.
  | 'size' // Backup size: …
  | 'end-lsn' // Backup end at LSN: …
  | 'completed' // Backup completed (start time: …, elapsed time: …)
  | 'wait-wal' // Waiting for the WAL file … (the --wait part)
  | 'wal' // Processing xlog segments … and the segment names under it
  | 'warning'
  | 'error'
  | 'info';

export interface BackupEvent {
  phase: BackupPhase;
  /** The line as barman printed it (colour codes removed). */
  text: string;
  /** For `error`: barman's message without the `ERROR: ` prefix. */
  error?: string;
  backupId?: string;
  lsn?: string;
  walFile?: string;
  /** Copy time or elapsed time as barman words it ("1 second", "less than one second"). */
  elapsed?: string;
  size?: string;
}

const ANSI = /\x1b\[[0-9;]*m/g;
const LSN_RE = /^Backup (start|end) at LSN: (\S+)(?: \(([0-9A-F]{24}), [0-9A-F]+\))?/;

/** One line of stdout/stderr; `prev` is the phase of the previous stderr line (DETAILS follow an ERROR). */
export function parseBackupLine(raw: string, stream: 'stdout' | 'stderr', prev: BackupPhase | null = null): BackupEvent {
  const text = raw.replace(ANSI, '').replace(/\r$/, '');
  const t = text.trimEnd();
  let m: RegExpMatchArray | null;
  if (stream === 'stderr') {
    if ((m = t.match(/^ERROR: (.*)$/))) return { phase: 'error', text, error: m[1] };
    if ((m = t.match(/^WARNING: (.*)$/))) return { phase: 'warning', text };
    // barman prints multi-line messages with one prefix: "Backup failed copying files.\nDETAILS: …"
    if (prev === 'error' && t !== '') return { phase: 'error', text, error: t };
    if (prev === 'warning') return { phase: 'warning', text };
  }
  if ((m = t.match(/^Starting backup using (\S+) method for server .* in (.*)$/))) return { phase: 'start', text, backupId: m[2]!.split('/').pop() };
  if ((m = t.match(LSN_RE))) return { phase: m[1] === 'start' ? 'start-lsn' : 'end-lsn', text, lsn: m[2], ...(m[3] ? { walFile: m[3] } : {}) };
  if ((m = t.match(/^(?:Starting backup copy via \S+ for|Copying files for|Starting backup with disk snapshots for) (\S+)/))) return { phase: 'copy', text, backupId: m[1] };
  if ((m = t.match(/^(?:Copy|Snapshot backup) done \(time: (.*)\)$/))) return { phase: 'copy-done', text, elapsed: m[1] };
  if (/^(Finalising the backup\.|Asking PostgreSQL server to finalize the backup\.)/.test(t)) return { phase: 'finalise', text };
  if ((m = t.match(/^Backup size: (.*)$/))) return { phase: 'size', text, size: m[1] };
  if ((m = t.match(/^Backup completed \(start time: .*, elapsed time: (.*)\)$/))) return { phase: 'completed', text, elapsed: m[1] };
  if ((m = t.match(/^Waiting for the WAL file (\S+) from server/))) return { phase: 'wait-wal', text, walFile: m[1] };
  if (/^Processing xlog segments from /.test(t)) return { phase: 'wal', text };
  if ((m = t.match(/^\t([0-9A-F]{24}(?:\.partial)?)\b/))) return { phase: 'wal', text, walFile: m[1] };
  return { phase: 'info', text };
}

/** Cuts chunks into lines per stream (a line may span chunks) and parses each complete line. */
export class BackupOutputParser extends StreamLines {
  private lastErr: BackupPhase | null = null;
  constructor(private readonly onEvent: (e: BackupEvent) => void) {
    super();
  }

  protected line(stream: Stream, l: string): void {
    if (l.replace(ANSI, '').trim() === '') return;
    const e = parseBackupLine(l, stream, stream === 'stderr' ? this.lastErr : null);
    if (stream === 'stderr') this.lastErr = e.phase === 'error' || e.phase === 'warning' ? e.phase : null;
    this.onEvent(e);
  }
}

// ---------------------------------------------------------------------------------------------
// guard

export interface BackupListEntry {
  status: string;
  backup_id?: string;
}

export interface RunningCheck {
  running: boolean;
  /** One line for the dialog; null when nothing runs. */
  reason: string | null;
}

/**
 * Is a backup of this server already running? `listProcesses` is `barman -f json list-processes
 * SERVER` parsed (3.14+: `{SERVER: [{pid, name}]}`, a running backup has name "backup"); null when
 * that command does not exist. Then a STARTED backup in `list-backups` is taken as running — it may
 * also be the leftover of a killed barman, which only list-processes could tell apart.
 */
export function backupAlreadyRunning(listProcesses: unknown, backups: readonly BackupListEntry[]): RunningCheck {
  if (listProcesses !== null && listProcesses !== undefined) {
    const procs = typeof listProcesses === 'object' ? Object.values(listProcesses as Record<string, unknown>).flatMap((v) => (Array.isArray(v) ? v : [])) : [];
    const backup = procs.find((p): p is { pid: unknown; name: string } => typeof p === 'object' && p !== null && (p as { name?: unknown }).name === 'backup');
    return backup ? { running: true, reason: `a barman backup is already running (pid ${String(backup.pid)})` } : { running: false, reason: null };
  }
  const started = backups.find((b) => b.status === 'STARTED');
  return started
    ? { running: true, reason: `backup ${started.backup_id ?? '?'} is STARTED: a backup is running (or was killed; barman < 3.14 cannot tell)` }
    : { running: false, reason: null };
}

// ---------------------------------------------------------------------------------------------
// runner

export interface StreamingPool {
  stream(target: SshTarget, argv: readonly string[], opts: StreamOptions): Promise<Pick<StreamResult, 'code' | 'signal' | 'durationMs'>>;
}

export interface BarmanBackupResult {
  ok: boolean;
  code: number | null;
  /** barman's own ERROR line(s), one line; or why the run itself failed. null when ok. */
  error: string | null;
  /** barman printed "Backup completed": the copy is done even if the WAL wait then failed. */
  completed: boolean;
  backupId: string | null;
  elapsedMs: number;
}

export async function runBarmanBackup(
  pool: StreamingPool,
  target: SshTarget,
  opts: BarmanBackupArgvOptions & { sudoUser?: string },
  onEvent: (e: BackupEvent) => void,
): Promise<BarmanBackupResult> {
  const argv = barmanBackupArgv(opts);
  const t0 = Date.now();
  const errors: string[] = [];
  const stderrTail: string[] = [];
  let completed = false;
  let backupId: string | null = null;
  const parser = new BackupOutputParser((e) => {
    if (e.phase === 'error' && e.error) errors.push(e.error);
    if (e.phase === 'completed') completed = true;
    if (e.backupId) backupId = e.backupId;
    try {
      onEvent(e);
    } catch {
      /* a UI callback failing must not stop reading: that could fail the backup itself */
    }
  });
  try {
    // No timeoutMs and no signal: a backup takes as long as it takes and is never cut off here.
    const r = await pool.stream(target, argv, {
      sudoUser: opts.sudoUser,
      onStdout: (c) => parser.push('stdout', c),
      onStderr: (c) => {
        stderrTail.push(...c.split('\n').filter((l) => l.trim()));
        stderrTail.splice(0, Math.max(0, stderrTail.length - 3));
        parser.push('stderr', c);
      },
    });
    parser.end();
    const ok = r.code === 0 && errors.length === 0 && completed;
    const error = ok
      ? null
      : errors.length > 0
        ? errors.join(' ')
        : r.signal
          ? `barman was killed by signal ${r.signal}`
          : r.code !== 0
            ? `barman backup exited with code ${r.code ?? '?'}${stderrTail.length ? `: ${stderrTail.join(' ')}` : ''}`
            : 'barman backup ended without reporting "Backup completed"';
    return { ok, code: r.code, error, completed, backupId, elapsedMs: Date.now() - t0 };
  } catch (err) {
    parser.end();
    const msg = err instanceof Error ? err.message : String(err);
    // Once barman has started, a lost connection says nothing about the backup itself.
    const hint = backupId ? `; backup ${backupId} may still be running on the barman host: check barman list-backups ${opts.server}` : '';
    return { ok: false, code: null, error: `${msg}${hint}`, completed, backupId, elapsedMs: Date.now() - t0 };
  }
}
