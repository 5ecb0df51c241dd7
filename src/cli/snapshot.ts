// `pgtop-ha snapshot [--format text|md|json]`: poll every node once and print, for scripts and tickets.
import type { Loaded } from '../config/load.ts';
import { buildSnapshot } from '../model/snapshot.ts';
import { snapshotMarkdown } from '../model/report-md.ts';
import { pollClusterOnce } from '../probes/scheduler.ts';
import { snapshotText } from '../views/snapshot-text.ts';

export type SnapshotFormat = 'text' | 'md' | 'json';

export async function runSnapshot(loaded: Loaded, opts: { format: SnapshotFormat; width?: number; sshAcceptNew?: boolean }): Promise<string> {
  const { cluster } = loaded;
  const s = await pollClusterOnce(cluster, { sshAcceptNew: opts.sshAcceptNew });
  const now = Date.now();
  if (opts.format === 'json') return `${JSON.stringify(buildSnapshot(cluster.name, s.nodeOrder, s.nodes, now, s), null, 2)}\n`;
  if (opts.format === 'md') return snapshotMarkdown(buildSnapshot(cluster.name, s.nodeOrder, s.nodes, now, s));
  return snapshotText(s, cluster.name, cluster.thresholds, now, opts.width ?? 120);
}
