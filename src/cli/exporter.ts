// `pgtop-ha exporter`: the console's probes on their usual schedule, served as OpenMetrics on
// /metrics for Prometheus — the path for fleets that outgrow one terminal.
import { readFileSync } from 'node:fs';
import type { Loaded } from '../config/load.ts';
import { isLoopback, metricsServer, type Listen } from '../metrics/http-server.ts';
import { renderMetrics } from '../metrics/openmetrics.ts';
import { createScheduler, storeInitFromCluster } from '../probes/scheduler.ts';
import { createAppStore } from '../state/store.ts';

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export async function runExporter(loaded: Loaded, opts: { listen: Listen; sshAcceptNew?: boolean }): Promise<void> {
  const { cluster } = loaded;
  const store = createAppStore(storeInitFromCluster(cluster));
  const server = metricsServer((format) => renderMetrics({ ...store.getState(), cluster: cluster.name }, Date.now(), VERSION, format));
  const { host, port } = opts.listen;
  const shown = host.includes(':') ? `[${host}]` : host;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(new Error(`cannot listen on ${shown}:${port}: ${e.code === 'EADDRINUSE' ? 'the port is already in use' : e.code === 'EADDRNOTAVAIL' ? 'no such local address' : e.code === 'EACCES' ? 'permission denied' : e.message}`)));
    server.listen(port, host, () => resolve());
  });
  const scheduler = createScheduler(cluster, store, { sshAcceptNew: opts.sshAcceptNew });
  scheduler.start();
  process.stderr.write(`pgtop-ha exporter: cluster ${cluster.name}, ${cluster.nodes.length} node(s), polled every ${cluster.intervalSeconds} s; serving http://${shown}:${port}/metrics\n`);
  if (!isLoopback(host)) process.stderr.write(`pgtop-ha exporter: ${shown}:${port} is reachable from other hosts; there is no TLS or authentication, so firewall it to Prometheus\n`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    server.close();
    // a poll stuck connecting to an unreachable host must not hold a service manager's stop
    setTimeout(() => process.exit(0), 3000).unref();
    await scheduler.stop().catch(() => undefined);
    process.exit(0);
  };
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => void stop());
}
