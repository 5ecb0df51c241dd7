// `pgtop-ha record FILE`: poll like the console, without a screen, and append every sample to a
// recording (src/record/format.ts) until Ctrl-C or SIGTERM. `replay FILE` opens it.
import type { ClusterConfig } from '../config/schema.ts';
import type { Loaded } from '../config/load.ts';
import { createScheduler, storeInitFromCluster } from '../probes/scheduler.ts';
import { Recorder } from '../record/recorder.ts';
import { createAppStore } from '../state/store.ts';

export function openRecorder(file: string, maxBytes: number, cluster: ClusterConfig): Recorder {
  try {
    return new Recorder(file, { maxBytes, header: { cluster: cluster.name, store_init: storeInitFromCluster(cluster) } });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`cannot record to ${file}: ${code === 'ENOENT' ? 'no such directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message}`);
  }
}

export async function runRecord(loaded: Loaded, opts: { file: string; maxBytes: number; sshAcceptNew?: boolean }): Promise<void> {
  const { cluster } = loaded;
  const recorder = openRecorder(opts.file, opts.maxBytes, cluster);
  const store = createAppStore(storeInitFromCluster(cluster));
  const scheduler = createScheduler(cluster, store, { sshAcceptNew: opts.sshAcceptNew, onBatch: (u, at) => recorder.write(u, at) });
  scheduler.start();
  process.stderr.write(`pgtop-ha: recording cluster ${cluster.name} every ${cluster.intervalSeconds} s to ${opts.file} (rotates to ${opts.file}.1 past ${Math.round(opts.maxBytes / 1024 / 1024)} MiB); Ctrl-C stops\n`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await scheduler.stop().catch(() => undefined);
    recorder.close();
    process.stderr.write(`pgtop-ha: recorded ${recorder.samples} sample(s) to ${opts.file}${recorder.rotations ? ` (rotated ${recorder.rotations} time(s))` : ''}\n`);
    process.exit(0);
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => void stop());
}
