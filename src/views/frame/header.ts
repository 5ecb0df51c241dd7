import { fitLine } from '../format/clip.ts';
import { type Line, seg } from '../format/line.ts';
import { clock, formatSeconds } from '../format/units.ts';

/** The worst news first, right after who is primary: a cut header still shows it. */
function alertSegments(a: { critical: number; warning: number; acked: number } | undefined, answered: boolean): Line {
  if (!a || !answered) return [];
  const out: Line = [seg(' · ')];
  if (a.critical) out.push(seg(`${a.critical} CRIT`, 'bad', true));
  if (a.warning) out.push(seg(`${a.critical ? ' ' : ''}${a.warning} WARN`, 'warn', true));
  if (a.acked) out.push(seg(`${a.critical || a.warning ? ' ' : ''}${a.acked} acked`, 'dim'));
  if (!a.critical && !a.warning && !a.acked) out.push(seg('no alerts', 'ok'));
  return out;
}

export interface ReplayPosition {
  /** The cursor's sample time (epoch ms). */
  at: number | null;
  index: number;
  total: number;
  playing: boolean;
}

/** Local date and time: a recording may span days. */
function stamp(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')} ${clock(ms)}`;
}

export function headerLine(s: {
  cluster: string; paused: boolean; readOnly: boolean; intervalMs: number; lastRefreshAt: number | null;
  up: number; total: number; primaries: string[]; answered: boolean;
  /** Open alerts nobody acknowledged yet, and those acknowledged but not cleared. */
  alerts?: { critical: number; warning: number; acked: number };
  /** `pgtop-ha replay`: where the time cursor is, instead of when the last poll was. */
  replay?: ReplayPosition | null;
}, now: number, width: number, ascii = false): Line {
  // Paused data is old on purpose: say PAUSED, not stale.
  const stale = !s.paused && s.lastRefreshAt !== null && now - s.lastRefreshAt > 2 * s.intervalMs + 1000;
  const line: Line = [
    seg('pgtop-ha', 'accent', true),
    seg(` ${s.cluster} `, undefined, true),
    seg(`${s.up}/${s.total} up`, s.up < s.total ? 'bad' : 'ok'),
    seg(' primary '),
    s.primaries.length === 1
      ? seg(s.primaries[0]!, 'accent')
      : !s.answered
        ? seg('?', 'dim')
        : seg(s.primaries.length === 0 ? 'NONE' : s.primaries.join('+'), 'bad', true),
    ...alertSegments(s.alerts, s.answered),
  ];
  if (s.replay) {
    const r = s.replay;
    line.push(seg(' · '), seg('REPLAY', 'accent', true), seg(` ${r.at === null ? '-' : stamp(r.at)} · ${r.index + 1}/${r.total}`), seg(r.playing ? ' playing' : ' paused', r.playing ? 'ok' : 'dim'));
    return fitLine(line, width, ascii);
  }
  line.push(
    seg(' · refreshed '),
    s.lastRefreshAt === null
      ? seg('never', 'dim')
      : seg(stale ? `${formatSeconds((now - s.lastRefreshAt) / 1000)} ago` : clock(s.lastRefreshAt), stale ? 'bad' : undefined),
    seg(` · every ${formatSeconds(s.intervalMs / 1000)}`),
  );
  if (s.paused) line.push(seg(' PAUSED', 'warn', true));
  if (s.readOnly) line.push(seg(' READ-ONLY', 'dim', true));
  return fitLine(line, width, ascii);
}

