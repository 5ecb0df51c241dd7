// repmgr's own view of the cluster, from its CLI on the node over SSH: `service status --csv`
// (repmgrd per node) and `cluster show` (roles, upstreams, issues). Both run in parallel on the
// node's one pooled connection, as the node's sudo_user when set. Never throws: every failure
// becomes one line a DBA can act on.
//
// Where repmgr lives: Debian/Ubuntu (apt.postgresql.org and Debian's own postgresql-NN-repmgr)
// install the binary in /usr/lib/postgresql/NN/bin and a pg_wrapper link /usr/bin/repmgr (from
// repmgr-common) that picks the version of the local cluster; a plain `repmgr` found on PATH
// therefore works on a stock host. A host with several PostgreSQL versions but repmgr for only
// one, or an RPM layout (/usr/pgsql-NN/bin), needs the full path: `repmgrBin`.

import type { NodeConfig } from '../../config/schema.ts';
import { DEFAULT_REPMGR_CONFIG } from '../../config/schema.ts';
import { parseClusterShow, parseClusterShowStderr, type ClusterShowRow } from '../repmgr/cluster-show.ts';
import { parseRepmgrLog } from '../repmgr/repmgr-log.ts';
import { parseServiceStatusCsv, parseServiceStatusIssues, type ServiceStatusCsvRow } from '../repmgr/service-status.ts';
import { RepmgrParseError } from '../repmgr/text-table.ts';
import { describeRunFailure, type RunResult, type SshRunner } from './ssh-runner.ts';

/** Found on PATH (pg_wrapper's /usr/bin/repmgr on Debian/Ubuntu). */
export const DEFAULT_REPMGR_BIN = 'repmgr';
export const REPMGR_CLI_TIMEOUT_MS = 15_000;
/** Both outputs are a few lines per node; anything near this is not repmgr talking. */
const MAX_OUTPUT_BYTES = 256 * 1024;

export type RepmgrCliNode = Pick<NodeConfig, 'name' | 'ssh' | 'repmgrConfig' | 'sudoUser'>;

export interface RepmgrCliOptions {
  /** Path or name of the repmgr binary on the node (default DEFAULT_REPMGR_BIN). */
  repmgrBin?: string;
  timeoutMs?: number;
  now?: () => number;
}

export type RepmgrCliResult =
  | {
      ok: true;
      node: string;
      /** epoch ms when both replies were in */
      at: number;
      serviceStatus: ServiceStatusCsvRow[];
      clusterShow: ClusterShowRow[];
      /** repmgr's "following issues were detected" items, from either command, deduplicated. */
      warnings: string[];
    }
  | { ok: false; node: string; at: number; error: string };

export type RepmgrCommand = 'service status --csv' | 'cluster show';

export function serviceStatusArgv(repmgrConf: string, repmgrBin = DEFAULT_REPMGR_BIN): string[] {
  return [repmgrBin, '-f', repmgrConf, 'service', 'status', '--csv'];
}

export function clusterShowArgv(repmgrConf: string, repmgrBin = DEFAULT_REPMGR_BIN): string[] {
  return [repmgrBin, '-f', repmgrConf, 'cluster', 'show'];
}

const firstLine = (s: string) => s.trim().split('\n')[0] ?? '';

/**
 * Why a run that reached the host did not give repmgr's output, or null when stdout is worth
 * parsing. Shell, sudo and repmgr each word their failures differently; all are matched here.
 */
export function repmgrRunProblem(command: RepmgrCommand, r: RunResult, ctx: { repmgrBin: string; repmgrConf: string; sudoUser?: string }): string | null {
  const err = r.stderr;
  const bin = ctx.repmgrBin;
  if (/^sudo: (?:a )?password is required|^sudo: a terminal is required/m.test(err)) {
    return `sudo -n -u ${ctx.sudoUser} needs a password there; allow it without one (NOPASSWD) for ${bin}`;
  }
  if (/^sudo: unknown user/m.test(err)) return `sudo: OS user ${ctx.sudoUser} does not exist there (check sudo_user)`;
  if (/\bsudo: (?:command )?not found/.test(err)) return `sudo is not installed there, but sudo_user is set`;
  const sudoLine = /^sudo: .*(?:not allowed|may not run).*$/m.exec(err);
  if (sudoLine) return `sudo refuses to run ${bin} as ${ctx.sudoUser}: ${sudoLine[0]}`;
  // repmgr's own "ERROR:" means it ran: its wording wins over any "not found" below
  const log = parseRepmgrLog(err);
  const error = log.find((e) => e.level === 'ERROR');
  if (error && /configuration file .* not found|could not open|unable to open/i.test(error.text)) {
    const detail = log.find((e) => e.level === 'DETAIL')?.text;
    return `repmgr.conf ${ctx.repmgrConf} missing or unreadable there${detail ? ` (${firstLine(detail)})` : ''}; check repmgr_config`;
  }
  // bash: "bash: line 1: repmgr: command not found" / "…: /path/repmgr: No such file or directory",
  // dash: "sh: 1: repmgr: not found", sudo: "sudo: repmgr: command not found", pg_wrapper's own
  const binLine = err.split('\n').some((l) => l.includes(`${bin}: `) && /(?:command )?not found$|No such file or directory$/.test(l.trimEnd()));
  if (!error && (r.code === 127 || binLine || /pg_wrapper: \S+ was not found/.test(err))) {
    return `repmgr not found there (\`${bin}\`): is repmgr installed on that host? (or give the full path to the binary)`;
  }
  if (r.signal) return `\`repmgr ${command}\` was killed by signal ${r.signal}`;
  if (r.truncated) return `malformed output from \`repmgr ${command}\`: more than ${MAX_OUTPUT_BYTES} bytes`;
  // cluster show: 25 = table printed, some node has an issue (the issues become warnings)
  const okCodes = command === 'cluster show' ? [0, 25] : [0];
  if (r.code !== null && okCodes.includes(r.code) && r.stdout.trim() !== '') return null;
  if (error) {
    const detail = log.find((e) => e.level === 'DETAIL')?.text;
    return `\`repmgr ${command}\` failed (exit ${r.code}): ${firstLine(error.text)}${detail ? ` — ${firstLine(detail)}` : ''}`;
  }
  if (r.code !== null && okCodes.includes(r.code)) return `malformed output from \`repmgr ${command}\`: empty output`;
  const said = firstLine(err) || firstLine(r.stdout);
  return `\`repmgr ${command}\` failed (exit ${r.code})${said ? `: ${said}` : ''}`;
}

function parseOutput<T>(command: RepmgrCommand, parse: (s: string) => T, stdout: string): T | string {
  try {
    return parse(stdout);
  } catch (e) {
    const detail = e instanceof RepmgrParseError ? e.message.replace(/^repmgr [^:]+: /, '') : e instanceof Error ? e.message : String(e);
    return `malformed output from \`repmgr ${command}\`: ${firstLine(detail)}`;
  }
}

export async function probeRepmgrCli(runner: SshRunner, node: RepmgrCliNode, opts: RepmgrCliOptions = {}): Promise<RepmgrCliResult> {
  const now = opts.now ?? Date.now;
  const fail = (error: string): RepmgrCliResult => ({ ok: false, node: node.name, at: now(), error: `${node.name}: ${error}` });
  if (node.ssh === undefined) return fail('no ssh target configured for this node, so repmgr cannot be asked');
  const ctx = { repmgrBin: opts.repmgrBin ?? DEFAULT_REPMGR_BIN, repmgrConf: node.repmgrConfig ?? DEFAULT_REPMGR_CONFIG, sudoUser: node.sudoUser };
  const runOpts = { timeoutMs: opts.timeoutMs ?? REPMGR_CLI_TIMEOUT_MS, maxOutputBytes: MAX_OUTPUT_BYTES, sudoUser: node.sudoUser };
  const target = node.ssh;
  const runIt = (argv: string[]): Promise<RunResult | { failed: string }> =>
    runner.run(target, argv, runOpts).then((r) => r, (e: unknown) => ({ failed: describeRunFailure(e) }));

  const [ss, cs] = await Promise.all([
    runIt(serviceStatusArgv(ctx.repmgrConf, ctx.repmgrBin)),
    runIt(clusterShowArgv(ctx.repmgrConf, ctx.repmgrBin)),
  ]);
  // The same connection carries both: a transport failure is the same line twice, say it once.
  if ('failed' in ss) return fail(ss.failed);
  if ('failed' in cs) return fail(cs.failed);
  const ssProblem = repmgrRunProblem('service status --csv', ss, ctx);
  if (ssProblem) return fail(ssProblem);
  const csProblem = repmgrRunProblem('cluster show', cs, ctx);
  if (csProblem) return fail(csProblem);

  const serviceStatus = parseOutput('service status --csv', parseServiceStatusCsv, ss.stdout);
  if (typeof serviceStatus === 'string') return fail(serviceStatus);
  const clusterShow = parseOutput('cluster show', parseClusterShow, cs.stdout);
  if (typeof clusterShow === 'string') return fail(clusterShow);
  const warnings = [...new Set([...parseServiceStatusIssues(ss.stderr), ...parseClusterShowStderr(cs.stderr)])];
  return { ok: true, node: node.name, at: now(), serviceStatus, clusterShow, warnings };
}
