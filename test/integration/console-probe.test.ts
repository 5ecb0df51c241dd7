// The console's probes against a real PostgreSQL 17 cluster: what the store learns, that a
// stopped or hung node does not hold the others back, and that `w` moves the archiver.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { switchWal } from '../../src/actions/switch-wal.ts';
import { demoLoaded } from '../../src/cli/demo.ts';
import { runSnapshot } from '../../src/cli/snapshot.ts';
import { parseConninfo, toPgTarget } from '../../src/config/conninfo.ts';
import { type DemoCluster, startDemoCluster } from '../../src/demo/cluster.ts';
import { startWriteLoad } from '../../src/demo/write-load.ts';
import { buildTopology } from '../../src/model/topology.ts';
import { createScheduler, storeNodesFromConfig } from '../../src/probes/scheduler.ts';
import { createAppStore } from '../../src/state/store.ts';

let cluster: DemoCluster;
let load: { stop(): Promise<void> } | null = null;

before(async () => {
  cluster = await startDemoCluster({ applyDelay: '2s' });
  load = startWriteLoad(cluster.superuserConninfo('pg-primary'), { intervalMs: 100 });
});

after(async () => {
  await load?.stop();
  await cluster?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 15000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await fn();
    if (last) return last as NonNullable<T>;
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}

function newConsole(intervalSeconds = 1) {
  const loaded = demoLoaded(cluster, intervalSeconds);
  const store = createAppStore({ cluster: 'demo', intervalMs: intervalSeconds * 1000, nodes: storeNodesFromConfig(loaded.cluster) });
  const scheduler = createScheduler(loaded.cluster, store);
  return { store, scheduler, loaded };
}

async function superuser(name: string) {
  const client = new pg.Client({ ...toPgTarget(parseConninfo(cluster.superuserConninfo(name))), database: 'postgres' });
  await client.connect();
  return client;
}

test('one poll reads roles, upstreams, lag, slots, archiver and WAL summarizer from PostgreSQL 17', async () => {
  const { store, scheduler } = newConsole();
  try {
    await scheduler.pollOnce();
    const { nodes } = store.getState();
    const primary = nodes['pg-primary']!.sample!;
    assert.equal(primary.role, 'primary');
    assert.ok(primary.serverVersionNum >= 170000 && primary.serverVersionNum < 180000, `version ${primary.serverVersionNum}`);
    assert.equal(primary.timeline, 1);
    assert.equal(nodes['pg-standby1']!.sample!.role, 'standby');
    assert.equal(nodes['pg-standby2']!.sample!.role, 'standby');

    const topo = buildTopology(['pg-primary', 'pg-standby1', 'pg-standby2'].map((n) => nodes[n]!));
    const byName = Object.fromEntries(topo.entries.map((e) => [e.name, e]));
    assert.equal(byName['pg-standby1']!.upstream, 'pg-primary');
    assert.equal(byName['pg-standby2']!.upstream, 'pg-primary');
    assert.equal(byName['pg-standby1']!.link?.state, 'streaming');
    assert.deepEqual(topo.primaries, ['pg-primary']);
    assert.deepEqual(topo.external, []);

    const slots = primary.slots.map((s) => [s.slotName, s.slotType, s.active, s.walStatus]).sort();
    assert.deepEqual(slots, [['pg_standby1', 'physical', true, 'reserved'], ['pg_standby2', 'physical', true, 'reserved']]);
    for (const s of primary.slots) assert.ok(s.retainedBytes !== null && s.retainedBytes >= 0);

    assert.equal(primary.archiver.archiveMode, 'on');
    assert.equal(primary.archiver.archiveCommandSet, true);
    const w = primary.walSummary!;
    assert.equal(w.summarizeWal, true);
    assert.ok(w.summarizerPid !== null, 'summarizer runs on the primary');
    assert.ok(w.behindBytes !== null && w.behindBytes >= 0);
  } finally {
    await scheduler.stop();
  }
});

test('the delayed standby shows replay lag in bytes and seconds while the primary writes', async () => {
  const { store, scheduler } = newConsole();
  try {
    const link = await waitFor('standby2 lag', async () => {
      await scheduler.pollOnce();
      const { nodes } = store.getState();
      const topo = buildTopology(Object.values(nodes));
      const l = topo.entries.find((e) => e.name === 'pg-standby2')!.link;
      return l && (l.replayLagBytes ?? 0) > 0 && (l.replayLagSeconds ?? 0) > 0.5 ? l : null;
    });
    assert.ok(link.replayLagSeconds! < 30, `lag ${link.replayLagSeconds}s`);
    assert.ok(store.getState().history.lagBytes.get('pg-standby2')!.length > 0, 'lag history recorded');
  } finally {
    await scheduler.stop();
  }
});

test('pg_switch_wal() as the monitoring role moves archived_count, seen by the next poll', async () => {
  const { store, scheduler } = newConsole();
  try {
    await scheduler.pollOnce();
    const before = store.getState().nodes['pg-primary']!.sample!.archiver.archivedCount;
    const result = await switchWal(parseConninfo(cluster.nodes[0]!.conninfo), { waitMs: 15000 });
    assert.equal(result.switched, true, result.message);
    assert.equal(result.archived, 'yes', result.message);
    assert.match(result.walFile!, /^[0-9A-F]{24}$/);
    await scheduler.pollOnce();
    const after = store.getState().nodes['pg-primary']!.sample!.archiver;
    assert.ok(after.archivedCount > before, `archived_count ${before} → ${after.archivedCount}`);
    assert.ok(after.lastArchivedWal! >= result.walFile!);
  } finally {
    await scheduler.stop();
  }
});

test('a stopped standby shows as down with its reason while the others keep updating', async () => {
  const { store, scheduler } = newConsole();
  try {
    await scheduler.pollOnce();
    await cluster.stopNode('pg-standby1');
    const t0 = Date.now();
    await scheduler.pollOnce();
    const { nodes } = store.getState();
    const down = nodes['pg-standby1']!;
    assert.equal(down.health.kind, 'down');
    assert.match((down.health as { reason: string }).reason, /refused|closed|terminat|shut/i);
    assert.equal(nodes['pg-primary']!.health.kind, 'ok');
    assert.ok(nodes['pg-primary']!.sample!.takenAt >= t0, 'primary sampled after the standby died');
    assert.ok(nodes['pg-standby2']!.sample!.takenAt >= t0);
    const snap = JSON.parse(await runSnapshot(demoLoaded(cluster), { format: 'json' }));
    const s1 = snap.nodes.find((n: { name: string }) => n.name === 'pg-standby1');
    assert.equal(s1.reachable, false);
    assert.match(s1.error, /refused/);
  } finally {
    await scheduler.stop();
    await cluster.startNode('pg-standby1');
  }
});

test('a node that hangs for 10 s does not delay the others, and recovers', async () => {
  const { store, scheduler } = newConsole(1);
  const su = await superuser('pg-standby2');
  // Freeze the postmaster (no new connections are served) and our probe's backend (the open
  // query never answers): to the console the node hangs, as a SIGSTOPped VM or a dead link would.
  const frozen: number[] = [];
  try {
    scheduler.start();
    await waitFor('first samples', () => Object.values(store.getState().nodes).every((n) => n.health.kind === 'ok'));
    const r = await su.query("SELECT pid FROM pg_stat_activity WHERE application_name = 'pgtop-ha'");
    assert.equal(r.rows.length, 1, 'one probe connection per node');
    const postmaster = Number(readFileSync(join(cluster.nodes[2]!.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    for (const pid of [postmaster, Number(r.rows[0].pid)]) {
      process.kill(pid, 'SIGSTOP');
      frozen.push(pid);
    }
    const start = Date.now();
    const primarySamples: number[] = [];
    const standbyStates = new Set<string>();
    const unsub = store.subscribe((s) => {
      const t = s.nodes['pg-primary']!.sample?.takenAt;
      if (t && t > start && primarySamples.at(-1) !== t) primarySamples.push(t);
      const h = s.nodes['pg-standby2']!.health;
      standbyStates.add(h.kind === 'down' ? `down: ${h.reason}` : h.kind);
    });
    await sleep(10000);
    unsub();
    const downs = [...standbyStates].filter((x) => x.startsWith('down'));
    assert.ok(downs.length > 0, `standby2 reported down while frozen (saw ${[...standbyStates].join(' | ')})`);
    assert.ok(downs.some((d) => /no answer|hung|timeout/i.test(d)), downs.join(' | '));
    // 1 s interval over 10 s: the primary must have kept its pace despite the frozen standby.
    assert.ok(primarySamples.length >= 8, `primary sampled ${primarySamples.length} times during the stall`);
    const gaps = primarySamples.slice(1).map((t, i) => t - primarySamples[i]!);
    assert.ok(Math.max(...gaps) < 2500, `largest gap between primary samples ${Math.max(...gaps)} ms`);
    for (const pid of frozen.splice(0)) process.kill(pid, 'SIGCONT');
    await waitFor('standby2 back', () => store.getState().nodes['pg-standby2']!.health.kind === 'ok', 45000);
  } finally {
    for (const pid of frozen) process.kill(pid, 'SIGCONT');
    await su.end().catch(() => undefined);
    await scheduler.stop();
  }
});

test('a refused login shows the server\'s reason, and the node is retried with backoff', async () => {
  const port = cluster.nodes[0]!.port;
  const events: Array<{ kind: string; reason?: string; retryAt?: number | null; since?: number }> = [];
  const { NodePoller } = await import('../../src/probes/pg/node-poller.ts');
  const poller = new NodePoller({
    name: 'bad-login',
    conninfo: parseConninfo(`host=127.0.0.1 port=${port} dbname=postgres user=no_such_role`),
    target: `no_such_role@127.0.0.1:${port}/postgres`,
    sink: { sample: () => assert.fail('no sample expected'), health: (_n, h) => events.push(h) },
  });
  try {
    await poller.tick(true);
    await poller.tick(); // inside the backoff window: no new attempt
    assert.equal(events.length, 1);
    const h = events[0]!;
    assert.equal(h.kind, 'down');
    assert.match(h.reason!, /role "no_such_role" does not exist/);
    assert.ok(h.retryAt! > h.since!, 'a retry is scheduled after a delay');
  } finally {
    await poller.close();
  }
});
