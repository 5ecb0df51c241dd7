// Appends store writes to a recording (src/record/format.ts): each line compressed and written
// at once, synchronously, so an exit handler or a kill loses nothing already written. Bounded:
// past maxBytes the file becomes FILE.1 (an older FILE.1 is dropped) and FILE starts again with a
// fresh header. Recording again to an existing FILE appends a session to it (after finishing one
// a killed recorder left open).
import { appendFileSync, closeSync, openSync, readFileSync, renameSync, statSync, truncateSync, writeSync } from 'node:fs';
import type { ProbeUpdate } from '../state/store.ts';
import { decodeLine, encodeLine, isHeader, RECORD_VERSION, type RecordHeader } from './format.ts';
import { finishCutMember, GzipDamage, GzipLineEncoder, GzipPieceReader } from './gzip-lines.ts';

export interface RecorderOptions {
  maxBytes: number;
  header: Omit<RecordHeader, 'pgtop_ha_record' | 'started'>;
  now?: () => number;
  /** Writing failed (disk full, file removed, …): recording has stopped, the console goes on. */
  onError?: (message: string) => void;
}

export class RecorderError extends Error {}

export const previousFile = (file: string) => `${file}.1`;

const errnoText = (e: unknown) => {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'no such directory' : code === 'EACCES' ? 'permission denied' : code === 'ENOSPC' ? 'no space left on the device' : (e as Error).message;
};

/**
 * An existing FILE is only appended to when it is a recording of the same cluster; a session a
 * killed recorder left open is finished first (cut after its last whole line, final block and
 * trailer added), so the file stays one valid gzip stream for zcat and other tools.
 */
function prepareExisting(file: string, cluster: string): void {
  let buf: Buffer;
  try {
    // a device (/dev/null, a FIFO) is written to as it is, never read
    const st = statSync(file);
    if (!st.isFile() || st.size === 0) return;
    buf = readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new RecorderError(`cannot record to ${file}: ${errnoText(e)}`);
  }
  let first: unknown = null;
  try {
    const piece = new GzipPieceReader(buf).next();
    const nl = piece?.indexOf(0x0a) ?? -1;
    first = piece && nl > 0 ? decodeLine(piece.subarray(0, nl).toString('utf8')) : null;
  } catch {
    first = null;
  }
  if (!isHeader(first)) throw new RecorderError(`${file} exists and is not a pgtop-ha recording; choose another file`);
  if (first.cluster !== cluster) throw new RecorderError(`${file} holds a recording of cluster ${first.cluster}; record ${cluster} to another file`);
  try {
    const fix = finishCutMember(buf);
    if (fix) {
      truncateSync(file, fix.keep);
      appendFileSync(file, fix.append);
    }
  } catch (e) {
    throw new RecorderError(`cannot record to ${file}: ${e instanceof GzipDamage ? `it is damaged (${e.message})` : errnoText(e)}`);
  }
}

export class Recorder {
  private fd: number | null = null;
  private bytes = 0;
  private enc = new GzipLineEncoder();
  samples = 0;
  rotations = 0;
  /** Why recording stopped early; null while it runs. */
  error: string | null = null;

  constructor(readonly file: string, private readonly opts: RecorderOptions) {
    prepareExisting(file, opts.header.cluster);
    try {
      this.fd = openSync(file, 'a');
      this.bytes = statSync(file).size;
      this.startSession();
    } catch (e) {
      if (this.fd !== null) closeSync(this.fd);
      throw new RecorderError(`cannot record to ${file}: ${errnoText(e)}`);
    }
  }

  private startSession(): void {
    this.enc = new GzipLineEncoder();
    const h: RecordHeader = { pgtop_ha_record: RECORD_VERSION, ...this.opts.header, started: (this.opts.now ?? Date.now)() };
    this.put(this.enc.header());
    this.put(this.enc.line(`${encodeLine(h)}\n`));
  }

  private put(buf: Buffer): void {
    for (let off = 0; off < buf.length; ) off += writeSync(this.fd!, buf, off);
    this.bytes += buf.length;
  }

  /** Never throws: the scheduler calls it before the store write, and a full disk must not stop the console. */
  write(updates: readonly ProbeUpdate[], at: number): void {
    if (this.fd === null) return;
    try {
      this.put(this.enc.line(`${encodeLine({ t: at, u: updates as ProbeUpdate[] })}\n`));
      this.samples++;
      if (this.bytes > this.opts.maxBytes) this.rotate();
    } catch (e) {
      this.stop(`recording to ${this.file} stopped: ${errnoText(e)}`);
    }
  }

  private rotate(): void {
    this.put(this.enc.end());
    closeSync(this.fd!);
    this.fd = null;
    renameSync(this.file, previousFile(this.file));
    this.rotations++;
    this.fd = openSync(this.file, 'a');
    this.bytes = 0;
    this.startSession();
  }

  private stop(message: string): void {
    this.error = message;
    if (this.fd !== null) {
      try {
        closeSync(this.fd);
      } catch {
        // already unusable
      }
    }
    this.fd = null;
    this.opts.onError?.(message);
  }

  /** Ends the session cleanly (the gzip trailer): a later `record` to FILE appends after it. */
  close(): void {
    if (this.fd === null) return;
    try {
      this.put(this.enc.end());
      closeSync(this.fd);
    } catch (e) {
      this.error ??= `closing ${this.file}: ${errnoText(e)}`;
    }
    this.fd = null;
  }
}
