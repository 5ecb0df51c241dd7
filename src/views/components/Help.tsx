import React from 'react';
import { drawBox } from '../frame/box.ts';
import type { Line } from '../format/line.ts';
import { seg } from '../format/line.ts';
import { padEnd } from '../format/text.ts';
import { helpRows, type KeyMode } from '../keymap.ts';
import { FrameView } from './FrameView.tsx';

export function helpLines(readOnly: boolean, mode: KeyMode = 'live'): Line[] {
  const lines: Line[] = helpRows(readOnly, mode).map((r) => [seg(padEnd(r.keys, 8), 'accent', true), seg(r.description)]);
  lines.push([]);
  const note = mode === 'replay'
    ? 'Replay: the recorded samples through the same panes; nothing is polled and no action runs.'
    : readOnly ? 'Read-only mode: actions are hidden and refused.' : 'Actions ask for confirmation and are written to the audit log.';
  lines.push([seg(note, 'dim')]);
  lines.push([seg('Press ? or Esc to close.', 'dim')]);
  return lines;
}

export function helpBox(width: number, height: number, readOnly: boolean, ascii: boolean, mode: KeyMode = 'live'): Line[] {
  return drawBox({ title: 'Keys', focused: true, width, height, lines: helpLines(readOnly, mode), ascii });
}

export function Help({ width, height, readOnly, ascii, color = false }: { width: number; height: number; readOnly: boolean; ascii: boolean; color?: boolean }) {
  return <FrameView rows={helpBox(width, height, readOnly, ascii)} columns={width} color={color} />;
}
