// The PCP password file, read exactly as pgpool's own pcp_* tools read it (src/libs/pcp/pcp.c,
// PasswordFromFile / pwdfMatchesString, 4.3–4.6 unchanged), so that a line which works for
// `pcp_node_info -w` works here and one that does not, does not either:
//  - file: $PCPPASSFILE, else ~/.pcppass; ignored unless a regular file with no group/other bits;
//  - line: hostname:port:username:password; `*` matches a whole field (host, port or user only);
//    `\` escapes the next character in every field; first matching line wins;
//  - no comment syntax: a `#` line is just a line whose hostname starts with `#`;
//  - only '\n' is stripped, so a CRLF file leaves '\r' at the end of the password (as pgpool does).
// Pure apart from lookupPcpPassword's fs reads.

import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface PcpPassEntry {
  /** Unescaped field values; null = the field was `*` (matches anything). */
  host: string | null;
  port: string | null;
  user: string | null;
  password: string;
  /** 1-based line number in the file. */
  line: number;
}

/** Reads one field up to an unescaped ':'; null when the line ends first (no ':' terminator). */
function field(line: string, from: number): { value: string; wildcard: boolean; next: number } | null {
  // pgpool treats "*:" as a wildcard only when it is the whole field, checked before unescaping.
  if (line[from] === '*' && line[from + 1] === ':') return { value: '*', wildcard: true, next: from + 2 };
  let value = '';
  for (let i = from; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && i + 1 < line.length) {
      value += line[++i];
      continue;
    }
    if (c === '\\') return null; // a trailing backslash escapes the end of line: no terminator
    if (c === ':') return { value, wildcard: false, next: i + 1 };
    value += c;
  }
  return null;
}

/** The password is the rest of the line up to the first unescaped ':' (what follows is ignored). */
function passwordField(line: string, from: number): string {
  let out = '';
  for (let i = from; i < line.length && line[i] !== ':'; i++) {
    if (line[i] === '\\' && i + 1 < line.length) i++;
    out += line[i];
  }
  return out;
}

/** Every line with three ':'-terminated fields, in file order; other lines are skipped silently, as pgpool does. */
export function parsePcpPass(text: string): PcpPassEntry[] {
  const out: PcpPassEntry[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (line === '') continue;
    const h = field(line, 0);
    const p = h && field(line, h.next);
    const u = p && field(line, p.next);
    if (!h || !p || !u) continue;
    const v = (f: { value: string; wildcard: boolean }) => (f.wildcard ? null : f.value);
    out.push({ host: v(h), port: v(p), user: v(u), password: passwordField(line, u.next), line: i + 1 });
  }
  return out;
}

/** First entry matching host/port/user (the host as pcpPassHost gives it); null if none. */
export function findPcpPass(text: string, host: string, port: number | string, user: string): PcpPassEntry | null {
  const ok = (f: string | null, want: string) => f === null || f === want;
  return parsePcpPass(text).find((e) => ok(e.host, host) && ok(e.port, String(port)) && ok(e.user, user)) ?? null;
}

export interface PcpPassLookup {
  host: string;
  port: number;
  user: string;
  /** process.env by default; only PCPPASSFILE is read. */
  env?: Record<string, string | undefined>;
  /** Home directory for ~/.pcppass; default $HOME. */
  home?: string;
}

export interface PcpPassResult {
  /** The file that was (or would have been) read. */
  file: string;
  /** null: no usable entry; `reason` says why, without any password. */
  password: string | null;
  reason?: string;
  /** The line to add, with a placeholder in place of the password. */
  hint: string;
}

/** pgpool's compiled-in UNIX_DOMAIN_PATH (Debian's libpcp too; some RPM builds patch it). */
export const PCP_DEFAULT_SOCKET_DIR = '/tmp';

/**
 * The host as pgpool matches it in the file: no host, or the default socket dir, is matched as
 * "localhost"; any other socket dir and every TCP host literally (no name resolution).
 */
export function pcpPassHost(host: string): string {
  return host === '' || host === PCP_DEFAULT_SOCKET_DIR ? 'localhost' : host;
}

function escapeField(v: string): string {
  return v.replace(/[\\:]/g, (c) => `\\${c}`);
}

/**
 * Looks the password up like pcp_* -w. Never throws: a missing, unreadable or too-open file
 * gives password null and a reason naming the file, as a DBA would need to fix it.
 */
export function lookupPcpPassword(opts: PcpPassLookup): PcpPassResult {
  const env = opts.env ?? process.env;
  const home = opts.home ?? env.HOME ?? '';
  const file = env.PCPPASSFILE ?? join(home, '.pcppass');
  const host = pcpPassHost(opts.host);
  const hint = `${escapeField(host)}:${opts.port}:${escapeField(opts.user)}:<password>`;
  const none = (reason: string): PcpPassResult => ({ file, password: null, reason, hint });
  if (opts.user === '') return none('no PCP user given');
  let st;
  try {
    st = statSync(file);
  } catch {
    return none(`${file} does not exist`);
  }
  if (!st.isFile()) return none(`${file} is not a plain file`);
  if (st.mode & 0o077) return none(`${file} has group or world access (mode ${(st.mode & 0o777).toString(8)}); pgpool ignores it unless it is 0600 or less`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return none(`${file} is not readable (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const hit = findPcpPass(text, host, opts.port, opts.user);
  if (!hit) return none(`no line in ${file} matches ${host}:${opts.port}:${opts.user}`);
  return { file, password: hit.password, hint };
}
