// `pgtop-ha check`: one poll, judged like a Nagios/Icinga plugin (status line, perfdata, exit
// 0/1/2/3), or the alert list as JSON for cron and scripts.
import type { Loaded } from '../config/load.ts';
import { checkJson, checkReport } from '../model/check-report.ts';
import { pollClusterOnce } from '../probes/scheduler.ts';

export async function runCheck(loaded: Loaded, opts: { json: boolean; sshAcceptNew?: boolean }): Promise<{ output: string; exitCode: number }> {
  const { cluster } = loaded;
  const s = await pollClusterOnce(cluster, { sshAcceptNew: opts.sshAcceptNew });
  const now = Date.now();
  const r = checkReport({ cluster: cluster.name, nodeOrder: s.nodeOrder, nodes: s.nodes, backupOrder: s.backupOrder, backups: s.backups, alerts: s.alerts }, cluster.thresholds, now);
  if (opts.json) return { output: `${JSON.stringify(checkJson(cluster.name, r, s.alerts, now), null, 2)}\n`, exitCode: r.exitCode };
  return { output: `${[r.line, ...r.details].join('\n')}\n`, exitCode: r.exitCode };
}
