import { Box, Transform } from 'ink';
import React, { useMemo } from 'react';
import { EXACT_ROWS } from '../../terminal/ink-patches.ts';
import type { Line } from '../format/line.ts';
import { styleLine } from '../frame/sgr.ts';

const blanks = new Map<string, string>();

/** A block of spaces the size of the frame: what Ink measures and lays out (and caches). */
function placeholder(columns: number, rows: number): string {
  const key = `${columns}x${rows}`;
  let text = blanks.get(key);
  if (text === undefined) {
    text = Array.from({ length: rows }, () => ' '.repeat(columns)).join('\n');
    blanks.set(key, text);
  }
  return text;
}

/**
 * The whole frame as one Ink text node. Ink 6.8 spends tens of milliseconds per frame splitting,
 * measuring and re-joining every character of every text node, and caches text measurements
 * forever. Here Ink lays out and measures a constant block of spaces; the Transform swaps each of
 * its rows for the pre-composed row, and the fast path in ink-patches.ts passes those rows
 * straight through (without it, Ink's own path gives the same text, only slower).
 */
export function FrameView({ rows, columns, color }: { rows: Line[]; columns: number; color: boolean }) {
  const transform = useMemo(() => {
    const styled = rows.map((r) => styleLine(r, color));
    const fn = (line: string, index: number) => styled[index] ?? line;
    return Object.assign(fn, { [EXACT_ROWS]: true });
  }, [rows, color]);
  if (rows.length === 0) return null;
  return (
    <Box width={columns} height={rows.length}>
      <Transform transform={transform}>{placeholder(columns, rows.length)}</Transform>
    </Box>
  );
}
