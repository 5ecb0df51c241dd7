// repmgr's event log across the cluster. repmgr.events lives on the primary and reaches every
// standby by replication, so each node's sample normally holds the same rows; merging still
// matters: a lagging standby, a primary that went down before a failover (its last sample is kept)
// and a split brain each add rows the others lack.
import type { NodeState, RepmgrEvent } from './types.ts';

const key = (e: RepmgrEvent): string => `${e.nodeId}\u0000${e.event}\u0000${Date.parse(e.timestamp)}`;

/** Newest first; ties in the order of the probe's SQL (node_id, event), so the list never shuffles. */
export function compareEvents(a: RepmgrEvent, b: RepmgrEvent): number {
  return Date.parse(b.timestamp) - Date.parse(a.timestamp) || a.nodeId - b.nodeId || (a.event < b.event ? -1 : a.event > b.event ? 1 : 0);
}

/**
 * Every node's repmgr.events rows, one per (node_id, event, event_timestamp), newest first. Where
 * copies differ, a known node name and details win over NULL: a standby whose repmgr.nodes has not
 * caught up yet joins no name.
 */
export function mergeRepmgrEvents(nodes: readonly NodeState[]): RepmgrEvent[] {
  const byKey = new Map<string, RepmgrEvent>();
  for (const n of nodes) {
    const r = n.sample?.repmgr;
    if (!r?.available || !r.events) continue;
    for (const e of r.events) {
      const k = key(e);
      const seen = byKey.get(k);
      if (!seen) byKey.set(k, e);
      else if ((seen.nodeName === null && e.nodeName !== null) || (seen.details === null && e.details !== null)) {
        byKey.set(k, { ...seen, nodeName: seen.nodeName ?? e.nodeName, details: seen.details ?? e.details });
      }
    }
  }
  return [...byKey.values()].sort(compareEvents);
}

/**
 * Why the merged list is empty, for the pane to say: no node with readable repmgr, no node whose
 * role may read repmgr.events, or simply no events. null when some node's events were read.
 */
export function repmgrEventsUnavailable(nodes: readonly NodeState[]): string | null {
  const repmgr = nodes.map((n) => n.sample?.repmgr).filter((r) => r != null);
  if (repmgr.some((r) => r.available && r.events)) return null;
  if (repmgr.some((r) => r.available)) return 'repmgr.events not read: the probing role needs SELECT on repmgr.events';
  if (repmgr.length > 0) return 'repmgr not readable by the probing role';
  return 'no repmgr on any reachable node';
}

// Events that mean the cluster lost something (from repmgr's "event notifications" list); a
// failed event is 'bad' whatever its name.
const BAD_EVENTS = new Set([
  'standby_failure',
  'repmgrd_promote_error',
  'repmgrd_failover_abort',
  'repmgrd_failover_aborted',
]);

// Failover, switchover and connection losses: the topology changed or is about to.
const WARN_EVENTS = new Set([
  'repmgrd_failover_promote',
  'repmgrd_failover_follow',
  'standby_promote',
  'standby_switchover',
  'standby_follow',
  'node_rejoin',
  'repmgrd_upstream_disconnect',
  'repmgrd_local_disconnect',
  'repmgrd_shutdown',
  'child_node_disconnect',
  'child_nodes_disconnect_command',
  'standby_disconnect_manual',
]);

// What repmgrd reports once a lost connection is back.
const OK_EVENTS = new Set(['repmgrd_upstream_reconnect', 'repmgrd_local_reconnect', 'repmgrd_standby_reconnect', 'child_node_reconnect']);

/** How a repmgr event reads in the timeline: lost something, moved something, got something back. */
export function eventTone(e: RepmgrEvent): 'bad' | 'warn' | 'ok' | undefined {
  if (!e.successful || BAD_EVENTS.has(e.event)) return 'bad';
  if (WARN_EVENTS.has(e.event)) return 'warn';
  if (OK_EVENTS.has(e.event)) return 'ok';
  return undefined;
}
