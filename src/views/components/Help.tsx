import { Box } from 'ink';
import React from 'react';
import type { Line } from '../format/line.ts';
import { seg } from '../format/line.ts';
import { padEnd } from '../format/text.ts';
import { helpRows } from '../keymap.ts';
import { PaneBox } from './PaneBox.tsx';

export function helpLines(readOnly: boolean): Line[] {
  const lines: Line[] = helpRows(readOnly).map((r) => [seg(padEnd(r.keys, 8), 'accent', true), seg(r.description)]);
  lines.push([]);
  lines.push([seg(readOnly ? 'Read-only mode: actions are hidden and refused.' : 'Actions ask for confirmation and are written to the audit log.', 'dim')]);
  lines.push([seg('Press ? or Esc to close.', 'dim')]);
  return lines;
}

export function Help({ width, height, readOnly, ascii }: { width: number; height: number; readOnly: boolean; ascii: boolean }) {
  return (
    <Box>
      <PaneBox title="Keys" focused width={width} height={height} lines={helpLines(readOnly)} ascii={ascii} />
    </Box>
  );
}
