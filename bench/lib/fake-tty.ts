// A terminal Ink can render into without a terminal: a TTY-looking stdout that counts what it is
// sent, and a TTY-looking stdin that never produces a key (enough for useInput to set up).
import { Readable, Writable } from 'node:stream';

/** ansi-escapes' clearTerminal minus the cursor home: erase screen, then erase scrollback. */
const CLEAR_TERMINAL = '\x1b[2J\x1b[3J';

export class FakeStdout extends Writable {
  readonly isTTY = true;
  bytes = 0;
  writes = 0;
  /** Writes that clear the whole terminal: Ink's full-repaint path instead of its incremental one. */
  clears = 0;

  constructor(
    public columns: number,
    public rows: number,
  ) {
    super({ decodeStrings: false });
  }

  // Counted synchronously in write() itself, so a tick's bytes are known as soon as Ink returns.
  override write(chunk: unknown, encoding?: unknown, cb?: unknown): boolean {
    const enc = typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8';
    this.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk, enc) : (chunk as Uint8Array).byteLength;
    this.writes++;
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('latin1');
    if (text.includes(CLEAR_TERMINAL)) this.clears++;
    const done = typeof encoding === 'function' ? encoding : cb;
    if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
    return true;
  }

  override _write(_chunk: unknown, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    cb();
  }

  // Terminal methods some libraries probe for.
  getColorDepth(): number {
    return 8;
  }
  hasColors(): boolean {
    return true;
  }
  getWindowSize(): [number, number] {
    return [this.columns, this.rows];
  }
}

export class FakeStdin extends Readable {
  readonly isTTY = true;
  isRaw = false;

  constructor() {
    super({ read() {} });
  }

  setRawMode(mode: boolean): this {
    this.isRaw = mode;
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
}
