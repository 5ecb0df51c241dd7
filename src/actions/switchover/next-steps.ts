// After a failed (or half-finished) switchover: what to look at next, from the topology as it
// stands. Commands are shown for the DBA to run, never run from here.
import { DEFAULT_REPMGR_CONFIG, type ClusterConfig } from '../../config/schema.ts';
import { pgpoolsToPromote, type SwitchoverStoreView } from '../../model/switchover/checks.ts';

export function nextSteps(s: SwitchoverStoreView, cluster: ClusterConfig, oldPrimary: string, target: string): string[] {
  const node = (n: string) => s.nodes[n];
  const role = (n: string) => (node(n)?.health.kind === 'ok' ? (node(n)!.sample?.role ?? null) : null);
  const conf = (n: string) => cluster.nodes.find((c) => c.name === n)?.repmgrConfig ?? DEFAULT_REPMGR_CONFIG;
  const out: string[] = [];
  const oldRole = role(oldPrimary);
  const newRole = role(target);
  if (oldRole === 'primary' && newRole === 'standby') {
    out.push(`Nothing switched: ${oldPrimary} is still the primary and ${target} a standby. Read repmgr's message above, fix it, then run the wizard again.`);
  } else if (newRole === 'primary' && oldRole !== 'standby') {
    out.push(`${target} is the primary; ${oldPrimary} is ${oldRole ?? 'not answering'}. Rejoin it as a standby of ${target}, on ${oldPrimary}:`);
    out.push(`  repmgr -f ${conf(oldPrimary)} node rejoin -d '<conninfo of ${target}>' --force-rewind --verbose --dry-run   (then without --dry-run)`);
  } else if (newRole === 'primary' && oldRole === 'primary') {
    out.push(`Two primaries (${oldPrimary} and ${target}): stop ${oldPrimary} before anything writes to it, then rejoin it with repmgr node rejoin --force-rewind.`);
  } else if (newRole !== 'primary') {
    out.push(`${target} is ${newRole ?? 'not answering'}: check its PostgreSQL log and repmgr cluster show.`);
  }
  for (const p of pgpoolsToPromote(s, target)) {
    out.push(`${p.pgpool} still treats another node as primary (writes through it fail): pcp_promote_node -n ${p.nodeId} there (a in the wizard does it).`);
  }
  const paused = s.nodeOrder.filter((n) => { const r = node(n)?.sample?.repmgr; return r?.available && r.repmgrdPaused === true; });
  if (paused.length) out.push(`repmgrd is still paused on ${paused.join(', ')}: repmgr -f ${conf(paused[0]!)} service unpause`);
  out.push(`Then: repmgr -f ${conf(target)} cluster show   (on any node) and this console's topology pane.`);
  return out;
}
