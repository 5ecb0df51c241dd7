// `pgtop-ha record FILE`: poll like the console, without a screen, and append every sample to a
// recording (src/record/format.ts) until Ctrl-C or SIGTERM. `replay FILE` opens it.
import type { ClusterConfig } from '../config/schema.ts';
import type { Loaded } from '../config/load.ts';
import { createScheduler, storeInitFromCluster } from '../probes/scheduler.ts';
import { Recorder } from '../record/recorder.ts';
import { createAppStore } from '../state/store.ts';

export function openRecorder(file: string, maxBytes: number, cluster: ClusterConfig, onError?: (message: string) => void): Recorder {
  return new Recorder(file, { maxBytes, header: { cluster: cluster.name, store_init: storeInitFromCluster(cluster) }, onError });
}

const size = (bytes: number) => (bytes >= 1024 * 1024 ? `${+(bytes / 1024 / 1024).toFixed(1)} MiB` : `${Math.round(bytes / 1024)} KiB`);

/** The line both `record` and `--record` end with. */
export function recordedLine(r: Recorder): string {
  return `pgtop-ha: recorded ${r.samples} sample(s) to ${r.file}${r.rotations ? ` (rotated ${r.rotations} time(s); the older part is ${r.file}.1)` : ''}${r.error ? `; ${r.error}` : ''}`;
}

export async function runRecord(loaded: Loaded, opts: { file: string; maxBytes: number; sshAcceptNew?: boolean }): Promise<void> {
  const { cluster } = loaded;
  let stop: (code: number) => Promise<void> = async () => undefined;
  const recorder = openRecorder(opts.file, opts.maxBytes, cluster, (message) => {
    process.stderr.write(`pgtop-ha: ${message}\n`);
    void stop(1);
  });
  const store = createAppStore(storeInitFromCluster(cluster));
  const scheduler = createScheduler(cluster, store, { sshAcceptNew: opts.sshAcceptNew, onBatch: (u, at) => recorder.write(u, at) });
  scheduler.start();
  process.stderr.write(`pgtop-ha: recording cluster ${cluster.name} every ${cluster.intervalSeconds} s to ${opts.file} (past ${size(opts.maxBytes)} it moves to ${opts.file}.1); Ctrl-C stops\n`);
  let stopping = false;
  stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await scheduler.stop().catch(() => undefined);
    recorder.close();
    process.stderr.write(`${recordedLine(recorder)}\n`);
    process.exit(recorder.error ? 1 : code);
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => void stop(0));
}
