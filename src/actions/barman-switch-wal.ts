// `barman switch-wal --force --archive SERVER` over SSH: barman's own view of "close the WAL
// segment and see it arrive", as opposed to switch-wal.ts which asks PostgreSQL directly.
// Flags from EnterpriseDB/barman cli.py at release/3.4.0: `--force` (CHECKPOINT first),
// `--archive` (wait for one WAL file), `--archive-timeout` (seconds, default 30); server.py
// switch_wal / wait_for_wal hold the messages parsed below. barman prints nothing when the wait
// succeeds: "archived" is the absence of its timeout message after the "Waiting for" line.
import type { SshTarget } from '../transport/ssh-config.ts';
import type { RunOptions, RunResult } from '../transport/ssh-pool.ts';
import { barmanGlobalArgv, checkServerName } from './barman-backup.ts';

export interface BarmanSwitchWalOptions {
  server: string;
  configFile?: string;
  barmanBin?: string;
  /** CHECKPOINT before the switch, so there is always WAL to switch (default true). */
  force?: boolean;
  /** Seconds barman waits for the segment to be archived (barman's default 30). */
  archiveTimeoutS?: number;
  sudoUser?: string;
}

export interface BarmanSwitchWalResult {
  ok: boolean;
  /** The segment barman closed; null when no switch was needed or it failed. */
  walName: string | null;
  archived: boolean;
  /** One line for the footer and the audit log. */
  message: string;
}

export function barmanSwitchWalArgv(o: BarmanSwitchWalOptions): string[] {
  checkServerName(o.server);
  const t = o.archiveTimeoutS;
  if (t !== undefined && !(Number.isInteger(t) && t >= 0)) throw new Error(`bad --archive-timeout ${t}`);
  return [
    ...barmanGlobalArgv(o),
    'switch-wal',
    ...(o.force === false ? [] : ['--force']),
    '--archive',
    ...(t !== undefined ? ['--archive-timeout', String(t)] : []),
    o.server,
  ];
}

const clean = (s: string) => s.split('\n').map((l) => l.replace(/\x1b\[[0-9;]*m/g, '').trimEnd()).filter((l) => l.trim() !== '');

export function parseSwitchWal(stdout: string, stderr: string, code: number | null): BarmanSwitchWalResult {
  const out = clean(stdout);
  const errors = clean(stderr).flatMap((l) => {
    const m = l.match(/^ERROR: (.*)$/);
    return m ? [m[1]!] : [];
  });
  let walName: string | null = null;
  let noSwitch = false;
  let standby = false;
  let waiting = false;
  let gaveUp = false;
  for (const l of out) {
    let m: RegExpMatchArray | null;
    if ((m = l.match(/^The WAL file (\S+) has been closed on server /))) walName = m[1]!;
    else if (/^No switch required for server /.test(l)) noSwitch = true;
    else if (/^No switch performed because server .* is a standby\.$/.test(l)) standby = true;
    else if (/^Waiting for (the WAL file \S+|a WAL file) from server /.test(l)) waiting = true;
    else if (/^A WAL file has not been received in /.test(l)) gaveUp = true; // info, not error, in barman
  }
  // The timeout of a named segment is an ERROR ("The WAL file X has not been received in N seconds").
  const timedOut = gaveUp || errors.some((e) => / has not been received in /.test(e));
  const archived = waiting && !timedOut && errors.length === 0 && code === 0;
  if (errors.length > 0 || code !== 0) {
    const why = errors.length ? errors.join(' ') : `barman switch-wal exited with ${code === null ? 'no exit code' : `code ${code}`}`;
    return { ok: false, walName, archived: false, message: walName && timedOut ? `closed ${walName}, but ${why}` : why };
  }
  if (standby) return { ok: false, walName: null, archived: false, message: 'no switch performed: barman reports the server is a standby' };
  if (walName) {
    return { ok: true, walName, archived, message: archived ? `closed ${walName}; barman has it archived` : `closed ${walName}; barman did not confirm archiving` };
  }
  if (noSwitch) {
    return {
      ok: true, walName: null, archived,
      message: `no switch needed (no WAL written since the last one); ${archived ? 'a new WAL file reached barman' : timedOut ? 'no new WAL file reached barman before the timeout' : 'barman did not wait for archiving'}`,
    };
  }
  return { ok: false, walName: null, archived: false, message: `unexpected barman switch-wal output: ${out[0] ?? '(none)'}` };
}

export interface RunningPool {
  run(target: SshTarget, argv: readonly string[], opts?: RunOptions): Promise<Pick<RunResult, 'code' | 'stdout' | 'stderr'>>;
}

/** Never throws: SSH failures come back as ok:false with the transport's one-line message. */
export async function runBarmanSwitchWal(pool: RunningPool, target: SshTarget, o: BarmanSwitchWalOptions): Promise<BarmanSwitchWalResult> {
  const argv = barmanSwitchWalArgv(o);
  // barman waits up to archive-timeout; CHECKPOINT and start-up come on top of it.
  const timeoutMs = ((o.archiveTimeoutS ?? 30) + 60) * 1000;
  try {
    const r = await pool.run(target, argv, { sudoUser: o.sudoUser, timeoutMs, maxOutputBytes: 256 * 1024 });
    return parseSwitchWal(r.stdout, r.stderr, r.code);
  } catch (err) {
    return { ok: false, walName: null, archived: false, message: err instanceof Error ? err.message : String(err) };
  }
}
