// `pgtop-ha snapshot`: one poll as a stable JSON document (schema documented in the README) or
// as plain text. Pure: built from the same store state the views read.
import type { RepmgrCliResult } from '../probes/ssh/repmgr-cli.ts';
import type { VipState } from '../probes/ssh/vip.ts';
import { buildConsistency, vipView } from './consistency.ts';
import { repmgrDisagreements } from './crosscheck.ts';
import { type PgpoolState, sameEndpoint } from './pgpool.ts';
import { mergeRepmgrEvents } from './repmgr-events.ts';
import type { BackupSourceState } from './backups.ts';
import { newestUsable } from './backup-chains.ts';
import { buildTopology } from './topology.ts';
import type { TrackedAlert } from './alerts/tracker.ts';
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

/** The layers beside PostgreSQL, as the store holds them. */
export interface SnapshotLayers {
  pgpoolOrder: string[];
  pgpools: Record<string, PgpoolState>;
  repmgrCli: Record<string, RepmgrCliResult>;
  vip: VipState | null;
  backupOrder?: string[];
  backups?: Record<string, BackupSourceState>;
  /** The store's open alerts (state.alerts); absent means none were evaluated. */
  alerts?: readonly TrackedAlert[];
}

const NO_LAYERS: SnapshotLayers = { pgpoolOrder: [], pgpools: {}, repmgrCli: {}, vip: null };

/** Per backup source: its backups, the chains they form, barman's checks and the last backup's age. */
function backupsSection(l: SnapshotLayers, takenAt: number) {
  return (l.backupOrder ?? []).map((key) => {
    const s = l.backups?.[key];
    if (!s) return { source: key.startsWith('barman:') ? 'barman' : 'basebackup_dir', server: key.replace(/^(barman|dir):/, ''), reachable: false, error: 'not read yet', backups: [], chains: [], check: null, last_backup_age_seconds: null };
    const last = newestUsable(s.backups);
    return {
      source: s.source,
      server: s.name,
      where: s.where,
      barman_version: s.barmanVersion ?? null,
      reachable: s.reachable,
      error: s.error,
      backups: s.backups.map((b) => ({
        id: b.id, name: b.name, type: b.type, status: b.status, parent: b.parentId, children: b.childrenIds,
        begin_time: b.beginTime, end_time: b.endTime, size_bytes: b.sizeBytes, wal_bytes: b.walBytes,
        resources_saved_bytes: b.resourcesSavedBytes, retention_status: b.retentionStatus,
        begin_lsn: b.beginLsn, end_lsn: b.endLsn, timeline: b.timeline, notes: s.notes?.[b.id] ?? [],
      })),
      chains: s.chains.map((c) => ({ root: c.rootId, members: c.members, broken: c.broken, reason: c.reason })),
      check: s.checks === null ? null : Object.fromEntries(s.checks.map((c) => [c.name, { status: c.ok ? 'OK' : 'FAILED', hint: c.hint }])),
      wal: s.wal && {
        receive_wal_running: s.wal.receiveWalRunning, wal_streaming: s.wal.walStreaming, last_archived_wal: s.wal.lastArchivedWal, last_archived_time: s.wal.lastArchivedTime,
        failed_count: s.wal.failedCount, wals_per_hour: s.wal.walsPerHour, first_recoverability_point: s.wal.firstRecoverabilityPoint,
      },
      last_backup_id: last?.id ?? null,
      last_backup_age_seconds: last?.endTime ? Math.round((takenAt - Date.parse(last.endTime)) / 1000) : null,
    };
  });
}

function repmgrdWord(running: boolean | null, paused: boolean | null): string | null {
  return running === null ? null : !running ? 'not running' : paused ? 'paused' : 'running';
}

/** repmgr as one document: its registered nodes with repmgrd per node, recent events, and each node's CLI answer. */
function repmgrSection(list: NodeState[], order: string[], cli: Record<string, RepmgrCliResult>) {
  const ok = list.filter((n) => n.health.kind === 'ok' && n.sample?.repmgr?.available);
  const from = ok.find((n) => n.sample!.role === 'primary') ?? ok[0];
  const reg = from?.sample?.repmgr;
  const cliList = order.filter((n) => cli[n]).map((n) => cli[n]!);
  if (!reg?.available && cliList.length === 0) return null;
  const byLocal = new Map<number, NodeState>();
  for (const n of list) {
    const r = n.sample?.repmgr;
    if (r?.available && r.localNodeId !== null) byLocal.set(r.localNodeId, n);
  }
  const view = cliList.find((r) => r.ok && r.node === from?.name) ?? cliList.find((r) => r.ok);
  const nodesOut = reg?.available
    ? reg.nodes.map((x) => {
        const n = byLocal.get(x.id);
        const r = n?.health.kind === 'ok' ? n.sample?.repmgr : null;
        const svc = view?.ok ? view.serviceStatus.find((s) => s.id === x.id) : undefined;
        const shown = view?.ok ? view.clusterShow.find((c) => c.id === x.id) : undefined;
        return {
          node_id: x.id,
          node_name: x.name,
          config_name: n?.name ?? null,
          type: x.type,
          upstream: x.upstreamId === null ? null : (reg.nodes.find((u) => u.id === x.upstreamId)?.name ?? null),
          active: x.active,
          priority: x.priority,
          location: x.location,
          repmgrd: r?.available ? repmgrdWord(r.repmgrdRunning, r.repmgrdPaused) : svc ? repmgrdWord(svc.repmgrdRunning, svc.paused) : null,
          upstream_last_seen_seconds: r?.available ? r.upstreamLastSeenSeconds : (svc?.upstreamLastSeenSeconds ?? null),
          cluster_show_status: shown ? shown.status.raw.trim() : null,
        };
      })
    : [];
  return {
    read_from: from?.name ?? null,
    cluster_show_from: view?.node ?? null,
    nodes: nodesOut,
    events: mergeRepmgrEvents(list).map((e) => ({ node_id: e.nodeId, node_name: e.nodeName, event: e.event, successful: e.successful, timestamp: e.timestamp, details: e.details })),
    cli: cliList.map((r) => ({ node: r.node, ok: r.ok, at: new Date(r.at).toISOString(), error: r.ok ? null : r.error, warnings: r.ok ? r.warnings : [] })),
  };
}

function pgpoolSection(list: NodeState[], l: SnapshotLayers) {
  return l.pgpoolOrder.map((name) => {
    const p = l.pgpools[name]!;
    const s = p.health.kind === 'ok' ? p.sample : null;
    const wd = s?.watchdog ?? null;
    return {
      name,
      target: p.target,
      reachable: p.health.kind === 'ok',
      error: p.health.kind === 'down' ? p.health.reason : p.health.kind === 'connecting' ? 'no answer yet' : null,
      version: s?.version?.version ?? null,
      nodes: (s?.nodes ?? []).map((b) => ({
        node_id: b.nodeId,
        hostname: b.hostname,
        port: b.port,
        node: list.find((n) => n.endpoint && sameEndpoint({ host: b.hostname, port: b.port }, n.endpoint))?.name ?? null,
        status: b.status,
        pg_status: b.pgStatus,
        role: b.role,
        pg_role: b.pgRole,
        lb_weight: b.lbWeight,
        select_cnt: b.selectCnt,
        // bytes, or seconds when pgpool measures delay by time (4.4+ delay_threshold_by_time).
        replication_delay: b.replicationDelay === null ? null : 'bytes' in b.replicationDelay ? b.replicationDelay.bytes : b.replicationDelay.seconds,
        replication_delay_unit: b.replicationDelay === null ? null : 'bytes' in b.replicationDelay ? 'bytes' : 'seconds',
        replication_state: b.replicationState,
        replication_sync_state: b.replicationSyncState,
        last_status_change: b.lastStatusChange,
        status_mismatch: b.statusMismatch,
        role_mismatch: b.roleMismatch,
      })),
      watchdog: wd === null ? null : !wd.ok ? { available: false, error: wd.error } : {
        available: true,
        error: null,
        quorum_state: wd.info.quorumState,
        total_nodes: wd.info.totalNodes,
        alive_remote_nodes: wd.info.aliveRemoteNodes,
        leader_node_name: wd.info.leaderNodeName,
        leader_host_name: wd.info.leaderHostName,
        local_node_escalation: wd.info.localNodeEscalation,
        nodes: wd.info.nodes.map((n) => ({ node_name: n.nodeName, host_name: n.hostName, pgpool_port: n.pgpoolPort, watchdog_port: n.watchdogPort, priority: n.priority, state: n.state, membership: n.membership })),
      },
    };
  });
}

export function buildSnapshot(cluster: string, order: string[], nodes: Record<string, NodeState>, takenAt: number, layers: SnapshotLayers = NO_LAYERS) {
  const list = order.map((n) => nodes[n]!);
  const topo = buildTopology(list);
  const consistency = buildConsistency({ order, nodes, topo, pgpoolOrder: layers.pgpoolOrder, pgpools: layers.pgpools, vip: vipView(layers.vip), repmgrCli: layers.repmgrCli });
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
    // Worst first; `since` is when this run of pgtop-ha first saw it (README: Alerts).
    alerts: (layers.alerts ?? []).map((a) => ({ code: a.code, severity: a.severity, subject: a.subject, message: a.message, since: new Date(a.since).toISOString(), acknowledged: a.acked, evidence: a.evidence })),
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
    repmgr: repmgrSection(list, order, layers.repmgrCli),
    pgpool: pgpoolSection(list, layers),
    vip: layers.vip && {
      address: layers.vip.address,
      holders: layers.vip.holders,
      problem: layers.vip.problem,
      hosts: layers.vip.hosts.map((h) => ({ name: h.name, holds: h.holds, iface: h.iface, keepalived: h.keepalived, error: h.error })),
    },
    backups: backupsSection(layers, takenAt),
    // Every layer's word per node; disagreements name the layers (empty when all agree).
    consistency: {
      rows: consistency.rows.map((r) => ({ node: r.node, postgres: r.postgres, repmgr: r.repmgr, pgpool: r.pgpool, vip: r.vip })),
      disagreements: consistency.disagreements.map((d) => ({ node: d.node, layers: d.layers, message: d.message })),
    },
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
