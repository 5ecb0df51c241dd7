// A pane body is a list of lines, each a list of styled segments. Pane formatters are pure
// functions that return these; one Ink component draws them. That keeps formatting testable
// without a terminal and keeps Ink's per-frame work to a handful of text nodes.
export type Tone = 'ok' | 'warn' | 'bad' | 'dim' | 'accent' | 'title';

export interface Segment {
  text: string;
  tone?: Tone;
  bold?: boolean;
}

export type Line = Segment[];

export function seg(text: string, tone?: Tone, bold?: boolean): Segment {
  return bold ? { text, tone, bold } : tone ? { text, tone } : { text };
}

export function lineText(line: Line): string {
  let s = '';
  for (const part of line) s += part.text;
  return s;
}

/** Everything a pane formatter needs besides its data. */
export interface PaneSize {
  width: number;
  height: number;
  ascii: boolean;
}
