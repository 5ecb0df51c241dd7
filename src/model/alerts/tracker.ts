// Alerts over time: when each was first seen, whether the DBA acknowledged it, and the moments
// alerts were raised and cleared (for the timeline). Pure: the store calls it after each write.
import type { Alert, Severity } from './rules.ts';

export interface TrackedAlert extends Alert {
  /** code + subject: the identity an acknowledgement and `since` hold on to. */
  key: string;
  /** When this alert was first raised in its current run (it starts again after it clears). */
  since: number;
  acked: boolean;
}

export interface AlertChange {
  at: number;
  kind: 'raised' | 'cleared';
  alert: Alert;
}

export const alertKey = (a: Pick<Alert, 'code' | 'subject'>): string => `${a.code} ${a.subject}`;

const RANK: Record<Severity, number> = { critical: 0, warning: 1 };

/**
 * The open alerts in display order — unacknowledged before acknowledged, then by severity, then
 * oldest first — and what changed since `prev`. An acknowledged alert stays until it clears; when
 * it comes back it is new and unacknowledged.
 */
export function trackAlerts(prev: readonly TrackedAlert[], current: readonly Alert[], now: number): { alerts: TrackedAlert[]; changes: AlertChange[] } {
  const before = new Map(prev.map((a) => [a.key, a]));
  const changes: AlertChange[] = [];
  const seen = new Set<string>();
  const alerts: TrackedAlert[] = [];
  for (const a of current) {
    const key = alertKey(a);
    if (seen.has(key)) continue;
    seen.add(key);
    const old = before.get(key);
    if (!old) changes.push({ at: now, kind: 'raised', alert: a });
    alerts.push({ ...a, key, since: old?.since ?? now, acked: old?.acked ?? false });
  }
  for (const old of prev) if (!seen.has(old.key)) changes.push({ at: now, kind: 'cleared', alert: stripTracking(old) });
  return { alerts: sortAlerts(alerts), changes };
}

function stripTracking(t: TrackedAlert): Alert {
  return { code: t.code, severity: t.severity, subject: t.subject, message: t.message, evidence: t.evidence };
}

export function sortAlerts(list: TrackedAlert[]): TrackedAlert[] {
  return list.sort((a, b) => Number(a.acked) - Number(b.acked) || RANK[a.severity] - RANK[b.severity] || a.since - b.since || a.key.localeCompare(b.key));
}

/** Same alerts, same order, same text: nothing for the views to redraw. */
export function sameAlerts(a: readonly TrackedAlert[], b: readonly TrackedAlert[]): boolean {
  return a.length === b.length && a.every((x, i) => {
    const y = b[i]!;
    return x.key === y.key && x.acked === y.acked && x.since === y.since && x.message === y.message && x.severity === y.severity;
  });
}

/** The worst severity among alerts nobody acknowledged yet; null when all is quiet. */
export function worstOpen(alerts: readonly TrackedAlert[]): Severity | null {
  let worst: Severity | null = null;
  for (const a of alerts) {
    if (a.acked) continue;
    if (a.severity === 'critical') return 'critical';
    worst = 'warning';
  }
  return worst;
}

/** For the header: open alerts per severity, and how many are acknowledged but not cleared. */
export function alertCounts(alerts: readonly TrackedAlert[]): { critical: number; warning: number; acked: number } {
  const open = alerts.filter((a) => !a.acked);
  return { critical: open.filter((a) => a.severity === 'critical').length, warning: open.filter((a) => a.severity === 'warning').length, acked: alerts.length - open.length };
}

export function acknowledge(alerts: readonly TrackedAlert[], key: string): TrackedAlert[] {
  return sortAlerts(alerts.map((a) => (a.key === key ? { ...a, acked: true } : a)));
}
