// `pgtop-ha replay FILE`: the console's panes over a recording, with a time cursor.
import { render } from 'ink';
import React from 'react';
import { createReplay } from '../record/replay-controller.ts';
import { readRecording } from '../record/reader.ts';
import { installInkPatches } from '../terminal/ink-patches.ts';
import { enterScreen } from '../terminal/screen.ts';
import { App, type AppControls } from '../views/App.tsx';
import { colorWanted } from '../views/frame/sgr.ts';
import type { PaneId } from '../views/layout.ts';
import { DEFAULT_THRESHOLDS } from '../config/schema.ts';

export async function runReplay(file: string, opts: { ascii: boolean; pane?: PaneId }): Promise<void> {
  const rec = readRecording(file);
  if (rec.batches.length === 0) throw new Error(`${file} holds no samples yet`);
  const replay = createReplay(rec);
  const { store } = replay;
  const t = rec.header.store_init.alertThresholds;
  const thresholds = t ? { ...DEFAULT_THRESHOLDS, lagBytesWarn: t.lagBytes, lagSecondsWarn: t.lagSeconds } : DEFAULT_THRESHOLDS;
  store.getState().setFlash(`replaying ${rec.batches.length} samples of ${rec.header.cluster}: ←/→ step, [/] alert changes, space plays`, 'info');
  await installInkPatches();
  const screen = enterScreen();
  const controls: AppControls = {
    refreshNow: () => undefined,
    requestAction: () => store.getState().setFlash('replay: nothing runs against a cluster here', 'warn'),
    quit: () => undefined,
  };
  const app = render(
    <App store={store} controls={controls} thresholds={thresholds} ascii={opts.ascii} color={colorWanted()} initialPane={opts.pane} now={replay.now} replay={replay} />,
    { exitOnCtrlC: false, patchConsole: true, maxFps: 15, incrementalRendering: true },
  );
  const done = () => {
    replay.dispose();
    app.unmount();
    screen.restore();
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => { done(); process.exit(130); });
  await app.waitUntilExit();
  done();
  process.exit(0);
}
