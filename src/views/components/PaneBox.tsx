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

/** Title drawn into the top border, body cut to the box: the pane never grows past its rect. */
export function frameTitle(title: string, width: number, ascii: boolean, focused: boolean): string {
  const [tl, h, tr] = ascii ? ['+', '-', '+'] : ['┌', '─', '┐'];
  const label = ` ${focused ? '▶ ' : ''}${title} `.replace('▶', ascii ? '>' : '▶');
  const inner = Math.max(0, width - 2);
  const text = label.length + 1 > inner ? label.slice(0, Math.max(0, inner - 1)) : label;
  return tl + h + text + h.repeat(Math.max(0, inner - 1 - text.length)) + tr;
}

export function paneBody(lines: Line[], innerWidth: number, innerHeight: number): Line[] {
  let body = lines;
  if (lines.length > innerHeight) {
    body = lines.slice(0, Math.max(0, innerHeight - 1));
    if (innerHeight > 0) body.push([{ text: `… ${lines.length - body.length} more (Enter zooms)`, tone: 'dim' }]);
  }
  return body.map((l) => fitLine(l, innerWidth));
}

export const PaneBox = React.memo(function PaneBox({ title, focused, width, height, lines, ascii }: PaneBoxProps) {
  if (height < 3 || width < 4) return null;
  const body = paneBody(lines, width - 2, height - 2);
  const border = focused ? 'cyan' : 'gray';
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text color={border} bold={focused}>
        {frameTitle(title, width, ascii, focused)}
      </Text>
      <Box borderStyle={ascii ? 'classic' : 'single'} borderTop={false} borderColor={border} flexDirection="column" width={width} height={height - 1} overflow="hidden">
        {body.map((l, i) => (
          <StyledLine key={i} line={l} />
        ))}
      </Box>
    </Box>
  );
});
