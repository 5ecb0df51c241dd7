// `pgtop-ha snapshot` (text): the console's panes as plain text, for a terminal, a mail from cron
// or a ticket. Pure over the store's state. The alerts are written out in full rather than as the
// pane draws them: the pane cuts messages to its width, marks a selection and shows only the
// selected alert's evidence, which is right on a screen and wrong on paper.
import type { TrackedAlert } from '../model/alerts/tracker.ts';
import { lineText } from './format/line.ts';
import { PANE_TITLES, orderPanes } from './layout.ts';
import type { LagThresholds } from './panes/lag-lines.ts';
import { buildPaneData, type PaneSource } from './panes/pane-data.ts';
import { activePanes, paneLines } from './panes/pane-lines.ts';

/** Every open alert on its own line, worst first as the store keeps them, with its evidence under it. */
export function alertsText(alerts: readonly TrackedAlert[]): string[] {
  if (alerts.length === 0) return ['no open alerts'];
  const crit = alerts.filter((a) => a.severity === 'critical').length;
  const out = [`${crit} critical, ${alerts.length - crit} warning`];
  for (const a of alerts) {
    out.push(`${a.severity === 'critical' ? 'CRIT' : 'WARN'} ${a.code} ${a.subject}: ${a.acked ? '(ack) ' : ''}${a.message}`);
    for (const e of a.evidence) out.push(`     ${e}`);
  }
  return out;
}

export function snapshotText(s: PaneSource, cluster: string, thresholds: LagThresholds, now: number, width = 120): string {
  const data = buildPaneData(s, thresholds, now);
  const out = [`pgtop-ha snapshot of cluster ${cluster} at ${new Date(now).toISOString()}`];
  for (const pane of orderPanes(activePanes(data))) {
    // one poll has no history (the topology pane shows lag), and its timeline is only the alerts
    if (pane === 'lag' || pane === 'timeline') continue;
    out.push('', `== ${PANE_TITLES[pane]} ==`);
    if (pane === 'alerts') out.push(...alertsText(data.alerts));
    else for (const line of paneLines(pane, data, { width, height: 1000, ascii: true })) out.push(lineText(line).trimEnd());
  }
  return `${out.join('\n')}\n`;
}
