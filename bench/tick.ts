// `npm run bench`: what one tick of the live console costs, measured on the real demo cluster
// (three PostgreSQL 17 nodes on loopback) with the demo write load running.
//
//   1. probe round trip vs a bare `SELECT 1` on the same connection, per node
//   2. CPU per tick of the whole dashboard (probe + store + React + Yoga + Ink) at 3 sizes,
//      split into probe-only CPU and rendering CPU, next to the 8 ms budget
//   3. bytes written to the terminal per steady-state tick
//   4. RSS / heap after 100 and after N ticks (Ink keeps module-level text caches)
//
// Prints figures, asserts nothing about time.
//   npm run bench [-- --quick] [-- --ticks N] [-- --ink-path]
//   node --expose-gc --import tsx bench/tick.ts      (heapUsed is measured after a forced GC)
//
// Everything React/Ink is imported dynamically below: NODE_ENV must be set first (as bin/pgtop-ha
// does), and static imports would be evaluated before this module's body.
import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import v8 from 'node:v8';
import vm from 'node:vm';
import type pg from 'pg';
import type { DemoCluster } from '../src/demo/cluster.ts';
import type { AppStore } from '../src/state/store.ts';
import type { Scheduler } from '../src/probes/scheduler.ts';
import { FakeStdin, FakeStdout } from './lib/fake-tty.ts';
import { probeMeasureTextCache } from './lib/ink-text-cache.ts';
import { kib, max, mean, mib, ms, percentile, table } from './lib/stats.ts';

process.env.NODE_ENV ??= 'production';
// Ink colours through chalk, which decides its level from the real process.stdout at import time.
// The bench's stdout is often a pipe; the console it models always runs on a colour terminal.
process.env.FORCE_COLOR ??= '3';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BUDGET_MS = 8;
const INTERVAL_SECONDS = 2; // the demo's default refresh interval (queryTimeoutMs = max(2000, 2000))

// ---------------------------------------------------------------------------------------------
// Arguments

interface Args {
  quick: boolean;
  memTicks: number;
}

function parseArgs(argv: string[]): Args {
  let quick = false;
  let ticks: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') quick = true;
    else if (a === '--ink-path') continue; // read where the fast path is installed
    else if (a === '--ticks' || a.startsWith('--ticks=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      ticks = Number(v);
      if (!Number.isInteger(ticks) || ticks < 101) throw new Error(`--ticks needs an integer > 100, got ${v}`);
    } else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: npm run bench [-- --quick] [-- --ticks N] [-- --ink-path]\n');
      process.exit(0);
    } else throw new Error(`unknown argument ${a} (try --help)`);
  }
  return { quick, memTicks: ticks ?? (quick ? 110 : 1000) };
}

const args = parseArgs(process.argv.slice(2));
const COUNTS = args.quick
  ? { latency: 20, latencyWarmup: 5, warmupTicks: 4, steadyTicks: 12 }
  : { latency: 200, latencyWarmup: 10, warmupTicks: 20, steadyTicks: 100 };
/** After pollOnce: Ink renders at most every ceil(1000/15) = 67 ms (leading + trailing edge). */
const CPU_TICK_WAIT_MS = 90;
const MEM_TICK_WAIT_MS = 40;

const out = (s = '') => process.stdout.write(`${s}\n`);
const T0 = performance.now();
const progress = (s: string) => process.stderr.write(`bench [+${((performance.now() - T0) / 1000).toFixed(1)}s]: ${s}\n`);

// ---------------------------------------------------------------------------------------------
// GC for heap figures: --expose-gc if given, else V8's flag switched on at run time.

function findGc(): { gc: (() => void) | null; how: string } {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return { gc: g, how: '--expose-gc' };
  try {
    v8.setFlagsFromString('--expose-gc');
    const fn = vm.runInNewContext('gc') as () => void;
    if (typeof fn === 'function') return { gc: fn, how: 'v8.setFlagsFromString(--expose-gc)' };
  } catch {
    // not available
  }
  return { gc: null, how: 'none (RSS only)' };
}

/** Which code was measured: HEAD plus how many files under src/ differ from it (read-only git). */
function sourceState(): string {
  try {
    const git = (...a: string[]) => execFileSync('git', ['--no-optional-locks', ...a], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const head = git('rev-parse', '--short', 'HEAD');
    const changed = git('diff', '--name-only', 'HEAD', '--', 'src').split('\n').filter(Boolean).length;
    return `git ${head}${changed > 0 ? `, ${changed} file(s) under src/ modified and not committed` : ', src/ as committed'}`;
  } catch {
    return 'unknown (no git)';
  }
}

// ---------------------------------------------------------------------------------------------
// Cleanup on every way out

let cluster: DemoCluster | null = null;
/** Set while startDemoCluster() runs: a signal then waits for it, so no postmaster is left behind. */
let clusterStarting: Promise<DemoCluster> | null = null;
let loadChild: ChildProcess | null = null;

function stopLoadChildSync(): void {
  const child = loadChild;
  loadChild = null;
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
}

function emergencyStop(): void {
  stopLoadChildSync();
  cluster?.stopSync();
}

let interrupted = false;

function onSignal(code: number): void {
  interrupted = true;
  progress('interrupted: stopping the write load and the demo cluster …');
  if (!cluster && clusterStarting) {
    // Half-started: wait for the start to finish (or fail and clean up after itself), then stop it.
    void clusterStarting
      .then((c) => {
        cluster = c;
      }, () => undefined)
      .finally(() => {
        emergencyStop();
        process.exit(code);
      });
    return;
  }
  emergencyStop();
  process.exit(code);
}
process.on('SIGINT', () => onSignal(130));
process.on('SIGTERM', () => onSignal(143));
process.once('exit', emergencyStop);

async function startLoadChild(conninfo: string): Promise<ChildProcess> {
  const child = fork(join(ROOT, 'bench/lib/write-load-child.ts'), [conninfo], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  loadChild = child;
  await new Promise<void>((resolve, reject) => {
    child.once('message', (m) => (m === 'started' ? resolve() : reject(new Error(`write load: unexpected ${String(m)}`))));
    child.once('exit', (code) => reject(new Error(`write load exited early (code ${code})`)));
    child.once('error', reject);
  });
  return child;
}

async function stopLoadChild(): Promise<void> {
  const child = loadChild;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    child.send('stop');
  } catch {
    child.kill('SIGTERM');
  }
  const timedOut = await Promise.race([exited.then(() => false), sleep(8000).then(() => true)]);
  if (timedOut) child.kill('SIGKILL');
  loadChild = null;
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const wallStart = performance.now();
  const [{ startDemoCluster }, { demoLoaded }, { createScheduler, storeNodesFromConfig }, { createAppStore }] = await Promise.all([
    import('../src/demo/cluster.ts'),
    import('../src/cli/demo.ts'),
    import('../src/probes/scheduler.ts'),
    import('../src/state/store.ts'),
  ]);
  const pgMod = (await import('pg')).default;
  const { buildProbeQuery } = await import('../src/probes/pg/probe-query.ts');
  const { probeClientConfig } = await import('../src/probes/pg/polled-connection.ts');
  const { parseConninfo, resolveService } = await import('../src/config/conninfo.ts');
  const React = (await import('react')).default;
  const { render } = await import('ink');
  const { App } = await import('../src/views/App.tsx');
  // As the console does (src/cli/tui.tsx); --ink-path measures Ink's own frame assembly instead.
  const { installInkPatches } = await import('../src/terminal/ink-patches.ts');
  const fastPath = process.argv.includes('--ink-path') ? false : await installInkPatches();
  console.log(`frames    ${fastPath ? 'pre-composed rows through the fast path (src/terminal/ink-patches.ts)' : "Ink's own frame assembly (--ink-path or fast path unavailable)"}`);
  const chalk = (await import('chalk')).default;
  const { gc, how: gcHow } = findGc();

  // -- 6. machine ------------------------------------------------------------------------------
  const cpuList = cpus();
  const pkgVersion = (name: string) => {
    try {
      return (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      return '?';
    }
  };
  out('pgtop-ha tick bench' + (args.quick ? ' (--quick)' : ''));
  out(`machine   ${cpuList[0]?.model.trim() ?? 'unknown cpu'}, ${cpuList.length} cores, ${mib(totalmem())} RAM, ${process.platform}/${process.arch}`);
  out(`runtime   node ${process.version}, NODE_ENV=${process.env.NODE_ENV}, react ${pkgVersion('react')}, ink ${pkgVersion('ink')}, zustand ${pkgVersion('zustand')}, pg ${pkgVersion('pg')}`);
  out(`terminal  fake TTY stdout, chalk level ${chalk.level} (FORCE_COLOR=${process.env.FORCE_COLOR}), Ink maxFps 15, incrementalRendering on`);
  out(`gc        ${gcHow}`);
  out(`src       ${sourceState()}`);

  // -- cluster + write load --------------------------------------------------------------------
  progress('starting the demo cluster (PostgreSQL 17, 3 nodes) …');
  clusterStarting = startDemoCluster({ log: (l) => progress(`cluster: ${l}`) });
  cluster = await clusterStarting;
  clusterStarting = null;
  if (interrupted) return; // the signal handler stops the cluster and exits
  const demo = cluster;
  progress('starting the demo write load (separate process) …');
  await startLoadChild(demo.superuserConninfo('pg-primary'));
  const loaded = demoLoaded(demo, INTERVAL_SECONDS);
  out(`cluster   ${demo.nodes.map((n) => `${n.name}:${n.port}`).join(', ')}; write load: 1 row of 512 B per 200 ms in a child process (its CPU is not counted)`);
  out();

  const queryTimeoutMs = Math.max(2000, loaded.cluster.intervalSeconds * 1000);

  // -- 1. probe latency vs bare round trip -------------------------------------------------------
  {
    progress(`probe latency: ${COUNTS.latency} probes + ${COUNTS.latency} SELECT 1 per node …`);
    const rows: string[][] = [];
    const sectionRows: string[][] = [];
    let sectionNames: string[] = [];
    for (const node of loaded.cluster.nodes) {
      // The same client settings as the console's own probe connections.
      const client: pg.Client = new pgMod.Client(probeClientConfig(resolveService(parseConninfo(node.conninfo)), queryTimeoutMs));
      client.on('error', () => {});
      await client.connect();
      try {
        const versionNum = Number((await client.query('SHOW server_version_num')).rows[0]?.server_version_num);
        const probe = buildProbeQuery(versionNum);
        const probeMs: number[] = [];
        const bareMs: number[] = [];
        let resultSets = 0;
        for (let i = 0; i < COUNTS.latencyWarmup + COUNTS.latency; i++) {
          const keep = i >= COUNTS.latencyWarmup;
          // Alternate which goes first, so neither always follows the other's wake-up.
          const order = i % 2 === 0 ? (['probe', 'bare'] as const) : (['bare', 'probe'] as const);
          for (const which of order) {
            const t0 = performance.now();
            const res = await client.query(which === 'probe' ? probe.text : 'SELECT 1');
            const dt = performance.now() - t0;
            if (!keep) continue;
            if (which === 'probe') {
              probeMs.push(dt);
              resultSets = Array.isArray(res) ? res.length : 1;
            } else bareMs.push(dt);
          }
        }
        // Each statement of the probe on its own (one round trip each), to see where the time goes.
        const statements = probe.text.split(/;\n/).map((t) => t.replace(/;\s*$/, ''));
        if (statements.length === probe.sections.length) {
          const per: string[] = [node.name];
          for (const sql of statements) {
            const samples: number[] = [];
            for (let i = 0; i < COUNTS.latencyWarmup + Math.ceil(COUNTS.latency / 2); i++) {
              const t0 = performance.now();
              await client.query(sql);
              if (i >= COUNTS.latencyWarmup) samples.push(performance.now() - t0);
            }
            per.push(ms(percentile(samples, 50)));
          }
          sectionRows.push(per);
          sectionNames = [...probe.sections];
        }
        const p = (v: number[], q: number) => percentile(v, q);
        rows.push([
          node.name,
          String(versionNum),
          `${resultSets}`,
          ms(p(probeMs, 50)), ms(p(probeMs, 95)), ms(max(probeMs)),
          ms(p(bareMs, 50)), ms(p(bareMs, 95)), ms(max(bareMs)),
          `${(p(probeMs, 50) / p(bareMs, 50)).toFixed(1)}x`,
          `${(p(probeMs, 95) / p(bareMs, 95)).toFixed(1)}x`,
        ]);
      } finally {
        await client.end().catch(() => undefined);
      }
    }
    out(`1. Probe query vs bare round trip (same connection, ${COUNTS.latency} of each, alternating; wall ms)`);
    out(
      table(
        ['node', 'version', 'stmts', 'probe p50', 'p95', 'max', 'SELECT 1 p50', 'p95', 'max', 'ratio p50', 'ratio p95'],
        rows,
      ),
    );
    if (sectionRows.length > 0) {
      out(`   each statement of the probe alone (own round trip, p50 ms of ${Math.ceil(COUNTS.latency / 2)}):`);
      out(table(['node', ...sectionNames], sectionRows).replace(/^/gm, '   '));
    }
    out();
  }

  // -- harness: store + scheduler (+ optionally the Ink app) ------------------------------------
  interface Harness {
    store: AppStore;
    scheduler: Scheduler;
    stdout: FakeStdout | null;
    renders: number;
    /** Ink's RenderMetrics.renderTime summed: tree-to-string only (not React, not Yoga, not the write). */
    renderMs: number;
    unmount(): void;
  }

  function createHarness(size: { columns: number; rows: number } | null): Harness {
    const store = createAppStore({
      cluster: loaded.cluster.name,
      intervalMs: loaded.cluster.intervalSeconds * 1000,
      readOnly: false,
      nodes: storeNodesFromConfig(loaded.cluster),
    });
    const scheduler = createScheduler(loaded.cluster, store);
    const h: Harness = { store, scheduler, stdout: null, renders: 0, renderMs: 0, unmount: () => {} };
    if (size) {
      const stdout = new FakeStdout(size.columns, size.rows);
      const stderr = new FakeStdout(size.columns, size.rows);
      const stdin = new FakeStdin();
      h.stdout = stdout;
      const instance = render(
        React.createElement(App, {
          store,
          controls: { refreshNow: () => {}, requestAction: () => {}, quit: () => {} },
          thresholds: loaded.cluster.thresholds,
          ascii: false,
          color: true,
          size: { columns: size.columns, rows: size.rows },
        }),
        {
          stdout: stdout as unknown as NodeJS.WriteStream,
          stderr: stderr as unknown as NodeJS.WriteStream,
          stdin: stdin as unknown as NodeJS.ReadStream,
          exitOnCtrlC: false,
          patchConsole: false,
          maxFps: 15,
          incrementalRendering: true,
          onRender: ({ renderTime }) => {
            h.renders++;
            h.renderMs += renderTime;
          },
        },
      );
      h.unmount = () => {
        instance.unmount();
        instance.cleanup();
      };
    }
    return h;
  }

  interface TickRec {
    cpuMs: number;
    wallMs: number;
    bytes: number;
    writes: number;
    clears: number;
    renders: number;
    renderMs: number;
  }

  async function tick(h: Harness, waitMs: number): Promise<TickRec> {
    const before = { bytes: h.stdout?.bytes ?? 0, writes: h.stdout?.writes ?? 0, clears: h.stdout?.clears ?? 0, renders: h.renders, renderMs: h.renderMs };
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await h.scheduler.pollOnce();
    await sleep(waitMs);
    const c = process.cpuUsage(c0);
    return {
      cpuMs: (c.user + c.system) / 1000,
      wallMs: performance.now() - t0,
      bytes: (h.stdout?.bytes ?? 0) - before.bytes,
      writes: (h.stdout?.writes ?? 0) - before.writes,
      clears: (h.stdout?.clears ?? 0) - before.clears,
      renders: h.renders - before.renders,
      renderMs: h.renderMs - before.renderMs,
    };
  }

  async function runTicks(h: Harness, warmup: number, steady: number, waitMs: number): Promise<{ recs: TickRec[]; cpuMsTotal: number }> {
    for (let i = 0; i < warmup; i++) await tick(h, waitMs);
    const recs: TickRec[] = [];
    const c0 = process.cpuUsage();
    for (let i = 0; i < steady; i++) recs.push(await tick(h, waitMs));
    const c = process.cpuUsage(c0);
    return { recs, cpuMsTotal: (c.user + c.system) / 1000 };
  }

  // -- 2 + 3. CPU and bytes per tick ---------------------------------------------------------------
  const sizes = [
    { columns: 160, rows: 45 },
    { columns: 80, rows: 24 },
    { columns: 250, rows: 70 },
  ];
  const { warmupTicks, steadyTicks } = COUNTS;

  progress(`probe-only CPU: ${warmupTicks} + ${steadyTicks} ticks without the Ink app …`);
  const probeOnly = await (async () => {
    const h = createHarness(null);
    try {
      return await runTicks(h, warmupTicks, steadyTicks, CPU_TICK_WAIT_MS);
    } finally {
      await h.scheduler.stop();
    }
  })();
  const probeCpu = probeOnly.cpuMsTotal / steadyTicks;

  interface SizeResult {
    label: string;
    columns: number;
    rows: number;
    recs: TickRec[];
    cpuMsTotal: number;
  }
  const results: SizeResult[] = [];
  const variants: Array<{ label: string; size: { columns: number; rows: number } }> = [
    ...sizes.map((s) => ({ label: `${s.columns}x${s.rows}`, size: s })),
    // The first size again, last: how much of the spread between rows is run order and noise.
    ...(args.quick ? [] : [{ label: '160x45 (repeat)', size: sizes[0]! }]),
  ];
  for (const v of variants) {
    progress(`dashboard ${v.label}: ${warmupTicks} warmup + ${steadyTicks} ticks …`);
    const h = createHarness(v.size);
    try {
      const r = await runTicks(h, warmupTicks, steadyTicks, CPU_TICK_WAIT_MS);
      results.push({ label: v.label, columns: v.size.columns, rows: v.size.rows, ...r });
    } finally {
      h.unmount();
      await h.scheduler.stop();
    }
  }

  out(`2. CPU per tick, whole dashboard (process.cpuUsage user+system over ${steadyTicks} steady ticks / ${steadyTicks}; ${warmupTicks} warmup ticks excluded)`);
  out(`   tick = scheduler.pollOnce() + ${CPU_TICK_WAIT_MS} ms for Ink's throttled render (maxFps 15) to flush; budget ${BUDGET_MS} ms CPU per tick`);
  const budget = (v: number) => `${v <= BUDGET_MS ? 'ok' : 'OVER'} (${((v / BUDGET_MS) * 100).toFixed(0)}%)`;
  const cpuRows = results.map((r) => {
    const total = r.cpuMsTotal / steadyTicks;
    const frames = r.recs.filter((x) => x.bytes > 0).length;
    const renders = mean(r.recs.map((x) => x.renders));
    const inkMs = mean(r.recs.map((x) => x.renderMs));
    return [
      r.label,
      ms(total),
      ms(percentile(r.recs.map((x) => x.cpuMs), 95)),
      budget(total),
      ms(probeCpu),
      ms(total - probeCpu),
      `${((100 * (total - probeCpu)) / total).toFixed(0)}%`,
      ms(inkMs),
      renders.toFixed(2),
      ms(inkMs / renders),
      `${frames}/${r.recs.length}`,
    ];
  });
  cpuRows.unshift(['probe only (no Ink)', ms(probeCpu), ms(percentile(probeOnly.recs.map((x) => x.cpuMs), 95)), budget(probeCpu), ms(probeCpu), '-', '-', '-', '-', '-', '-']);
  out(
    table(
      ['size', 'CPU/tick', 'p95', `vs ${BUDGET_MS} ms`, 'probe CPU', 'render CPU', 'share', 'Ink renderTime', 'frames/tick', 'per frame', 'ticks w/ output'],
      cpuRows,
    ),
  );
  out('   probe CPU  = the same ticks with no app mounted (pg I/O, result parsing, store update, history rings).');
  out('   render CPU = CPU/tick - probe CPU (React, Yoga layout, Ink tree-to-string, log-update, GC); share = of CPU/tick.');
  out("   Ink renderTime = RenderMetrics.renderTime from Ink's onRender, summed per tick (tree-to-string part of render CPU);");
  out('   frames/tick = Ink frames computed per tick; ticks w/ output = ticks that wrote at least one byte to the terminal.');
  out(`   the ${cpus().length} cores are shared with the 3 postgres servers and the write load` +
    (args.quick ? '; --quick counts are too small for stable figures.' : ': compare the "(repeat)" row with the first to judge noise.'));
  out();

  out('3. Bytes written to the terminal per steady-state tick');
  out(
    table(
      ['size', 'mean', 'max', 'min', 'writes/tick', 'full repaints/tick', 'screen cells', 'mean/cells'],
      results.map((r) => {
        const b = r.recs.map((x) => x.bytes);
        const cells = r.columns * r.rows;
        return [
          r.label, kib(mean(b)), kib(max(b)), kib(Math.min(...b)), mean(r.recs.map((x) => x.writes)).toFixed(1),
          mean(r.recs.map((x) => x.clears)).toFixed(2), String(cells), (mean(b) / cells).toFixed(2),
        ];
      }),
    ),
  );
  out('   full repaints = writes carrying clearTerminal (ESC[2J ESC[3J): Ink 6.8 clears and resends the whole screen for every');
  out('   frame once its height reaches stdout.rows, bypassing incrementalRendering; 0 means only changed lines were sent.');
  out();

  // -- 4. memory ---------------------------------------------------------------------------------
  async function memoryRun(withApp: boolean, ticks: number) {
    // Installed before mounting; it unhooks itself at the first set() from measure-text.js.
    const cacheProbe = withApp ? probeMeasureTextCache() : null;
    const h = createHarness(withApp ? { columns: 160, rows: 45 } : null);
    const snaps: Array<{
      ticks: number; elapsedS: number; rss: number; heapUsed: number; external: number;
      cache: { entries: number; keyChars: number } | null;
    }> = [];
    const checkpoints = new Set([100, ticks]);
    for (const c of [250, 500, 750]) if (c < ticks) checkpoints.add(c);
    const t0 = performance.now();
    try {
      for (let i = 1; i <= ticks; i++) {
        await h.scheduler.pollOnce();
        await sleep(MEM_TICK_WAIT_MS);
        if (checkpoints.has(i)) {
          const elapsedS = (performance.now() - t0) / 1000;
          if (gc) {
            gc();
            gc();
          }
          const m = process.memoryUsage();
          snaps.push({ ticks: i, elapsedS, rss: m.rss, heapUsed: m.heapUsed, external: m.external, cache: cacheProbe?.stats() ?? null });
        }
      }
    } finally {
      cacheProbe?.dispose();
      h.unmount();
      await h.scheduler.stop();
    }
    return { snaps, elapsedS: (performance.now() - t0) / 1000, frames: h.renders };
  }

  progress(`memory: ${args.memTicks} ticks at 160x45 with the app, ${MEM_TICK_WAIT_MS} ms between ticks …`);
  const memApp = await memoryRun(true, args.memTicks);
  progress(`memory control: ${args.memTicks} ticks without the app …`);
  const memCtl = await memoryRun(false, args.memTicks);

  out(`4. Memory at 160x45, ${MEM_TICK_WAIT_MS} ms between ticks (heapUsed after a forced GC: ${gc ? 'yes' : 'no'})`);
  const memRows: string[][] = [];
  for (const [label, run] of [['dashboard', memApp], ['probe only', memCtl]] as const) {
    for (const s of run.snaps) {
      memRows.push([
        label, String(s.ticks), `${s.elapsedS.toFixed(1)} s`, mib(s.rss), gc ? mib(s.heapUsed) : '-', mib(s.external),
        s.cache ? String(s.cache.entries) : '-', s.cache ? String(s.cache.keyChars) : '-',
      ]);
    }
  }
  out(table(['run', 'ticks', 'elapsed', 'RSS', 'heapUsed', 'external', 'measure-text entries', 'key chars'], memRows));
  out("   measure-text = ink/build/measure-text.js's module-level Map (text -> size), never evicted; it is shared by every");
  out('   Ink app in the process, so its counts include the section-2 runs before this one.');
  out(`   dashboard: ${args.memTicks} ticks in ${memApp.elapsedS.toFixed(1)} s (${((memApp.elapsedS * 1000) / args.memTicks).toFixed(1)} ms/tick), ${memApp.frames} Ink frames`);
  for (const [label, run] of [['dashboard', memApp], ['probe only', memCtl]] as const) {
    const a = run.snaps.find((s) => s.ticks === 100)!;
    const b = run.snaps[run.snaps.length - 1]!;
    const n = b.ticks - a.ticks;
    const rssPer = (b.rss - a.rss) / n;
    const heapPer = (b.heapUsed - a.heapUsed) / n;
    const parts = [`RSS ${rssPer >= 0 ? '+' : ''}${kib(b.rss - a.rss)} (${(rssPer / 1024).toFixed(2)} KiB/tick)`];
    if (gc) parts.push(`heapUsed ${heapPer >= 0 ? '+' : ''}${kib(b.heapUsed - a.heapUsed)} (${(heapPer / 1024).toFixed(2)} KiB/tick)`);
    out(`   ${label}, tick 100 -> ${b.ticks}: ${parts.join(', ')}`);
  }
  {
    // Least-squares slope over the checkpoints from tick 100 on: RSS jumps by MiB whenever V8 or
    // the allocator returns or grabs pages, so only a steady slope means "keeps growing".
    const slope = (run: typeof memApp, pick: (s: (typeof memApp.snaps)[number]) => number) => {
      const pts = run.snaps.filter((s) => s.ticks >= 100);
      const mx = mean(pts.map((s) => s.ticks));
      const my = mean(pts.map(pick));
      const num = pts.reduce((acc, s) => acc + (s.ticks - mx) * (pick(s) - my), 0);
      const den = pts.reduce((acc, s) => acc + (s.ticks - mx) ** 2, 0);
      return den === 0 ? NaN : num / den;
    };
    const first = memApp.snaps.find((s) => s.ticks === 100)!;
    const last = memApp.snaps[memApp.snaps.length - 1]!;
    const n = last.ticks - first.ticks;
    const perTick = (bytesPerTick: number) => `${bytesPerTick >= 0 ? '+' : ''}${(bytesPerTick / 1024).toFixed(2)} KiB/tick`;
    const GROWING = 1024; // bytes per tick
    const conclusive = n >= 500;
    const judge = (growing: boolean, yes: string, no: string) => (conclusive ? (growing ? yes : no) : 'inconclusive (too few ticks)');
    const rssApp = slope(memApp, (s) => s.rss);
    const rssCtl = slope(memCtl, (s) => s.rss);
    out(
      `   verdict RSS: ${judge(rssApp > GROWING, 'keeps growing', 'does not keep growing')} between tick 100 and ${last.ticks}: ` +
        `slope ${perTick(rssApp)} with the dashboard, ${perTick(rssCtl)} without (least squares over ${memApp.snaps.length} checkpoints)`,
    );
    if (gc) {
      const heapApp = slope(memApp, (s) => s.heapUsed);
      const heapCtl = slope(memCtl, (s) => s.heapUsed);
      const rendering = heapApp - heapCtl;
      const growing = heapApp > GROWING && rendering > GROWING;
      out(
        `   verdict heap: heapUsed after GC ${judge(growing, 'keeps growing', 'is flat')}: slope ${perTick(heapApp)} with the dashboard, ` +
          `${perTick(heapCtl)} without` +
          (growing && conclusive
            ? `, so ${perTick(rendering)} from rendering (${((rendering * 3600) / 2 / 1024 / 1024).toFixed(1)} MiB/hour if that per-tick rate holds at the demo's 2 s interval)`
            : ''),
      );
    }
    if (!conclusive) out(`   (only ${n} ticks between the checkpoints: run without --quick, or with --ticks 1000, to judge growth)`);
    if (first.cache && last.cache) {
      out(
        `   measure-text cache, tick 100 -> ${last.ticks}: +${last.cache.entries - first.cache.entries} entries ` +
          `(${((last.cache.entries - first.cache.entries) / n).toFixed(1)}/tick), +${last.cache.keyChars - first.cache.keyChars} key chars ` +
          `(${((last.cache.keyChars - first.cache.keyChars) / n).toFixed(0)}/tick) — never evicted`,
      );
    }
  }
  out();
  out(`total wall time ${((performance.now() - wallStart) / 1000).toFixed(1)} s (including cluster start)`);
}

let exitCode = 0;
try {
  await main();
} catch (e) {
  exitCode = 1;
  process.stderr.write(`bench failed: ${(e as Error)?.stack ?? String(e)}\n`);
} finally {
  progress('stopping the write load and the demo cluster …');
  await stopLoadChild().catch((e: Error) => progress(`write load stop: ${e.message}`));
  const running = cluster as DemoCluster | null;
  if (running) {
    await running.stop().catch((e: Error) => {
      progress(`cluster stop: ${e.message}`);
      running.stopSync();
    });
  }
  progress('stopped');
}
process.exit(exitCode);
