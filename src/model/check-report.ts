// `pgtop-ha check`: one poll judged like a Nagios/Icinga plugin — a status line, perfdata and the
// exit code from the worst open alert. Pure over the store's state. Format per the Monitoring
// Plugins guidelines: "SERVICE STATUS - text | 'label'=value[UOM];warn;crit;min;max", long output
// on the lines after the first.
import type { Thresholds } from '../config/schema.ts';
import type { TrackedAlert } from './alerts/tracker.ts';
import type { BackupSourceState } from './backups.ts';
import { newestUsable } from './backup-chains.ts';
import { buildTopology } from './topology.ts';
import type { NodeState } from './types.ts';

export type CheckStatus = 'OK' | 'WARNING' | 'CRITICAL' | 'UNKNOWN';
export const EXIT_CODE: Record<CheckStatus, number> = { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 };

export interface Perfdatum {
  label: string;
  value: number;
  uom: '' | 'B' | 's';
  warn: number | null;
  crit: number | null;
  min: number | null;
}

export interface CheckInput {
  cluster: string;
  nodeOrder: string[];
  nodes: Record<string, NodeState>;
  backupOrder: string[];
  backups: Record<string, BackupSourceState>;
  alerts: readonly TrackedAlert[];
}

export interface CheckReport {
  status: CheckStatus;
  exitCode: number;
  /** The first line: status, summary, perfdata. */
  line: string;
  /** One line per open alert, worst first (Nagios long output). */
  details: string[];
  perfdata: Perfdatum[];
}

/** Labels may hold anything but `=` and `'`; quoted when they hold a space or other punctuation. */
export function perfLabel(label: string): string {
  const clean = label.replace(/['=]/g, '_');
  return /^[A-Za-z0-9_.\-/:]+$/.test(clean) ? clean : `'${clean}'`;
}

const num = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(3).replace(/0+$/, '').replace(/\.$/, ''));

export function formatPerfdata(p: readonly Perfdatum[]): string {
  return p.map((d) => `${perfLabel(d.label)}=${num(d.value)}${d.uom};${d.warn ?? ''};${d.crit ?? ''};${d.min ?? ''}`.replace(/;+$/, '')).join(' ');
}

/** Lag per standby, retained WAL per slot, last backup age per source, and the alert counts. */
export function checkPerfdata(c: CheckInput, t: Thresholds, now: number): Perfdatum[] {
  const out: Perfdatum[] = [];
  const list = c.nodeOrder.map((n) => c.nodes[n]!);
  for (const e of buildTopology(list).entries) {
    if (!e.link) continue;
    if (e.link.replayLagBytes !== null) out.push({ label: `${e.name} lag_bytes`, value: e.link.replayLagBytes, uom: 'B', warn: t.lagBytesWarn, crit: null, min: 0 });
    if (e.link.replayLagSeconds !== null) out.push({ label: `${e.name} lag_seconds`, value: e.link.replayLagSeconds, uom: 's', warn: t.lagSecondsWarn, crit: null, min: 0 });
  }
  for (const n of list) {
    if (n.health.kind !== 'ok' || !n.sample) continue;
    for (const s of n.sample.slots) if (s.retainedBytes !== null) out.push({ label: `${n.name}/${s.slotName} retained`, value: s.retainedBytes, uom: 'B', warn: s.active ? null : t.slotRetainedBytes, crit: null, min: 0 });
  }
  for (const key of c.backupOrder) {
    const newest = newestUsable(c.backups[key]?.backups ?? []);
    if (newest?.endTime) out.push({ label: `${key} last_backup_age`, value: Math.max(0, Math.round((now - Date.parse(newest.endTime)) / 1000)), uom: 's', warn: t.backupAgeSeconds, crit: null, min: 0 });
  }
  const open = c.alerts.filter((a) => !a.acked);
  out.push({ label: 'alerts_critical', value: open.filter((a) => a.severity === 'critical').length, uom: '', warn: null, crit: 1, min: 0 });
  out.push({ label: 'alerts_warning', value: open.filter((a) => a.severity === 'warning').length, uom: '', warn: 1, crit: null, min: 0 });
  return out;
}

/**
 * The verdict: CRITICAL with any critical alert, WARNING with any warning, else OK; UNKNOWN when
 * not one node answered the poll, since then nothing was actually checked. A one-shot check never
 * sees acknowledgements, so every open alert counts.
 */
export function checkReport(c: CheckInput, t: Thresholds, now: number): CheckReport {
  const answered = c.nodeOrder.some((n) => c.nodes[n]!.health.kind !== 'connecting');
  const crit = c.alerts.filter((a) => a.severity === 'critical');
  const warn = c.alerts.filter((a) => a.severity === 'warning');
  const status: CheckStatus = !answered ? 'UNKNOWN' : crit.length ? 'CRITICAL' : warn.length ? 'WARNING' : 'OK';
  const perfdata = checkPerfdata(c, t, now);
  const up = c.nodeOrder.filter((n) => c.nodes[n]!.health.kind === 'ok').length;
  const summary = !answered
    ? `${c.cluster}: no node answered the poll`
    : c.alerts.length === 0
      ? `${c.cluster}: ${up}/${c.nodeOrder.length} nodes up, no alerts`
      : `${c.cluster}: ${crit.length} critical, ${warn.length} warning: ${c.alerts.slice(0, 3).map((a) => `${a.code} ${a.subject}`).join(', ')}${c.alerts.length > 3 ? ', …' : ''}`;
  // A `|` in the text would start perfdata early; plugin output is one line before the long output.
  const clean = (s: string) => s.replace(/\|/g, '/').replace(/\s+/g, ' ').trim();
  return {
    status,
    exitCode: EXIT_CODE[status],
    line: `PGTOP-HA ${status} - ${clean(summary)} | ${formatPerfdata(perfdata)}`,
    details: c.alerts.map((a) => clean(`${a.severity === 'critical' ? 'CRITICAL' : 'WARNING'} ${a.code} ${a.subject}: ${a.message}`)),
    perfdata,
  };
}

/** `check --json`: the verdict, every open alert with its evidence, and the perfdata as numbers. */
export function checkJson(cluster: string, r: CheckReport, alerts: readonly TrackedAlert[], now: number) {
  return {
    cluster,
    status: r.status,
    exit_code: r.exitCode,
    checked_at: new Date(now).toISOString(),
    alerts: alerts.map((a) => ({ code: a.code, severity: a.severity, subject: a.subject, message: a.message, since: new Date(a.since).toISOString(), acked: a.acked, evidence: a.evidence })),
    perfdata: r.perfdata.map((p) => ({ label: p.label, value: p.value, uom: p.uom, warn: p.warn, crit: p.crit })),
  };
}
