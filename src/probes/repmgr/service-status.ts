// Parsers for `repmgr service status` (--csv, text, --detail, --compact). Same output in repmgr
// 5.3.3 and 5.5.0 (probe reference §2.3, §2.8). Pure: no I/O, no clock. Exits 0 even when a node
// is down; the problems are only in the "following issues were detected" list (parseIssueList).

import { NODE_ROLES, parseNodeCells, type NodeStatus, type RepmgrRole, type Upstream } from './node-status.ts';
import { parseIssueList } from './repmgr-log.ts';
import { RepmgrParseError, columnIndex, dataLines, oneOf, optionalColumn, parseInteger, splitTextTable } from './text-table.ts';

export { RepmgrParseError };

export interface ServiceStatusCsvRow {
  id: number;
  name: string;
  role: RepmgrRole;
  /** Could repmgr connect to PostgreSQL on the node. */
  pgRunning: boolean;
  /** null when PostgreSQL is down (repmgr prints -1: it asks the node's database). */
  repmgrdRunning: boolean | null;
  /** null when unknown (-1): repmgrd not running, or PostgreSQL down. */
  repmgrdPid: number | null;
  /** null when PostgreSQL is down (-1). */
  paused: boolean | null;
  priority: number;
  /** Seconds since repmgrd last heard from the upstream; null (-1) on a primary, when repmgrd's
   *  PID is unknown, or when PostgreSQL is down. */
  upstreamLastSeenSeconds: number | null;
  location: string;
}

const CSV = 'service status --csv';

function tri(where: string, v: string): boolean | null {
  const n = parseInteger(CSV, where, v);
  if (n === -1) return null;
  if (n === 0 || n === 1) return n === 1;
  throw new RepmgrParseError(CSV, `${where}: expected 1, 0 or -1, got ${v}`);
}

function orNull(where: string, v: string): number | null {
  const n = parseInteger(CSV, where, v);
  return n === -1 ? null : n;
}

/**
 * "node_id,node_name,type,pg_running,repmgrd_running,repmgrd_pid,paused,priority,upstream_last_seen,location"
 * with no header and no quoting. The name is printed raw too, so a name with a comma cannot be
 * parsed safely: the line must have exactly enough commas for the fixed fields, except that the
 * location is last and taken as the rest of the line (it may contain commas).
 */
export function parseServiceStatusCsv(stdout: string): ServiceStatusCsvRow[] {
  return dataLines(stdout).map((line, n) => {
    const where = (f: string) => `line ${n + 1}, ${f}`;
    const f = line.split(',');
    if (f.length < 10) {
      throw new RepmgrParseError(CSV, `line ${n + 1}: expected 10 fields "node_id,node_name,type,pg_running,repmgrd_running,repmgrd_pid,paused,priority,upstream_last_seen,location", got ${f.length} in ${JSON.stringify(line)}`);
    }
    const pg = parseInteger(CSV, where('pg_running'), f[3]);
    if (pg !== 0 && pg !== 1) throw new RepmgrParseError(CSV, `${where('pg_running')}: expected 1 or 0, got ${f[3]}`);
    return {
      id: parseInteger(CSV, where('node_id'), f[0]),
      name: f[1],
      role: oneOf(CSV, where('type'), NODE_ROLES, f[2]),
      pgRunning: pg === 1,
      repmgrdRunning: tri(where('repmgrd_running'), f[4]),
      repmgrdPid: orNull(where('repmgrd_pid'), f[5]),
      paused: tri(where('paused'), f[6]),
      priority: parseInteger(CSV, where('priority'), f[7]),
      upstreamLastSeenSeconds: orNull(where('upstream_last_seen'), f[8]),
      location: f.slice(9).join(','),
    };
  });
}

export interface ServiceStatusRow {
  id: number;
  name: string;
  role: RepmgrRole;
  status: NodeStatus;
  upstream: Upstream | null;
  /** Only with --detail; null otherwise. */
  location: string | null;
  priority: number | null;
  /** "running" / "not running"; null for "n/a" (PostgreSQL unreachable, so repmgr cannot ask). */
  repmgrd: 'running' | 'not running' | null;
  /** null for "n/a". */
  pid: number | null;
  /** null for "n/a" (PID unknown). */
  paused: boolean | null;
  /** From "N second(s) ago" / "N sec(s) ago" (--compact); null for "n/a". */
  upstreamLastSeenSeconds: number | null;
}

const TXT = 'service status';
const LAST_SEEN = /^(\d+) (?:second\(s\)|sec\(s\)) ago$/;

export function parseServiceStatus(stdout: string): ServiceStatusRow[] {
  const { headers, rows } = splitTextTable(TXT, stdout);
  const col = (...names: string[]) => columnIndex(TXT, headers, ...names);
  const ix = {
    id: col('ID'), name: col('Name'), role: col('Role'), status: col('Status'), upstream: col('Upstream'),
    location: optionalColumn(headers, 'Location'), priority: optionalColumn(headers, 'Priority', 'Prio.'),
    repmgrd: col('repmgrd'), pid: col('PID'), paused: col('Paused?'), lastSeen: col('Upstream last seen', 'Upstr. last'),
  };
  if (rows.length === 0) throw new RepmgrParseError(TXT, 'table has no rows');
  return rows.map((r, n) => {
    const at = (c: string) => `row ${n + 1}, column "${c}"`;
    const na = <T>(v: string, f: (v: string) => T): T | null => (v === 'n/a' ? null : f(v));
    return {
      ...parseNodeCells(TXT, at, { id: r[ix.id], name: r[ix.name], role: r[ix.role], status: r[ix.status], upstream: r[ix.upstream] }),
      location: ix.location === null ? null : r[ix.location],
      priority: ix.priority === null ? null : parseInteger(TXT, at('Priority'), r[ix.priority]),
      repmgrd: na(r[ix.repmgrd], (v) => oneOf(TXT, at('repmgrd'), ['running', 'not running'] as const, v)),
      pid: na(r[ix.pid], (v) => parseInteger(TXT, at('PID'), v)),
      paused: na(r[ix.paused], (v) => oneOf(TXT, at('Paused?'), ['yes', 'no'] as const, v) === 'yes'),
      upstreamLastSeenSeconds: na(r[ix.lastSeen], (v) => {
        const m = LAST_SEEN.exec(v);
        if (!m) throw new RepmgrParseError(TXT, `${at('Upstream last seen')}: expected "N second(s) ago" or "n/a", got ${JSON.stringify(v)}`);
        return Number(m[1]);
      }),
    };
  });
}

/** Items of "WARNING: following issues were detected" ([] when none). 5.3.3 prints them on
 *  stderr (as captured); pass stdout too if a build prints them there — the block is found by text. */
export function parseServiceStatusIssues(output: string): string[] {
  return parseIssueList(output);
}
