import React from 'react';
import { centred, drawBox } from '../frame/box.ts';
import type { Line } from '../format/line.ts';
import { FrameView } from './FrameView.tsx';

export interface DialogState {
  title: string;
  lines: Line[];
  /** Called with true for "y", false for anything else: No is the default. */
  onAnswer(yes: boolean): void;
  /**
   * A choice instead of y/N: the keys that pick an option (lower case). Any other key cancels,
   * so an unintended key never runs anything; onAnswer is then not called.
   */
  choices?: { keys: string[]; onChoice(key: string | null): void };
}

export function dialogArea(dialog: DialogState, width: number, height: number, ascii: boolean): Line[] {
  const w = Math.min(width, 76);
  const h = Math.min(height, dialog.lines.length + 2);
  return centred(drawBox({ title: dialog.title, focused: true, width: w, height: h, lines: dialog.lines, ascii }), w, width, height);
}

export function Dialog({ dialog, width, height, ascii, color = false }: { dialog: DialogState; width: number; height: number; ascii: boolean; color?: boolean }) {
  return <FrameView rows={dialogArea(dialog, width, height, ascii)} columns={width} color={color} />;
}
