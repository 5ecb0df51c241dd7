// A fast path in Ink 6.8's frame assembly for the one shape pgtop-ha draws: a single text node
// at the origin whose rows a marked Transform supplies already fitted and styled (FrameView).
// Ink would split every row into per-character cells, measure each, and join them again, every
// frame (~30–75 ms at 160×45 here); passing the rows through costs well under a millisecond.
// Any other shape of frame goes through Ink's own code unchanged.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const EXACT_ROWS = Symbol.for('pgtop-ha.exact-rows');

interface WriteOp {
  type: 'write';
  x: number;
  y: number;
  text: string;
  transformers: Array<((line: string, index: number) => string) & { [EXACT_ROWS]?: boolean }>;
}

interface OutputLike {
  height: number;
  operations: Array<WriteOp | { type: 'clip' | 'unclip' }>;
}

let installed: Promise<boolean> | null = null;

/** Resolves true when the fast path is in place, false when Ink's layout is not the one we know. */
export function installFastOutput(): Promise<boolean> {
  installed ??= (async () => {
    try {
      // Ink exports only its entry point; its Output module is reached by file, which is the same
      // module instance Ink itself uses.
      const entry = createRequire(import.meta.url).resolve('ink');
      const mod = (await import(pathToFileURL(join(dirname(entry), 'output.js')).href)) as { default?: { prototype: { get(): unknown } } };
      const proto = mod.default?.prototype;
      if (!proto || typeof proto.get !== 'function') return false;
      const original = proto.get;
      proto.get = function get(this: OutputLike) {
        const op = this.operations.length === 1 ? this.operations[0] : undefined;
        if (op?.type === 'write' && op.x === 0 && op.y === 0 && op.transformers.length === 1 && op.transformers[0]![EXACT_ROWS]) {
          const transform = op.transformers[0]!;
          const lines = op.text.split('\n');
          const rows: string[] = [];
          for (let y = 0; y < this.height; y++) rows.push(y < lines.length ? transform(lines[y]!, y).trimEnd() : '');
          return { output: rows.join('\n'), height: this.height };
        }
        return original.call(this);
      };
      return true;
    } catch {
      return false;
    }
  })();
  return installed;
}
