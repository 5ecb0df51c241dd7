// Parser for `SHOW pool_nodes` run through the pgpool port. The 14 columns are identical in
// pgpool-II 4.3.0 → 4.7 (probe reference §3.1); only replication_delay's text changed (4.4+ may
// print seconds). Pure: no I/O, no clock.

import {
  BACKEND_STATUSES, PG_ROLES, PG_STATUSES, POOL_ROLES, isRoleMismatch, isStatusMismatch, parseReplicationDelay,
  type BackendView,
} from './node-state.ts';
import { Table, bool, decimal, integer, localTimestamp, oneOf, text, textOrNull, type PgpoolResult } from './result-table.ts';

export interface PoolNodeRow extends BackendView {
  nodeId: number;
  hostname: string;
  port: number;
  /** Normalised load-balance weight ("%f"). */
  lbWeight: number;
  selectCnt: number;
  /** Whether THIS session's SELECTs go to this node — a per-connection fact, not a cluster one. */
  loadBalanceNode: boolean;
}

export const POOL_NODES_COLUMNS = [
  'node_id', 'hostname', 'port', 'status', 'pg_status', 'lb_weight', 'role', 'pg_role', 'select_cnt',
  'load_balance_node', 'replication_delay', 'replication_state', 'replication_sync_state', 'last_status_change',
] as const;

export function parsePoolNodes(result: PgpoolResult): PoolNodeRow[] {
  const t = new Table('SHOW pool_nodes', result, POOL_NODES_COLUMNS);
  return t.rows.map((r) => {
    const status = t.req(r, 'status', oneOf(BACKEND_STATUSES));
    const pgStatus = t.req(r, 'pg_status', oneOf(PG_STATUSES));
    const role = t.req(r, 'role', oneOf(POOL_ROLES));
    const pgRole = t.req(r, 'pg_role', oneOf(PG_ROLES));
    return {
      nodeId: t.req(r, 'node_id', integer),
      hostname: t.req(r, 'hostname', text),
      port: t.req(r, 'port', integer),
      status,
      pgStatus,
      lbWeight: t.req(r, 'lb_weight', decimal),
      role,
      pgRole,
      selectCnt: t.req(r, 'select_cnt', integer),
      loadBalanceNode: t.req(r, 'load_balance_node', bool),
      replicationDelay: t.opt(r, 'replication_delay', parseReplicationDelay),
      replicationState: t.opt(r, 'replication_state', textOrNull),
      replicationSyncState: t.opt(r, 'replication_sync_state', textOrNull),
      lastStatusChange: t.opt(r, 'last_status_change', localTimestamp),
      statusMismatch: isStatusMismatch(status, pgStatus),
      roleMismatch: isRoleMismatch(role, pgRole),
    };
  });
}
