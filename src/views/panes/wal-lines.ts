// WAL rate, archiving and (PostgreSQL 17+) the WAL summarizer, one row per node. Columns drop
// in a fixed order as the pane narrows, so it reads at 50 columns as well as at 200.
import type { NodeSample, NodeState } from '../../model/types.ts';
import type { History } from '../../state/store.ts';
import { type Line, type PaneSize, type Tone, seg } from '../format/line.ts';
import { type Cell, tableHeader, tableRow } from '../format/table.ts';
import { type Column, cell, fitColumns } from '../format/text.ts';
import { formatAge, formatBytes, formatRate, formatSeconds } from '../format/units.ts';

const COLUMNS: Column[] = [
  { title: 'NODE', width: 12 },
  { title: 'WAL RATE', width: 10, align: 'right', drop: 7 },
  { title: 'ARCHIVED', width: 8, align: 'right' },
  { title: 'AGE', width: 8, align: 'right' },
  { title: 'FAILED', width: 6, align: 'right' },
  { title: 'SUMMARIZER', width: 11 },
  { title: 'BEHIND', width: 9, align: 'right' },
  { title: 'FILES', width: 5, align: 'right', drop: 5 },
  { title: 'LAST ARCHIVED', width: 24, drop: 3 },
  { title: 'LAST FAILED', width: 24, drop: 6 },
  { title: 'SUMMARIZED', width: 11, align: 'right', drop: 4 },
  { title: 'OLDEST SUMMARY', width: 14, align: 'right', drop: 1 },
  { title: 'KEEP', width: 6, align: 'right', drop: 2 },
];

/** An archiver is failing when its newest failure is more recent than its newest success. */
export function archiverFailing(a: NodeSample['archiver']): boolean {
  return a.lastFailedTime !== null && (a.lastArchivedTime === null || Date.parse(a.lastFailedTime) > Date.parse(a.lastArchivedTime));
}

function archiveCells(s: NodeSample, now: number): Record<string, Cell> {
  const a = s.archiver;
  const none: Record<string, Cell> = { AGE: ['-', 'dim'], FAILED: ['-', 'dim'], 'LAST ARCHIVED': [''], 'LAST FAILED': [''] };
  if (a.archiveMode === 'off') return { ...none, ARCHIVED: ['off', 'dim'] };
  if (s.role === 'standby' && a.archiveMode !== 'always') return { ...none, ARCHIVED: ['standby', 'dim'] };
  if (!a.archiveCommandSet) return { ...none, ARCHIVED: ['no cmd', 'bad'] };
  const failing = archiverFailing(a);
  return {
    ARCHIVED: [String(a.archivedCount)],
    AGE: [a.lastArchivedTime ? formatAge(a.lastArchivedTime, now).replace(' ago', '') : 'never'],
    FAILED: [failing ? `${a.failedCount}!` : String(a.failedCount), a.failedCount > 0 ? (failing ? 'bad' : 'warn') : undefined],
    'LAST ARCHIVED': [a.lastArchivedWal ?? 'none'],
    'LAST FAILED': [a.lastFailedWal ?? '', failing ? 'bad' : 'dim'],
  };
}

function summaryCells(s: NodeSample): Record<string, Cell> {
  const w = s.walSummary;
  const none = (text: string, tone: Tone): Record<string, Cell> => ({
    SUMMARIZER: [text, tone], BEHIND: ['-', 'dim'], FILES: ['-', 'dim'], SUMMARIZED: ['-', 'dim'], 'OLDEST SUMMARY': ['-', 'dim'], KEEP: ['-', 'dim'],
  });
  if (!w) return none('n/a (<17)', 'dim');
  if (!w.summarizeWal) return { ...none('off', w.summaryCount > 0 ? 'warn' : 'dim'), FILES: [String(w.summaryCount)] };
  return {
    SUMMARIZER: w.summarizerPid !== null ? ['running', 'ok'] : ['NOT RUNNING', 'bad'],
    BEHIND: [formatBytes(w.behindBytes), (w.behindBytes ?? 0) > 64 * 1024 ** 2 ? 'warn' : undefined],
    FILES: [String(w.summaryCount), w.summaryCount === 0 ? 'warn' : undefined],
    SUMMARIZED: [w.summarizedLsn ?? '-'],
    'OLDEST SUMMARY': [w.oldestStartLsn ?? '-'],
    KEEP: [w.keepTimeMinutes === 0 ? 'always' : formatSeconds(w.keepTimeMinutes * 60)],
  };
}

export function walLines(order: string[], nodes: Record<string, NodeState>, history: History, size: PaneSize, now: number): Line[] {
  // LAST FAILED is kept over everything optional, but only takes room once something failed.
  const anyFailed = order.some((n) => nodes[n]!.sample?.archiver.lastFailedWal);
  const cols = fitColumns(anyFailed ? COLUMNS : COLUMNS.filter((c) => c.title !== 'LAST FAILED'), size.width);
  const lines: Line[] = [tableHeader(cols)];
  for (const name of order) {
    const node = nodes[name]!;
    const s = node.health.kind === 'ok' ? node.sample : null;
    if (!s) {
      lines.push([seg(cell(name, cols[0]!)), seg(node.health.kind === 'down' ? ' down' : ' connecting', node.health.kind === 'down' ? 'bad' : 'dim')]);
      continue;
    }
    const rate = history.walRate.get(name)?.latest();
    const cells: Record<string, Cell> = {
      NODE: [name, s.role === 'primary' ? 'accent' : undefined],
      'WAL RATE': [rate === undefined ? '-' : formatRate(rate)],
      ...archiveCells(s, now),
      ...summaryCells(s),
    };
    lines.push(tableRow(cols, cells));
  }
  return lines;
}
