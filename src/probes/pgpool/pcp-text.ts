// Parsers for the human-readable (-v) output of the PCP tools, for hosts where only the pgpool CLI
// is reachable. Formats from pgpool's src/tools/pcp/pcp_frontend_client.c: "Title : value" lines
// (titles padded with spaces, some with none before the colon), blank line between blocks.
// Verbose is used rather than terse because watchdog node names, state names and timestamps
// contain spaces (probe reference §3.3–3.4). Pure: text in, typed objects out.

import {
  BACKEND_STATUSES, PG_ROLES, PG_STATUSES, POOL_ROLES, isRoleMismatch, isStatusMismatch, parseReplicationDelay,
  type BackendView,
} from './node-state.ts';
import { PgpoolParseError, decimal, integer, localTimestamp, oneOf, text, type Conv } from './result-table.ts';

type Block = Map<string, string>;

// Title = letters/spaces only, so the first ':' ends it even when the value holds colons
// ("Node Name : host:9999 Linux vm"). One optional space after the colon belongs to the format.
const LINE_RE = /^([A-Za-z][A-Za-z ]*?)\s*: ?(.*)$/;

/** Splits text into "Title : value" blocks; other lines (section headers) go to `headers`. */
function blocks(source: string, input: string): { blocks: Block[]; headers: string[] } {
  const out: Block[] = [];
  const headers: string[] = [];
  let cur: Block | null = null;
  for (const rawLine of input.replace(/\r\n/g, '\n').split('\n')) {
    const line = rawLine.replace(/\s+$/, '');
    if (line === '') {
      cur = null;
      continue;
    }
    const m = LINE_RE.exec(line);
    if (!m) {
      headers.push(line);
      cur = null;
      continue;
    }
    if (!cur) out.push((cur = new Map()));
    if (cur.has(m[1])) throw new PgpoolParseError(source, m[1], 'title repeated within one block');
    cur.set(m[1], m[2]);
  }
  return { blocks: out, headers };
}

function field<T>(source: string, b: Block, title: string, conv: Conv<T>): T | null {
  if (!b.has(title)) throw new PgpoolParseError(source, title, 'line missing from output');
  try {
    return conv(b.get(title));
  } catch (err) {
    throw new PgpoolParseError(source, title, (err as Error).message);
  }
}

function reqField<T>(source: string, b: Block, title: string, conv: Conv<T>): T {
  const v = field(source, b, title, conv);
  if (v === null) throw new PgpoolParseError(source, title, 'empty value');
  return v;
}

/** pcp_node_info prints "none" for an empty replication_state / sync_state. */
const noneOrText: Conv<string> = (v) => {
  const t = text(v);
  return t === null || t === '' || t === 'none' ? null : t;
};

// ---------------------------------------------------------------- pcp_node_info -v

export interface PcpNodeInfo extends BackendView {
  hostname: string;
  port: number;
  /** BACKEND_STATUS int: 0 unused, 1 waiting, 2 up, 3 down (quarantine shows 3 with name quarantine). */
  statusCode: number;
  weight: number;
}

const NODE_INFO = 'pcp_node_info -v';

/**
 * One block per node (`-n N` gives one; no id gives all, blank-line separated). Node ids are not
 * printed: with `-n N` the caller knows it; for "all" it is the block's index (unused slots are
 * skipped unless -a, so the index equals the id only when no slot is unused).
 */
export function parsePcpNodeInfoVerbose(input: string): PcpNodeInfo[] {
  const { blocks: list, headers } = blocks(NODE_INFO, input);
  if (headers.length) throw new PgpoolParseError(NODE_INFO, null, `unexpected line ${JSON.stringify(headers[0])}`);
  if (list.length === 0) throw new PgpoolParseError(NODE_INFO, null, 'no node block in output');
  return list.map((b) => {
    const status = reqField(NODE_INFO, b, 'Status Name', oneOf(BACKEND_STATUSES));
    const pgStatus = reqField(NODE_INFO, b, 'Backend Status Name', oneOf(PG_STATUSES));
    const role = reqField(NODE_INFO, b, 'Role', oneOf(POOL_ROLES));
    const pgRole = reqField(NODE_INFO, b, 'Backend Role', oneOf(PG_ROLES));
    return {
      hostname: reqField(NODE_INFO, b, 'Hostname', text),
      port: reqField(NODE_INFO, b, 'Port', integer),
      statusCode: reqField(NODE_INFO, b, 'Status', integer),
      weight: reqField(NODE_INFO, b, 'Weight', decimal),
      status,
      pgStatus,
      role,
      pgRole,
      replicationDelay: field(NODE_INFO, b, 'Replication Delay', parseReplicationDelay),
      replicationState: field(NODE_INFO, b, 'Replication State', noneOrText),
      replicationSyncState: field(NODE_INFO, b, 'Replication Sync State', noneOrText),
      lastStatusChange: field(NODE_INFO, b, 'Last Status Change', localTimestamp),
      statusMismatch: isStatusMismatch(status, pgStatus),
      roleMismatch: isRoleMismatch(role, pgRole),
    };
  });
}

// ---------------------------------------------------------------- pcp_watchdog_info -v

export const QUORUM_STATES = ['QUORUM EXIST', 'QUORUM IS ON THE EDGE', 'QUORUM ABSENT', 'NO LEADER NODE', 'UNKNOWN'] as const;
export type QuorumState = (typeof QUORUM_STATES)[number];

export interface WatchdogNode {
  /** "<wd host>:<pgpool port> <sysname> <nodename>" — contains spaces. */
  nodeName: string;
  hostName: string;
  /** Configured delegate_ip only; says nothing about who holds it. null when unset. */
  delegateIp: string | null;
  pgpoolPort: number;
  watchdogPort: number;
  priority: number;
  stateCode: number;
  /** wd_state_names[]: LEADER, STANDBY, DEAD, LOST, ... (may contain spaces). */
  state: string;
  /** MEMBER / REVOKED-SHUTDOWN / REVOKED-NO-SHOW / REVOKED-LOST. */
  membership: string;
  /** pgpool_node_id: only the PCP JSON reply carries it (the -v text does not print it). */
  pgpoolNodeId?: number;
}

export interface WatchdogInfo {
  totalNodes: number;
  remoteNodes: number;
  memberRemoteNodes: number | null;
  aliveRemoteNodes: number;
  nodesRequiredForQuorum: number | null;
  quorumState: QuorumState;
  /** Whether the pgpool ASKED ran escalation (if_up_cmd → VIP). Not the VIP holder of the cluster. */
  localNodeEscalation: boolean;
  /**
   * Which label carried it: renamed from "VIP up on local node" in 4.3.2 / 4.4.0 (commit bdff95a73);
   * 'Escalated' = the JSON key, when read natively over PCP (watchdog-json.ts).
   */
  escalationLabel: 'Local node escalation' | 'VIP up on local node' | 'Escalated';
  leaderNodeName: string | null;
  leaderHostName: string | null;
  /** The local node first, always. */
  nodes: WatchdogNode[];
}

const WATCHDOG = 'pcp_watchdog_info -v';

/**
 * pgpool prints "" (or "(null)") while no leader is known, and a placeholder for an unset
 * delegate_ip: "Not_Set" in 4.3.5 (pcp_watchdog_info -v on the lab's two-node watchdog), the
 * same placeholder the watchdog JSON carries (watchdog-json.ts).
 */
const emptyToNull: Conv<string> = (v) => {
  const t = text(v);
  return t === null || t === '' || t === '(null)' || t === 'Not_Set' || t === 'Not Set' ? null : t;
};

const yesNo: Conv<boolean> = (v) => {
  if (v === 'YES') return true;
  if (v === 'NO') return false;
  throw new TypeError(`expected YES or NO, got ${JSON.stringify(v)}`);
};

/** Optional line: a newer label absent from an older pgpool reads null instead of failing. */
function optField<T>(b: Block, title: string, conv: Conv<T>): T | null {
  return b.has(title) ? field(WATCHDOG, b, title, conv) : null;
}

export function parsePcpWatchdogInfoVerbose(input: string): WatchdogInfo {
  const { blocks: list } = blocks(WATCHDOG, input);
  // Block 1 is the cluster summary; the section headers ("Watchdog Cluster Information",
  // "Watchdog Node Information") are not Title:value lines and are skipped.
  const [head, ...nodeBlocks] = list;
  if (!head || !head.has('Total Nodes')) throw new PgpoolParseError(WATCHDOG, 'Total Nodes', 'cluster block missing from output');
  const label = head.has('Local node escalation') ? 'Local node escalation' : head.has('VIP up on local node') ? 'VIP up on local node' : null;
  if (!label) throw new PgpoolParseError(WATCHDOG, 'Local node escalation', 'line missing from output (nor the 4.3.0–4.3.1 "VIP up on local node")');
  return {
    totalNodes: reqField(WATCHDOG, head, 'Total Nodes', integer),
    remoteNodes: reqField(WATCHDOG, head, 'Remote Nodes', integer),
    memberRemoteNodes: optField(head, 'Member Remote Nodes', integer),
    aliveRemoteNodes: reqField(WATCHDOG, head, 'Alive Remote Nodes', integer),
    nodesRequiredForQuorum: optField(head, 'Nodes required for quorum', integer),
    quorumState: reqField(WATCHDOG, head, 'Quorum state', oneOf(QUORUM_STATES)),
    localNodeEscalation: reqField(WATCHDOG, head, label, yesNo),
    escalationLabel: label,
    leaderNodeName: field(WATCHDOG, head, 'Leader Node Name', emptyToNull),
    leaderHostName: field(WATCHDOG, head, 'Leader Host Name', emptyToNull),
    nodes: nodeBlocks.map((b) => ({
      nodeName: reqField(WATCHDOG, b, 'Node Name', text),
      hostName: reqField(WATCHDOG, b, 'Host Name', text),
      delegateIp: field(WATCHDOG, b, 'Delegate IP', emptyToNull),
      pgpoolPort: reqField(WATCHDOG, b, 'Pgpool port', integer),
      watchdogPort: reqField(WATCHDOG, b, 'Watchdog port', integer),
      priority: reqField(WATCHDOG, b, 'Node priority', integer),
      stateCode: reqField(WATCHDOG, b, 'Status', integer),
      state: reqField(WATCHDOG, b, 'Status Name', text),
      membership: reqField(WATCHDOG, b, 'Membership Status', text),
    })),
  };
}
