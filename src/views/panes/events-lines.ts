// repmgr's event log (repmgr.events, merged over all nodes by mergeRepmgrEvents), newest first:
// what repmgr and repmgrd did and when, so a failover or a flapping upstream shows at a glance.
import type { RepmgrEvent } from '../../model/types.ts';
import { type Line, type PaneSize, type Tone, seg } from '../format/line.ts';
import { type Cell, tableHeader, tableRow } from '../format/table.ts';
import { type Column, fitColumns, padEnd, width as textWidth } from '../format/text.ts';
import { clock, formatSeconds } from '../format/units.ts';

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

export function eventTone(e: RepmgrEvent): Tone | undefined {
  if (!e.successful || BAD_EVENTS.has(e.event)) return 'bad';
  if (WARN_EVENTS.has(e.event)) return 'warn';
  if (OK_EVENTS.has(e.event)) return 'ok';
  return undefined;
}

const MAX_NODE = 16;
const MAX_EVENT = 30;
const MIN_DETAILS = 12;

/** The columns sized to the data: node and event names are short in practice, details get the rest. */
function columns(events: readonly RepmgrEvent[], total: number): Column[] {
  const widest = (title: string, values: string[], max: number) => Math.min(max, Math.max(textWidth(title), ...values.map(textWidth)));
  const cols = fitColumns([
    { title: 'TIME', width: 8 },
    { title: 'AGO', width: 7, align: 'right', drop: 1 },
    { title: 'NODE', width: widest('NODE', events.map(nodeLabel), MAX_NODE), drop: 3 },
    { title: 'EVENT', width: widest('EVENT', events.map((e) => e.event), MAX_EVENT), min: 12 },
    { title: 'OK', width: 6 },
    // Details are the widest and the first to go when the rest does not leave them a useful width.
    { title: 'DETAILS', width: MIN_DETAILS, drop: 2 },
  ], total);
  // Then they take whatever room is left, so rows fill the pane.
  const used = cols.reduce((a, c) => a + c.width, 0) + cols.length - 1;
  return cols.map((c) => (c.title === 'DETAILS' ? { ...c, width: c.width + Math.max(0, total - used) } : c));
}

const nodeLabel = (e: RepmgrEvent): string => e.nodeName ?? `node ${e.nodeId}`;

// repmgr writes some details with line breaks (hint lists); a table row shows them on one line.
const oneLine = (s: string | null): string => (s ?? '').replace(/\s+/g, ' ').trim();

function row(cols: Column[], e: RepmgrEvent, now: number): Line {
  const t = Date.parse(e.timestamp);
  const tone = eventTone(e);
  const values: Record<string, Cell> = {
    TIME: [clock(t)],
    AGO: [formatSeconds(Math.max(0, (now - t) / 1000)), 'dim'],
    NODE: [nodeLabel(e), e.nodeName === null ? 'dim' : undefined],
    EVENT: [e.event, tone],
    OK: e.successful ? ['ok', 'ok'] : ['FAILED', 'bad'],
    DETAILS: [oneLine(e.details)],
  };
  return tableRow(cols, values);
}

/**
 * One header line, then one line per event, newest first; `events` must already be merged and
 * sorted (mergeRepmgrEvents). Every event gets a line whatever size.height says: as in the other
 * panes, the box shows what fits and puts the count of the rest in its title (frame/box.ts).
 * `empty`: what to say when there are no events (see repmgrEventsUnavailable).
 */
export function eventsLines(events: readonly RepmgrEvent[], size: PaneSize, now: number, empty = 'no repmgr events'): Line[] {
  const cols = columns(events, size.width);
  const lines: Line[] = [tableHeader(cols)];
  for (const e of events) lines.push(row(cols, e, now));
  if (events.length === 0) lines.push([seg(padEnd(empty, size.width), 'dim')]);
  return lines;
}
