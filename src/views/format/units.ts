// Number formatting for a DBA's eye: IEC bytes, compact durations, and a small value is never
// rounded to zero (a lag of 312 bytes is not "0 MiB").

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || Number.isNaN(bytes)) return '-';
  const sign = bytes < 0 ? '-' : '';
  let v = Math.abs(bytes);
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  if (u === 0) return `${sign}${v} B`;
  const digits = (x: number) => (x >= 100 ? 0 : x >= 10 ? 1 : 2);
  // Decimals follow the rounded value (99.996 is "100", not "100.00"), and 1023.99 KiB carries
  // into the next unit rather than printing "1024 KiB".
  let rounded = Number(v.toFixed(digits(v)));
  if (rounded >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
    rounded = Number(v.toFixed(digits(v)));
  }
  return `${sign}${rounded.toFixed(digits(rounded))} ${UNITS[u]}`;
}

/** Seconds as "0 s", "420 ms", "3.2 s", "4m05s", "2h13m", "3d04h". */
export function formatSeconds(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return '-';
  const sign = seconds < 0 ? '-' : '';
  let s = Math.abs(seconds);
  if (s === 0) return '0 s';
  // Round first, then pick the unit, so 0.9996 s is "1.0 s" and 59.6 s is "1m00s".
  if (s < 1 && Math.round(s * 1000) < 1000) return `${sign}${Math.max(1, Math.round(s * 1000))} ms`;
  if (Math.round(s * 10) / 10 < 10) return `${sign}${(Math.round(s * 10) / 10).toFixed(1)} s`;
  s = Math.round(s);
  if (s < 60) return `${sign}${s} s`;
  if (s < 3600) return `${sign}${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  if (s < 86400) return `${sign}${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${sign}${Math.floor(s / 86400)}d${String(Math.floor((s % 86400) / 3600)).padStart(2, '0')}h`;
}

/** Age of an ISO timestamp relative to `now`, e.g. "12 s ago". */
export function formatAge(iso: string | null | undefined, now: number): string {
  if (!iso) return 'never';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '?';
  return `${formatSeconds(Math.max(0, (now - t) / 1000))} ago`;
}

export function formatRate(bytesPerSecond: number | null | undefined): string {
  if (bytesPerSecond === null || bytesPerSecond === undefined || Number.isNaN(bytesPerSecond)) return '-';
  return `${formatBytes(Math.round(bytesPerSecond))}/s`;
}

/** "HH:MM:SS" in local time: the header clock and flash messages. */
export function clock(ms: number): string {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}
