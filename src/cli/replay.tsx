// `pgtop-ha replay FILE`: the console's panes over a recording, with a time cursor.
import { render } from 'ink';
import React from 'react';
import { DEFAULT_THRESHOLDS } from '../config/schema.ts';
import { openReplay, type ReplayController } from '../record/replay-controller.ts';
import { RecordingError } from '../record/reader.ts';
import { installInkPatches } from '../terminal/ink-patches.ts';
import { enterScreen } from '../terminal/screen.ts';
import { App, type AppControls } from '../views/App.tsx';
import { colorWanted } from '../views/frame/sgr.ts';
import type { PaneId } from '../views/layout.ts';

/** Reads the whole recording once (checks it, indexes it); a large one says how far it got. */
export function openWithProgress(file: string): ReplayController {
  const started = Date.now();
  const tty = process.stderr.isTTY;
  let shown = false;
  const replay = openReplay(file, {
    onProgress(done, total) {
      if (!tty || Date.now() - started < 1000) return;
      shown = true;
      process.stderr.write(`\rpgtop-ha: reading ${file}: ${Math.floor((100 * done) / Math.max(1, total))}%`);
    },
  });
  if (shown) process.stderr.write('\r\x1b[K');
  if (replay.recording.times.length === 0) throw new RecordingError(`${file} holds no samples yet`);
  return replay;
}

export async function runReplay(file: string, opts: { ascii: boolean; pane?: PaneId }): Promise<void> {
  const replay = openWithProgress(file);
  const { store, recording } = replay;
  const t = recording.header.store_init.alertThresholds;
  const thresholds = t ? { ...DEFAULT_THRESHOLDS, lagBytesWarn: t.lagBytes, lagSecondsWarn: t.lagSeconds } : DEFAULT_THRESHOLDS;
  store.getState().setFlash(`replaying ${recording.times.length} samples of ${recording.header.cluster}: ←/→ step, [/] alert changes, space plays`, 'info');
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
