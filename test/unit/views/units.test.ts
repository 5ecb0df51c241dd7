// Number formatting as a DBA reads it: IEC bytes, compact durations, ages; small values never
// rounded to zero.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { clock, formatAge, formatBytes, formatRate, formatSeconds } from '../../../src/views/format/units.ts';

describe('formatBytes', () => {
  const cases: Array<[number | null | undefined, string]> = [
    [0, '0 B'],
    [1, '1 B'],
    [312, '312 B'],
    [1023, '1023 B'],
    [1024, '1.00 KiB'],
    [1536, '1.50 KiB'],
    [10 * 1024, '10.0 KiB'],
    [100 * 1024, '100 KiB'],
    [138808, '136 KiB'],
    [1024 ** 2, '1.00 MiB'],
    [50470416, '48.1 MiB'],
    [62166120, '59.3 MiB'],
    [1023271368, '976 MiB'],
    [5.5 * 1024 ** 3, '5.50 GiB'],
    [2 * 1024 ** 4, '2.00 TiB'],
    [3 * 1024 ** 5, '3.00 PiB'],
    [2048 * 1024 ** 5, '2048 PiB'], // no unit past PiB
    [-312, '-312 B'],
    [-2048, '-2.00 KiB'],
    [NaN, '-'],
    [null, '-'],
    [undefined, '-'],
  ];
  for (const [input, want] of cases) {
    test(`${input} → ${JSON.stringify(want)}`, () => assert.equal(formatBytes(input), want));
  }

  test('a small non-zero value is never shown as zero', () => {
    for (const b of [1, 7, 312, 1000]) assert.doesNotMatch(formatBytes(b), /^0(\.0+)? /);
  });
});

describe('formatSeconds', () => {
  const cases: Array<[number | null | undefined, string]> = [
    [0, '0 s'],
    [0.004, '4 ms'],
    [0.0004, '1 ms'], // rounds up to 1 ms rather than "0 ms"
    [0.000001, '1 ms'],
    [0.002223, '2 ms'],
    [0.42, '420 ms'],
    [1, '1.0 s'],
    [3.25, '3.3 s'],
    [13.977499, '14 s'],
    [10, '10 s'],
    [59.4, '59 s'],
    [60, '1m00s'],
    [65, '1m05s'],
    [3599, '59m59s'],
    [3600, '1h00m'],
    [7980, '2h13m'],
    [86399, '23h59m'],
    [86400, '1d00h'],
    [3 * 86400 + 4 * 3600, '3d04h'],
    [14400 * 60, '10d00h'], // wal_summary_keep_time default
    [-5, '-5.0 s'],
    [-0.004, '-4 ms'],
    [NaN, '-'],
    [null, '-'],
    [undefined, '-'],
  ];
  for (const [input, want] of cases) {
    test(`${input} → ${JSON.stringify(want)}`, () => assert.equal(formatSeconds(input), want));
  }
});

describe('formatAge', () => {
  const now = Date.parse('2026-11-22T04:25:30.000Z');
  const cases: Array<[string | null | undefined, string]> = [
    ['2026-11-22T04:25:18.000Z', '12 s ago'],
    ['2026-11-22T04:25:29.996Z', '4 ms ago'],
    ['2026-11-22T04:25:30.000Z', '0 s ago'],
    ['2026-11-22T04:25:31.000Z', '0 s ago'], // a clock a little ahead never reads as negative
    ['2026-11-22T04:20:25.000Z', '5m05s ago'],
    ['2026-11-21T04:25:30.000Z', '1d00h ago'],
    [null, 'never'],
    [undefined, 'never'],
    ['', 'never'],
    ['not a time', '?'],
  ];
  for (const [iso, want] of cases) {
    test(`${iso} → ${JSON.stringify(want)}`, () => assert.equal(formatAge(iso, now), want));
  }
});

describe('formatRate / clock', () => {
  test('formatRate rounds to whole bytes and appends /s', () => {
    assert.equal(formatRate(0), '0 B/s');
    assert.equal(formatRate(311.6), '312 B/s');
    assert.equal(formatRate(2.5 * 1024 ** 2), '2.50 MiB/s');
    assert.equal(formatRate(null), '-');
    assert.equal(formatRate(NaN), '-');
  });

  test('clock prints HH:MM:SS in local time (TZ=UTC under the runner)', () => {
    assert.equal(process.env.TZ, 'UTC', 'run through scripts/run-tests.mjs, which pins TZ=UTC');
    assert.equal(clock(Date.parse('2026-11-22T04:05:09.900Z')), '04:05:09');
  });
});

// Rounding can carry a value up to the next unit's threshold; the value must then be shown in the
// next unit, not as "1000 ms", "10.0 s", "60 s" or "1024 KiB".
describe('rounding at unit boundaries', () => {
  const cases: Array<[string, string, string]> = [
    ['0.9996 s', formatSeconds(0.9996), '1.0 s'],
    ['0.9994 s', formatSeconds(0.9994), '999 ms'],
    ['9.96 s', formatSeconds(9.96), '10 s'],
    ['9.94 s', formatSeconds(9.94), '9.9 s'],
    ['59.6 s', formatSeconds(59.6), '1m00s'],
    ['3599.6 s', formatSeconds(3599.6), '1h00m'],
    ['1048575 B', formatBytes(1048575), '1.00 MiB'],
    ['1023.99 MiB', formatBytes(1023.99 * 1024 ** 2), '1.00 GiB'],
    ['1023.4 KiB', formatBytes(1023.4 * 1024), '1023 KiB'],
  ];
  for (const [what, got, want] of cases) test(`${what} → ${JSON.stringify(want)}`, () => assert.equal(got, want));

  // The number of decimals is picked from the rounded value, so a value rounding up to 10 or 100
  // does not keep one decimal too many.
  test('99.996 KiB → "100 KiB", not "100.0 KiB"', () => assert.equal(formatBytes(Math.round(99.996 * 1024)), '100 KiB'));
  test('9.996 KiB → "10.0 KiB", not "10.00 KiB"', () => assert.equal(formatBytes(Math.round(9.996 * 1024)), '10.0 KiB'));
  // Just below the boundaries the decimals stay.
  test('99.94 KiB → "99.9 KiB"', () => assert.equal(formatBytes(Math.round(99.94 * 1024)), '99.9 KiB'));
  test('9.994 KiB → "9.99 KiB"', () => assert.equal(formatBytes(Math.round(9.994 * 1024)), '9.99 KiB'));
});
