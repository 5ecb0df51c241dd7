// Shared plumbing for the pgpool SQL parsers: columns are found BY NAME through the result's
// field list (as in ../pg/parse-probe.ts), so a pgpool release that reorders or appends columns
// does not shift values; a column we rely on that is absent throws, naming it.
// Values are accepted as node-postgres gives them: pgpool describes every SHOW column as text,
// so numbers and booleans arrive as strings — but already-typed values are accepted too.

export interface PgpoolResult {
  fields: ReadonlyArray<{ name: string }>;
  rows: ReadonlyArray<Record<string, unknown>>;
}

export class PgpoolParseError extends Error {
  constructor(readonly source: string, readonly column: string | null, detail: string) {
    super(`pgpool ${source}${column ? `, column "${column}"` : ''}: ${detail}`);
    this.name = 'PgpoolParseError';
  }
}

type Row = Record<string, unknown>;
export type Conv<T> = (v: unknown) => T | null;

export function isResult(r: unknown): r is PgpoolResult {
  const o = r as PgpoolResult | null;
  return !!o && Array.isArray(o.fields) && Array.isArray(o.rows);
}

export class Table {
  readonly rows: readonly Row[];
  private readonly columns: ReadonlySet<string>;

  /** Checks the field list up front, so a missing column is caught even on an empty result. */
  constructor(readonly source: string, result: unknown, required: readonly string[]) {
    if (!isResult(result)) throw new PgpoolParseError(source, null, 'not a query result ({ fields, rows })');
    this.columns = new Set(result.fields.map((f) => f.name));
    this.rows = result.rows;
    for (const c of required) if (!this.columns.has(c)) throw new PgpoolParseError(source, c, 'column missing from result');
  }

  /** Value of a column that may be NULL / empty (the converter decides what empty means). */
  opt<T>(row: Row, column: string, conv: Conv<T>): T | null {
    if (!this.columns.has(column)) throw new PgpoolParseError(this.source, column, 'column missing from result');
    try {
      return conv(row[column]);
    } catch (err) {
      throw new PgpoolParseError(this.source, column, (err as Error).message);
    }
  }

  /** Value that must be present and non-NULL. */
  req<T>(row: Row, column: string, conv: Conv<T>): T {
    const v = this.opt(row, column, conv);
    if (v === null) throw new PgpoolParseError(this.source, column, 'unexpected NULL or empty value');
    return v;
  }
}

// ---- converters (throw TypeError; Table wraps it into a PgpoolParseError naming the column) ----

export const text: Conv<string> = (v) => {
  if (v == null) return null;
  if (typeof v !== 'string') throw new TypeError(`expected text, got ${typeof v}`);
  return v;
};

/** pgpool prints "" for "not applicable" (primary's replication_state, never-run health checks). */
export const textOrNull: Conv<string> = (v) => {
  const t = text(v);
  return t === null || t.trim() === '' ? null : t;
};

export const integer: Conv<number> = (v) => {
  if (v == null || v === '') return null;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) {
    const n = Number(v.trim());
    // Counters are uint64 in pgpool; beyond 2^53 a JS number would silently round.
    if (!Number.isSafeInteger(n)) throw new TypeError(`integer too large: ${JSON.stringify(v)}`);
    return n;
  }
  throw new TypeError(`not an integer: ${JSON.stringify(v)}`);
};

/** pgpool prints floats with "%f" (e.g. "0.333333", "20.428571"). */
export const decimal: Conv<number> = (v) => {
  if (v == null || v === '') return null;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^-?(\d+\.?\d*|\.\d+)$/.test(v.trim())) return Number(v.trim());
  throw new TypeError(`not a number: ${JSON.stringify(v)}`);
};

export const bool: Conv<boolean> = (v) => {
  if (v == null || v === '') return null;
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 't') return true;
  if (v === 'false' || v === 'f') return false;
  throw new TypeError(`not a boolean: ${JSON.stringify(v)}`);
};

const LOCAL_TS = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

/**
 * pgpool timestamps are strftime("%F %T") in the pgpool host's LOCAL time with no zone, so they
 * cannot be turned into an instant here: the text is kept as is. Empty ("never") → null.
 */
export const localTimestamp: Conv<string> = (v) => {
  const t = textOrNull(v);
  if (t === null) return null;
  if (!LOCAL_TS.test(t)) throw new TypeError(`not a "YYYY-MM-DD HH:MM:SS" timestamp: ${JSON.stringify(v)}`);
  return t;
};

/** A converter accepting only the listed strings, so an unexpected pgpool value fails loudly. */
export function oneOf<T extends string>(values: readonly T[]): Conv<T> {
  return (v) => {
    const t = text(v);
    if (t === null) return null;
    if (!(values as readonly string[]).includes(t)) throw new TypeError(`unexpected value ${JSON.stringify(t)} (expected ${values.join('|')})`);
    return t as T;
  };
}
