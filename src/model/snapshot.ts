// `pgtop-ha snapshot`: one poll as a stable JSON document (schema documented in the README) or
// as plain text. Pure: built from the same store state the views read.
import { repmgrDisagreements } from './crosscheck.ts';
import { buildTopology } from './topology.ts';
import type { NodeState, RepmgrNodeRow, RepmgrSqlState } from './types.ts';

/** This node's repmgr view for the JSON document; registered_* is its own row in repmgr.nodes. */
function repmgrJson(r: RepmgrSqlState | null) {
  if (!r) return null;
  if (!r.available) {
    return { ext_version: r.extVersion, unavailable: r.unavailable, local_node_id: null, repmgrd: null,
      upstream_last_seen_seconds: null, registered_type: null, registered_upstream: null };
  }
  const own = r.nodes.find((x) => x.id === r.localNodeId);
  const upstream = own?.upstreamId == null ? null : (r.nodes.find((x) => x.id === own.upstreamId)?.name ?? null);
  return {
    ext_version: r.extVersion,
    unavailable: null,
    local_node_id: r.localNodeId,
    repmgrd: r.repmgrdRunning === null ? null : !r.repmgrdRunning ? 'not running' : r.repmgrdPaused ? 'paused' : 'running',
    upstream_last_seen_seconds: r.upstreamLastSeenSeconds,
    registered_type: own?.type ?? null,
    registered_upstream: upstream,
  };
}

function repmgrNodesJson(nodes: readonly RepmgrNodeRow[], from: string) {
  const byId = new Map(nodes.map((x) => [x.id, x.name]));
  return nodes.map((x) => ({
    node_id: x.id,
    node_name: x.name,
    type: x.type,
    upstream_node_id: x.upstreamId,
    upstream: x.upstreamId === null ? null : (byId.get(x.upstreamId) ?? null),
    active: x.active,
    priority: x.priority,
    location: x.location,
    read_from: from,
  }));
}

export const SCHEMA_VERSION = 1;

export function buildSnapshot(cluster: string, order: string[], nodes: Record<string, NodeState>, takenAt: number) {
  const list = order.map((n) => nodes[n]!);
  const topo = buildTopology(list);
  const byName = new Map(topo.entries.map((e) => [e.name, e]));
  const ok = list.filter((n) => n.sample && n.health.kind === 'ok');
  // repmgr.nodes replicates from the primary: read it there when it answers, else from any node.
  const withRepmgr = ok.filter((n) => n.sample!.repmgr?.available);
  const repmgrFrom = withRepmgr.find((n) => n.sample!.role === 'primary') ?? withRepmgr[0];
  const repmgrState = repmgrFrom?.sample!.repmgr;
  return {
    schema_version: SCHEMA_VERSION,
    cluster,
    taken_at: new Date(takenAt).toISOString(),
    nodes: list.map((n) => {
      const s = n.health.kind === 'ok' ? n.sample : null;
      const e = byName.get(n.name)!;
      return {
        name: n.name,
        target: n.target,
        reachable: n.health.kind === 'ok',
        error: n.health.kind === 'down' ? n.health.reason : n.health.kind === 'connecting' ? 'no answer yet' : null,
        role: s ? s.role : 'unknown',
        server_version: s?.serverVersion ?? null,
        server_version_num: s?.serverVersionNum ?? null,
        system_identifier: s?.systemIdentifier ?? null,
        timeline: s?.timeline ?? null,
        lsn: s ? (s.currentLsn ?? s.replayLsn) : null,
        receive_lsn: s?.receiveLsn ?? null,
        replay_lsn: s?.replayLsn ?? null,
        replay_paused: s?.replayPaused ?? null,
        upstream: s?.role === 'standby' ? e.upstream : null,
        state: e.link?.state ?? (s?.role === 'standby' ? (s.receiver?.status ?? 'no receiver') : null),
        sync_state: e.link?.syncState ?? null,
        lag_bytes: e.link?.replayLagBytes ?? null,
        replay_lag_seconds: e.link?.replayLagSeconds ?? null,
        write_lag_seconds: e.link?.writeLagSeconds ?? null,
        flush_lag_seconds: e.link?.flushLagSeconds ?? null,
        round_trip_ms: s ? Math.round(s.roundTripMs * 100) / 100 : null,
        repmgr: repmgrJson(s?.repmgr ?? null),
      };
    }),
    repmgr_nodes: repmgrFrom && repmgrState?.available ? repmgrNodesJson(repmgrState.nodes, repmgrFrom.name) : [],
    // Where repmgr's registered topology and PostgreSQL's disagree (empty when they agree).
    disagreements: repmgrDisagreements(list, topo),
    wal_streamers: topo.external.map((x) => ({
      node: x.on,
      kind: x.kind,
      application_name: x.row.applicationName,
      client_addr: x.row.clientAddr,
      state: x.row.state,
      flush_lsn: x.row.flushLsn,
      lag_bytes: x.row.flushLagBytes,
      slot_name: x.row.slotName,
    })),
    slots: ok.flatMap((n) =>
      n.sample!.slots.map((s) => ({
        node: n.name,
        slot_name: s.slotName,
        slot_type: s.slotType,
        active: s.active,
        wal_status: s.walStatus,
        retained_bytes: s.retainedBytes,
        safe_wal_size: s.safeWalSize,
        inactive_since: s.inactiveSince,
        invalidation_reason: s.invalidationReason,
        failover: s.failover,
        synced: s.synced,
      })),
    ),
    wal_summaries: ok.map((n) => {
      const w = n.sample!.walSummary;
      return {
        node: n.name,
        available: w !== null,
        summarize_wal: w?.summarizeWal ?? null,
        keep_time_minutes: w?.keepTimeMinutes ?? null,
        summarizer_running: w ? w.summarizerPid !== null : null,
        summarizer_pid: w?.summarizerPid ?? null,
        summarized_tli: w?.summarizedTli ?? null,
        summarized_lsn: w?.summarizedLsn ?? null,
        pending_lsn: w?.pendingLsn ?? null,
        summary_count: w?.summaryCount ?? null,
        oldest_start_lsn: w?.oldestStartLsn ?? null,
        newest_end_lsn: w?.newestEndLsn ?? null,
        behind_bytes: w?.behindBytes ?? null,
      };
    }),
    archiver: ok.map((n) => {
      const a = n.sample!.archiver;
      return {
        node: n.name,
        archive_mode: a.archiveMode,
        archived_count: a.archivedCount,
        last_archived_wal: a.lastArchivedWal,
        last_archived_time: a.lastArchivedTime,
        failed_count: a.failedCount,
        last_failed_wal: a.lastFailedWal,
        last_failed_time: a.lastFailedTime,
        current_wal_file: a.currentWalFile,
      };
    }),
  };
}

export type Snapshot = ReturnType<typeof buildSnapshot>;
