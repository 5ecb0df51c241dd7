// Backups as chains: each full with the incrementals that hang on it as a tree, so the DBA sees
// at 3 a.m. which backup is the newest usable one, which full it needs, and where a link is
// broken. Beside the chains, per source: barman's failed checks with their hints, and WAL
// archiving (receive-wal, last archived WAL, failures, WAL per hour, first recoverable point).
import { newestUsable } from '../../model/backup-chains.ts';
import type { BackupChain, BackupInfo, BackupSourceState } from '../../model/backups.ts';
import { type Line, type PaneSize, type Tone, seg } from '../format/line.ts';
import { type Cell, tableHeader, tableRow } from '../format/table.ts';
import { type Column, cell, fitColumns, padEnd, wrapText } from '../format/text.ts';
import { formatAge, formatBytes, formatSeconds } from '../format/units.ts';

const COLUMNS: Column[] = [
  { title: 'BACKUP', width: 24, min: 12 },
  { title: 'TYPE', width: 5 },
  { title: 'STATUS', width: 15, min: 6 },
  { title: 'ENDED', width: 11, drop: 2 },
  { title: 'AGE', width: 7, align: 'right' },
  { title: 'TOOK', width: 7, align: 'right', drop: 3 },
  { title: 'SIZE', width: 9, align: 'right' },
  { title: 'WAL', width: 9, align: 'right', drop: 4 },
  { title: 'SAVED', width: 9, align: 'right', drop: 1 },
  { title: 'RETENTION', width: 10, drop: 5 },
];

const TYPE_SHORT: Record<BackupInfo['type'], string> = { full: 'full', incremental: 'incr', rsync: 'rsync', snapshot: 'snap' };

function statusTone(status: string): Tone | undefined {
  if (status === 'DONE') return 'ok';
  if (status === 'FAILED' || status === 'EMPTY') return 'bad';
  return 'warn'; // STARTED, WAITING_FOR_WALS, SYNCING: not usable yet
}

/** "MM-DD HH:MM" of an ISO time, in the local zone; the text as is when it is not ISO. */
function shortTime(iso: string | null): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso.slice(0, 11);
  const d = new Date(t);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

function depthOf(b: BackupInfo, byId: Map<string, BackupInfo>): number {
  let d = 0;
  let cur = b;
  const seen = new Set<string>();
  while (cur.parentId && byId.has(cur.parentId) && !seen.has(cur.id)) {
    seen.add(cur.id);
    cur = byId.get(cur.parentId)!;
    d++;
  }
  return d;
}


function headLine(s: BackupSourceState, now: number): Line {
  const what = s.source === 'barman' ? `barman ${s.name}` : `pg_basebackup ${s.name}`;
  const head: Line = [seg(what, 'accent', true), seg(` · ${s.where}`, 'dim')];
  if (!s.reachable) return [...head, seg(' '), seg(`not read: ${s.error ?? 'unknown error'}`, 'bad')];
  const last = newestUsable(s.backups);
  if (!last) return [...head, seg(' · '), seg(s.backups.length === 0 ? 'no backups' : 'no usable (DONE) backup', 'bad', true)];
  const ageS = (now - Date.parse(last.endTime!)) / 1000;
  // A day and a half without a new backup on a daily schedule is worth a glance.
  return [...head, seg(' · last usable '), seg(`${formatSeconds(ageS)} ago`, ageS > 36 * 3600 ? 'warn' : 'ok'), seg(` (${s.source === 'basebackup_dir' ? last.id : (last.name ?? last.id)})`, 'dim')];
}

function chainLines(chain: BackupChain, byId: Map<string, BackupInfo>, cols: Column[], size: PaneSize, now: number, source: BackupSourceState['source']): Line[] {
  const lines: Line[] = [];
  for (const id of chain.members) {
    const b = byId.get(id);
    if (!b) continue;
    const depth = depthOf(b, byId);
    // A directory is what the DBA finds on disk; barman's backup name is what they gave it.
    const shown = source === 'basebackup_dir' ? b.id : (b.name ?? b.id);
    const label = (depth === 0 ? '' : `${'  '.repeat(depth - 1)}${size.ascii ? '`-' : '└─'}`) + shown;
    const ended = b.endTime ? Date.parse(b.endTime) : NaN;
    const cells: Record<string, Cell> = {
      TYPE: [TYPE_SHORT[b.type]],
      STATUS: [b.status, statusTone(b.status)],
      ENDED: [shortTime(b.endTime)],
      AGE: [Number.isNaN(ended) ? '' : formatSeconds(Math.max(0, (now - ended) / 1000))],
      TOOK: [b.durationSeconds === null ? '' : formatSeconds(b.durationSeconds)],
      SIZE: [b.sizeBytes === null ? '' : formatBytes(b.sizeBytes)],
      WAL: [b.walBytes === null ? '' : formatBytes(b.walBytes)],
      SAVED: [b.resourcesSavedBytes === null ? '' : formatBytes(b.resourcesSavedBytes)],
      RETENTION: [b.retentionStatus ?? '', b.retentionStatus === 'OBSOLETE' ? 'dim' : undefined],
    };
    lines.push([seg(cell(label, cols[0]!), depth === 0 ? 'accent' : undefined), seg(' '), ...tableRow(cols.slice(1), cells)]);
  }
  if (chain.broken) for (const l of wrapText(`!! chain ${chain.rootId} broken: ${chain.reason ?? 'unknown reason'}`, size.width, 2, 3)) lines.push([seg(l, 'bad', true)]);
  return lines;
}

function checkLines(s: BackupSourceState, width: number): Line[] {
  if (!s.checks) return [];
  const failed = s.checks.filter((c) => !c.ok);
  if (failed.length === 0) return [[seg(`  barman check: all ${s.checks.length} OK`, 'ok')]];
  const out: Line[] = [[seg(`  barman check: ${failed.length} of ${s.checks.length} FAILED`, 'bad', true)]];
  for (const c of failed) for (const l of wrapText(`    ${c.name}: FAILED${c.hint ? ` (${c.hint})` : ''}`, width, 2, 6)) out.push([seg(l, 'bad')]);
  return out;
}

function walLine(s: BackupSourceState, now: number): Line[] {
  const w = s.wal;
  if (!w) return [];
  const parts: Line = [seg('  WAL: ', 'dim')];
  if (w.receiveWalRunning === false) parts.push(seg('receive-wal NOT running', 'bad'), seg(' · ', 'dim'));
  else if (w.walStreaming === true) parts.push(seg('receive-wal streaming', 'ok'), seg(' · ', 'dim'));
  else if (w.receiveWalRunning === true && w.walStreaming === false) parts.push(seg('receive-wal running, not streaming', 'warn'), seg(' · ', 'dim'));
  else if (w.receiveWalRunning === true) parts.push(seg('receive-wal running', 'ok'), seg(' · ', 'dim'));
  // barman prints archiver stats only with archiver = on: a streaming-only server has none to show
  if (w.lastArchivedWal !== null || w.receiveWalRunning === null) parts.push(seg(`last archived ${w.lastArchivedWal ?? '-'}${w.lastArchivedTime ? ` ${formatAge(w.lastArchivedTime, now)}` : ''}`));
  else parts.push(seg('archive_command not used', 'dim'));
  if (w.failedCount !== null) parts.push(seg(' · ', 'dim'), seg(`failed ${w.failedCount}`, w.failedCount > 0 ? 'warn' : undefined));
  if (w.walsPerHour !== null) parts.push(seg(` · ${w.walsPerHour.toFixed(w.walsPerHour < 10 ? 1 : 0)} WAL/h`, 'dim'));
  if (w.firstRecoverabilityPoint) parts.push(seg(` · recoverable from ${shortTime(w.firstRecoverabilityPoint)}`, 'dim'));
  return [parts];
}

export function backupsLines(order: readonly string[], sources: Record<string, BackupSourceState>, size: PaneSize, now: number): Line[] {
  if (order.length === 0) return [[seg(padEnd('no backup source configured (cluster keys "barman" and "backups" in the config)', size.width), 'dim')]];
  const cols = fitColumns(COLUMNS, size.width);
  const lines: Line[] = [];
  for (const key of order) {
    const s = sources[key];
    if (!s) {
      lines.push([seg(key, 'accent', true), seg(' not read yet', 'dim')]);
      continue;
    }
    lines.push(headLine(s, now));
    if (!s.reachable) continue;
    if (s.backups.length > 0) {
      lines.push(tableHeader(cols));
      const byId = new Map(s.backups.map((b) => [b.id, b]));
      for (const chain of s.chains) lines.push(...chainLines(chain, byId, cols, size, now, s.source));
    }
    for (const [id, notes] of Object.entries(s.notes ?? {})) {
      for (const n of notes) for (const l of wrapText(`  ${id}: ${n}`, size.width, 2, 4)) lines.push([seg(l, 'warn')]);
    }
    if (s.error) for (const l of wrapText(`  ${s.error}`, size.width, 2, 4)) lines.push([seg(l, 'warn')]);
    lines.push(...checkLines(s, size.width), ...walLine(s, now));
  }
  return lines;
}
