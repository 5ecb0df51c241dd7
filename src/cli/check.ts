// `pgtop-ha check`: one poll, judged like a Nagios/Icinga plugin (status line, perfdata, exit
// 0/1/2/3), or the alert list as JSON for cron and scripts.
import type { Loaded } from '../config/load.ts';
import { checkReport } from '../model/check-report.ts';
import { createScheduler, storeInitFromCluster } from '../probes/scheduler.ts';
import { createAppStore } from '../state/store.ts';

export async function runCheck(loaded: Loaded, opts: { json: boolean; sshAcceptNew?: boolean }): Promise<{ output: string; exitCode: number }> {
  const { cluster } = loaded;
  const store = createAppStore(storeInitFromCluster(cluster));
  const scheduler = createScheduler(cluster, store, { sshAcceptNew: opts.sshAcceptNew });
  try {
    await scheduler.pollOnce();
  } finally {
    await scheduler.stop();
  }
  const s = store.getState();
  const now = Date.now();
  const r = checkReport({ cluster: cluster.name, nodeOrder: s.nodeOrder, nodes: s.nodes, backupOrder: s.backupOrder, backups: s.backups, alerts: s.alerts }, cluster.thresholds, now);
  if (opts.json) {
    const doc = {
      cluster: cluster.name,
      status: r.status,
      exit_code: r.exitCode,
      checked_at: new Date(now).toISOString(),
      alerts: s.alerts.map((a) => ({ code: a.code, severity: a.severity, subject: a.subject, message: a.message, since: new Date(a.since).toISOString(), evidence: a.evidence })),
      perfdata: r.perfdata.map((p) => ({ label: p.label, value: p.value, uom: p.uom, warn: p.warn, crit: p.crit })),
    };
    return { output: `${JSON.stringify(doc, null, 2)}\n`, exitCode: r.exitCode };
  }
  return { output: `${[r.line, ...r.details].join('\n')}\n`, exitCode: r.exitCode };
}
