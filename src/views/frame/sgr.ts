// Lines to terminal text. The console draws 16 named colours only: they follow the user's
// terminal theme, and every terminal since the VT100's successors has them.
import type { Line, Tone } from '../format/line.ts';
import { lineText } from '../format/line.ts';

const FG: Record<Tone, number> = { ok: 32, warn: 33, bad: 31, dim: 90, accent: 36, title: 34 };

export function styleLine(line: Line, color: boolean): string {
  if (!color) return lineText(line);
  let out = '';
  for (const s of line) {
    const bold = s.bold || s.tone === 'title';
    if (!s.tone && !bold) {
      out += s.text;
      continue;
    }
    out += `${s.tone ? `\x1b[${FG[s.tone]}m` : ''}${bold ? '\x1b[1m' : ''}${s.text}${bold ? '\x1b[22m' : ''}${s.tone ? '\x1b[39m' : ''}`;
  }
  return out;
}

/** Colour as decided by `--color`/NO_COLOR (the CLI turns them into FORCE_COLOR) and the terminal. */
export function colorWanted(env: NodeJS.ProcessEnv = process.env, isTTY = process.stdout.isTTY === true): boolean {
  if (env.FORCE_COLOR === '0' || (env.NO_COLOR !== undefined && env.NO_COLOR !== '' && env.FORCE_COLOR === undefined)) return false;
  return env.FORCE_COLOR !== undefined || isTTY;
}
