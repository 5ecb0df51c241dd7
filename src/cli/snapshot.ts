// `pgtop-ha snapshot [--json]`: poll every node once and print, for scripts and tickets.
import type { Loaded } from '../config/load.ts';
import { buildSnapshot } from '../model/snapshot.ts';
import { createScheduler, storeInitFromCluster } from '../probes/scheduler.ts';
import { createAppStore } from '../state/store.ts';
import { lineText } from '../views/format/line.ts';
import { PANE_TITLES, orderPanes } from '../views/layout.ts';
import { buildPaneData } from '../views/panes/pane-data.ts';
import { activePanes, paneLines } from '../views/panes/pane-lines.ts';

export async function runSnapshot(loaded: Loaded, opts: { json: boolean; width?: number; sshAcceptNew?: boolean }): Promise<string> {
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
  if (opts.json) return `${JSON.stringify(buildSnapshot(cluster.name, s.nodeOrder, s.nodes, now, s), null, 2)}\n`;
  const width = opts.width ?? 120;
  const data = buildPaneData(s, cluster.thresholds, now);
  const out = [`pgtop-ha snapshot of cluster ${cluster.name} at ${new Date(now).toISOString()}`];
  for (const pane of orderPanes(activePanes(data))) {
    if (pane === 'lag') continue; // one poll has no history; the topology pane already shows lag
    out.push('', `== ${PANE_TITLES[pane]} ==`);
    for (const line of paneLines(pane, data, { width, height: 1000, ascii: true })) out.push(lineText(line).trimEnd());
  }
  return `${out.join('\n')}\n`;
}
