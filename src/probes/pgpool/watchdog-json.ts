// The JSON that pgpool's PCP server sends for pcp_watchdog_info ('w' reply, after
// "CommandComplete\0"), parsed into the same WatchdogInfo the -v text parser gives, so views do not
// care which source they got. Built by watchdog.c get_node_list_json / add_nodeinfo_to_json; the key
// set is identical 4.3.0 → 4.6.7 (checked at V4_3_5 and V4_6_7). 4.3 ADDED MemberRemoteNodeCount,
// NodesRequireForQuorum, Membership and MembershipString; they read as null / "NOT-Available" when
// absent, as pgpool's own client (pcp.c process_watchdog_info_response) treats older servers.
// Keys are looked up by name and unknown keys are ignored, so a later addition does not break us.

import { QUORUM_STATES, type QuorumState, type WatchdogInfo, type WatchdogNode } from './pcp-text.ts';

export class WatchdogJsonError extends Error {
  constructor(detail: string) {
    super(`pcp_watchdog_info reply: ${detail}`);
    this.name = 'WatchdogJsonError';
  }
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function int(o: Obj, key: string, where: string): number {
  const v = o[key];
  if (v === undefined) throw new WatchdogJsonError(`${where}key "${key}" missing`);
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new WatchdogJsonError(`${where}key "${key}" is not an integer: ${JSON.stringify(v)}`);
  return v;
}

function optInt(o: Obj, key: string, where: string): number | null {
  return o[key] === undefined ? null : int(o, key, where);
}

function str(o: Obj, key: string, where: string): string {
  const v = o[key];
  if (v === undefined) throw new WatchdogJsonError(`${where}key "${key}" missing`);
  if (typeof v !== 'string') throw new WatchdogJsonError(`${where}key "${key}" is not a string: ${JSON.stringify(v)}`);
  return v;
}

// pgpool fills unknown values with placeholders rather than leaving them out: "Not Set" for the
// leader names while there is no leader, "Not_Set" for an empty node field (an unset delegate_ip
// is "Not_Set" too, since the macro tests strlen).
function placeholderToNull(v: string): string | null {
  return v === '' || v === 'Not Set' || v === 'Not_Set' ? null : v;
}

/** QuorumStatus int → the label pcp_watchdog_info prints (pcp_frontend_client.c). */
export function quorumStateOf(code: number): QuorumState {
  const byCode: Record<number, QuorumState> = { 1: 'QUORUM EXIST', 0: 'QUORUM IS ON THE EDGE', [-1]: 'QUORUM ABSENT', [-2]: 'NO LEADER NODE' };
  return byCode[code] ?? QUORUM_STATES[4];
}

function node(v: unknown, i: number): WatchdogNode {
  const where = `WatchdogNodes[${i}]: `;
  if (!isObj(v)) throw new WatchdogJsonError(`${where}not an object`);
  const membership = v.MembershipString;
  if (membership !== undefined && typeof membership !== 'string') throw new WatchdogJsonError(`${where}key "MembershipString" is not a string`);
  return {
    nodeName: str(v, 'NodeName', where),
    hostName: str(v, 'HostName', where),
    delegateIp: placeholderToNull(str(v, 'DelegateIP', where)),
    pgpoolPort: int(v, 'PgpoolPort', where),
    watchdogPort: int(v, 'WdPort', where),
    priority: int(v, 'Priority', where),
    stateCode: int(v, 'State', where),
    state: str(v, 'StateName', where),
    // pgpool's client prints this placeholder for a pre-4.3 server.
    membership: membership ?? 'NOT-Available',
    pgpoolNodeId: int(v, 'ID', where),
  };
}

/** Parses the JSON text; throws WatchdogJsonError naming the first thing that is wrong. */
export function parseWatchdogJson(json: string): WatchdogInfo {
  let root: unknown;
  try {
    root = JSON.parse(json);
  } catch (err) {
    throw new WatchdogJsonError(`not valid JSON (${(err as Error).message})`);
  }
  if (!isObj(root)) throw new WatchdogJsonError('top level is not a JSON object');
  const list = root.WatchdogNodes;
  if (!Array.isArray(list)) throw new WatchdogJsonError(list === undefined ? 'key "WatchdogNodes" missing' : 'key "WatchdogNodes" is not an array');
  const nodeCount = int(root, 'NodeCount', '');
  if (nodeCount !== list.length) throw new WatchdogJsonError(`NodeCount is ${nodeCount} but WatchdogNodes has ${list.length} entries`);
  const remoteNodes = int(root, 'RemoteNodeCount', '');
  return {
    // As pcp_watchdog_info prints it: NodeCount is 1 when a single node was asked for.
    totalNodes: remoteNodes + 1,
    remoteNodes,
    memberRemoteNodes: optInt(root, 'MemberRemoteNodeCount', ''),
    // The leader's count of standbys that joined it (0 while there is no leader).
    aliveRemoteNodes: int(root, 'AliveNodeCount', ''),
    nodesRequiredForQuorum: optInt(root, 'NodesRequireForQuorum', ''),
    quorumState: quorumStateOf(int(root, 'QuorumStatus', '')),
    localNodeEscalation: int(root, 'Escalated', '') !== 0,
    escalationLabel: 'Escalated',
    leaderNodeName: placeholderToNull(str(root, 'LeaderNodeName', '')),
    leaderHostName: placeholderToNull(str(root, 'LeaderHostName', '')),
    nodes: list.map(node),
  };
}
