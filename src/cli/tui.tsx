// Live console: wires config → store → scheduler → Ink app, and owns the ways out.
import { render } from 'ink';
import React from 'react';
import { AuditLog, defaultAuditPath } from '../actions/audit.ts';
import { runBackupFlow } from '../actions/backup-flow.ts';
import { runSwitchWal } from '../actions/switch-wal-flow.ts';
import { createSwitchoverWizard } from '../actions/switchover/wizard.ts';
import type { Loaded } from '../config/load.ts';
import { createScheduler, storeInitFromCluster } from '../probes/scheduler.ts';
import { openRecorder, recordedLine } from './record.ts';
import { createAppStore } from '../state/store.ts';
import { installInkPatches } from '../terminal/ink-patches.ts';
import { enterScreen } from '../terminal/screen.ts';
import { App, type AppControls } from '../views/App.tsx';
import { colorWanted } from '../views/frame/sgr.ts';
import type { PaneId } from '../views/layout.ts';

export interface TuiOptions {
  readOnly: boolean;
  ascii: boolean;
  pane?: PaneId;
  sshAcceptNew?: boolean;
  /** --record FILE: every sample also goes to a recording (see `pgtop-ha record`). */
  record?: { file: string; maxBytes: number };
  /** Extra work to undo on the way out (the demo cluster). */
  onExit?: () => Promise<void>;
  banner?: string;
}

export async function runTui(loaded: Loaded, opts: TuiOptions): Promise<void> {
  const { cluster, config } = loaded;
  const store = createAppStore(storeInitFromCluster(cluster, { readOnly: opts.readOnly }));
  const recorder = opts.record ? openRecorder(opts.record.file, opts.record.maxBytes, cluster, (message) => store.getState().setFlash(message, 'error')) : null;
  const scheduler = createScheduler(cluster, store, { sshAcceptNew: opts.sshAcceptNew, onBatch: recorder ? (u, at) => recorder.write(u, at) : undefined });
  const audit = new AuditLog(config.auditLog ?? defaultAuditPath());
  if (opts.banner) store.getState().setFlash(opts.banner, 'info');

  let quitting: Promise<void> | null = null;
  await installInkPatches();
  const screen = enterScreen();
  const wizard = createSwitchoverWizard({
    store, cluster, audit, ssh: scheduler.ssh, thresholds: cluster.thresholds,
    refreshNow: () => scheduler.refreshNow(), refreshBackups: () => scheduler.refreshBackups(),
  });
  const controls: AppControls = {
    refreshNow: () => scheduler.refreshNow(),
    requestAction: (id, openDialog) => {
      if (id === 'switchWal') runSwitchWal({ store, cluster, audit, openDialog, ssh: scheduler.ssh, refreshBackups: () => scheduler.refreshBackups() });
      if (id === 'backup') void runBackupFlow({ store, cluster, audit, openDialog, ssh: scheduler.ssh, refreshBackups: () => scheduler.refreshBackups() });
      if (id === 'switchover') wizard.open();
    },
    wizardKey: (input, key) => wizard.key(input, key),
    quit: () => void shutdown(0),
  };

  const app = render(
    <App store={store} controls={controls} thresholds={cluster.thresholds} cluster={cluster} ascii={opts.ascii} color={colorWanted()} initialPane={opts.pane} />,
    { exitOnCtrlC: false, patchConsole: true, maxFps: 15, incrementalRendering: true },
  );

  async function shutdown(code: number, message?: string): Promise<void> {
    quitting ??= (async () => {
      wizard.dispose();
      app.unmount();
      screen.restore();
      if (message) process.stderr.write(`${message}\n`);
      await scheduler.stop().catch(() => undefined);
      if (recorder) {
        recorder.close();
        process.stderr.write(`${recordedLine(recorder)}\n`);
      }
      if (opts.onExit) await opts.onExit().catch((e) => process.stderr.write(`pgtop-ha: cleanup failed: ${(e as Error).message}\n`));
      process.exit(code);
    })();
    return quitting;
  }

  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => void shutdown(sig === 'SIGINT' ? 130 : 143));
  const onCrash = (e: unknown) =>
    void shutdown(
      70,
      `pgtop-ha: internal error: ${(e as Error)?.message ?? String(e)}` + (process.env.PGTOP_HA_DEBUG ? `\n${(e as Error)?.stack}` : '\n(set PGTOP_HA_DEBUG=1 for the stack trace)'),
    );
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);

  scheduler.start();
  await app.waitUntilExit();
  await shutdown(0);
}
