// A bordered pane as lines: title in the top border (with how many lines did not fit), body
// fitted to the inner width and cut to the inner height. Drawn by us, not by Ink's Box, so the
// whole frame is one pre-composed block of text (see FrameView for why).
import { fitLine } from '../format/clip.ts';
import { type Line, seg } from '../format/line.ts';

/** Title drawn into the top border, with how many lines did not fit ("+3 more, Enter zooms"). */
export function frameTitle(title: string, width: number, ascii: boolean, focused: boolean, hidden = 0): string {
  const [tl, h, tr] = ascii ? ['+', '-', '+'] : ['┌', '─', '┐'];
  const more = hidden > 0 ? ` (+${hidden} more${focused ? ', Enter zooms' : ''})` : '';
  const label = ` ${focused ? (ascii ? '> ' : '▶ ') : ''}${title}${more} `;
  const inner = Math.max(0, width - 2);
  const text = label.length + 1 > inner ? label.slice(0, Math.max(0, inner - 1)) : label;
  return tl + h + text + h.repeat(Math.max(0, inner - 1 - text.length)) + tr;
}

/**
 * The lines that fit, fitted to the width. When lines must be cut the count goes to the title
 * border rather than costing a body line, and on a pane too short to show a header and a row the
 * header (a title-toned first line) gives way to data.
 */
export function paneBody(lines: Line[], innerWidth: number, innerHeight: number, ascii = false): { body: Line[]; hidden: number } {
  let source = lines;
  if (lines.length > innerHeight && innerHeight < 3 && lines[0]?.[0]?.tone === 'title') source = lines.slice(1);
  const body = source.slice(0, Math.max(0, innerHeight));
  return { body: body.map((l) => fitLine(l, innerWidth, ascii)), hidden: source.length - body.length };
}

export interface BoxSpec {
  title: string;
  focused: boolean;
  width: number;
  height: number;
  lines: Line[];
  ascii: boolean;
}

export function blankLine(width: number): Line {
  return [seg(' '.repeat(Math.max(0, width)))];
}

/** Exactly `height` lines of exactly `width` columns; a box too small to draw is blank. */
export function drawBox({ title, focused, width, height, lines, ascii }: BoxSpec): Line[] {
  if (height < 3 || width < 4) return Array.from({ length: Math.max(0, height) }, () => blankLine(width));
  const { body, hidden } = paneBody(lines, width - 2, height - 2, ascii);
  const tone = focused ? 'accent' : 'dim';
  const [v, bl, h, br] = ascii ? ['|', '+', '-', '+'] : ['│', '└', '─', '┘'];
  const out: Line[] = [[seg(frameTitle(title, width, ascii, focused, hidden), tone, focused)]];
  for (let i = 0; i < height - 2; i++) out.push([seg(v, tone), ...(body[i] ?? blankLine(width - 2)), seg(v, tone)]);
  out.push([seg(bl + h.repeat(width - 2) + br, tone)]);
  return out;
}

/** Places a box in the middle of an area, the rest blank (Yoga rounds the half row and column up). */
export function centred(box: Line[], boxWidth: number, width: number, height: number): Line[] {
  const top = Math.round((height - box.length) / 2);
  const left = Math.round((width - boxWidth) / 2);
  const right = width - left - boxWidth;
  const out: Line[] = [];
  for (let y = 0; y < height; y++) {
    const row = box[y - top];
    out.push(row ? [seg(' '.repeat(left)), ...row, seg(' '.repeat(right))] : blankLine(width));
  }
  return out;
}

/** Side-by-side columns of lines merged into rows, each column padded to `height`. */
export function besideEachOther(columns: Array<{ width: number; lines: Line[] }>, height: number): Line[] {
  const out: Line[] = [];
  for (let y = 0; y < height; y++) out.push(columns.flatMap((c) => c.lines[y] ?? blankLine(c.width)));
  return out;
}
