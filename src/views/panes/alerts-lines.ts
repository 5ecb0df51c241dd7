// Open alerts: what is wrong now, worst first, since when. Acknowledged ones stay listed, dimmed,
// until they clear, so nobody mistakes "acknowledged" for "fixed".
import type { TrackedAlert } from '../../model/alerts/tracker.ts';
import { type Line, type PaneSize, seg } from '../format/line.ts';
import { type Cell, tableHeader, tableRow } from '../format/table.ts';
import { type Column, fitColumns, padEnd, width as textWidth } from '../format/text.ts';
import { clock, formatSeconds } from '../format/units.ts';

const MAX_SUBJECT = 24;
const MAX_CODE = 24;

function columns(alerts: readonly TrackedAlert[], total: number): Column[] {
  const widest = (title: string, values: string[], max: number) => Math.min(max, Math.max(textWidth(title), ...values.map(textWidth)));
  const cols = fitColumns([
    { title: ' ', width: 1 },
    { title: 'SEV', width: 4 },
    { title: 'SINCE', width: 8, drop: 2 },
    { title: 'FOR', width: 6, align: 'right', drop: 1 },
    { title: 'CODE', width: widest('CODE', alerts.map((a) => a.code), MAX_CODE), min: 10, drop: 4 },
    { title: 'SUBJECT', width: widest('SUBJECT', alerts.map((a) => a.subject), MAX_SUBJECT), min: 8 },
    { title: 'MESSAGE', width: 16, drop: 3 },
  ], total);
  const used = cols.reduce((a, c) => a + c.width, 0) + cols.length - 1;
  return cols.map((c) => (c.title === 'MESSAGE' ? { ...c, width: c.width + Math.max(0, total - used) } : c));
}

function row(cols: Column[], a: TrackedAlert, now: number, selected: boolean, ascii: boolean): Line {
  const tone = a.acked ? 'dim' : a.severity === 'critical' ? 'bad' : 'warn';
  const values: Record<string, Cell> = {
    ' ': [selected ? (ascii ? '>' : '›') : ' ', 'accent'],
    SEV: [a.severity === 'critical' ? 'CRIT' : 'WARN', tone],
    SINCE: [clock(a.since), a.acked ? 'dim' : undefined],
    FOR: [formatSeconds(Math.max(0, (now - a.since) / 1000)), 'dim'],
    CODE: [a.code, tone],
    SUBJECT: [a.subject, a.acked ? 'dim' : undefined],
    MESSAGE: [a.acked ? `(ack) ${a.message}` : a.message, a.acked ? 'dim' : undefined],
  };
  return tableRow(cols, values);
}

/**
 * A header and one line per open alert in the store's order (unacknowledged first, worst first,
 * oldest first); `cursor` marks the alert `a` acknowledges, with its evidence under it. A quiet
 * cluster says so in one line.
 */
export function alertsLines(alerts: readonly TrackedAlert[], cursor: string | null, size: PaneSize, now: number, answered: boolean): Line[] {
  if (alerts.length === 0) {
    if (!answered) return [[seg(padEnd('waiting for the first poll', size.width), 'dim')]];
    const mark = size.ascii ? 'ok' : '✓';
    return [[seg(mark, 'ok'), seg(padEnd(' no open alerts', size.width - textWidth(mark)), 'dim')]];
  }
  const cols = columns(alerts, size.width);
  const selected = cursor !== null && alerts.some((a) => a.key === cursor) ? cursor : alerts[0]!.key;
  const out: Line[] = [tableHeader(cols)];
  for (const a of alerts) {
    out.push(row(cols, a, now, a.key === selected, size.ascii));
    // the selected alert shows what it was raised on, so the DBA need not go and look
    if (a.key === selected) for (const e of a.evidence) out.push([seg(padEnd(`    ${e}`, size.width), 'dim')]);
  }
  return out;
}
