// WAL position, rate, archiving and (PostgreSQL 17+) WAL summarization, per node.
import type { History } from '../../state/store.ts';
import type { NodeState, NodeSample } from '../../model/types.ts';
import { type Line, type PaneSize, type Tone, seg } from '../format/line.ts';
import { truncate } from '../format/text.ts';
import { formatAge, formatBytes, formatRate, formatSeconds } from '../format/units.ts';

function archiverLine(s: NodeSample, now: number): Line {
  const a = s.archiver;
  if (a.archiveMode === 'off') return [seg('  archiving: off', 'dim')];
  if (s.role === 'standby' && a.archiveMode !== 'always') return [seg(`  archiving: mode ${a.archiveMode} (a standby archives only with 'always')`, 'dim')];
  if (!a.archiveCommandSet) return [seg(`  archiving: mode ${a.archiveMode} but no archive_command/archive_library set`, 'bad')];
  const failing = a.lastFailedTime !== null && (a.lastArchivedTime === null || Date.parse(a.lastFailedTime) > Date.parse(a.lastArchivedTime));
  const parts: Line = [
    seg('  archived '),
    seg(String(a.archivedCount), undefined, true),
    seg(`, last ${a.lastArchivedWal ?? 'none'} ${a.lastArchivedWal ? formatAge(a.lastArchivedTime, now) : ''}`),
    seg(`, failed ${a.failedCount}`, a.failedCount > 0 ? (failing ? 'bad' : 'warn') : undefined),
  ];
  if (a.failedCount > 0 && a.lastFailedWal) parts.push(seg(` (last ${a.lastFailedWal} ${formatAge(a.lastFailedTime, now)})`, failing ? 'bad' : 'dim'));
  if (failing) parts.push(seg(' FAILING', 'bad', true));
  return parts;
}

function summaryLine(s: NodeSample): Line {
  const w = s.walSummary;
  if (!w) return [seg(`  WAL summaries: not available before PostgreSQL 17 (this is ${s.serverVersion.split(' ')[0]})`, 'dim')];
  if (!w.summarizeWal) return [seg('  WAL summaries: summarize_wal = off (incremental backups impossible)', w.summaryCount > 0 ? 'warn' : 'dim')];
  const running = w.summarizerPid !== null;
  const behindTone: Tone | undefined = (w.behindBytes ?? 0) > 64 * 1024 ** 2 ? 'warn' : undefined;
  const keep = w.keepTimeMinutes === 0 ? 'kept forever' : `keep ${formatSeconds(w.keepTimeMinutes * 60)}`;
  return [
    seg('  summarizer '),
    running ? seg(`running (pid ${w.summarizerPid})`, 'ok') : seg('NOT RUNNING', 'bad', true),
    seg(` at ${w.summarizedLsn ?? '-'} tli ${w.summarizedTli ?? '-'}, `),
    seg(`behind ${formatBytes(w.behindBytes)}`, behindTone),
    seg(`; ${w.summaryCount} summar${w.summaryCount === 1 ? 'y' : 'ies'}${w.oldestStartLsn ? ` ${w.oldestStartLsn}..${w.newestEndLsn}` : ''}, ${keep}`),
  ];
}

export function walLines(order: string[], nodes: Record<string, NodeState>, history: History, size: PaneSize, now: number): Line[] {
  const lines: Line[] = [];
  for (const name of order) {
    const node = nodes[name]!;
    const s = node.sample;
    if (!s) {
      lines.push([seg(name, undefined, true), seg(node.health.kind === 'down' ? ` down: ${node.health.reason}` : ' connecting…', 'dim')]);
      continue;
    }
    const pos = s.role === 'primary' ? `WAL ${s.currentLsn}` : `received ${s.receiveLsn ?? '-'} replayed ${s.replayLsn ?? '-'}`;
    const rate = history.walRate.get(name)?.latest();
    lines.push([
      seg(name, s.role === 'primary' ? 'accent' : undefined, true),
      seg(` ${pos}`),
      seg(s.archiver.currentWalFile ? ` ${s.archiver.currentWalFile}` : '', 'dim'),
      seg(rate !== undefined ? ` ${formatRate(rate)}` : ''),
    ]);
    lines.push(archiverLine(s, now));
    lines.push(summaryLine(s));
  }
  // Long lines are cut here rather than wrapped: a wrapped line would push the pane past its height.
  return lines.map((l) => clip(l, size.width));
}

function clip(line: Line, w: number): Line {
  let used = 0;
  const out: Line = [];
  for (const part of line) {
    if (used >= w) break;
    const text = used + part.text.length > w ? truncate(part.text, w - used) : part.text;
    out.push({ ...part, text });
    used += text.length;
  }
  return out;
}
