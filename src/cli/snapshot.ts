// `pgtop-ha snapshot [--format text|md|json]`: poll every node once and print, for scripts and tickets.
import type { Loaded } from '../config/load.ts';
import { buildSnapshot } from '../model/snapshot.ts';
import { snapshotMarkdown } from '../model/report-md.ts';
import { createScheduler, storeInitFromCluster } from '../probes/scheduler.ts';
import { createAppStore } from '../state/store.ts';
import { lineText } from '../views/format/line.ts';
import { PANE_TITLES, orderPanes } from '../views/layout.ts';
import { buildPaneData } from '../views/panes/pane-data.ts';
import { activePanes, paneLines } from '../views/panes/pane-lines.ts';

export type SnapshotFormat = 'text' | 'md' | 'json';

export async function runSnapshot(loaded: Loaded, opts: { format: SnapshotFormat; width?: number; sshAcceptNew?: boolean }): Promise<string> {
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
  if (opts.format === 'json') return `${JSON.stringify(buildSnapshot(cluster.name, s.nodeOrder, s.nodes, now, s), null, 2)}\n`;
  if (opts.format === 'md') return snapshotMarkdown(buildSnapshot(cluster.name, s.nodeOrder, s.nodes, now, s));
  const width = opts.width ?? 120;
  const data = buildPaneData(s, cluster.thresholds, now);
  const out = [`pgtop-ha snapshot of cluster ${cluster.name} at ${new Date(now).toISOString()}`];
  for (const pane of orderPanes(activePanes(data))) {
    // one poll has no history (the topology pane shows lag), and its timeline is only the alerts
    if (pane === 'lag' || pane === 'timeline') continue;
    out.push('', `== ${PANE_TITLES[pane]} ==`);
    for (const line of paneLines(pane, data, { width, height: 1000, ascii: true })) out.push(lineText(line).trimEnd());
  }
  return `${out.join('\n')}\n`;
}
