// Running one `barman -f json …` over SSH and turning every way it can fail into one line.
// How barman 3.4 fails (checked on the lab, see test/fixtures/barman/README.md):
//   unknown server/backup  stdout {"_ERROR": ["Unknown server 'x'"]}, exit 1
//   PostgreSQL unreachable stdout {"_ERROR": ["Unable to connect to server main"], "main": {}}, exit 1
//   wrong OS user          stderr "ERROR: please run barman as 'barman' user", no stdout, exit 1
//   missing -c file        stderr "Configuration file '/x' does not exist", no stdout, exit 1
//   no barman              stderr "bash: line 1: barman: command not found", exit 127
//   failed checks          stdout the full JSON with status FAILED items, exit 1 (not an error)

import { parseJsonText, serverEntry, type BarmanCommand, type Json } from './json-access.ts';
import { describeRunFailure, type RunResult, type SshRunner, type SshTarget } from '../ssh/ssh-runner.ts';

export const DEFAULT_BARMAN_BIN = 'barman';
export const BARMAN_TIMEOUT_MS = 30_000;
/** list-backups of a few hundred backups is well under this. */
const MAX_OUTPUT_BYTES = 4 * 1024 * 1024;

export interface BarmanTarget {
  ssh: SshTarget;
  /** barman's server name (a section of barman.conf). */
  server: string;
  /** Run barman as this OS user (sudo -n -u), usually `barman`. */
  sudoUser?: string;
  /** barman -c: the configuration file, when not the default /etc/barman.conf. */
  configFile?: string;
  /** Path or name of the barman binary (default DEFAULT_BARMAN_BIN, found on PATH). */
  barmanBin?: string;
}

/** `barman [-c conf] -f json CMD ARGS…`: -f is a global option and must precede the command. */
export function barmanArgv(cfg: Pick<BarmanTarget, 'configFile' | 'barmanBin'>, command: BarmanCommand, ...args: string[]): string[] {
  return [cfg.barmanBin ?? DEFAULT_BARMAN_BIN, ...(cfg.configFile ? ['-c', cfg.configFile] : []), '-f', 'json', command, ...args];
}

export type BarmanRun = { ok: true; doc: Json; entry: Json } | { ok: false; error: string };

const firstLine = (s: string) => s.trim().split('\n')[0]?.trim() ?? '';

/** Why a run that reached the host gave no usable JSON, from stderr and the exit code. */
export function barmanRunProblem(command: BarmanCommand, r: RunResult, cfg: Pick<BarmanTarget, 'configFile' | 'barmanBin' | 'sudoUser'>): string | null {
  const err = r.stderr;
  const bin = cfg.barmanBin ?? DEFAULT_BARMAN_BIN;
  if (/^sudo: (?:a )?password is required|^sudo: a terminal is required/m.test(err)) {
    return `sudo -n -u ${cfg.sudoUser} needs a password there; allow it without one (NOPASSWD) for ${bin}`;
  }
  if (/^sudo: unknown user/m.test(err)) return `sudo: OS user ${cfg.sudoUser} does not exist there (check sudo_user)`;
  const sudoLine = /^sudo: .*(?:not allowed|may not run).*$/m.exec(err);
  if (sudoLine) return `sudo refuses to run ${bin} as ${cfg.sudoUser}: ${sudoLine[0]}`;
  const asUser = /please run barman as '([^']+)' user/.exec(err);
  if (asUser) return `barman refuses to run as this SSH user: log in as ${asUser[1]} or set sudo_user: ${asUser[1]}`;
  const conf = /Configuration file '([^']*)' does not exist/.exec(err);
  if (conf) return `barman configuration ${conf[1]} does not exist there (check the barman config file)`;
  const binLine = err.split('\n').some((l) => l.includes(`${bin}: `) && /(?:command )?not found$|No such file or directory$/.test(l.trimEnd()));
  if (r.code === 127 || binLine) return `barman not found there (\`${bin}\`): is barman installed on that host? (or give the full path)`;
  // only when nothing came out: a warning on stderr next to good JSON is not a failure
  if (r.stdout.trim() === '' && /Permission denied/i.test(err)) return `barman ${command}: permission denied: ${firstLine(err.split('\n').find((l) => /Permission denied/i.test(l)) ?? err)}`;
  if (r.truncated) return `barman ${command}: output larger than ${MAX_OUTPUT_BYTES} bytes, cut`;
  if (r.stdout.trim() === '') {
    const said = firstLine(err.replace(/^ERROR:\s*/m, ''));
    return `barman ${command} failed (exit ${r.code ?? r.signal ?? '?'})${said ? `: ${said}` : ': no output'}`;
  }
  return null;
}

/** One barman command on the host; the server's entry of its JSON, or one line saying why not. */
export async function runBarman(runner: SshRunner, cfg: BarmanTarget, command: BarmanCommand, args: string[], timeoutMs = BARMAN_TIMEOUT_MS): Promise<BarmanRun> {
  let r: RunResult;
  try {
    r = await runner.run(cfg.ssh, barmanArgv(cfg, command, ...args), { timeoutMs, maxOutputBytes: MAX_OUTPUT_BYTES, sudoUser: cfg.sudoUser });
  } catch (e) {
    return { ok: false, error: describeRunFailure(e) };
  }
  const problem = barmanRunProblem(command, r, cfg);
  if (problem) return { ok: false, error: problem };
  try {
    const doc = parseJsonText(command, r.stdout);
    return { ok: true, doc, entry: serverEntry(command, doc, cfg.server) };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? firstLine(e.message) : String(e) };
  }
}
