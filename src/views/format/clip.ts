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

// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f-\x9f]/;
// eslint-disable-next-line no-control-regex
const ESCAPE_SEQUENCE = /\x1b(?:\[[0-9;?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-_]?)/g;

/**
 * Text from other programs (barman, repmgr, a server's error) can hold tabs, colour codes or a
 * stray ESC. Written as is they would move the cursor and tear the frame, so: tabs become spaces
 * to the next 8-column stop (`col` is where the text starts), escape sequences go, and any other
 * control character shows as '?'.
 */
export function printable(text: string, col = 0): string {
  if (!CONTROL.test(text)) return text;
  const plain = text.replace(ESCAPE_SEQUENCE, '').replace(/\r\n?/g, ' ');
  let out = '';
  for (const c of plain) {
    if (c === '\t') out += ' '.repeat(8 - ((col + width(out)) % 8));
    else out += CONTROL.test(c) ? '?' : c;
  }
  return out;
}

export function fitLine(line: Line, w: number, ascii = false): Line {
  const out: Segment[] = [];
  let used = 0;
  for (const given of line) {
    const raw = CONTROL.test(given.text) ? { ...given, text: printable(given.text, used) } : given;
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
