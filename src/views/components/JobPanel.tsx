// The live output of a running action (a barman backup): what runs where, elapsed time, the
// latest progress line, then the tail of the output. Esc hides it; the job keeps running.
import type { Job } from '../../state/store.ts';
import { centred, drawBox } from '../frame/box.ts';
import { type Line, seg } from '../format/line.ts';
import { fitLine } from '../format/clip.ts';
import { formatSeconds } from '../format/units.ts';

export function jobArea(job: Job, width: number, height: number, ascii: boolean, now: number): Line[] {
  const w = Math.min(width, 110);
  const h = Math.min(height, 22);
  const inner = w - 2;
  const elapsed = formatSeconds(((job.finishedAt ?? now) - job.startedAt) / 1000);
  const state: Line = job.ok === null
    ? [seg(`running for ${elapsed}`, 'warn', true)]
    : job.ok
      ? [seg(`done in ${elapsed}`, 'ok', true)]
      : [seg(`FAILED after ${elapsed}`, 'bad', true)];
  const head: Line[] = [
    [seg(job.target, 'dim')],
    [...state, ...(job.result ? [seg(`: ${job.result}`, job.ok === false ? 'bad' : undefined)] : [])],
  ];
  if (job.progress && job.ok === null) head.push([seg(job.progress, 'accent')]);
  head.push([seg(job.ok === null ? 'Esc hides this panel; the backup keeps running (b shows it again)' : 'Esc closes this panel', 'dim')]);
  const room = Math.max(0, h - 2 - head.length - 1);
  const tail = job.lines.slice(-room).map((l): Line => [seg(l, /\bERROR\b|FAILED/.test(l) ? 'bad' : /WARNING/.test(l) ? 'warn' : undefined)]);
  const lines = [...head, [], ...tail].map((l) => fitLine(l, inner, ascii));
  return centred(drawBox({ title: job.title, focused: true, width: w, height: Math.min(h, lines.length + 2), lines, ascii }), w, width, height);
}
