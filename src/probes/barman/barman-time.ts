// barman prints times in several forms, none of them ISO with a "T":
//   show-backup begin/end_time   "2026-11-22 03:46:54.651488+00:00"  (isoformat(" "), zoned)
//   list-backups end_time        "Sun Nov 22 03:46:59 2026"          (ctime: local, no zone)
//   status last_archived_wal     "0000…19, at Sun Nov 22 03:48:16 2026" (ctime again)
// plus `<key>_timestamp` epoch strings beside some of them.
//
// Choice: a zoned string or an epoch becomes `Date#toISOString()` (UTC, milliseconds — sortable
// as text, which buildChains and the views rely on). A zoneless string is kept as barman's text:
// it is the barman host's local time, and guessing that zone would print a wrong instant.

const ZONED = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d+)?\s*(Z|[+-]\d{2}(?::?\d{2})?)$/;

/** ISO (UTC) for a zoned barman time; null when the text carries no zone or is not a time. */
export function zonedToIso(text: string): string | null {
  const m = ZONED.exec(text.trim());
  if (!m) return null;
  const [, day, time, frac = '', zone] = m;
  // Date.parse wants ±HH:MM and at most millisecond precision everywhere
  const z = zone === 'Z' ? 'Z' : zone.length === 3 ? `${zone}:00` : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const ms = frac ? frac.slice(0, 4).padEnd(4, '0') : '';
  const t = Date.parse(`${day}T${time}${ms}${z}`);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

/** ISO (UTC) for barman's epoch-seconds strings ("1795319219"). */
export function epochToIso(v: number | null): string | null {
  if (v === null || !Number.isFinite(v) || v <= 0) return null;
  return new Date(v * 1000).toISOString();
}

/**
 * The best form of one barman time: its zoned text as ISO, else its epoch twin as ISO, else the
 * text as barman printed it (a local time without zone), else null.
 */
export function barmanTime(text: string | null, epoch: number | null = null): string | null {
  if (text !== null) {
    const iso = zonedToIso(text);
    if (iso) return iso;
  }
  const fromEpoch = epochToIso(epoch);
  if (fromEpoch) return fromEpoch;
  const t = text?.trim();
  return t ? t : null;
}

/** Seconds between two ISO instants; null unless both are ISO (kept local texts are not). */
export function secondsBetween(beginIso: string | null, endIso: string | null): number | null {
  if (!beginIso || !endIso || !beginIso.endsWith('Z') || !endIso.endsWith('Z')) return null;
  const d = (Date.parse(endIso) - Date.parse(beginIso)) / 1000;
  return Number.isFinite(d) && d >= 0 ? d : null;
}
