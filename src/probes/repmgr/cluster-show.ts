// Parsers for `repmgr cluster show` (text, --compact, --csv) and its stderr. Output format
// identical in repmgr 5.3.3 and 5.5.0 (probe reference §2.1, §2.8). Pure: no I/O, no clock.
//
// Exit codes the caller should expect: 0 all fine; 25 (ERR_NODE_STATUS) table printed but some
// node has an issue (read the stderr list); 6 (ERR_DB_CONN) the local node is down — stdout is
// empty, so parseClusterShow() throws: run the command through another node instead.

import { parseNodeCells, type NodeStatus, type RepmgrRole, type Upstream } from './node-status.ts';
import { parseIssueList } from './repmgr-log.ts';
import { RepmgrParseError, columnIndex, dataLines, optionalColumn, parseInteger, splitTextTable } from './text-table.ts';

export { RepmgrParseError };

const CMD = 'cluster show';

export interface ClusterShowRow {
  id: number;
  name: string;
  role: RepmgrRole;
  status: NodeStatus;
  upstream: Upstream | null;
  location: string;
  priority: number;
  /**
   * Timeline read live from the node (get_node_timeline → pg_control_checkpoint()), so it lags a
   * promotion until the next checkpoint: right after failover the new primary still shows 1.
   * null when the node was not connectable (empty cell), for a witness ("n/a"), and when the
   * column is absent (PostgreSQL < 9.6).
   */
  timeline: number | null;
  /** null in --compact mode, which drops the column. */
  conninfo: string | null;
}

export function parseClusterShow(stdout: string): ClusterShowRow[] {
  const { headers, rows } = splitTextTable(CMD, stdout);
  const col = (...names: string[]) => columnIndex(CMD, headers, ...names);
  const ix = {
    id: col('ID'), name: col('Name'), role: col('Role'), status: col('Status'), upstream: col('Upstream'),
    location: col('Location'), priority: col('Priority', 'Prio.'),
    timeline: optionalColumn(headers, 'Timeline', 'TLI'), conninfo: optionalColumn(headers, 'Connection string'),
  };
  if (rows.length === 0) throw new RepmgrParseError(CMD, 'table has no rows (repmgr exits with "no node records were found" instead)');
  return rows.map((r, n) => {
    const at = (c: string) => `row ${n + 1}, column "${c}"`;
    const tli = ix.timeline === null ? '' : r[ix.timeline];
    return {
      ...parseNodeCells(CMD, at, { id: r[ix.id], name: r[ix.name], role: r[ix.role], status: r[ix.status], upstream: r[ix.upstream] }),
      location: r[ix.location],
      priority: parseInteger(CMD, at('Priority'), r[ix.priority]),
      timeline: tli === '' || tli === 'n/a' ? null : parseInteger(CMD, at('Timeline'), tli),
      conninfo: ix.conninfo === null ? null : r[ix.conninfo],
    };
  });
}

/** Items of "WARNING: following issues were detected" on stderr ([] when none). */
export function parseClusterShowStderr(stderr: string): string[] {
  return parseIssueList(stderr);
}

/**
 * `cluster show --csv` is NOT the table: "node_id,connection_status,recovery_type" per node, no
 * header; connection_status 0 = up, -1 = not up; recovery_type 0 primary, 1 standby, -1 unknown.
 */
export interface ClusterShowCsvRow {
  id: number;
  up: boolean;
  recovery: 'primary' | 'standby' | 'unknown';
}

export function parseClusterShowCsv(stdout: string): ClusterShowCsvRow[] {
  const cmd = `${CMD} --csv`;
  return dataLines(stdout).map((line, n) => {
    const f = line.split(',');
    if (f.length !== 3) throw new RepmgrParseError(cmd, `line ${n + 1}: expected "node_id,connection_status,recovery_type", got ${JSON.stringify(line)}`);
    const conn = parseInteger(cmd, `line ${n + 1}, connection_status`, f[1]);
    const rec = parseInteger(cmd, `line ${n + 1}, recovery_type`, f[2]);
    if (conn !== 0 && conn !== -1) throw new RepmgrParseError(cmd, `line ${n + 1}: connection_status must be 0 or -1, got ${conn}`);
    if (rec < -1 || rec > 1) throw new RepmgrParseError(cmd, `line ${n + 1}: recovery_type must be -1, 0 or 1, got ${rec}`);
    return { id: parseInteger(cmd, `line ${n + 1}, node_id`, f[0]), up: conn === 0, recovery: rec === 0 ? 'primary' : rec === 1 ? 'standby' : 'unknown' };
  });
}
