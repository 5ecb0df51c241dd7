// repmgr's log lines on stderr ("WARNING: ...", "HINT: ...", "ERROR: ...", "DETAIL: ...").
// Pure: no I/O, no clock.
//
// `cluster show` / `service status` collect problems and print them in one log_warning():
//   WARNING: following issues were detected
//     - unable to connect to node "node1" (ID: 1)
//   <blank>
//   HINT: execute with --verbose option to see connection error messages
// A --verbose item can span lines (the libpq error is quoted after "following error encountered :"),
// so lines that are neither a new "  - " item nor a new "LEVEL:" line continue the previous one.

export type RepmgrLogLevel = 'ERROR' | 'WARNING' | 'NOTICE' | 'INFO' | 'DETAIL' | 'HINT' | 'DEBUG';

export interface RepmgrLogEntry {
  level: RepmgrLogLevel;
  /** Text after "LEVEL: ", continuation lines joined with "\n" (trailing blank lines dropped). */
  text: string;
}

// repmgr may prefix log lines with a timestamp when log_file is set; the probe runs the CLI with
// stderr as the log, which prints bare "LEVEL: " lines (as in every capture), so only that is read.
const LEVEL_LINE = /^(ERROR|WARNING|NOTICE|INFO|DETAIL|HINT|DEBUG): ?(.*)$/;

export function parseRepmgrLog(stderr: string): RepmgrLogEntry[] {
  const out: RepmgrLogEntry[] = [];
  for (const line of stderr.replace(/\r\n/g, '\n').split('\n')) {
    const m = LEVEL_LINE.exec(line);
    if (m) out.push({ level: m[1] as RepmgrLogLevel, text: m[2] });
    else if (out.length > 0) out[out.length - 1].text += `\n${line}`;
  }
  for (const e of out) e.text = e.text.replace(/\s+$/, '');
  return out;
}

const ISSUES_MARKER = 'following issues were detected';

/**
 * The items of the "following issues were detected" warning, in order, as printed (repmgr's own
 * wording kept, e.g. service status says "unable to  connect" with two spaces). [] when there is
 * no such warning. Works on stderr, and on stdout too in case a version prints the block there.
 */
export function parseIssueList(text: string): string[] {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const start = lines.findIndex((l) => l.includes(ISSUES_MARKER));
  if (start < 0) return [];
  const items: string[] = [];
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith('  - ')) items.push(line.slice(4));
    else if (line.trim() === '' || LEVEL_LINE.test(line)) break;
    else if (items.length > 0) items[items.length - 1] += `\n${line}`;
  }
  return items;
}
