// The incident timeline, newest first: repmgr's event log, pgpool's status changes, backups,
// alerts raised and cleared, and what pgtop-ha saw change — "what happened, and when" in one list.
import type { TimelineEntry, TimelineSource } from '../../model/timeline.ts';
import { type Line, type PaneSize, seg } from '../format/line.ts';
import { type Cell, tableHeader, tableRow } from '../format/table.ts';
import { type Column, fitColumns, padEnd, width as textWidth } from '../format/text.ts';
import { clock, formatSeconds } from '../format/units.ts';

const MAX_SUBJECT = 16;
const MAX_EVENT = 28;
const MIN_DETAILS = 12;

const SOURCE_LABEL: Record<TimelineSource, string> = { postgres: 'pg', repmgr: 'repmgr', pgpool: 'pgpool', vip: 'vip', backup: 'backup', alert: 'alert' };

/** The columns sized to the data: subjects and events are short in practice, details get the rest. */
function columns(entries: readonly TimelineEntry[], total: number): Column[] {
  const widest = (title: string, values: string[], max: number) => Math.min(max, Math.max(textWidth(title), ...values.map(textWidth)));
  const cols = fitColumns([
    { title: 'TIME', width: 8 },
    { title: 'AGO', width: 7, align: 'right', drop: 1 },
    { title: 'SOURCE', width: widest('SOURCE', entries.map((e) => SOURCE_LABEL[e.source]), 6), drop: 2 },
    { title: 'SUBJECT', width: widest('SUBJECT', entries.map((e) => e.subject), MAX_SUBJECT), min: 8, drop: 4 },
    { title: 'EVENT', width: widest('EVENT', entries.map((e) => e.event), MAX_EVENT), min: 12 },
    // Details are the widest and the first to go when the rest does not leave them a useful width.
    { title: 'DETAILS', width: MIN_DETAILS, drop: 3 },
  ], total);
  // Then they take whatever room is left, so rows fill the pane.
  const used = cols.reduce((a, c) => a + c.width, 0) + cols.length - 1;
  return cols.map((c) => (c.title === 'DETAILS' ? { ...c, width: c.width + Math.max(0, total - used) } : c));
}

// Tools write some details with line breaks (repmgr's hint lists); a table row shows one line.
const oneLine = (s: string): string => s.replace(/\s+/g, ' ').trim();

function row(cols: Column[], e: TimelineEntry, now: number): Line {
  const values: Record<string, Cell> = {
    TIME: [clock(e.at)],
    AGO: [formatSeconds(Math.max(0, (now - e.at) / 1000)), 'dim'],
    SOURCE: [SOURCE_LABEL[e.source], 'dim'],
    SUBJECT: [e.subject],
    EVENT: [e.event, e.tone],
    DETAILS: [oneLine(e.details)],
  };
  return tableRow(cols, values);
}

/**
 * One header line, then one line per entry, newest first (buildTimeline's order). Every entry
 * gets a line whatever size.height says: the box shows what fits and counts the rest in its
 * title (frame/box.ts). `note`: a line under the list when a source could not be read.
 */
export function timelineLines(entries: readonly TimelineEntry[], size: PaneSize, now: number, note?: string): Line[] {
  const cols = columns(entries, size.width);
  const lines: Line[] = [tableHeader(cols)];
  for (const e of entries) lines.push(row(cols, e, now));
  if (entries.length === 0) lines.push([seg(padEnd('nothing happened yet', size.width), 'dim')]);
  if (note) lines.push([seg(padEnd(note, size.width), 'dim')]);
  return lines;
}
