// Pure helpers for WAL positions and for the loosely typed values node-postgres hands back
// (int8/numeric arrive as strings, intervals as objects or text, timestamps as text or Date).
// Coercers throw TypeError on garbage so callers can name the column that carried it.

const LSN_RE = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/;

/** '16/B374D848' → 0x16B374D848n. Bigint because an LSN is 64 bits wide. */
export function parseLsn(text: string): bigint {
  const m = LSN_RE.exec(text.trim());
  if (!m) throw new TypeError(`not an LSN: ${JSON.stringify(text)}`);
  return (BigInt('0x' + m[1]) << 32n) | BigInt('0x' + m[2]);
}

export function isLsn(v: unknown): v is string {
  return typeof v === 'string' && LSN_RE.test(v.trim());
}

/** Inverse of parseLsn, in PostgreSQL's own spelling (upper-case hex, no padding). */
export function formatLsn(lsn: bigint): string {
  if (lsn < 0n || lsn > 0xffffffffffffffffn) throw new RangeError(`LSN out of range: ${lsn}`);
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}

/** a − b in bytes, like pg_wal_lsn_diff; null when either side is unknown. */
export function lsnDiff(a: string | null | undefined, b: string | null | undefined): number | null {
  if (a == null || b == null) return null;
  return Number(parseLsn(a) - parseLsn(b));
}

export function compareLsn(a: string, b: string): -1 | 0 | 1 {
  const x = parseLsn(a);
  const y = parseLsn(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Timeline encoded in the first 8 hex digits of a WAL file name (000000020000000A00000003 → 2). */
export function timelineFromWalFileName(name: string): number {
  if (!/^[0-9A-Fa-f]{24}/.test(name)) throw new TypeError(`not a WAL file name: ${JSON.stringify(name)}`);
  return parseInt(name.slice(0, 8), 16);
}

/** int4/float8 arrive as numbers, int8/numeric as strings; null stays null. */
export function toNumber(v: unknown): number | null {
  if (v == null) return null;
  if (typeof v === 'number') {
    if (Number.isNaN(v)) throw new TypeError('NaN is not a number here');
    return v;
  }
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string') {
    const t = v.trim();
    if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return Number(t);
    if (t === 'Infinity' || t === '-Infinity') return Number(t);
  }
  throw new TypeError(`not a number: ${JSON.stringify(v)}`);
}

export function toInteger(v: unknown): number | null {
  const n = toNumber(v);
  if (n !== null && !Number.isInteger(n)) throw new TypeError(`not an integer: ${JSON.stringify(v)}`);
  return n;
}

/** PostgreSQL booleans may come back as 't'/'f'/'on'/'off' when read through text casts or settings. */
export function toBoolean(v: unknown): boolean | null {
  if (v == null) return null;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    const t = v.trim().toLowerCase();
    if (['t', 'true', 'on', 'yes', '1'].includes(t)) return true;
    if (['f', 'false', 'off', 'no', '0'].includes(t)) return false;
  }
  throw new TypeError(`not a boolean: ${JSON.stringify(v)}`);
}

const UNIT_SECONDS: Record<string, number> = {
  year: 365.25 * 86400, mon: 30 * 86400, day: 86400, hour: 3600, min: 60, sec: 1,
};

/**
 * Seconds in an interval, whichever way it arrived: epoch seconds (number/numeric string),
 * node-postgres' parsed interval object, or interval text ('00:00:01.5', '1 day 02:00:00', '3 mins 2 secs').
 * Months count as 30 days, as PostgreSQL's own extract(epoch) does.
 */
export function intervalToSeconds(v: unknown): number | null {
  if (v == null) return null;
  if (typeof v === 'number' || typeof v === 'bigint') return toNumber(v);
  if (typeof v === 'object') return intervalObjectSeconds(v as Record<string, unknown>);
  if (typeof v !== 'string') throw new TypeError(`not an interval: ${JSON.stringify(v)}`);
  const t = v.trim();
  if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(t)) return Number(t);
  let rest = t;
  let total = 0;
  const clock = /(?:^|\s)([+-])?(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(rest);
  if (clock) {
    const s = Number(clock[2]) * 3600 + Number(clock[3]) * 60 + Number(clock[4]);
    total += clock[1] === '-' ? -s : s;
    rest = rest.slice(0, clock.index).trim();
  }
  const unitRe = /([+-]?\d+(?:\.\d+)?)\s*(years?|mons?|months?|days?|hours?|mins?|minutes?|secs?|seconds?)\b/gy;
  let consumed = 0;
  for (const part of rest.split(/\s+(?=[+-]?\d)/).filter(Boolean)) {
    unitRe.lastIndex = 0;
    const m = unitRe.exec(part);
    if (!m || unitRe.lastIndex !== part.length) throw new TypeError(`not an interval: ${JSON.stringify(v)}`);
    const unit = m[2].replace(/s$/, '').replace(/^month$/, 'mon').replace(/^minute$/, 'min').replace(/^second$/, 'sec');
    total += Number(m[1]) * UNIT_SECONDS[unit];
    consumed++;
  }
  if (!clock && consumed === 0) throw new TypeError(`not an interval: ${JSON.stringify(v)}`);
  return total;
}

function intervalObjectSeconds(o: Record<string, unknown>): number {
  const f = (k: string): number => (typeof o[k] === 'number' ? (o[k] as number) : 0);
  const known = ['years', 'months', 'days', 'hours', 'minutes', 'seconds', 'milliseconds'];
  if (!known.some((k) => k in o) && Object.keys(o).length > 0) {
    throw new TypeError(`not an interval: ${JSON.stringify(o)}`);
  }
  return (
    f('years') * UNIT_SECONDS.year + f('months') * UNIT_SECONDS.mon + f('days') * 86400 +
    f('hours') * 3600 + f('minutes') * 60 + f('seconds') + f('milliseconds') / 1000
  );
}

const PG_TS_RE =
  /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d+)?\s*(Z|[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?)$/;

/**
 * ISO 8601 in UTC with milliseconds ('2025-11-22T04:15:00.123Z') from a Date, an ISO string,
 * or timestamptz text as PostgreSQL prints it in ISO DateStyle ('2025-11-22 05:15:00.123456+01').
 * One spelling everywhere so views and `snapshot --json` can compare and sort strings.
 */
export function toIsoTimestamp(v: unknown): string | null {
  if (v == null) return null;
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) throw new TypeError('invalid Date');
    return v.toISOString();
  }
  if (typeof v !== 'string') throw new TypeError(`not a timestamp: ${JSON.stringify(v)}`);
  const m = PG_TS_RE.exec(v.trim());
  if (!m) throw new TypeError(`not a timestamp with time zone: ${JSON.stringify(v)}`);
  const frac = m[3] ? m[3].slice(0, 4).padEnd(4, '0') : '.000';
  let off = m[4];
  if (off !== 'Z') {
    const digits = off.slice(1).replace(/:/g, '');
    if (digits.length > 4 && digits.slice(4) !== '00') {
      throw new TypeError(`second-level UTC offsets are not supported: ${JSON.stringify(v)}`);
    }
    off = `${off[0]}${digits.slice(0, 2)}:${(digits.slice(2, 4) || '00')}`;
  }
  const ms = Date.parse(`${m[1]}T${m[2]}${frac}${off}`);
  if (Number.isNaN(ms)) throw new TypeError(`not a timestamp: ${JSON.stringify(v)}`);
  return new Date(ms).toISOString();
}
