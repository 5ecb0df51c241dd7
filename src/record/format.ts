// The recording format shared by `record` and `replay`: gzip-compressed NDJSON, one header line
// per session, then one line per store write — the probes' batch and the time it was applied.
// Inputs are recorded rather than state, so a replay runs the same store, rules and views.
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

export const isHeader = (x: unknown): x is RecordHeader => typeof x === 'object' && x !== null && 'pgtop_ha_record' in x;

/** "64MB", "512k", "1G" or bytes → bytes; null when it is not a size. */
export function parseSize(s: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmg]i?b?|b)?\s*$/i.exec(s);
  if (!m) return null;
  const unit = (m[2] ?? 'b').toLowerCase()[0]!;
  const mult = unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : 1;
  return Math.round(Number(m[1]) * mult);
}
