// Fitting a styled line to an exact width: cut long ones, pad short ones, and merge neighbours
// of the same style so Ink gets as few text nodes as possible.
import type { Line, Segment } from './line.ts';
import { truncate, width } from './text.ts';

export function fitLine(line: Line, w: number): Line {
  const out: Segment[] = [];
  let used = 0;
  for (const part of line) {
    if (used >= w) break;
    const pw = width(part.text);
    const cut = used + pw > w;
    const text = cut ? truncate(part.text, w - used) : part.text;
    used += cut ? width(text) : pw;
    const prev = out[out.length - 1];
    if (prev && prev.tone === part.tone && prev.bold === part.bold) prev.text += text;
    else out.push({ ...part, text });
    if (cut) break; // a cut segment ends the line; what follows it would be out of place
  }
  if (used < w) {
    const prev = out[out.length - 1];
    const pad = ' '.repeat(w - used);
    if (prev && prev.tone === undefined && !prev.bold) prev.text += pad;
    else out.push({ text: pad });
  }
  return out;
}
