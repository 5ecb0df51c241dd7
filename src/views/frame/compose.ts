// The whole frame from what the views selected: header, the panes (or help, or a dialog), the
// footer. Pure, so a frame can be reasoned about and tested without a terminal.
import type { Flash } from '../../state/store.ts';
import { alertCounts } from '../../model/alerts/tracker.ts';
import { type DialogState, dialogArea } from '../components/Dialog.tsx';
import { helpBox } from '../components/Help.tsx';
import { jobArea } from '../components/JobPanel.tsx';
import { type WizardInput, wizardArea } from '../components/SwitchoverWizard.ts';
import type { Job } from '../../state/store.ts';
import type { Line } from '../format/line.ts';
import { computeLayout, PANE_TITLES, type PaneId } from '../layout.ts';
import { activePanes, naturalHeights, type PaneData, paneLines } from '../panes/pane-lines.ts';
import { besideEachOther, drawBox } from './box.ts';
import { footerLine } from './footer.ts';
import { headerLine, type ReplayPosition } from './header.ts';

/** How long a message stays in the footer before the key hints come back. */
export const FLASH_MS = 15000;

export interface FrameInput {
  columns: number;
  rows: number;
  data: PaneData;
  focus: PaneId;
  zoomed: PaneId | null;
  help: boolean;
  dialog: DialogState | null;
  /** A running (or finished, not yet closed) action's output panel. */
  job?: Job | null;
  /** The guided switchover, when open and not hidden. */
  wizard?: WizardInput | null;
  status: { cluster: string; paused: boolean; readOnly: boolean; intervalMs: number; lastRefreshAt: number | null; flash: Flash | null };
  /** `pgtop-ha replay`: the time cursor for the header, and the replay keys in the footer and help. */
  replay?: ReplayPosition | null;
  ascii: boolean;
  now: number;
}

/** Height of the frame for a terminal: one row short, or Ink clears and resends the whole screen each frame. */
export function frameHeight(rows: number): number {
  return Math.max(1, rows - 1);
}

export function composeFrame(f: FrameInput): Line[] {
  const { columns, data, ascii, status } = f;
  const frameRows = frameHeight(f.rows);
  const bodyRows = Math.max(0, frameRows - 2);
  let body: Line[];
  if (f.dialog) {
    body = dialogArea(f.dialog, columns, bodyRows, ascii);
  } else if (f.wizard) {
    body = wizardArea(f.wizard, columns, bodyRows, ascii, f.now);
  } else if (f.help) {
    body = helpBox(columns, bodyRows, status.readOnly, ascii, f.replay ? 'replay' : 'live');
  } else if (f.job && !f.job.hidden) {
    body = jobArea(f.job, columns, bodyRows, ascii, f.now);
  } else {
    const layout = computeLayout(columns, bodyRows, naturalHeights(data, columns, ascii), f.zoomed, f.focus, activePanes(data));
    body = besideEachOther(
      layout.columns.map((col) => ({
        width: col[0]!.width,
        lines: col.flatMap((r) =>
          drawBox({
            title: PANE_TITLES[r.pane], focused: r.pane === f.focus, width: r.width, height: r.height, ascii,
            lines: paneLines(r.pane, data, { width: r.width - 2, height: r.height - 2, ascii }),
          }),
        ),
      })),
      bodyRows,
    );
  }
  const list = Object.values(data.nodes);
  const header = headerLine({
    ...status,
    up: list.filter((n) => n.health.kind === 'ok').length,
    total: list.length,
    primaries: list.filter((n) => n.health.kind === 'ok' && n.sample?.role === 'primary').map((n) => n.name),
    answered: list.some((n) => n.health.kind !== 'connecting'),
    alerts: alertCounts(data.alerts),
    replay: f.replay,
  }, f.now, columns, ascii);
  const flash = status.flash && f.now - status.flash.at < FLASH_MS ? status.flash : null;
  return [header, ...body, footerLine(flash, status.readOnly, columns, ascii, f.replay ? 'replay' : 'live')].slice(0, frameRows);
}
