// Parsers for `SHOW pool_health_check_stats` and `SHOW pool_backend_stats` (same columns 4.3–4.7,
// probe reference §3.2). Counters are typed; durations are milliseconds; timestamps are pgpool-host
// local "%F %T" text with no zone (kept as text), and empty ("never happened") reads null.

import { BACKEND_STATUSES, POOL_ROLES, type BackendStatus, type PoolRole } from './node-state.ts';
import { Table, decimal, integer, localTimestamp, oneOf, text, type PgpoolResult } from './result-table.ts';

export interface HealthCheckStatsRow {
  nodeId: number;
  hostname: string;
  port: number;
  status: BackendStatus;
  role: PoolRole;
  lastStatusChange: string | null;
  totalCount: number;
  successCount: number;
  failCount: number;
  skipCount: number;
  retryCount: number;
  averageRetryCount: number;
  maxRetryCount: number;
  maxDurationMs: number;
  minDurationMs: number;
  averageDurationMs: number;
  lastHealthCheck: string | null;
  lastSuccessfulHealthCheck: string | null;
  lastSkipHealthCheck: string | null;
  lastFailedHealthCheck: string | null;
}

/** The columns both per-backend stats views start with. */
function backendIdentity(t: Table, r: Parameters<Table['req']>[0]) {
  return {
    nodeId: t.req(r, 'node_id', integer),
    hostname: t.req(r, 'hostname', text),
    port: t.req(r, 'port', integer),
    status: t.req(r, 'status', oneOf(BACKEND_STATUSES)),
    role: t.req(r, 'role', oneOf(POOL_ROLES)),
  };
}

export const HEALTH_CHECK_STATS_COLUMNS = [
  'node_id', 'hostname', 'port', 'status', 'role', 'last_status_change', 'total_count', 'success_count',
  'fail_count', 'skip_count', 'retry_count', 'average_retry_count', 'max_retry_count', 'max_duration',
  'min_duration', 'average_duration', 'last_health_check', 'last_successful_health_check',
  'last_skip_health_check', 'last_failed_health_check',
] as const;

export function parseHealthCheckStats(result: PgpoolResult): HealthCheckStatsRow[] {
  const t = new Table('SHOW pool_health_check_stats', result, HEALTH_CHECK_STATS_COLUMNS);
  return t.rows.map((r) => ({
    ...backendIdentity(t, r),
    lastStatusChange: t.opt(r, 'last_status_change', localTimestamp),
    totalCount: t.req(r, 'total_count', integer),
    successCount: t.req(r, 'success_count', integer),
    failCount: t.req(r, 'fail_count', integer),
    skipCount: t.req(r, 'skip_count', integer),
    retryCount: t.req(r, 'retry_count', integer),
    averageRetryCount: t.req(r, 'average_retry_count', decimal),
    maxRetryCount: t.req(r, 'max_retry_count', integer),
    maxDurationMs: t.req(r, 'max_duration', integer),
    minDurationMs: t.req(r, 'min_duration', integer),
    averageDurationMs: t.req(r, 'average_duration', decimal),
    lastHealthCheck: t.opt(r, 'last_health_check', localTimestamp),
    lastSuccessfulHealthCheck: t.opt(r, 'last_successful_health_check', localTimestamp),
    lastSkipHealthCheck: t.opt(r, 'last_skip_health_check', localTimestamp),
    lastFailedHealthCheck: t.opt(r, 'last_failed_health_check', localTimestamp),
  }));
}

export interface BackendStatsRow {
  nodeId: number;
  hostname: string;
  port: number;
  status: BackendStatus;
  role: PoolRole;
  selectCnt: number;
  insertCnt: number;
  updateCnt: number;
  deleteCnt: number;
  ddlCnt: number;
  otherCnt: number;
  panicCnt: number;
  fatalCnt: number;
  errorCnt: number;
}

export const BACKEND_STATS_COLUMNS = [
  'node_id', 'hostname', 'port', 'status', 'role', 'select_cnt', 'insert_cnt', 'update_cnt', 'delete_cnt',
  'ddl_cnt', 'other_cnt', 'panic_cnt', 'fatal_cnt', 'error_cnt',
] as const;

export function parseBackendStats(result: PgpoolResult): BackendStatsRow[] {
  const t = new Table('SHOW pool_backend_stats', result, BACKEND_STATS_COLUMNS);
  return t.rows.map((r) => ({
    ...backendIdentity(t, r),
    selectCnt: t.req(r, 'select_cnt', integer),
    insertCnt: t.req(r, 'insert_cnt', integer),
    updateCnt: t.req(r, 'update_cnt', integer),
    deleteCnt: t.req(r, 'delete_cnt', integer),
    ddlCnt: t.req(r, 'ddl_cnt', integer),
    otherCnt: t.req(r, 'other_cnt', integer),
    panicCnt: t.req(r, 'panic_cnt', integer),
    fatalCnt: t.req(r, 'fatal_cnt', integer),
    errorCnt: t.req(r, 'error_cnt', integer),
  }));
}
