// Two narrow patches to Ink 6.8 internals, installed before the console renders:
//
// 1. A fast path in frame assembly for the one shape pgtop-ha draws: a single text node at the
//    origin whose rows a marked Transform supplies already fitted and styled (FrameView). Ink
//    would split every row into per-character cells, measure each, and join them again, every
//    frame (~30–75 ms at 160×45 here); passing the rows through costs well under a millisecond.
//    Any other shape of frame goes through Ink's own code unchanged.
// 2. The cursor after an incremental redraw. Ink's incremental log-update assumes the cursor
//    sits on the frame's last line, but after a frame that ends in a newline (every frame shorter
//    than the terminal, which ours must be: a full-height frame makes Ink clear the screen each
//    time) it sits one line lower, so each redraw lands one line further down the screen.
//    Moving the cursor back up after such a frame restores what Ink assumes; a frame whose
//    height changed is drawn from a cleared block.
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

export type LogRender = ((str: string) => boolean) & { clear(): void };
interface LogUpdateModule {
  default?: { create(stream: NodeJS.WriteStream, opts?: { incremental?: boolean; showCursor?: boolean }): LogRender };
}

async function inkModule<T>(file: string): Promise<T> {
  // Ink exports only its entry point; its internal modules are reached by file, which gives the
  // same module instances Ink itself uses.
  const entry = createRequire(import.meta.url).resolve('ink');
  return (await import(pathToFileURL(join(dirname(entry), file)).href)) as T;
}

function patchOutput(mod: { default?: { prototype: { get(): unknown } } }): boolean {
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
}

const CURSOR_UP = '\x1b[1A';

/** Wraps an incremental log-update so the cursor is where its next redraw expects it. */
export function fixIncrementalCursor(render: LogRender, stream: { write(s: string): unknown }): LogRender {
  let previous: string | null = null;
  const wrapped = ((str: string) => {
    if (previous !== null && str.split('\n').length !== previous.split('\n').length) {
      render.clear();
      previous = null;
    }
    const wrote = render(str);
    if (wrote && str !== previous && str.endsWith('\n')) stream.write(CURSOR_UP);
    previous = str;
    return wrote;
  }) as LogRender;
  Object.assign(wrapped, render);
  wrapped.clear = () => {
    render.clear();
    previous = null;
  };
  return wrapped;
}

function patchLogUpdate(mod: LogUpdateModule): boolean {
  const lu = mod.default;
  if (!lu || typeof lu.create !== 'function') return false;
  const create = lu.create.bind(lu);
  lu.create = (stream, opts) => {
    const render = create(stream, opts);
    return opts?.incremental ? fixIncrementalCursor(render, stream) : render;
  };
  return true;
}

let installed: Promise<boolean> | null = null;

/** Resolves true when both patches are in place, false when Ink's internals are not the ones we know. */
export function installInkPatches(): Promise<boolean> {
  installed ??= (async () => {
    try {
      const output = patchOutput(await inkModule('output.js'));
      const log = patchLogUpdate(await inkModule('log-update.js'));
      return output && log;
    } catch {
      return false;
    }
  })();
  return installed;
}
