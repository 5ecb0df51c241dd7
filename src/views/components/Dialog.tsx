import { Box } from 'ink';
import React from 'react';
import type { Line } from '../format/line.ts';
import { PaneBox } from './PaneBox.tsx';

export interface DialogState {
  title: string;
  lines: Line[];
  /** Called with true for "y", false for anything else: No is the default. */
  onAnswer(yes: boolean): void;
}

export function Dialog({ dialog, width, height, ascii }: { dialog: DialogState; width: number; height: number; ascii: boolean }) {
  const w = Math.min(width, 76);
  const h = Math.min(height, dialog.lines.length + 2);
  return (
    <Box width={width} height={height} justifyContent="center" alignItems="center">
      <PaneBox title={dialog.title} focused width={w} height={h} lines={dialog.lines} ascii={ascii} />
    </Box>
  );
}
