// `repmgr standby switchover` over SSH on the standby to promote: the --dry-run (its checks, as
// rows), then the real run with its output streamed and parsed into phases.
//
// repmgr runs it on the TARGET standby and itself SSHes from there to the current primary (and,
// with --siblings-follow, to every sibling) with repmgr.conf's ssh_options, as the OS user it runs
// as; so the target's repmgr.conf decides how that hop works, not this side.
//
// Flags (repmgr-client.c at v5.3.3, unchanged in 5.5): --dry-run, --siblings-follow,
// --force-rewind, --always-promote, --verbose. --verbose only adds INFO progress lines (primary
// search, each passed check, "node … is pingable", "standby promoted to primary after N second(s)"),
// so the real run gets it by default: without it repmgr is silent for seconds at a time.
//
// The real run is never cut off from here: no timeout, no abort. A switchover stopped halfway
// (primary shut down, nothing promoted yet) leaves the cluster without a primary. What this side
// cannot prevent: if the SSH connection itself dies, OpenSSH (no pty) closes the command's pipes
// and repmgr dies on its next write to stderr (SIGPIPE); the error then says to check the cluster.
import type { SshTarget } from '../transport/ssh-config.ts';
import type { RunOptions, RunResult, StreamOptions, StreamResult } from '../transport/ssh-pool.ts';
import { describeRunFailure } from '../probes/ssh/ssh-runner.ts';
import {
  SwitchoverOutputParser, parseSwitchoverDryRun, switchoverOutcome,
  type DryRunResult, type SwitchoverEvent,
} from '../probes/repmgr/switchover-output.ts';

export type { DryRunCheck, DryRunResult, SwitchoverEvent, SwitchoverPhase } from '../probes/repmgr/switchover-output.ts';

/** Found on PATH (Debian's pg_wrapper /usr/bin/repmgr), as for the repmgr probes. */
export const DEFAULT_SWITCHOVER_REPMGR_BIN = 'repmgr';
/** A dry run is a few seconds (checks over SSH and SQL); each unreachable SSH hop may add ssh's ConnectTimeout. */
export const DRY_RUN_TIMEOUT_MS = 120_000;
const DRY_RUN_MAX_OUTPUT = 256 * 1024;

export interface SwitchoverArgvOptions {
  /** Path or name of repmgr on the target (default DEFAULT_SWITCHOVER_REPMGR_BIN). */
  repmgrBin?: string;
  /** The target's repmgr.conf (`-f`); repmgr's own search order when unset. */
  configFile?: string;
  dryRun: boolean;
  /** Make the other standbys follow the new primary (otherwise they stay attached to the old one). */
  siblingsFollow: boolean;
  /** Rejoin the old primary with pg_rewind if it diverged (it needs wal_log_hints or checksums). */
  forceRewind?: boolean;
  /** Promote even if the target has not received all of the old primary's WAL at shutdown. */
  alwaysPromote?: boolean;
  /** Default: on for the real run, off for the dry run (which prints its INFO checks anyway). */
  verbose?: boolean;
}

function checkWord(what: string, v: string): void {
  if (v === '') throw new Error(`${what} is empty`);
  if (v.startsWith('-')) throw new Error(`${what} ${JSON.stringify(v)} starts with '-': repmgr would read it as an option`);
  if (/[\0\n]/.test(v)) throw new Error(`${what} ${JSON.stringify(v)} contains a NUL or newline`);
}

/** argv for the target host (the SSH pool quotes each word; never a shell string). */
export function switchoverArgv(o: SwitchoverArgvOptions): string[] {
  const bin = o.repmgrBin ?? DEFAULT_SWITCHOVER_REPMGR_BIN;
  checkWord('repmgr binary', bin);
  if (o.configFile !== undefined) checkWord('repmgr config file', o.configFile);
  return [
    bin,
    ...(o.configFile !== undefined ? ['-f', o.configFile] : []),
    'standby', 'switchover',
    ...(o.dryRun ? ['--dry-run'] : []),
    ...(o.siblingsFollow ? ['--siblings-follow'] : []),
    ...(o.forceRewind ? ['--force-rewind'] : []),
    ...(o.alwaysPromote ? ['--always-promote'] : []),
    ...((o.verbose ?? !o.dryRun) ? ['--verbose'] : []),
  ];
}

/** What the dry run needs from the transport: SshPool.run's shape. */
export interface SwitchoverRunner {
  run(target: SshTarget, argv: readonly string[], opts?: RunOptions): Promise<RunResult>;
}

/** What the real run needs: SshPool.stream's shape. */
export interface SwitchoverStreamer {
  stream(target: SshTarget, argv: readonly string[], opts: StreamOptions): Promise<Pick<StreamResult, 'code' | 'signal' | 'durationMs'>>;
}

export type SwitchoverRunOptions = Omit<SwitchoverArgvOptions, 'dryRun'> & { sudoUser?: string };

export interface DryRunOutcome extends DryRunResult {
  /** repmgr's exit code; null when it never ran to the end (SSH failure, killed). */
  code: number | null;
  durationMs: number;
}

/**
 * `repmgr standby switchover --dry-run` on the target. Never throws: an SSH or argv failure is
 * `ok: false` with one line (the transport's own wording) in `error`.
 */
export async function runSwitchoverDryRun(
  pool: SwitchoverRunner,
  target: SshTarget,
  opts: SwitchoverRunOptions & { timeoutMs?: number },
): Promise<DryRunOutcome> {
  const t0 = Date.now();
  const fail = (error: string): DryRunOutcome => ({ ok: false, checks: [], error, raw: '', code: null, durationMs: Date.now() - t0 });
  let argv: string[];
  try {
    argv = switchoverArgv({ ...opts, dryRun: true });
  } catch (e) {
    return fail(e instanceof Error ? e.message : String(e));
  }
  let r: RunResult;
  try {
    r = await pool.run(target, argv, { timeoutMs: opts.timeoutMs ?? DRY_RUN_TIMEOUT_MS, maxOutputBytes: DRY_RUN_MAX_OUTPUT, sudoUser: opts.sudoUser });
  } catch (e) {
    return fail(describeRunFailure(e));
  }
  const sudo = sudoProblem(r.stderr, opts.sudoUser);
  if (sudo) return { ok: false, checks: [], error: sudo, raw: r.stderr, code: r.code, durationMs: Date.now() - t0 };
  const parsed = parseSwitchoverDryRun(r.stdout, r.stderr, r.signal ? null : r.code);
  if (r.signal && !parsed.ok) parsed.error = `repmgr was killed by signal ${r.signal}${parsed.error ? ` (${parsed.error})` : ''}`;
  return { ...parsed, code: r.code, durationMs: Date.now() - t0 };
}

function sudoProblem(stderr: string, sudoUser: string | undefined): string | null {
  if (!sudoUser) return null;
  if (/^sudo: (?:a )?password is required|^sudo: a terminal is required/m.test(stderr)) return `sudo -n -u ${sudoUser} needs a password there; allow it without one (NOPASSWD) for repmgr`;
  if (/^sudo: unknown user/m.test(stderr)) return `sudo: OS user ${sudoUser} does not exist there (check sudo_user)`;
  const line = /^sudo: .*(?:not allowed|may not run).*$/m.exec(stderr);
  return line ? `sudo refuses to run repmgr as ${sudoUser}: ${line[0]}` : null;
}

export interface SwitchoverResult {
  /** repmgr exited 0 and printed "STANDBY SWITCHOVER has completed successfully", no ERROR. */
  ok: boolean;
  code: number | null;
  /** repmgr's ERROR(s) with DETAIL/HINT, or why the run failed, one line; null when ok. */
  error: string | null;
  elapsedMs: number;
}

const EXIT_MEANING: Record<number, string> = {
  1: 'ERR_BAD_CONFIG', 6: 'ERR_DB_CONN', 7: 'ERR_DB_QUERY', 8: 'ERR_PROMOTION_FAIL', 18: 'ERR_SWITCHOVER_FAIL', 22: 'ERR_SWITCHOVER_INCOMPLETE',
};

/**
 * The real `repmgr standby switchover` on the target, output streamed to `onEvent` line by line.
 * No timeout and no abort: it runs as long as repmgr does. Never throws.
 */
export async function runSwitchover(
  pool: SwitchoverStreamer,
  target: SshTarget,
  opts: SwitchoverRunOptions,
  onEvent: (e: SwitchoverEvent) => void,
): Promise<SwitchoverResult> {
  const t0 = Date.now();
  const events: SwitchoverEvent[] = [];
  const parser = new SwitchoverOutputParser((e) => {
    events.push(e);
    try {
      onEvent(e);
    } catch {
      /* a UI callback failing must not stop reading: closing the channel could kill repmgr halfway */
    }
  });
  let argv: string[];
  try {
    argv = switchoverArgv({ ...opts, dryRun: false });
  } catch (e) {
    return { ok: false, code: null, error: e instanceof Error ? e.message : String(e), elapsedMs: Date.now() - t0 };
  }
  let r: Pick<StreamResult, 'code' | 'signal'>;
  try {
    // No timeoutMs and no signal: only queueing + connecting are bounded (30 s), repmgr is not.
    r = await pool.stream(target, argv, {
      sudoUser: opts.sudoUser,
      onStdout: (c) => parser.push('stdout', c),
      onStderr: (c) => parser.push('stderr', c),
    });
  } catch (e) {
    parser.end();
    const started = events.length > 0;
    const msg = describeRunFailure(e);
    return {
      ok: false, code: null, elapsedMs: Date.now() - t0,
      error: started ? `${msg}; repmgr may have been stopped halfway: check the cluster (repmgr cluster show) before anything else` : msg,
    };
  }
  parser.end();
  const outcome = switchoverOutcome(events);
  const sudo = sudoProblem(events.filter((e) => e.level === 'other').map((e) => e.text).join('\n'), opts.sudoUser);
  const ok = outcome.ok && r.code === 0;
  let error = ok ? null : (sudo ?? outcome.error);
  if (!ok && r.signal) error = `repmgr was killed by signal ${r.signal}${error ? ` — ${error}` : ''}`;
  else if (!ok && r.code !== 0 && r.code !== null && events.every((e) => e.level === 'other')) {
    const said = events.map((e) => e.text).join(' ').replace(/\s+/g, ' ').trim();
    error = r.code === 127 ? `repmgr not found there${said ? `: ${said}` : ''}` : `repmgr exited with code ${r.code}${said ? `: ${said}` : ''}`;
  } else if (!ok && r.code !== null && r.code !== 0 && error !== null && EXIT_MEANING[r.code]) error = `${error} (exit ${r.code} ${EXIT_MEANING[r.code]})`;
  return { ok, code: r.code, error, elapsedMs: Date.now() - t0 };
}
