// The guided switchover on the real HA lab, driven key by key through the wizard the console
// runs (`s`), with the console's own probes, SSH pool, audit log and the config `lab:up` writes:
// two preflights that must stop and change nothing (repmgrd stopped on a node; a standby whose
// replay is paused and falls behind), then a switchover to pgsql2 and back to pgsql1, each
// verified by the post-checks and by asking PostgreSQL directly. Own lab dir; a lab that cannot
// start fails the suite.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AuditLog } from '../../src/actions/audit.ts';
import { createSwitchoverWizard, type SwitchoverWizard } from '../../src/actions/switchover/wizard.ts';
import type { KeyLike } from '../../src/actions/switchover/wizard-keys.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { ClusterConfig } from '../../src/config/schema.ts';
import { switchoverCandidates } from '../../src/model/switchover/eligibility.ts';
import { backupSourceKeys, createScheduler, storeNodesFromConfig, storePgpoolsFromConfig, type Scheduler } from '../../src/probes/scheduler.ts';
import { type AppStore, createAppStore } from '../../src/state/store.ts';
import { wizardArea } from '../../src/views/components/SwitchoverWizard.ts';
import { lineText } from '../../src/views/format/line.ts';
import { writeLabConfig } from '../lab/lab-config.ts';
import { labDown, labUp, PG_BIN, runRaw, type LabInfo, type LabNode } from '../lab/lab.ts';

const DIR = process.env.PGTOP_HA_LAB_SWITCHOVER_DIR ?? '/tmp/pgtop-ha-lab-switchover';
const logs: string[] = [];
let lab: LabInfo;
let cluster: ClusterConfig;
let store: AppStore;
let scheduler: Scheduler;
let wizard: SwitchoverWizard;
let auditFile: string;

const ENTER: KeyLike = { return: true };
const ESC: KeyLike = { escape: true };
const press = (input: string, k: KeyLike = {}) => wizard.key(input, k);
const type = (s: string) => { for (const c of s) press(c); };
const w = () => store.getState().switchover;

function screen(): string {
  const wz = w();
  if (!wz) return '(wizard closed)';
  return wizardArea({ wizard: wz, state: store.getState(), cluster, thresholds: cluster.thresholds }, 120, 60, false, Date.now()).map((l) => lineText(l).trimEnd()).join('\n');
}

async function waitFor<T>(what: string, timeoutMs: number, f: () => T | null | undefined | false | Promise<T | null | undefined | false>): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${screen()}\n${logs.slice(-5).join('\n')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function sql(n: LabNode, q: string): Promise<string> {
  const r = await runRaw([`${PG_BIN}/psql`, '-XAtq', '-d', n.superConninfo, '-c', q], { user: 'postgres', cwd: DIR });
  if (r.code !== 0) throw new Error(`psql on ${n.name}: ${r.stderr}`);
  return r.stdout.trim();
}

const node = (name: string) => lab.nodes.find((n) => n.name === name)!;

/** PostgreSQL's own word: who is primary, and whom each standby streams from (by port). */
async function topology(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const n of lab.nodes) {
    const inRecovery = (await sql(n, 'SELECT pg_is_in_recovery()')) === 't';
    if (!inRecovery) out[n.name] = 'primary';
    else {
      const port = await sql(n, "SELECT coalesce(sender_port::text, '?') || ':' || status FROM pg_stat_wal_receiver");
      const up = lab.nodes.find((x) => `${x.port}:streaming` === port);
      out[n.name] = up ? `standby of ${up.name}` : `standby (${port || 'no receiver'})`;
    }
  }
  return out;
}

function audit(): Array<Record<string, unknown>> {
  return existsSync(auditFile) ? readFileSync(auditFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>) : [];
}

/** Choose `target` by its digit, as a DBA would, once the probes list it. */
async function chooseTarget(target: string): Promise<void> {
  wizard.open();
  assert.equal(w()?.step, 'choose', store.getState().flash?.text ?? 'wizard did not open');
  const i = switchoverCandidates(store.getState(), cluster, cluster.thresholds).candidates.findIndex((c) => c.node === target);
  assert.ok(i >= 0, `${target} not listed\n${screen()}`);
  press(String(i + 1));
}

async function switchoverTo(target: string, from: string): Promise<void> {
  await waitFor(`${target} eligible`, 30_000, () => switchoverCandidates(store.getState(), cluster, cluster.thresholds).candidates.find((c) => c.node === target)?.level !== 'bad');
  await chooseTarget(target);
  assert.equal(w()!.step, 'preflight', screen());
  await waitFor('the dry run', 90_000, () => w()!.dryRun && !w()!.dryRun!.running);
  assert.equal(w()!.dryRun!.ok, true, `${w()!.dryRun!.error}\n${w()!.dryRun!.raw}`);
  await waitFor('preflight green or amber', 30_000, () => {
    press('', ENTER);
    return w()!.step === 'confirm';
  });
  type(target);
  press('', ENTER);
  assert.equal(w()!.step, 'running', screen());
  await waitFor('post-checks', 180_000, () => w()!.step !== 'running');
  // pgpool may keep the old primary detached: the wizard offers pcp_attach_node (a)
  const done = await waitFor('all post-checks green', 120_000, () => {
    const wz = w()!;
    if (wz.step === 'done') return wz;
    if (/press a (to attach|for pcp_promote_node)/.test(screen()) && !wz.busy) press('a');
    return null;
  });
  assert.equal(done.outcome!.ok, true, `${done.outcome!.message}\n${screen()}`);
  assert.match(screen(), /SWITCHOVER DONE/);
  const topo = await topology();
  const others = lab.nodes.map((n) => n.name).filter((n) => n !== target);
  assert.deepEqual(topo, Object.fromEntries(lab.nodes.map((n) => [n.name, n.name === target ? 'primary' : `standby of ${target}`])), JSON.stringify(topo));
  assert.ok(others.includes(from));
  press('', ESC);
  assert.equal(w(), null);
}

describe('guided switchover on the HA lab', { timeout: 900_000 }, () => {
  before(async () => {
    lab = await labUp({ dir: DIR, fresh: true, log: (m) => logs.push(m) });
    process.env.PCPPASSFILE = lab.pgpool!.pcpPassFile;
    const loaded = loadConfig({ configFile: writeLabConfig(lab), env: {} }).cluster;
    // A tighter lag threshold than the default, so a paused standby is refused within seconds.
    cluster = { ...loaded, thresholds: { ...loaded.thresholds, lagBytesWarn: 2 * 1024 * 1024 } };
    store = createAppStore({ cluster: 'lab', intervalMs: 1000, nodes: storeNodesFromConfig(cluster), pgpools: storePgpoolsFromConfig(cluster), backupOrder: backupSourceKeys(cluster) });
    scheduler = createScheduler(cluster, store);
    auditFile = join(mkdtempSync(join(tmpdir(), 'pgtop-swo-audit-')), 'audit.log');
    wizard = createSwitchoverWizard({
      store, cluster, audit: new AuditLog(auditFile), ssh: scheduler.ssh, thresholds: cluster.thresholds,
      refreshNow: () => scheduler.refreshNow(), refreshBackups: () => scheduler.refreshBackups(), postTimeoutMs: 90_000,
    });
    scheduler.start();
    await waitFor('every node and pgpool polled, repmgrd seen', 60_000, () => {
      const s = store.getState();
      return s.nodeOrder.every((n) => s.nodes[n]!.sample?.repmgr) && s.pgpoolOrder.every((p) => s.pgpools[p]!.sample);
    });
  }, { timeout: 300_000 });

  after(async () => {
    wizard?.dispose();
    await scheduler?.stop();
    await labDown({ dir: DIR, log: (m) => logs.push(m) });
  });

  test('repmgrd stopped on pgsql3: the preflight names it and stops; nothing changes', async () => {
    const n3 = node('pgsql3');
    const pid = Number(readFileSync(n3.repmgrdPidFile, 'utf8').trim());
    process.kill(pid, 'SIGTERM');
    try {
      await waitFor('repmgrd on pgsql3 seen stopped', 30_000, () => {
        const r = store.getState().nodes.pgsql3?.sample?.repmgr;
        return r?.available && r.repmgrdRunning === false;
      });
      await chooseTarget('pgsql2');
      await waitFor('the dry run', 90_000, () => w()!.dryRun && !w()!.dryRun!.running);
      press('', ENTER);
      assert.equal(w()!.step, 'preflight');
      assert.match(w()!.note!.text, /cannot go on: .*repmgrd: not running on pgsql3/);
      assert.match(screen(), /✗ repmgrd +not running on pgsql3/);
      press('', ESC);
      assert.equal(w(), null);
      assert.deepEqual(await topology(), { pgsql1: 'primary', pgsql2: 'standby of pgsql1', pgsql3: 'standby of pgsql1' });
      assert.deepEqual(audit().map((e) => [e.action, e.outcome]).slice(-2), [['switchover_dry_run', 'ok'], ['switchover', 'cancelled']]);
    } finally {
      await runRaw(['repmgrd', '-f', n3.repmgrConf], { user: 'postgres', cwd: DIR });
    }
    await waitFor('repmgrd on pgsql3 running again', 30_000, () => {
      const r = store.getState().nodes.pgsql3?.sample?.repmgr;
      return r?.available && r.repmgrdRunning === true;
    });
  });

  test('a standby held back (replay paused, lag over the threshold) cannot be chosen; the reason is named', async () => {
    const n3 = node('pgsql3');
    await sql(n3, 'SELECT pg_wal_replay_pause()');
    try {
      await sql(node('pgsql1'), 'CREATE TABLE IF NOT EXISTS swo_filler AS SELECT g, repeat(md5(g::text), 20) AS t FROM generate_series(1, 20000) g');
      await sql(node('pgsql1'), 'INSERT INTO swo_filler SELECT g, repeat(md5(g::text), 20) FROM generate_series(1, 20000) g');
      const reasons = await waitFor('pgsql3 refused for paused replay and lag', 30_000, () => {
        const c = switchoverCandidates(store.getState(), cluster, cluster.thresholds).candidates.find((x) => x.node === 'pgsql3');
        return c && c.level === 'bad' && c.reasons.some((r) => /replay lag .* over the 2\.0 MiB threshold/.test(r)) ? c.reasons : null;
      });
      assert.ok(reasons.some((r) => /WAL replay is paused/.test(r)), reasons.join('\n'));
      await chooseTarget('pgsql3');
      assert.equal(w()!.step, 'choose', 'refused on the spot');
      assert.match(w()!.note!.text, /pgsql3 cannot be the new primary: .*WAL replay is paused/);
      assert.match(screen(), /replay lag .* over the 2\.0 MiB threshold/);
      press('', ESC);
      assert.deepEqual(await topology(), { pgsql1: 'primary', pgsql2: 'standby of pgsql1', pgsql3: 'standby of pgsql1' });
    } finally {
      await sql(n3, 'SELECT pg_wal_replay_resume()');
    }
  });

  test('switchover to pgsql2, then back to pgsql1: every post-check green, PostgreSQL agrees', async () => {
    const tl = (n: string) => store.getState().nodes[n]!.sample!.timeline!;
    const tlBefore = tl('pgsql1');
    await switchoverTo('pgsql2', 'pgsql1');
    assert.ok(tl('pgsql2') > tlBefore, `timeline ${tlBefore} → ${tl('pgsql2')}`);
    await switchoverTo('pgsql1', 'pgsql2');
    const runs = audit().filter((e) => e.action === 'switchover' && e.outcome === 'ok');
    assert.equal(runs.length, 2);
    assert.ok(runs.every((e) => e.exitCode === 0 && typeof e.durationMs === 'number' && /standby switchover --siblings-follow/.test(String(e.command))));
  });
});
