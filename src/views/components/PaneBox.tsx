import { Box, Text } from 'ink';
import React from 'react';
import { fitLine } from '../format/clip.ts';
import type { Line } from '../format/line.ts';
import { StyledLine } from './StyledLine.tsx';

export interface PaneBoxProps {
  title: string;
  focused: boolean;
  width: number;
  height: number;
  lines: Line[];
  ascii: boolean;
}

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

export const PaneBox = React.memo(function PaneBox({ title, focused, width, height, lines, ascii }: PaneBoxProps) {
  if (height < 3 || width < 4) return null;
  const { body, hidden } = paneBody(lines, width - 2, height - 2, ascii);
  const border = focused ? 'cyan' : 'gray';
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text color={border} bold={focused}>
        {frameTitle(title, width, ascii, focused, hidden)}
      </Text>
      <Box borderStyle={ascii ? 'classic' : 'single'} borderTop={false} borderColor={border} flexDirection="column" width={width} height={height - 1} overflow="hidden">
        {body.map((l, i) => (
          <StyledLine key={i} line={l} />
        ))}
      </Box>
    </Box>
  );
});
