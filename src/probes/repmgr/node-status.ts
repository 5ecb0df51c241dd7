// The Status and Upstream cells shared by `cluster show` and `service status`: both come from
// format_node_status() in repmgr-client.c (identical in 5.3.3 and 5.5.0). Pure.

import { RepmgrParseError, oneOf, parseInteger } from './text-table.ts';

/** repmgr's get_node_type_string(); "unknown" is its fallback for a corrupt record. */
export const NODE_ROLES = ['primary', 'standby', 'witness', 'unknown'] as const;
export type RepmgrRole = (typeof NODE_ROLES)[number];

/**
 * First character of the Status cell:
 *  '*' primary/witness up and as registered; ' ' standby up and as registered ("  running");
 *  '!' up but the record disagrees (inactive record, wrong recovery state) or a witness that is
 *      inactive and rejecting logins ("! failed"); '?' repmgr cannot tell (port answers but login
 *      rejected, or unreachable while the record is active); '-' record inactive and node down.
 */
export type StatusFlag = '*' | ' ' | '!' | '?' | '-';
export type NodeState =
  | 'running' | 'running-as-primary' | 'running-as-standby' | 'unknown' | 'unreachable'
  | 'rejected' | 'failed' | 'unknown-node-type';

export interface NodeStatus {
  /** The cell as printed, e.g. "* running", "  running", "- failed". */
  raw: string;
  flag: StatusFlag;
  state: NodeState;
}

const STATES: Record<string, NodeState> = {
  'running': 'running',
  'running as primary': 'running-as-primary',
  'running as standby': 'running-as-standby',
  'unknown': 'unknown',
  'unreachable': 'unreachable',
  'rejected': 'rejected',
  'failed': 'failed',
  'unknown node type': 'unknown-node-type',
};
const FLAGS: readonly string[] = ['*', ' ', '!', '?', '-'];

export function parseNodeStatus(command: string, where: string, raw: string): NodeStatus {
  const flag = raw[0];
  const state = STATES[raw.slice(2)];
  if (!FLAGS.includes(flag) || raw[1] !== ' ' || state === undefined) {
    throw new RepmgrParseError(command, `${where}: expected a status like "* running", "  running", "? unreachable" or "- failed", got ${JSON.stringify(raw)}`);
  }
  return { raw, flag: flag as StatusFlag, state };
}

/**
 * Upstream cell: "" (no upstream), "node1", "? node1" (repmgr could not check — node down, or its
 * upstream down / attachment unknown / not streaming), "! node1" (node reports a different upstream,
 * or is not attached), "!" / "! " with no name (node says it has none). A down node that has no
 * upstream prints just "?" (seen for the failed old primary after failover).
 */
export interface Upstream {
  name: string | null;
  flag: '?' | '!' | null;
}

export function parseUpstream(cell: string): Upstream | null {
  if (cell === '') return null;
  if ((cell[0] === '?' || cell[0] === '!') && (cell.length === 1 || cell[1] === ' ')) {
    return { name: cell.slice(2) || null, flag: cell[0] };
  }
  return { name: cell, flag: null };
}

export function parseRole(command: string, where: string, cell: string): RepmgrRole {
  return oneOf(command, where, NODE_ROLES, cell);
}

/**
 * The cells `cluster show` and `service status` share, typed the same way: ID, Name, Role,
 * Status and Upstream. `at(column)` says where a bad value was found.
 */
export function parseNodeCells(
  command: string,
  at: (column: string) => string,
  cells: { id: string; name: string; role: string; status: string; upstream: string },
): { id: number; name: string; role: RepmgrRole; status: NodeStatus; upstream: Upstream | null } {
  return {
    id: parseInteger(command, at('ID'), cells.id),
    name: cells.name,
    role: parseRole(command, at('Role'), cells.role),
    status: parseNodeStatus(command, at('Status'), cells.status),
    upstream: parseUpstream(cells.upstream),
  };
}
