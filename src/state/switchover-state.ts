// The guided switchover's state as the store keeps it: the controller (src/actions/switchover)
// writes it, the wizard view draws it. Checks are not stored: they are recomputed from the
// probes' data every frame, so they stay live.

export type WizardStep = 'choose' | 'preflight' | 'confirm' | 'running' | 'post' | 'done';

export interface DryRunCheckView {
  level: 'ok' | 'warn' | 'bad' | 'info';
  text: string;
  detail: string | null;
}

export interface WizardDryRun {
  running: boolean;
  ok: boolean | null;
  error: string | null;
  checks: DryRunCheckView[];
  raw: string;
  command: string;
  durationMs: number | null;
}

export interface WizardPhase {
  name: string;
  startedAt: number;
  endedAt: number | null;
}

export interface SwitchoverWizardState {
  step: WizardStep;
  /** Esc while it runs hides the wizard; the switchover goes on and `s` shows it again. */
  hidden: boolean;
  openedAt: number;
  /** The primary when the wizard opened; the switchover demotes it. */
  oldPrimary: string | null;
  /** Index into the candidates on the choose step. */
  cursor: number;
  target: string | null;
  timelineBefore: number | null;
  forceRewind: boolean;
  alwaysPromote: boolean;
  dryRun: WizardDryRun | null;
  /** repmgr's raw output instead of the rows (one key away). */
  showRaw: boolean;
  /** What has been typed on the confirm step. */
  typed: string;
  /** The switchover command as run, with where. */
  command: string | null;
  output: string[];
  /** What repmgr is waiting on right now, and since when (the progress line). */
  waitingOn: { text: string; since: number } | null;
  phases: WizardPhase[];
  postDeadline: number | null;
  outcome: { ok: boolean; message: string; error: string | null } | null;
  /** A one-line answer to the last key (why Enter did nothing, what an offer did). */
  note: { text: string; tone: 'info' | 'ok' | 'warn' | 'error' } | null;
  /** An offer (pcp_attach_node, barman switch-wal) running right now. */
  busy: string | null;
  /** The primary's .ready files (a number), 'not permitted', or why it could not be read; null until asked. */
  pendingArchive: number | string | null;
}

export const WIZARD_OUTPUT_LINES = 400;

export function newWizard(now: number, oldPrimary: string | null, cursor: number): SwitchoverWizardState {
  return {
    step: 'choose', hidden: false, openedAt: now, oldPrimary, cursor, target: null, timelineBefore: null,
    forceRewind: false, alwaysPromote: false, dryRun: null, showRaw: false, typed: '', command: null,
    output: [], waitingOn: null, phases: [], postDeadline: null, outcome: null, note: null, busy: null, pendingArchive: null,
  };
}
