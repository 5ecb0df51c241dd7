// Gzip with a sync flush after every line: a standard gzip file (zcat reads it) in which each line
// ends on a byte boundary with deflate's empty stored block (00 00 ff ff). That gives:
//   - a killed writer leaves every whole line readable (there is no trailer to miss);
//   - compression across lines (each line may refer to the 32 KiB of text before it), several
//     times better than a gzip member per line on repetitive probe samples;
//   - random access: reading can start again at any line boundary given the 32 KiB before it,
//     so a replay holds the compressed file, not its text.
// Each line is compressed on its own with the text before it as deflate's preset dictionary,
// which produces exactly the stream one deflater with a sync flush per line would, synchronously.
import * as zlib from 'node:zlib';

const WINDOW = 32 * 1024;
/** The empty stored block a sync flush ends with. */
const FLUSH_MARKER = Buffer.from([0x00, 0x00, 0xff, 0xff]);
/** The gzip header this writer uses (no name, no time, Unix), also how a later session is found. */
const HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03]);
const HEADER_PREFIX = HEADER.subarray(0, 9);
/** How far to look for the end of one line's compressed data before taking the rest of the file. */
const PIECE_SCAN = 256 * 1024;

function tailWindow(window: Buffer, more: Buffer): Buffer {
  if (more.length >= WINDOW) return more.subarray(more.length - WINDOW);
  const joined = Buffer.concat([window, more]);
  return joined.length > WINDOW ? joined.subarray(joined.length - WINDOW) : joined;
}

const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** zlib.crc32 where Node has it (20.15+), the table otherwise. */
function crc32(data: Buffer, prev: number): number {
  const native = (zlib as { crc32?: (d: Buffer, v: number) => number }).crc32;
  if (native) return native(data, prev);
  let c = ~prev;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** One gzip member written a line at a time; every piece it returns is to be written as is, in order. */
export class GzipLineEncoder {
  private window: Buffer = Buffer.alloc(0);
  private crc = 0;
  private size = 0;

  header(): Buffer {
    return HEADER;
  }

  /** One line (with its "\n"), compressed and flushed. */
  line(text: string): Buffer {
    const raw = Buffer.from(text, 'utf8');
    const out = zlib.deflateRawSync(raw, this.window.length ? { dictionary: this.window, finishFlush: zlib.constants.Z_SYNC_FLUSH } : { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    this.window = tailWindow(this.window, raw);
    this.crc = crc32(raw, this.crc);
    this.size = (this.size + raw.length) >>> 0;
    return out;
  }

  /** The final empty block and the gzip trailer: the member is complete. */
  end(): Buffer {
    return memberEnd(this.crc, this.size);
  }
}

function memberEnd(crc: number, size: number): Buffer {
  const t = Buffer.alloc(10);
  t[0] = 0x03; // a final fixed-Huffman block holding only its end code
  t.writeUInt32LE(crc >>> 0, 2);
  t.writeUInt32LE(size >>> 0, 6);
  return t;
}

/**
 * A file whose last member a killed writer left open: where to cut it (after its last whole line)
 * and what to append there (final block and trailer) so it is a complete gzip file again and a
 * new member can follow. Null when the file already ends cleanly (judged from its last bytes, so
 * a clean file is not read through).
 */
export function finishCutMember(buf: Buffer): { keep: number; append: Buffer } | null {
  // as GzipLineEncoder ends a member: the last line's flush, the final block, the trailer
  const cleanTail = buf.length >= 24 && buf.subarray(-14, -10).equals(FLUSH_MARKER) && buf[buf.length - 10] === 0x03 && buf[buf.length - 9] === 0x00;
  if (buf.length === 0 || cleanTail) return null;
  const r = new GzipPieceReader(buf);
  let member = -1;
  let crc = 0;
  let size = 0;
  /**
   * The file is whole up to here; `open`: a member is unfinished there (a final block and trailer
   * found after it are cut off and written again, which also mends a cut trailer).
   */
  let keep = 0;
  let open = false;
  let piece: Buffer | null;
  while ((piece = r.next())) {
    // a line cut short is dropped, and so is one whose flush is (the stream must end on a flush)
    const flushed = r.memberComplete || (piece[piece.length - 1] === 0x0a && buf.subarray(r.offset - 4, r.offset).equals(FLUSH_MARKER));
    if (!flushed) break;
    if (r.member !== member) {
      member = r.member;
      crc = 0;
      size = 0;
    }
    crc = crc32(piece, crc);
    size += piece.length;
    keep = r.offset;
    open = !r.memberComplete;
  }
  if (keep === buf.length && !open) return null;
  return { keep, append: open ? memberEnd(crc, size) : Buffer.alloc(0) };
}

/** Where reading can start again: a byte offset at a line boundary and the text just before it. */
export interface ResumePoint {
  pos: number;
  window: Buffer;
  inMember: boolean;
}

export class GzipDamage extends Error {
  constructor(readonly offset: number, message: string) {
    super(message);
  }
}

/** Byte offset just past the gzip header at `pos`; null when there is none; Infinity when it is cut. */
function skipHeader(buf: Buffer, pos: number): number | null {
  if (buf.length - pos < 10) return buf[pos] === 0x1f && (buf.length - pos < 2 || buf[pos + 1] === 0x8b) ? Infinity : null;
  if (buf[pos] !== 0x1f || buf[pos + 1] !== 0x8b || buf[pos + 2] !== 8) return null;
  const flags = buf[pos + 3]!;
  let p = pos + 10;
  if (flags & 4) p += 2 + (p + 2 <= buf.length ? buf.readUInt16LE(p) : 0);
  for (const bit of [8, 16]) {
    if (!(flags & bit)) continue;
    const z = buf.indexOf(0, p);
    p = z < 0 ? Infinity : z + 1;
  }
  if (flags & 2) p += 2;
  return p > buf.length ? Infinity : p;
}

/**
 * Reads a file written by GzipLineEncoder back one flushed piece of text at a time. It also reads
 * any other gzip file (one piece then holds whatever lies between flush points), several members
 * one after another (sessions appended to one file), and a member cut short by a killed writer,
 * followed or not by a later session.
 */
export class GzipPieceReader {
  private pos: number;
  private window: Buffer;
  private inMember: boolean;
  /** Counts the gzip members begun (finishCutMember tells sessions apart by it). */
  member = 0;
  /** The current member's trailer has been read. */
  memberComplete = false;

  constructor(private readonly buf: Buffer, from: ResumePoint = { pos: 0, window: Buffer.alloc(0), inMember: false }) {
    this.pos = from.pos;
    this.window = from.window;
    this.inMember = from.inMember;
  }

  /** Where the next piece starts (valid as a resume point where a line starts). */
  resumePoint(): ResumePoint {
    return { pos: this.pos, window: this.window, inMember: this.inMember };
  }

  /** How far through the file (bytes). */
  get offset(): number {
    return this.pos;
  }

  /** The next piece of text; null at the end of the file. */
  next(): Buffer | null {
    const buf = this.buf;
    for (;;) {
      if (this.pos >= buf.length) return null;
      if (!this.inMember) {
        const start = skipHeader(buf, this.pos);
        if (start === null) throw new GzipDamage(this.pos, this.pos === 0 ? 'not gzip' : `no gzip data at byte ${this.pos}`);
        if (start === Infinity) return null; // a header cut short: nothing after it
        this.pos = start;
        this.window = Buffer.alloc(0);
        this.inMember = true;
        this.member++;
        this.memberComplete = false;
        continue;
      }
      // 0x1f cannot start a deflate block (block type 3 is reserved): a new member begins here,
      // so the one before was cut short by a killed writer.
      if (buf[this.pos] === 0x1f && buf[this.pos + 1] === 0x8b) {
        this.inMember = false;
        continue;
      }
      const piece = this.decodePiece();
      if (piece.length > 0) return piece;
    }
  }

  private decodePiece(): Buffer {
    const buf = this.buf;
    const start = this.pos;
    let searchFrom = start;
    for (;;) {
      const scanEnd = Math.min(buf.length, searchFrom + PIECE_SCAN);
      const m = buf.subarray(searchFrom, scanEnd).indexOf(FLUSH_MARKER);
      let end = m < 0 ? buf.length : searchFrom + m + FLUSH_MARKER.length;
      // A later session's header inside the piece: the member before it was cut mid-line.
      const h = buf.subarray(start + 1, Math.min(end, start + PIECE_SCAN)).indexOf(HEADER_PREFIX);
      const cut = h >= 0;
      if (cut) end = start + 1 + h;
      let out: Buffer;
      let consumed: number;
      try {
        const r = zlib.inflateRawSync(buf.subarray(start, end), {
          finishFlush: zlib.constants.Z_SYNC_FLUSH,
          info: true,
          ...(this.window.length ? { dictionary: this.window } : {}),
        }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
        out = r.buffer;
        consumed = r.engine.bytesWritten;
      } catch (e) {
        if (cut) {
          // the cut line is lost; the later session reads on
          this.pos = end;
          this.inMember = false;
          return Buffer.alloc(0);
        }
        throw new GzipDamage(start, `damaged compressed data at byte ${start}: ${(e as Error).message}`);
      }
      if (consumed < end - start) {
        // the member's final block: its 8-byte trailer follows, then maybe another member
        this.pos = start + consumed + 8;
        this.inMember = false;
        this.memberComplete = true;
      } else if (out.length > 0 && out[out.length - 1] !== 0x0a && end < buf.length && !cut) {
        // 00 00 ff ff inside compressed data, not a flush point: look for the next one
        searchFrom = end;
        continue;
      } else {
        this.pos = end;
        if (cut) {
          // the killed writer's last line never ended: only its whole lines count
          this.inMember = false;
          out = out.subarray(0, out.lastIndexOf(0x0a) + 1);
        }
      }
      this.window = tailWindow(this.window, out);
      return out;
    }
  }
}
