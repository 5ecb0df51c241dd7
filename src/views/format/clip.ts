// Fitting a styled line to an exact width: cut long ones, pad short ones, and merge neighbours
// of the same style so Ink gets as few text nodes as possible.
import type { Line, Segment } from './line.ts';
import { truncate, width } from './text.ts';

const ASCII_FALLBACK: Record<string, string> = { '…': '~', '·': '-', '▶': '>', '└': '`', '─': '-', '●': '*' };

/** For terminals without UTF-8: every character outside ASCII gets a one-column stand-in. */
export function toAscii(text: string): string {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(text) ? text : text.replace(/[^\x00-\x7f]/g, (c) => ASCII_FALLBACK[c] ?? '?');
}

export function fitLine(line: Line, w: number, ascii = false): Line {
  const out: Segment[] = [];
  let used = 0;
  for (const raw of line) {
    const part = ascii ? { ...raw, text: toAscii(raw.text) } : raw;
    if (used >= w) break;
    const pw = width(part.text);
    const cut = used + pw > w;
    const text = cut ? (ascii ? toAscii(truncate(part.text, w - used)) : truncate(part.text, w - used)) : part.text;
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
