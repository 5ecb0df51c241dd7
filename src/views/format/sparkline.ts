// Per-row sparklines. Scaled to the row's own maximum so a standby's trend is visible even when
// its lag is small, but never below `floor`: 1 ms of jitter must not draw as a towering spike.
// A zero is drawn on the baseline, a gap (NaN) as a space.
const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
const ASCII = ['_', '.', '-', '~', '=', '+', '*', '#'];

export function sparkline(values: number[], width: number, ascii = false, floor = 0): string {
  if (width <= 0) return '';
  const glyphs = ascii ? ASCII : BLOCKS;
  const tail = values.slice(-width);
  const finite = tail.filter((v) => Number.isFinite(v));
  const max = Math.max(floor, ...finite);
  let out = '';
  for (const v of tail) {
    if (!Number.isFinite(v)) out += ' ';
    else if (max <= 0 || v <= 0) out += glyphs[0];
    else out += glyphs[Math.min(glyphs.length - 1, Math.max(1, Math.round((v / max) * (glyphs.length - 1))))];
  }
  return out.padStart(width, ' ');
}
