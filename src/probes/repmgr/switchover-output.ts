// `repmgr standby switchover` output: the --dry-run's checks, and the real run's lines as they
// stream in, each placed in a phase with what repmgr is waiting on. Pure: no I/O, no clock.
//
// Everything repmgr says is on stderr, one log line each ("LEVEL: message", DETAIL/HINT after the
// line they belong to, continuation lines indented). The remote `repmgr node service
// --action=stop --checkpoint` that stops the primary writes to the same stderr through ssh
// ("NOTICE: issuing CHECKPOINT …", "DETAIL: executing server command …"). stdout is empty for a dry
// run; in a real run it carries what service_promote_command prints when one is set (pg_ctl
// promote: "waiting for server to promote.... done", "server promoted"): level 'other'.
//
// Patterns come from real captures of repmgr 5.3.3 on the project lab (test/fixtures/repmgr,
// `real-5.3.3-switchover-*`) and, for lines the lab could not provoke, from repmgr's source at
// tag v5.3.3: repmgr-action-standby.c (do_standby_switchover, _do_standby_promote_internal,
// check_sibling_nodes, check_free_wal_senders, check_free_slots, sibling_nodes_follow),
// repmgr-client.c (check_standby_join), repmgr-action-node.c (do_node_service), log.c (line
// format). v5.3.3..v5.5.0 does not reword any of them.
//
// Exit codes (errcode.h): 0 ok; 1 ERR_BAD_CONFIG (most failed checks, and a dry run whose
// prerequisites are *not* met); 6 ERR_DB_CONN; 8 ERR_PROMOTION_FAIL; 18 ERR_SWITCHOVER_FAIL (this
// node is the primary, lag/archive critical, repmgrd could not be paused, shutdown not confirmed,
// aborted because behind); 22 ERR_SWITCHOVER_INCOMPLETE (promoted, but the old primary did not
// rejoin / attach).

import { type Stream, StreamLines } from '../../transport/stream-lines.ts';

export type RepmgrLineLevel = 'ERROR' | 'WARNING' | 'NOTICE' | 'INFO' | 'DETAIL' | 'HINT' | 'DEBUG';

// Bare "LEVEL: msg" (stderr logging, what the CLI prints) or "[YYYY-MM-DD HH:MM:SS] [LEVEL] msg"
// (log.c's daemon/--log-to-file form), in case a wrapper sends it that way.
const LEVEL_LINE = /^(ERROR|WARNING|NOTICE|INFO|DETAIL|HINT|DEBUG): ?(.*)$/;
const LEVEL_LINE_TS = /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] \[(ERROR|WARNING|NOTICE|INFO|DETAIL|HINT|DEBUG)\] ?(.*)$/;

/** "LEVEL: message" → [level, message]; null for a line that is not a repmgr log line. */
export function splitLevel(line: string): [RepmgrLineLevel, string] | null {
  const m = LEVEL_LINE.exec(line) ?? LEVEL_LINE_TS.exec(line);
  return m ? [m[1] as RepmgrLineLevel, m[2]] : null;
}

const clean = (s: string) => s.replace(/\r$/, '');
/** Whitespace (newlines, tabs, indentation) collapsed: for one-line error strings. */
const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

// ---------------------------------------------------------------------------------------------
// dry run

export interface DryRunCheck {
  /**
   * ok: a check repmgr reports as passed (INFO); info: what repmgr would do, or neutral progress
   * (NOTICE, and INFO lines that are not a check); warn: WARNING, and repmgrd not running on a
   * node (repmgr only NOTICEs it and goes on: that repmgrd is neither paused nor unpaused);
   * bad: ERROR.
   */
  level: 'ok' | 'info' | 'warn' | 'bad';
  /** repmgr's words without the "LEVEL: " prefix; a continuation line (e.g. the shutdown command) joined with "\n". */
  text: string;
  /** The DETAIL lines after it (prefix removed) and HINT lines (kept as "HINT: …"), "\n"-joined; null when none. */
  detail: string | null;
}

export interface DryRunResult {
  /** Exit 0, no ERROR, and repmgr said "prerequisites for executing STANDBY SWITCHOVER are met". */
  ok: boolean;
  checks: DryRunCheck[];
  /** repmgr's ERROR line(s) with their DETAIL/HINT, one line; or why the run gave no verdict. null when ok. */
  error: string | null;
  /** stdout and stderr as received. */
  raw: string;
}

// INFO lines of checks that passed (repmgr-action-standby.c at v5.3.3; the dry run logs each one
// with log_info, the real run only with --verbose).
const PASSED_CHECKS: readonly RegExp[] = [
  /^SSH connection to host ".*" succeeded$/,
  /^able to execute ".*" on remote host ".*"$/,
  /^all sibling nodes are reachable via SSH$/,
  /^\d+ walsenders required, \d+ available$/,
  /^demotion candidate is able to make replication connection to promotion candidate$/,
  /^\d+ pending archive files$/,
  /^archive mode is "off"$/,
  /^replication lag on this standby is \d+ seconds$/,
  /^\d+ replication slots required, \d+ available$/,
  /^prerequisites for using pg_rewind are met$/,
  /^successfully established connection to local database ".*" for provided superuser ".*"$/,
  /^prerequisites for executing STANDBY SWITCHOVER are met$/,
];

const REPMGRD_NOT_RUNNING = /^repmgrd not running on node "(.*)" \(ID: (\d+)\), not pausing$/;
const PREREQS_MET = /^prerequisites for executing STANDBY SWITCHOVER are met$/;
const PREREQS_NOT_MET = /^prerequisites for executing STANDBY SWITCHOVER are \*not\* met$/;

interface LogEntry {
  level: RepmgrLineLevel;
  /** First line's message, continuation lines appended with "\n". */
  text: string;
}

/** Splits repmgr stderr into log entries; lines before the first log line are returned apart. */
function logEntries(text: string): { entries: LogEntry[]; stray: string[] } {
  const entries: LogEntry[] = [];
  const stray: string[] = [];
  for (const raw of text.split('\n')) {
    const line = clean(raw);
    const lv = splitLevel(line);
    if (lv) entries.push({ level: lv[0], text: lv[1] });
    else if (entries.length > 0) entries[entries.length - 1].text += `\n${line}`;
    else if (line.trim() !== '') stray.push(line);
  }
  for (const e of entries) e.text = e.text.replace(/\s+$/, '');
  return { entries, stray };
}

function checkLevel(e: LogEntry): DryRunCheck['level'] {
  if (e.level === 'ERROR') return 'bad';
  if (e.level === 'WARNING') return 'warn';
  if (e.level === 'NOTICE' && REPMGRD_NOT_RUNNING.test(e.text)) return 'warn';
  const first = e.text.split('\n')[0];
  if (e.level === 'INFO' && PASSED_CHECKS.some((re) => re.test(first))) return 'ok';
  return 'info';
}

export function parseSwitchoverDryRun(stdout: string, stderr: string, code: number | null): DryRunResult {
  const raw = stdout === '' ? stderr : stderr === '' ? stdout : `${stdout}${stdout.endsWith('\n') ? '' : '\n'}${stderr}`;
  // stdout is empty for every repmgr 5.3.3 switchover; read it too in case a wrapper merges streams
  const { entries, stray } = logEntries([stderr, stdout].filter((s) => s.trim() !== '').join('\n'));
  const checks: Array<DryRunCheck & { parts: string[] }> = [];
  for (const e of entries) {
    if (e.level === 'DETAIL' || e.level === 'HINT') {
      const part = e.level === 'HINT' ? `HINT: ${e.text}` : e.text;
      if (checks.length === 0) checks.push({ level: 'info', text: part, detail: null, parts: [] });
      else checks[checks.length - 1].parts.push(part);
    } else checks.push({ level: checkLevel(e), text: e.text, detail: null, parts: [] });
  }
  const bad = checks.filter((c) => c.level === 'bad');
  const met = checks.some((c) => c.level === 'ok' && PREREQS_MET.test(c.text));
  // "prerequisites … are *not* met" (HINT: see preceding error messages) only sums the others up
  const specific = bad.filter((c) => !PREREQS_NOT_MET.test(c.text));
  const shown = specific.length > 0 ? specific : bad;
  let error: string | null = shown.length > 0 ? shown.map((c) => oneLine([c.text, ...c.parts].join(' — '))).join('; ') : null;
  const ok = code === 0 && bad.length === 0 && met;
  if (!ok && error === null) {
    const said = oneLine(stray.join(' '));
    error =
      code === null ? `repmgr standby switchover --dry-run was killed${said ? `: ${said}` : ''}`
        : code === 127 || /(?:command )?not found$|No such file or directory$/m.test(stray.join('\n')) ? `repmgr not found there${said ? `: ${said}` : ''}`
          : code !== 0 ? `repmgr standby switchover --dry-run exited with code ${code}${said ? `: ${said}` : ''}`
            : 'repmgr ended without saying "prerequisites for executing STANDBY SWITCHOVER are met"';
  }
  return {
    ok,
    checks: checks.map(({ parts, ...c }) => ({ ...c, detail: parts.length > 0 ? parts.join('\n') : null })),
    error: ok ? null : error,
    raw,
  };
}

// ---------------------------------------------------------------------------------------------
// real run, streamed

export type SwitchoverPhase = 'checks' | 'pause-repmgrd' | 'shutdown' | 'promote' | 'rejoin' | 'follow' | 'unpause-repmgrd' | 'done' | 'failed';

export interface SwitchoverEvent {
  /** The line as printed (a trailing CR removed). */
  text: string;
  /** From the line's "LEVEL:" (HINT and DETAIL are 'detail'; DEBUG is 'info'); a continuation line gets its message's level; 'other' for anything else. */
  level: 'info' | 'notice' | 'warn' | 'error' | 'detail' | 'other';
  /** Set on the line that starts a phase, null on the others. */
  phase: SwitchoverPhase | null;
  /** What repmgr waits on from this line on, e.g. "primary shutdown (attempt 3 of 60, shutdown_check_timeout)"; null when the line says nothing of it. */
  waitingOn: string | null;
}

const LEVEL_OF: Record<RepmgrLineLevel, SwitchoverEvent['level']> = {
  ERROR: 'error', WARNING: 'warn', NOTICE: 'notice', INFO: 'info', DEBUG: 'info', DETAIL: 'detail', HINT: 'detail',
};

const NODE = '"(.+?)" \\(ID: \\d+\\)';
const re = (s: string) => new RegExp(`^${s}$`);

// The real run's milestones (repmgr-action-standby.c do_standby_switchover at v5.3.3 unless noted).
const R = {
  executing: re(`executing switchover on node ${NODE}`),
  checkingDry: re(`checking switchover on node ${NODE} in --dry-run mode`),
  pausing: /^attempting to pause repmgrd on (\d+) nodes$/,
  willPromote: re(`local node ${NODE} will be promoted to primary; current primary ${NODE} will be demoted to standby`),
  stopping: re(`stopping current primary node ${NODE}`),
  // repmgr-action-node.c do_node_service, run on the primary through ssh (and locally for --force-rewind)
  checkpoint: re(`issuing CHECKPOINT on node ${NODE}\\s*`),
  serverCommand: /^executing server command "(.*)"$/,
  shutdownCheck: /^checking for primary shutdown; (\d+) of (\d+) attempts \("shutdown_check_timeout"\)$/,
  stillShuttingDown: /^remote node is still shutting down$/,
  cleanlyDown: /^current primary has been cleanly shut down at location (\S+)$/,
  uncleanContinuing: /^current primary did not shut down cleanly, continuing anyway$/,
  walFlushWait: /^waiting up to (\d+) seconds \(parameter "wal_receive_check_timeout"\) for received WAL to flush to disk$/,
  walFlushSleep: /^sleeping (\d+) of maximum (\d+) seconds waiting for standby to flush received WAL to disk$/,
  aborting: /^aborting switchover$/,
  // _do_standby_promote_internal
  promoting: /^promoting standby to primary$/,
  promoteWait: /^waiting up to (\d+) seconds \(parameter "promote_check_timeout"\) for promotion to complete$/,
  promoted: /^STANDBY PROMOTE successful$/,
  // repmgr-client.c check_standby_join
  pingWait: re(`waiting for node ${NODE} to respond to pings; (\\d+) of max (\\d+) attempts \\(parameter "node_rejoin_timeout"\\)`),
  attachWait: re(`waiting for node ${NODE} to connect to new primary; (\\d+) of max (\\d+) attempts \\(parameter "node_rejoin_timeout"\\)`),
  rejoinResult: re(`node ${NODE} promoted to primary, .*`),
  // sibling_nodes_follow
  follow: /^executing STANDBY FOLLOW on (\d+) of (\d+) siblings$/,
  followDone: /^(?:STANDBY FOLLOW successfully executed on all reachable sibling nodes|execution of STANDBY FOLLOW failed on \d+ sibling nodes)$/,
  reconnectWait: /^sleeping 1 second; (\d+) of (\d+) attempts \("standby_reconnect_timeout"\) to reconnect to demoted primary$/,
  // the verdict on the demoted primary; repmgr unpauses repmgrd right after it (log_debug only)
  verdict: /^(?:switchover was successful|switchover is incomplete|switchover did not fully complete)$/,
  completed: /^STANDBY SWITCHOVER has completed successfully$/,
  completedWithIssues: /^STANDBY SWITCHOVER has completed with issues$/,
};

interface RunState {
  phase: SwitchoverPhase | null;
  pausing: boolean;
  promoted: boolean;
  demoted: string | null;
}

/** Phase and waitingOn for one log line; updates `st` (names, what has happened). */
function milestone(level: RepmgrLineLevel, msg: string, st: RunState): { phase: SwitchoverPhase | null; waitingOn: string | null } {
  let m: RegExpMatchArray | null;
  const w = (waitingOn: string | null, phase: SwitchoverPhase | null = null) => ({ phase, waitingOn });
  if (level === 'ERROR') {
    if (R.uncleanContinuing.test(msg)) return w(null);
    // Before the promotion every ERROR ends the run (exit); after it repmgr carries on to the end
    // and prints "STANDBY SWITCHOVER has completed with issues".
    return w(null, st.promoted ? null : 'failed');
  }
  if (level === 'DETAIL') {
    if ((m = msg.match(R.serverCommand))) return w(`server command ${m[1]}`);
    return w(null);
  }
  if ((m = msg.match(R.executing)) || (m = msg.match(R.checkingDry))) return w('prerequisite checks', 'checks');
  if ((m = msg.match(R.pausing))) {
    st.pausing = true;
    return w(`pausing repmgrd on ${m[1]} nodes`, 'pause-repmgrd');
  }
  if ((m = msg.match(R.willPromote))) {
    st.demoted = m[2];
    return w(null);
  }
  if ((m = msg.match(R.stopping))) {
    st.demoted = m[1];
    return w(`primary "${m[1]}" to stop`, 'shutdown');
  }
  if ((m = msg.match(R.checkpoint))) return w(`CHECKPOINT on "${m[1]}"`);
  if ((m = msg.match(R.shutdownCheck))) return w(`primary shutdown (attempt ${m[1]} of ${m[2]}, shutdown_check_timeout)`);
  if (R.stillShuttingDown.test(msg)) return w('primary shutdown (still shutting down)');
  if ((m = msg.match(R.walFlushWait))) return w(`received WAL to be flushed to disk (up to ${m[1]} s, wal_receive_check_timeout)`);
  if ((m = msg.match(R.walFlushSleep))) return w(`received WAL to be flushed to disk (${m[1]} of ${m[2]} s, wal_receive_check_timeout)`);
  if (R.aborting.test(msg)) return w(null, 'failed');
  if (R.promoting.test(msg)) return w('promotion', 'promote');
  if ((m = msg.match(R.promoteWait))) return w(`promotion (up to ${m[1]} s, promote_check_timeout)`);
  if (R.promoted.test(msg)) {
    // `repmgr node rejoin` runs on the old primary next; repmgr prints nothing until it returns
    st.promoted = true;
    return w(`${st.demoted ? `"${st.demoted}"` : 'the old primary'} to restart as a standby (repmgr node rejoin)`, 'rejoin');
  }
  if ((m = msg.match(R.pingWait))) return w(`"${m[1]}" to respond to pings (attempt ${m[2]} of ${m[3]}, node_rejoin_timeout)`);
  if ((m = msg.match(R.attachWait))) return w(`"${m[1]}" to connect to the new primary (attempt ${m[2]} of ${m[3]}, node_rejoin_timeout)`);
  if ((m = msg.match(R.follow))) return w(`STANDBY FOLLOW on ${m[1]} of ${m[2]} sibling(s)`, 'follow');
  if ((m = msg.match(R.reconnectWait))) return w(`the demoted primary to accept connections (attempt ${m[1]} of ${m[2]}, standby_reconnect_timeout)`);
  if (R.verdict.test(msg)) return st.pausing ? w('unpausing repmgrd', 'unpause-repmgrd') : w(null);
  if (R.completed.test(msg)) return w(null, 'done');
  if (R.completedWithIssues.test(msg)) return w(null, 'failed');
  return w(null);
}

/** Cuts chunks into lines per stream (a line may span chunks) and emits one event per non-blank line. */
export class SwitchoverOutputParser extends StreamLines {
  private readonly contLevel: Record<Stream, SwitchoverEvent['level'] | null> = { stdout: null, stderr: null };
  private readonly st: RunState = { phase: null, pausing: false, promoted: false, demoted: null };

  constructor(private readonly onEvent: (e: SwitchoverEvent) => void) {
    super();
  }

  protected line(stream: Stream, raw: string): void {
    const text = clean(raw);
    if (text.trim() === '') return;
    const lv = splitLevel(text);
    if (!lv) {
      // a continuation of the previous message (indented command, node list, libpq error), or not repmgr
      this.onEvent({ text, level: this.contLevel[stream] ?? 'other', phase: null, waitingOn: null });
      return;
    }
    const level = LEVEL_OF[lv[0]];
    this.contLevel[stream] = level;
    const ms = milestone(lv[0], lv[1], this.st);
    const phase = ms.phase !== null && ms.phase !== this.st.phase ? ms.phase : null;
    if (phase) this.st.phase = phase;
    this.onEvent({ text, level, phase, waitingOn: ms.waitingOn });
  }
}

/** Every event of a whole output at once (for tests and for a finished run's log). */
export function parseSwitchoverOutput(stdout: string, stderr: string): SwitchoverEvent[] {
  const out: SwitchoverEvent[] = [];
  const p = new SwitchoverOutputParser((e) => out.push(e));
  p.push('stderr', stderr);
  p.push('stdout', stdout);
  p.end();
  return out;
}

/**
 * The verdict from the events: ok iff repmgr printed "STANDBY SWITCHOVER has completed
 * successfully" and no ERROR. `error`: the ERROR line(s) with their DETAIL/HINT (the last, the one
 * repmgr stopped on, first), one line; when the
 * old primary was shut down but nothing was promoted, says so (repmgr leaves it stopped).
 */
export function switchoverOutcome(events: readonly SwitchoverEvent[]): { ok: boolean; error: string | null } {
  const msg = (e: SwitchoverEvent) => splitLevel(e.text)?.[1] ?? e.text;
  /** Event i's message with the DETAIL/HINT lines after it (and everyone's continuation lines), one line. */
  const withDetails = (i: number): string => {
    const parts = [msg(events[i])];
    for (let j = i + 1; j < events.length; j++) {
      const lv = splitLevel(events[j].text);
      if (lv && lv[0] !== 'DETAIL' && lv[0] !== 'HINT') break;
      if (!lv && events[j].level !== events[i].level && events[j].level !== 'detail') break;
      if (lv) parts.push(lv[0] === 'HINT' ? `HINT: ${lv[1]}` : lv[1]);
      else parts[parts.length - 1] += `\n${events[j].text}`;
    }
    return oneLine(parts.join(' — '));
  };
  const errors: string[] = [];
  let success = false;
  let shutdown = false;
  let promoted = false;
  let issue: number | null = null;
  events.forEach((e, i) => {
    const lv = splitLevel(e.text);
    if (!lv) return;
    if (lv[0] === 'ERROR') errors.push(withDetails(i));
    else if (lv[0] === 'NOTICE' && R.completed.test(lv[1])) success = true;
    if (R.cleanlyDown.test(lv[1]) || R.uncleanContinuing.test(lv[1]) || R.stopping.test(lv[1])) shutdown = true;
    if (R.promoted.test(lv[1])) promoted = true;
    if (issue === null && (lv[0] === 'WARNING' || lv[0] === 'NOTICE') && /^(?:switchover is incomplete|switchover did not fully complete|local node ".*" is behind shutdown primary ".*")$/.test(lv[1])) issue = i;
  });
  if (success && errors.length === 0) return { ok: true, error: null };
  // the last ERROR is the one repmgr stopped on (with --verbose, a libpq "connection to database
  // failed" comes before the verdict it leads to): it goes first
  let error =
    errors.length > 0 ? [...errors].reverse().join('; ')
      : issue !== null ? withDetails(issue)
        : events.some((e) => R.completedWithIssues.test(msg(e))) ? 'STANDBY SWITCHOVER has completed with issues'
          : 'repmgr did not report "STANDBY SWITCHOVER has completed successfully"';
  if (shutdown && !promoted) error += ' — the old primary was already shut down and no standby was promoted: check the cluster (repmgr cluster show) before anything else';
  return { ok: false, error };
}
