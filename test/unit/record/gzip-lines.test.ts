// Gzip with a sync flush per line (src/record/gzip-lines.ts): standard gzip for other tools,
// every whole line readable after a kill at any byte, sessions appended after a killed one,
// other gzip files read too, and reading resumed at any line boundary gives the same lines.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { constants, deflateRawSync, gunzipSync, gzipSync } from 'node:zlib';
import { finishCutMember, GzipDamage, GzipLineEncoder, GzipPieceReader, type ResumePoint } from '../../../src/record/gzip-lines.ts';

/** Lines alike enough to compress across each other, with one longer than deflate's window. */
const LINES = Array.from({ length: 60 }, (_, i) =>
  `${JSON.stringify({ t: 1_700_000_000_000 + i * 2000, lsn: `0/${(0x3000000 + i * 8192).toString(16)}`, pad: i === 30 ? 'x'.repeat(40_000) : 'ab'.repeat(i) })}\n`);

function encode(lines: string[], finish = true): { buf: Buffer; ends: number[] } {
  const enc = new GzipLineEncoder();
  const parts = [enc.header()];
  const ends: number[] = [];
  let n = parts[0]!.length;
  for (const l of lines) {
    const p = enc.line(l);
    parts.push(p);
    n += p.length;
    ends.push(n);
  }
  if (finish) parts.push(enc.end());
  return { buf: Buffer.concat(parts), ends };
}

function readAll(buf: Buffer, from?: ResumePoint): string {
  const r = new GzipPieceReader(buf, from);
  let out = '';
  for (let p = r.next(); p; p = r.next()) out += p.toString('utf8');
  return out;
}

/** Whole lines only, as the recording reader keeps them. */
const whole = (text: string) => text.slice(0, text.lastIndexOf('\n') + 1);

describe('gzip with a sync flush per line', () => {
  test('is standard gzip: zlib and the gzip tool read it and check its CRC', () => {
    const { buf } = encode(LINES);
    assert.equal(gunzipSync(buf).toString('utf8'), LINES.join(''));
    const dir = mkdtempSync(join(tmpdir(), 'pgtop-gz-'));
    writeFileSync(join(dir, 'a.gz'), buf);
    try {
      execFileSync('gzip', ['-t', join(dir, 'a.gz')]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const corrupt = Buffer.from(buf);
    corrupt.writeUInt32LE(corrupt.readUInt32LE(corrupt.length - 8) ^ 1, corrupt.length - 8);
    assert.throws(() => gunzipSync(corrupt), /check/i, 'the trailer is checked, so it had to be right');
  });

  test('compresses across lines: several times smaller than a gzip member per line', () => {
    const { buf } = encode(LINES);
    const perLine = LINES.reduce((n, l) => n + gzipSync(l).length, 0);
    assert.ok(buf.length * 3 < perLine, `${buf.length} bytes vs ${perLine} a member per line`);
  });

  test('each line ends with a flush, one piece per line', () => {
    const { buf, ends } = encode(LINES);
    for (const e of ends) assert.equal(buf.subarray(e - 4, e).toString('hex'), '0000ffff');
    const r = new GzipPieceReader(buf);
    LINES.forEach((l, i) => assert.equal(r.next()?.toString('utf8'), l, `piece ${i}`));
    assert.equal(r.next(), null);
  });

  test('cut at any byte (a killed writer), every line written before the cut reads back', () => {
    const { buf, ends } = encode(LINES.slice(0, 8), false);
    for (let cut = 0; cut <= buf.length; cut++) {
      const complete = ends.filter((e) => e <= cut).length;
      const text = whole(readAll(buf.subarray(0, cut)));
      // a cut after a line's last literal (in its end-of-block code or the flush) leaves that line whole too
      const got = text.split('\n').length - 1;
      assert.ok(got === complete || got === complete + 1, `cut at ${cut} of ${buf.length}: ${got} lines, ${complete} flushed`);
      assert.equal(text, LINES.slice(0, got).join(''), `cut at ${cut} of ${buf.length}`);
    }
  });

  test('a session appended after a killed one: at a line boundary and in the middle of a line', () => {
    const a = encode(LINES.slice(0, 5), false);
    const b = encode(LINES.slice(5, 9));
    const atBoundary = Buffer.concat([a.buf, b.buf]);
    assert.equal(whole(readAll(atBoundary)), LINES.slice(0, 9).join(''));
    const midLine = Buffer.concat([a.buf.subarray(0, a.ends[3]! + 7), b.buf]);
    assert.equal(whole(readAll(midLine)), [...LINES.slice(0, 4), ...LINES.slice(5, 9)].join(''), 'the cut line is lost, nothing else');
    const finished = Buffer.concat([encode(LINES.slice(0, 5)).buf, b.buf]);
    assert.equal(readAll(finished), LINES.slice(0, 9).join(''), 'after a cleanly closed session');
  });

  test('a member a killed writer left open is finished where its whole lines end: valid gzip again, for any cut', () => {
    const { buf } = encode(LINES.slice(0, 6));
    assert.equal(finishCutMember(buf), null, 'a clean file is left alone');
    const next = encode(['{"next":"session"}\n']).buf;
    const earlier = encode(LINES.slice(10, 12)).buf; // a cleanly closed session before the cut one
    for (let cut = 1; cut < earlier.length + buf.length; cut++) {
      const part = Buffer.concat([earlier, buf]).subarray(0, cut);
      const fix = finishCutMember(part);
      const fixed = fix ? Buffer.concat([part.subarray(0, fix.keep), fix.append]) : part;
      // strict: the trailer's CRC and size are checked (nothing whole left: the file is emptied)
      const text = fixed.length ? gunzipSync(fixed).toString('utf8') : '';
      const seen = whole(readAll(part));
      assert.ok(seen.startsWith(text) && seen.split('\n').length - text.split('\n').length <= 1, `cut at ${cut}: the lines the reader saw, but one whose flush was cut`);
      assert.equal(gunzipSync(Buffer.concat([fixed, next])).toString('utf8'), `${text}{"next":"session"}\n`, `cut at ${cut}, then a session`);
    }
  });

  test('reads other gzip: one member of everything, and a member per line', () => {
    assert.equal(readAll(gzipSync(LINES.join(''))), LINES.join(''));
    assert.equal(readAll(Buffer.concat(LINES.slice(0, 10).map((l) => gzipSync(l)))), LINES.slice(0, 10).join(''));
  });

  test('a flush inside a line (as 00 00 ff ff inside compressed data looks) still gives the whole line in one piece', () => {
    const enc = new GzipLineEncoder();
    const half = deflateRawSync(Buffer.from('{"t":1,'), { finishFlush: constants.Z_SYNC_FLUSH });
    const rest = deflateRawSync(Buffer.from('"u":[]}\n'), { dictionary: Buffer.from('{"t":1,'), finishFlush: constants.Z_SYNC_FLUSH });
    const buf = Buffer.concat([enc.header(), half, rest]);
    const r = new GzipPieceReader(buf);
    assert.equal(r.next()?.toString(), '{"t":1,"u":[]}\n');
    assert.equal(r.next(), null);
  });

  test('resumed at any line boundary with its window, reading gives the rest', () => {
    const { buf } = encode(LINES);
    const r = new GzipPieceReader(buf);
    const points: ResumePoint[] = [];
    for (;;) {
      points.push(r.resumePoint());
      if (!r.next()) break;
    }
    points.forEach((p, i) => assert.equal(readAll(buf, p), LINES.slice(i).join(''), `from line ${i}`));
  });

  test('damage is reported with where it is', () => {
    assert.throws(() => readAll(Buffer.from('plain text\n')), (e: unknown) => e instanceof GzipDamage && e.offset === 0);
    const { buf, ends } = encode(LINES.slice(0, 4));
    const bad = Buffer.from(buf);
    bad[ends[1]!] = 0xff; // the first byte of line 3's compressed data
    assert.throws(() => readAll(bad), (e: unknown) => e instanceof GzipDamage && e.offset === ends[1] && /damaged compressed data at byte/.test(e.message));
  });
});
