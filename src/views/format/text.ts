// Fixed-width cell helpers. Panes lay out their own columns so that Ink never has to wrap or
// measure anything wider than the pane: every line handed to Ink is already the right width.

/** Display width, with a fast path for plain ASCII (nearly everything we print). */
export function width(s: string): number {
  // eslint-disable-next-line no-control-regex
  if (/^[\x20-\x7e]*$/.test(s)) return s.length;
  let w = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x20 || (cp >= 0x300 && cp < 0x370) || cp === 0x200b) continue;
    w += cp >= 0x1100 && isWide(cp) ? 2 : 1;
  }
  return w;
}

function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) || (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1faff) || (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

/** Cuts to `w` columns, marking the cut with "…". */
export function truncate(s: string, w: number): string {
  if (w <= 0) return '';
  if (width(s) <= w) return s;
  let out = '';
  let used = 0;
  for (const ch of s) {
    const cw = width(ch);
    if (used + cw > w - 1) break;
    out += ch;
    used += cw;
  }
  return out + '…';
}

export function padEnd(s: string, w: number): string {
  const t = truncate(s, w);
  return t + ' '.repeat(Math.max(0, w - width(t)));
}

export function padStart(s: string, w: number): string {
  const t = truncate(s, w);
  return ' '.repeat(Math.max(0, w - width(t))) + t;
}

export interface Column {
  title: string;
  width: number;
  align?: 'left' | 'right';
  /** Columns with a `drop` rank are dropped when the pane is too narrow, rank 1 first. */
  /** As a last resort, when only undroppable columns are left and still too wide, shrink to this. */
  min?: number;
  drop?: number;
}

/** Keeps the columns that fit in `total` columns (one space between them). */
export function fitColumns(cols: Column[], total: number): Column[] {
  let kept = [...cols];
  const used = () => kept.reduce((a, c) => a + c.width, 0) + Math.max(0, kept.length - 1);
  const dropped: Column[] = [];
  while (used() > total) {
    const droppable = kept.filter((c) => c.drop !== undefined);
    if (droppable.length === 0) break;
    const worst = droppable.reduce((a, b) => (b.drop! < a.drop! ? b : a));
    kept = kept.filter((c) => c !== worst);
    dropped.unshift(worst);
  }
  // A narrow column dropped early may still fit in the room a wide one left: bring it back.
  for (const c of dropped) {
    if (used() + c.width + 1 <= total) kept = cols.filter((x) => kept.includes(x) || x === c);
  }
  let excess = used() - total;
  if (excess > 0) {
    kept = kept.map((c) => {
      if (c.min === undefined || excess <= 0) return c;
      const cut = Math.min(excess, c.width - c.min);
      excess -= cut;
      return { ...c, width: c.width - cut };
    });
  }
  return kept;
}

export function cell(text: string, col: Column): string {
  return col.align === 'right' ? padStart(text, col.width) : padEnd(text, col.width);
}

/**
 * Word-wraps to `w` columns, at most `maxLines` lines (the last one cut with an ellipsis);
 * continuation lines are indented by `indent` spaces. A word wider than the line is cut.
 */
export function wrapText(s: string, w: number, maxLines: number, indent = 0): string[] {
  const out: string[] = [];
  // Leading spaces are the caller's indentation of the first line: kept, not wrapped away.
  const lead = /^ */.exec(s)![0];
  let line = lead;
  const words = s.split(/\s+/).filter(Boolean);
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const limit = out.length === 0 ? w : w - indent;
    if (line.trim() === '' || width(line) + 1 + width(word) <= limit) {
      line = line.trim() === '' ? `${line}${word}` : `${line} ${word}`;
      continue;
    }
    if (out.length + 1 === maxLines) {
      out.push(truncate(`${line} ${words.slice(i).join(' ')}`, limit));
      line = '';
      break;
    }
    out.push(line);
    line = word;
  }
  if (line.trim() !== '') out.push(line);
  return out.map((l, i) => padEnd(i === 0 ? l : `${' '.repeat(indent)}${l}`, w));
}
