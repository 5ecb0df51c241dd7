// Parsers for `repmgr cluster event` (--csv, text, --compact). Same output in repmgr 5.3.3 and
// 5.5.0 (probe reference §2.2, §2.8). Pure: no I/O, no clock.
//
// Timestamps: repmgr prints to_char(event_timestamp, 'YYYY-MM-DD HH24:MI:SS') — the wall-clock
// time in the TimeZone of the repmgr database session (the server's default), with NO offset.
// So the text is kept as given, and `local` is only a validated, ISO-shaped copy of that wall time
// ("2026-11-22T03:49:51", no "Z"): turning it into an instant needs the server's time zone, which
// this output does not carry.

import { RepmgrParseError, columnIndex, dataLines, optionalColumn, parseInteger, splitTextTable } from './text-table.ts';

export { RepmgrParseError };

export interface ClusterEvent {
  nodeId: number;
  /** From a LEFT JOIN on repmgr.nodes: "" when the node record has since been deleted. */
  nodeName: string;
  event: string;
  successful: boolean;
  /** As printed: "YYYY-MM-DD HH:MM:SS", server-local wall time, no zone. */
  timestamp: string;
  /** ISO-8601 local date-time without offset, or null if the text is not a valid date-time. */
  local: string | null;
  /** Text table only; null in --csv and --compact, which drop the column. */
  details: string | null;
}

export const NO_EVENTS = 'no matching events found';

const TS = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

function localIso(ts: string): string | null {
  const m = TS.exec(ts);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
  // Round-trip through UTC fields only to validate the calendar date (no zone is applied).
  const t = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return null;
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}`;
}

function ok(cmd: string, where: string, v: string): boolean {
  if (v === 't') return true;
  if (v === 'f') return false;
  throw new RepmgrParseError(cmd, `${where}: expected "t" or "f", got ${JSON.stringify(v)}`);
}

function timestamp(cmd: string, where: string, v: string): { timestamp: string; local: string | null } {
  const local = localIso(v);
  if (local === null) throw new RepmgrParseError(cmd, `${where}: expected "YYYY-MM-DD HH:MM:SS", got ${JSON.stringify(v)}`);
  return { timestamp: v, local };
}

function isEmpty(stdout: string): boolean {
  return stdout.trim() === NO_EVENTS;
}

/**
 * "node_id,node_name,event,successful,timestamp", no header, no quoting. Only the name can hold a
 * comma (event names are identifiers, the timestamp is fixed), so the name is taken as everything
 * between the first comma and the last three.
 */
export function parseClusterEventCsv(stdout: string): ClusterEvent[] {
  const cmd = 'cluster event --csv';
  if (isEmpty(stdout)) return [];
  return dataLines(stdout).map((line, n) => {
    const f = line.split(',');
    if (f.length < 5) throw new RepmgrParseError(cmd, `line ${n + 1}: expected "node_id,node_name,event,successful,timestamp", got ${JSON.stringify(line)}`);
    const [ev, succ, ts] = f.slice(-3);
    const where = (c: string) => `line ${n + 1}, ${c}`;
    return {
      nodeId: parseInteger(cmd, where('node_id'), f[0]),
      nodeName: f.slice(1, -3).join(','),
      event: ev,
      successful: ok(cmd, where('successful'), succ),
      ...timestamp(cmd, where('timestamp'), ts),
      details: null,
    };
  });
}

/** Text table "Node ID | Name | Event | OK | Timestamp | Details" (--compact: no Details). */
export function parseClusterEvent(stdout: string): ClusterEvent[] {
  const cmd = 'cluster event';
  if (isEmpty(stdout)) return [];
  const { headers, rows } = splitTextTable(cmd, stdout);
  const col = (name: string) => columnIndex(cmd, headers, name);
  const ix = { id: col('Node ID'), name: col('Name'), event: col('Event'), ok: col('OK'), ts: col('Timestamp'), details: optionalColumn(headers, 'Details') };
  return rows.map((r, n) => {
    const at = (c: string) => `row ${n + 1}, column "${c}"`;
    return {
      nodeId: parseInteger(cmd, at('Node ID'), r[ix.id]),
      nodeName: r[ix.name],
      event: r[ix.event],
      successful: ok(cmd, at('OK'), r[ix.ok]),
      ...timestamp(cmd, at('Timestamp'), r[ix.ts]),
      details: ix.details === null ? null : r[ix.details],
    };
  });
}
