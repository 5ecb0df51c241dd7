// `pgtop-ha demo`: a real three-node PostgreSQL 17 cluster on loopback, a small write load,
// and the console on it. Everything it starts is stopped on the way out unless --keep.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { DEFAULT_THRESHOLDS, plainCluster } from '../config/schema.ts';
import { resolvePgBinaries } from '../demo/binaries.ts';
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
  record?: { file: string; maxBytes: number };
}

export function demoLoaded(cluster: DemoCluster, intervalSeconds = 2): Loaded {
  const c = plainCluster({
    name: 'demo',
    nodes: cluster.nodes.map((n) => ({ name: n.name, conninfo: n.conninfo })),
    intervalSeconds,
    thresholds: { ...DEFAULT_THRESHOLDS },
  });
  return { cluster: c, config: { clusters: [c] }, source: 'demo' };
}

/** The demo's own config file, so a kept cluster is reopened with its node names. */
export function writeDemoConfig(cluster: DemoCluster): string {
  const file = join(cluster.baseDir, 'pgtop-ha.yaml');
  const doc = { clusters: { demo: { nodes: cluster.nodes.map((n) => ({ name: n.name, conninfo: n.conninfo })) } } };
  writeFileSync(file, `# written by pgtop-ha demo\n${stringify(doc)}`);
  return file;
}

export function reconnectHint(cluster: DemoCluster, configFile: string): string {
  const pgCtl = join(resolvePgBinaries().binDir, 'pg_ctl');
  const asUser = process.getuid?.() === 0 ? 'runuser -u postgres -- ' : '';
  return [
    `pgtop-ha: --keep: the demo cluster keeps running in ${cluster.baseDir}`,
    `  reopen the console:  npx pgtop-ha --config ${configFile}`,
    `  one snapshot:        npx pgtop-ha snapshot --json --config ${configFile}`,
    '  stop it and remove it:',
    ...cluster.nodes.map((n) => `    ${asUser}${pgCtl} -D ${n.dataDir} stop -m fast`),
    `    rm -rf ${cluster.baseDir}`,
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
  const emergency = () => cluster.stopSync();
  if (!opts.keep) process.once('exit', emergency);
  const configFile = writeDemoConfig(cluster);
  const load = opts.load ? startWriteLoad(cluster.superuserConninfo('pg-primary')) : null;
  say(`cluster up in ${cluster.baseDir}; opening the console`);
  const { runTui } = await import('./tui.tsx');
  await runTui(demoLoaded(cluster, opts.interval ?? 2), {
    readOnly: opts.readOnly,
    ascii: opts.ascii,
    pane: opts.pane,
    record: opts.record,
    banner: `demo cluster in ${cluster.baseDir}: ${cluster.nodes.length} nodes, write load ${load ? 'on' : 'off'}; w switches WAL`,
    onExit: async () => {
      await load?.stop();
      if (opts.keep) {
        process.stderr.write(`${reconnectHint(cluster, configFile)}\n`);
        return;
      }
      say('stopping the demo cluster …');
      await cluster.stop();
      process.off('exit', emergency);
      say(`stopped; removed ${cluster.baseDir}`);
    },
  });
}
