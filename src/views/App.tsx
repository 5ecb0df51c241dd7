import { useApp, useInput, useStdout } from 'ink';
import React, { useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { useStore } from 'zustand';
import type { KeyLike } from '../actions/switchover/wizard-keys.ts';
import type { ClusterConfig } from '../config/schema.ts';
import type { AppStore, Flash } from '../state/store.ts';
import { FrameView } from './components/FrameView.tsx';
import { commandFor, type CommandId } from './keymap.ts';
import type { ReplayPosition } from './frame/header.ts';
import type { DialogState } from './components/Dialog.tsx';
import { composeFrame, FLASH_MS } from './frame/compose.ts';
import { type PaneId, orderPanes } from './layout.ts';
import type { LagThresholds } from './panes/lag-lines.ts';
import { buildPaneData } from './panes/pane-data.ts';
import { activePanes } from './panes/pane-lines.ts';

export interface AppControls {
  refreshNow(): void;
  /** Opens the confirm dialog for an action; the controller runs it on "y". */
  requestAction(id: CommandId, openDialog: (d: DialogState | null) => void): void;
  /** Every key while the switchover wizard is shown goes to it. */
  wizardKey?(input: string, key: KeyLike): void;
  quit(): void;
}

export interface AppProps {
  store: AppStore;
  controls: AppControls;
  thresholds: LagThresholds;
  ascii: boolean;
  /** Styled output (ANSI colours); off for NO_COLOR, --color never and golden frames. */
  color?: boolean;
  initialPane?: PaneId;
  /** The cluster's config: the switchover wizard checks against it (which nodes have ssh, …). */
  cluster?: ClusterConfig;
  /** Fixed size for golden frames; live runs follow the terminal. */
  size?: { columns: number; rows: number };
  now?: () => number;
  /** `pgtop-ha replay`: the time cursor; the replay keys replace polling and actions. */
  replay?: ReplayKeys;
}

export interface ReplayKeys {
  position(): ReplayPosition;
  subscribe(listener: () => void): () => void;
  step(delta: number): void;
  jumpAlertChange(dir: -1 | 1): boolean;
  togglePlay(): void;
}

const NO_REPLAY = { subscribe: () => () => undefined, position: () => null };

const INTERVAL_STEPS_MS = [500, 1000, 2000, 5000, 10000, 30000, 60000];

/**
 * Re-renders once a second only while the data is stale, so the header can count the age up;
 * a healthy console renders once per poll and never on a timer.
 */
function useStaleClock(lastRefreshAt: number | null, intervalMs: number, now: () => number): void {
  const [, setTick] = useState(0);
  useEffect(() => {
    const id = setInterval(() => {
      if (lastRefreshAt === null || now() - lastRefreshAt > 2 * intervalMs + 1000) setTick((x) => x + 1);
    }, 1000);
    return () => clearInterval(id);
  }, [lastRefreshAt, intervalMs, now]);
}

/** In a replay: the flash until FLASH_MS have passed on the wall clock, then null (with a render then). */
function useWallClockFlash(flash: Flash | null): Flash | null {
  const [, setTick] = useState(0);
  useEffect(() => {
    if (!flash) return;
    const id = setTimeout(() => setTick((x) => x + 1), Math.max(0, flash.at + FLASH_MS - Date.now()) + 50);
    return () => clearTimeout(id);
  }, [flash]);
  return flash && Date.now() - flash.at < FLASH_MS ? flash : null;
}

/** The job panel counts its elapsed time up once a second while the job runs and is shown. */
function useJobClock(running: boolean): void {
  const [, setTick] = useState(0);
  useEffect(() => {
    if (!running) return;
    const id = setInterval(() => setTick((x) => x + 1), 1000);
    return () => clearInterval(id);
  }, [running]);
}

function useTerminalSize(fixed?: { columns: number; rows: number }) {
  const { stdout } = useStdout();
  const read = () => fixed ?? { columns: stdout.columns || 80, rows: stdout.rows || 24 };
  const [size, setSize] = useState(read);
  useEffect(() => {
    if (fixed) return;
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout, fixed]);
  return size;
}

export function App({ store, controls, thresholds, ascii, color = false, initialPane, cluster: clusterConfig, size: fixed, now = Date.now, replay }: AppProps) {
  const { columns, rows } = useTerminalSize(fixed);
  const replayAt = useSyncExternalStore((replay ?? NO_REPLAY).subscribe, (replay ?? NO_REPLAY).position);
  const nodes = useStore(store, (s) => s.nodes);
  const order = useStore(store, (s) => s.nodeOrder);
  const history = useStore(store, (s) => s.history);
  const historyVersion = useStore(store, (s) => s.historyVersion);
  const readOnly = useStore(store, (s) => s.readOnly);
  const cluster = useStore(store, (s) => s.cluster);
  const paused = useStore(store, (s) => s.paused);
  const intervalMs = useStore(store, (s) => s.intervalMs);
  const lastRefreshAt = useStore(store, (s) => s.lastRefreshAt);
  const flash = useStore(store, (s) => s.flash);
  const job = useStore(store, (s) => s.job);
  const pgpools = useStore(store, (s) => s.pgpools);
  const pgpoolOrder = useStore(store, (s) => s.pgpoolOrder);
  const repmgrCli = useStore(store, (s) => s.repmgrCli);
  const vip = useStore(store, (s) => s.vip);
  const backupOrder = useStore(store, (s) => s.backupOrder);
  const backups = useStore(store, (s) => s.backups);
  const wizard = useStore(store, (s) => s.switchover);
  const alerts = useStore(store, (s) => s.alerts);
  const alertCursor = useStore(store, (s) => s.alertCursor);
  const observed = useStore(store, (s) => s.observed);
  useStaleClock(lastRefreshAt, intervalMs, now);
  // A flash answers the viewer, so it lasts its time on the wall clock, not the replay's cursor.
  const wallClockFlash = useWallClockFlash(replay ? flash : null);
  useJobClock((job !== null && job.ok === null && !job.hidden) || (wizard !== null && !wizard.hidden && (wizard.step === 'running' || wizard.step === 'post')));
  const [focus, setFocus] = useState<PaneId>(initialPane ?? 'topology');
  const [zoomed, setZoomed] = useState<PaneId | null>(initialPane ?? null);
  const [help, setHelp] = useState(false);
  const [dialog, setDialog] = useState<DialogState | null>(null);
  const { exit } = useApp();

  useInput((input, key) => {
    const wiz = store.getState().switchover;
    if (wiz && !wiz.hidden && !dialog) {
      controls.wizardKey?.(input, key);
      return;
    }
    if (dialog) {
      setDialog(null);
      if (dialog.choices) {
        const k = input.toLowerCase();
        dialog.choices.onChoice(dialog.choices.keys.includes(k) ? k : null);
        return;
      }
      // Only an explicit "y" confirms; Enter, Esc or any other key cancels (No is the default).
      dialog.onAnswer(input === 'y' || input === 'Y');
      return;
    }
    const cmd = commandFor(input, key, readOnly, replay ? 'replay' : 'live');
    if (!cmd) {
      // An action key in --read-only still reaches its flow, which refuses it and audits the refusal.
      const refused: Record<string, CommandId> = { w: 'switchWal', b: 'backup', s: 'switchover' };
      if (replay && (refused[input] || input === 'r')) store.getState().setFlash('replay: nothing runs against a cluster here', 'warn');
      else if (readOnly && refused[input]) controls.requestAction(refused[input]!, setDialog);
      return;
    }
    const state = store.getState();
    switch (cmd.id) {
      case 'quit': controls.quit(); exit(); return;
      case 'help': setHelp((h) => !h); return;
      case 'back':
        if (help) setHelp(false);
        else if (state.job && !state.job.hidden) state.setJobHidden(true);
        else setZoomed(null);
        return;
      case 'focusNext': case 'focusPrev': {
        const panes = orderPanes(activePanes(data));
        const i = Math.max(0, panes.indexOf(focus));
        const next = panes[(i + (cmd.id === 'focusNext' ? 1 : panes.length - 1)) % panes.length]!;
        setFocus(next);
        if (zoomed) setZoomed(next);
        return;
      }
      case 'zoom': setZoomed((z) => (z ? null : focus)); return;
      case 'pause': state.setPaused(!state.paused); return;
      case 'faster': case 'slower': {
        const cur = state.intervalMs;
        const next = cmd.id === 'faster' ? [...INTERVAL_STEPS_MS].reverse().find((s) => s < cur) : INTERVAL_STEPS_MS.find((s) => s > cur);
        if (next) state.setIntervalMs(next);
        return;
      }
      case 'refresh': controls.refreshNow(); return;
      case 'switchWal': controls.requestAction('switchWal', setDialog); return;
      case 'backup': controls.requestAction('backup', setDialog); return;
      case 'switchover': controls.requestAction('switchover', setDialog); return;
      case 'ack': state.acknowledgeAlert(undefined, now()); return;
      case 'alertUp': state.moveAlertCursor(-1); return;
      case 'alertDown': state.moveAlertCursor(1); return;
      case 'stepBack': replay?.step(-1); return;
      case 'stepForward': replay?.step(1); return;
      case 'prevAlertChange': case 'nextAlertChange':
        if (!replay?.jumpAlertChange(cmd.id === 'nextAlertChange' ? 1 : -1)) state.setFlash(`no ${cmd.id === 'nextAlertChange' ? 'later' : 'earlier'} change of the alerts in this recording`, 'info');
        return;
      case 'play': replay?.togglePlay(); return;
    }
  });

  const data = useMemo(
    () => buildPaneData({ nodes, nodeOrder: order, history, historyVersion, pgpools, pgpoolOrder, repmgrCli, vip, backupOrder, backups, alerts, alertCursor, observed }, thresholds, now()),
    // replayAt: the cursor's time can move while the recorded data stays the same
    [nodes, order, history, historyVersion, pgpools, pgpoolOrder, repmgrCli, vip, backupOrder, backups, alerts, alertCursor, observed, thresholds, replayAt],
  );

  const rowsOut = composeFrame({
    columns, rows, data, focus, zoomed, help, dialog, job, ascii, now: now(),
    wizard: wizard && !wizard.hidden && clusterConfig ? { wizard, state: store.getState(), cluster: clusterConfig, thresholds } : null,
    status: { cluster, paused, readOnly, intervalMs, lastRefreshAt, flash: replay ? wallClockFlash : flash },
    replay: replayAt,
  });
  return <FrameView rows={rowsOut} columns={columns} color={color} />;
}
