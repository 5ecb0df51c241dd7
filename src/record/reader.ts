// Reads a recording back: FILE.1 (the part rotated out) then FILE, every session's header and
// samples in order. One pass checks every line and shows each sample to the caller; afterwards
// samples are decoded again from the compressed files on demand, starting from the nearest
// resume point, so a replay of a large recording holds its compressed bytes, not its text.
// A file cut short by a killed recorder reads up to its last whole line.
import { existsSync, readFileSync } from 'node:fs';
import { decodeLine, isHeader, type RecordedBatch, type RecordHeader } from './format.ts';
import { GzipDamage, GzipPieceReader, type ResumePoint } from './gzip-lines.ts';
import { previousFile } from './recorder.ts';

export class RecordingError extends Error {}

export interface Recording {
  /** The first session's header: its cluster and store init describe the whole recording. */
  header: RecordHeader;
  files: string[];
  /** Every sample's time (epoch ms), in file order. */
  times: number[];
  /** The samples from `index` on, decoded again from the files. */
  from(index: number): Generator<RecordedBatch>;
}

export interface ReadOptions {
  /** Sees every sample once, in order, while the files are read (the replay builds its index here). */
  onBatch?(batch: RecordedBatch, index: number, header: RecordHeader): void;
  /** Bytes read of the total, now and then. */
  onProgress?(done: number, total: number): void;
  /** Samples between resume points at first (doubled as the recording grows; tests make it small). */
  resumeEvery?: number;
}

/** At most this many resume points are kept (each holds 32 KiB): past it every other one goes. */
const MAX_RESUME_POINTS = 1024;

interface Line {
  text: string;
  /** 1-based, in its file. */
  line: number;
  /** Where reading can start again to get this line first; null when it does not start a piece. */
  at: ResumePoint | null;
  /** Bytes of the file read so far. */
  offset: number;
}

interface Mark {
  /** Index of the first sample read from here. */
  index: number;
  file: number;
  line: number;
  at: ResumePoint;
}

function* fileLines(buf: Buffer, name: string, from?: { at: ResumePoint; line: number }): Generator<Line> {
  const r = new GzipPieceReader(buf, from?.at);
  let lineNo = from?.line ?? 0;
  let pending: Buffer[] = [];
  let pendingAt: ResumePoint | null = null;
  for (;;) {
    const before = r.resumePoint();
    let piece: Buffer | null;
    try {
      piece = r.next();
    } catch (e) {
      if (!(e instanceof GzipDamage)) throw e;
      if (e.offset === 0) throw new RecordingError(`${name} is not a pgtop-ha recording (not gzip)`);
      throw new RecordingError(`${name}, after line ${lineNo}: ${e.message}`);
    }
    // a partial last line is dropped: the recorder was killed while writing it
    if (piece === null) return;
    let s = 0;
    for (;;) {
      const nl = piece.indexOf(0x0a, s);
      if (nl < 0) {
        if (s < piece.length) {
          if (pending.length === 0) pendingAt = s === 0 ? before : null;
          pending.push(piece.subarray(s));
        }
        break;
      }
      const part = piece.subarray(s, nl);
      const at = pending.length ? pendingAt : s === 0 ? before : null;
      const text = (pending.length ? Buffer.concat([...pending, part]) : part).toString('utf8');
      pending = [];
      lineNo++;
      yield { text, line: lineNo, at, offset: r.offset };
      s = nl + 1;
    }
  }
}

function parseLine(name: string, l: Line): unknown {
  try {
    return decodeLine(l.text);
  } catch {
    throw new RecordingError(`${name}, line ${l.line}: not JSON: ${l.text.slice(0, 60)}`);
  }
}

function readFile(name: string): Buffer {
  try {
    return readFileSync(name);
  } catch (e) {
    throw new RecordingError(`cannot read ${name}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
}

export function readRecording(file: string, opts: ReadOptions = {}): Recording {
  const files = [...(existsSync(previousFile(file)) ? [previousFile(file)] : []), file];
  const bufs = files.map(readFile);
  const total = bufs.reduce((n, b) => n + b.length, 0);
  let header: RecordHeader | null = null;
  const times: number[] = [];
  const marks: Mark[] = [];
  let every = opts.resumeEvery ?? 256;
  let done = 0;
  bufs.forEach((buf, f) => {
    const name = files[f]!;
    marks.push({ index: times.length, file: f, line: 0, at: { pos: 0, window: Buffer.alloc(0), inMember: false } });
    let wantMark = false;
    let n = 0;
    for (const l of fileLines(buf, name)) {
      if (l.text === '') continue;
      const doc = parseLine(name, l);
      if (isHeader(doc)) {
        if (doc.pgtop_ha_record !== 1) throw new RecordingError(`${name}, line ${l.line}: recording format ${doc.pgtop_ha_record}, this pgtop-ha reads 1`);
        if (header && doc.cluster !== header.cluster) throw new RecordingError(`${name}, line ${l.line}: a session of cluster ${doc.cluster} inside a recording of ${header.cluster}`);
        header ??= doc;
        continue;
      }
      const b = doc as RecordedBatch;
      if (!header) throw new RecordingError(`${name}, line ${l.line}: a sample before any header`);
      if (typeof b?.t !== 'number' || !Array.isArray(b.u)) throw new RecordingError(`${name}, line ${l.line}: not a recorded sample`);
      const index = times.length;
      if (index % every === 0) wantMark = true;
      if (wantMark && l.at) {
        // copied: the reader's window may be a view into a much larger buffer
        marks.push({ index, file: f, line: l.line - 1, at: { ...l.at, window: Buffer.from(l.at.window) } });
        wantMark = false;
        if (marks.length > MAX_RESUME_POINTS) {
          every *= 2;
          const kept = marks.filter((m, i) => i === 0 || m.line === 0 || m.index % every === 0);
          marks.splice(0, marks.length, ...kept);
        }
      }
      times.push(b.t);
      opts.onBatch?.(b, index, header);
      if (++n % 500 === 0) opts.onProgress?.(done + l.offset, total);
    }
    done += buf.length;
    opts.onProgress?.(done, total);
  });
  if (!header) throw new RecordingError(`${file}: empty recording`);

  function* from(index: number): Generator<RecordedBatch> {
    let m = marks[0]!;
    for (const x of marks) if (x.index <= index) m = x;
    let i = m.index;
    for (let f = m.file; f < bufs.length; f++) {
      const start = f === m.file ? { at: m.at, line: m.line } : undefined;
      for (const l of fileLines(bufs[f]!, files[f]!, start)) {
        if (l.text === '') continue;
        const doc = decodeLine(l.text);
        if (isHeader(doc)) continue;
        if (i++ >= index) yield doc as RecordedBatch;
      }
    }
  }

  return { header, files, times, from };
}
