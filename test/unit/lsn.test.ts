import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  compareLsn, formatLsn, intervalToSeconds, isLsn, lsnDiff, parseLsn, timelineFromWalFileName, toBoolean, toInteger,
  toIsoTimestamp, toNumber,
} from '../../src/model/lsn.ts';

describe('parseLsn / formatLsn', () => {
  const cases: Array<[string, bigint]> = [
    ['0/0', 0n],
    ['0/1', 1n],
    ['16/B374D848', 0x16b374d848n],
    ['0/5021E00', 0x5021e00n],
    ['1/0', 0x100000000n],
    ['FFFFFFFF/FFFFFFFF', 0xffffffffffffffffn],
    ['a/b', 0xa0000000bn],
  ];
  for (const [text, value] of cases) {
    test(`${text} ⇄ ${value}`, () => {
      assert.equal(parseLsn(text), value);
      assert.equal(formatLsn(value), text.toUpperCase());
    });
  }

  for (const bad of ['', '0', '0/', '/0', '0/0/0', 'G/0', '123456789/0', '0/123456789', ' 0 / 0 ', '-1/0']) {
    test(`rejects ${JSON.stringify(bad)}`, () => {
      assert.throws(() => parseLsn(bad), TypeError);
      assert.equal(isLsn(bad), false);
    });
  }

  test('keeps precision beyond 2^53', () => {
    assert.equal(parseLsn('FFFFFFFF/FFFFFFFF') - parseLsn('FFFFFFFF/FFFFFFFE'), 1n);
  });

  test('formatLsn refuses values outside 64 bits', () => {
    assert.throws(() => formatLsn(-1n), RangeError);
    assert.throws(() => formatLsn(1n << 64n), RangeError);
  });
});

describe('lsnDiff / compareLsn', () => {
  test('matches pg_wal_lsn_diff across the 32-bit boundary', () => {
    assert.equal(lsnDiff('1/0', '0/FFFFFFFF'), 1);
    assert.equal(lsnDiff('0/5021E00', '0/5000000'), 138752);
    assert.equal(lsnDiff('0/5000000', '0/5021E00'), -138752);
    assert.equal(lsnDiff('16/B374D848', '16/B374D848'), 0);
  });
  test('null when a side is unknown', () => {
    assert.equal(lsnDiff(null, '0/1'), null);
    assert.equal(lsnDiff('0/1', undefined), null);
  });
  test('orders numerically, not as text', () => {
    assert.equal(compareLsn('0/9', '0/10'), -1);
    assert.equal(compareLsn('A/0', '9/FFFFFFFF'), 1);
    assert.equal(compareLsn('0/A', '0/a'), 0);
  });
});

test('timelineFromWalFileName decodes hex', () => {
  assert.equal(timelineFromWalFileName('000000010000000000000005'), 1);
  assert.equal(timelineFromWalFileName('0000001A0000000A00000003'), 26);
  assert.equal(timelineFromWalFileName('0000000200000001000000FF.partial'), 2);
  assert.throws(() => timelineFromWalFileName('00000002.history'), TypeError);
});

describe('number coercion', () => {
  test('node-postgres int8/numeric strings', () => {
    assert.equal(toNumber('33685152'), 33685152);
    assert.equal(toNumber('0.009784'), 0.009784);
    assert.equal(toNumber('-138752'), -138752);
    assert.equal(toNumber(' 1e3 '), 1000);
    assert.equal(toNumber(7n), 7);
    assert.equal(toNumber(null), null);
    assert.equal(toNumber(undefined), null);
  });
  test('garbage throws', () => {
    for (const bad of ['', 'abc', '1,5', '0/1', true, {}, NaN]) assert.throws(() => toNumber(bad), TypeError, String(bad));
  });
  test('toInteger rejects fractions', () => {
    assert.equal(toInteger('14400'), 14400);
    assert.throws(() => toInteger('1.5'), TypeError);
  });
  test('toBoolean accepts PostgreSQL spellings', () => {
    assert.equal(toBoolean('on'), true);
    assert.equal(toBoolean('f'), false);
    assert.equal(toBoolean(true), true);
    assert.equal(toBoolean(null), null);
    assert.throws(() => toBoolean('maybe'), TypeError);
  });
});

describe('intervalToSeconds', () => {
  const cases: Array<[unknown, number | null]> = [
    [null, null],
    [0.5, 0.5],
    ['0.384096', 0.384096],
    ['00:00:01.5', 1.5],
    ['-00:00:02', -2],
    ['01:02:03', 3723],
    ['1 day 02:00:00', 93600],
    ['-1 days +02:00:00', -86400 + 7200],
    ['3 mins 2 secs', 182],
    ['1 year 2 mons', 365.25 * 86400 + 60 * 86400],
    [{ seconds: 1, milliseconds: 500 }, 1.5],
    [{ days: 1, hours: 1 }, 90000],
    [{}, 0],
  ];
  for (const [input, expected] of cases) {
    test(JSON.stringify(input), () => {
      const got = intervalToSeconds(input);
      if (expected === null) assert.equal(got, null);
      else assert.ok(got !== null && Math.abs(got - expected) < 1e-9, `${got} ≠ ${expected}`);
    });
  }
  for (const bad of ['soon', '1 fortnight', '12:3', { foo: 1 }]) {
    test(`rejects ${JSON.stringify(bad)}`, () => assert.throws(() => intervalToSeconds(bad), TypeError));
  }
});

describe('toIsoTimestamp', () => {
  const cases: Array<[unknown, string | null]> = [
    [null, null],
    ['2026-11-22T04:23:08.208292Z', '2026-11-22T04:23:08.208Z'],
    ['2026-11-22 05:23:08.2+01', '2026-11-22T04:23:08.200Z'],
    ['2026-11-22 04:23:08-03:30', '2026-11-22T07:53:08.000Z'],
    ['2026-11-22 04:23:08+0530', '2026-11-21T22:53:08.000Z'],
    [new Date(Date.UTC(2026, 10, 22, 4, 23, 8, 5)), '2026-11-22T04:23:08.005Z'],
  ];
  for (const [input, expected] of cases) {
    test(String(input), () => assert.equal(toIsoTimestamp(input), expected));
  }
  test('a timestamp without zone is ambiguous and refused', () => {
    assert.throws(() => toIsoTimestamp('2026-11-22 04:23:08'), TypeError);
  });
  test('non-ISO DateStyle output is refused rather than guessed', () => {
    assert.throws(() => toIsoTimestamp('22/11/2026 04:23:08.1 UTC'), TypeError);
    assert.throws(() => toIsoTimestamp(1700000000000), TypeError);
    assert.throws(() => toIsoTimestamp(new Date(NaN)), TypeError);
  });
});
