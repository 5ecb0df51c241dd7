// The one table shape every pane uses: a title-toned header row, then rows of cells keyed by
// column title, each cell fitted to its column and separated by one space.
import { type Line, type Tone, seg } from './line.ts';
import { type Column, cell } from './text.ts';

export type Cell = [text: string, tone?: Tone];

export function tableHeader(cols: Column[]): Line {
  return [seg(cols.map((c) => cell(c.title, c)).join(' '), 'title')];
}

export function tableRow(cols: Column[], cells: Record<string, Cell>): Line {
  const line: Line = [];
  cols.forEach((c, i) => {
    if (i > 0) line.push(seg(' '));
    const [text, tone] = cells[c.title] ?? [''];
    line.push(seg(cell(text, c), tone));
  });
  return line;
}
