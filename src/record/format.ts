// The recording format shared by `record` and `replay`: NDJSON compressed as gzip with a sync
// flush after every line (src/record/gzip-lines.ts), one header line per session, then one line
// per store write — the probes' batch and the time it was applied. Inputs are recorded rather
// than state, so a replay runs the same store, rules and views.
import type { ProbeUpdate, StoreInit } from '../state/store.ts';

export const RECORD_VERSION = 1;

export interface RecordHeader {
  pgtop_ha_record: number;
  cluster: string;
  store_init: StoreInit;
  started: number;
}

export interface RecordedBatch {
  t: number;
  u: ProbeUpdate[];
}

// JSON has no NaN or ±Infinity (they would come back as null): a sample holding one is written
// as {"$pgtop_ha_number": "NaN"} and read back as the number, so a replay sees what the console saw.
const NUMBER_TAG = '$pgtop_ha_number';

/** One recording line (without its newline). */
export function encodeLine(doc: RecordHeader | RecordedBatch): string {
  return JSON.stringify(doc, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? { [NUMBER_TAG]: String(v) } : v));
}

/** Parses one recording line; throws SyntaxError when it is not JSON. */
export function decodeLine(line: string): unknown {
  if (!line.includes(NUMBER_TAG)) return JSON.parse(line);
  return JSON.parse(line, (_k, v: unknown) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
    const keys = Object.keys(v);
    return keys.length === 1 && keys[0] === NUMBER_TAG ? Number((v as Record<string, string>)[NUMBER_TAG]) : v;
  });
}

export const isHeader = (x: unknown): x is RecordHeader => typeof x === 'object' && x !== null && 'pgtop_ha_record' in x;

/** "64MB", "512k", "1G" or bytes → bytes; null when it is not a size. */
export function parseSize(s: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmg]i?b?|b)?\s*$/i.exec(s);
  if (!m) return null;
  const unit = (m[2] ?? 'b').toLowerCase()[0]!;
  const mult = unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : 1;
  return Math.round(Number(m[1]) * mult);
}
