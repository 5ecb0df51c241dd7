// The HA lab end to end: PostgreSQL 15 ×3 + repmgr/repmgrd, pgpool-II, barman. Brings the lab up
// in-process (labUp), checks every layer with the real tools' real output, then checks that
// lab:down leaves nothing running and that the CLI (`lab:up` / `lab:down`) can bring it back.
// Needs root and apt (labUp installs missing packages). A layer that cannot start FAILS the suite.
//
// Uses its own lab dir (PGTOP_HA_LAB_TEST_DIR, default /tmp/pgtop-ha-lab-itest) so it never tears
// down a lab someone brought up with `npm run lab:up`.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { PG_BIN, barmanArgv, labDown, labProcesses, labUp, pidAlive, parsePoolNodes, readLab, runRaw, type LabInfo, type RunResult } from '../lab/lab.ts';
import { writeLabConfig } from '../lab/lab-config.ts';
import { pcpTool, setAutoFailback, waitUntil } from '../lab/pgpool-tools.ts';
import { loadConfig } from '../../src/config/load.ts';
import { createScheduler, storeInitFromCluster } from '../../src/probes/scheduler.ts';
import { createAppStore } from '../../src/state/store.ts';

const DIR = process.env.PGTOP_HA_LAB_TEST_DIR ?? '/tmp/pgtop-ha-lab-itest';
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const logs: string[] = [];
const log = (m: string) => logs.push(m);

let lab: LabInfo;

function explain(r: RunResult): string {
  return `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
}

async function asPostgres(argv: string[]): Promise<RunResult> {
  return runRaw(argv, { user: 'postgres', cwd: '/', timeoutMs: 30_000 });
}

async function psql(port: number, sql: string): Promise<string> {
  const r = await asPostgres([`${PG_BIN}/psql`, '-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-c', sql]);
  assert.equal(r.code, 0, `psql :${port} ${sql}\n${explain(r)}`);
  return r.stdout.trim();
}

async function repmgr(...args: string[]): Promise<RunResult> {
  return asPostgres([`${PG_BIN}/repmgr`, '-f', lab.nodes[0].repmgrConf, ...args]);
}

async function barman(...args: string[]): Promise<RunResult> {
  return runRaw(barmanArgv(lab, ...args), { user: 'barman', cwd: '/', timeoutMs: 60_000 });
}

/** Running (a zombie waiting for PID 1 to reap it is not running). */
function alive(pid: number | undefined): boolean {
  return pidAlive(pid);
}

describe('HA lab (PostgreSQL 15 + repmgr 5.3 + pgpool-II 4.3 + barman 3.4)', { timeout: 300_000 }, () => {
  before(
    async () => {
      lab = await labUp({ dir: DIR, fresh: true, log });
    },
    { timeout: 240_000 },
  );

  after(async () => {
    // Always stop what we started, even if a test failed; a failure here fails the suite.
    await labDown({ dir: DIR, log });
  });

  test('lab.json describes every node and service', () => {
    const fromDisk = readLab(DIR);
    assert.equal(fromDisk.state, 'up');
    assert.deepEqual(fromDisk.layers, ['repmgr', 'pgpool', 'barman']);
    assert.deepEqual(
      fromDisk.nodes.map((n) => n.name),
      ['pgsql1', 'pgsql2', 'pgsql3'],
    );
    const ports = [...fromDisk.nodes.map((n) => n.port), fromDisk.pgpool!.port, fromDisk.pgpool!.pcpPort];
    assert.equal(new Set(ports).size, 5, `distinct ports ${ports}`);
    assert.ok(!ports.includes(5432), 'never uses 5432');
    for (const n of fromDisk.nodes) {
      assert.ok(existsSync(n.repmgrConf) && existsSync(join(n.dataDir, 'PG_VERSION')), `files of ${n.name}`);
      assert.ok(alive(n.pid), `postmaster of ${n.name} (pid ${n.pid}) alive`);
      assert.ok(alive(n.repmgrdPid), `repmgrd of ${n.name} (pid ${n.repmgrdPid}) alive`);
      assert.match(n.conninfo, new RegExp(`host=127\\.0\\.0\\.1 port=${n.port} user=repmgr dbname=repmgr`));
    }
    assert.ok(alive(fromDisk.pgpool!.pid), 'pgpool alive');
    assert.ok(alive(fromDisk.barman!.receiveWalPid), 'barman receive-wal alive');
  });

  test('repmgr: cluster show lists 3 running nodes, node1 primary', async () => {
    const r = await repmgr('cluster', 'show');
    assert.equal(r.code, 0, explain(r));
    const rows = r.stdout.split('\n').filter((l) => /^\s*\d+\s*\|/.test(l)).map((l) => l.split('|').map((f) => f.trim()));
    assert.equal(rows.length, 3, r.stdout);
    assert.deepEqual(
      rows.map((f) => [f[1], f[2], f[3]]),
      [
        ['pgsql1', 'primary', '* running'],
        ['pgsql2', 'standby', 'running'],
        ['pgsql3', 'standby', 'running'],
      ],
    );
    assert.deepEqual(rows.map((f) => f[4]), ['', 'pgsql1', 'pgsql1'], 'standbys follow pgsql1');
    // --csv form: id,availability(0 = available),recovery(0 = primary)
    const csv = await repmgr('cluster', 'show', '--csv');
    assert.equal(csv.code, 0, explain(csv));
    assert.deepEqual(csv.stdout.trim().split('\n'), ['1,0,0', '2,0,1', '3,0,1']);
  });

  test('repmgr: service status --csv shows repmgrd running on all three nodes', async () => {
    const r = await repmgr('service', 'status', '--csv');
    assert.equal(r.code, 0, explain(r));
    const rows = r.stdout.trim().split('\n').map((l) => l.split(','));
    assert.equal(rows.length, 3, r.stdout);
    for (const [i, f] of rows.entries()) {
      assert.equal(f[1], lab.nodes[i].name);
      assert.equal(f[3], '1', `server running on ${f[1]}`);
      assert.equal(f[4], '1', `repmgrd running on ${f[1]}`);
      assert.equal(Number(f[5]), lab.nodes[i].repmgrdPid, `repmgrd pid of ${f[1]} matches lab.json`);
    }
  });

  test('standbys stream from node1 and are in recovery', async () => {
    const n1 = lab.nodes[0];
    const rep = await psql(n1.port, "SELECT application_name, state FROM pg_stat_replication WHERE application_name LIKE 'pgsql%' ORDER BY 1");
    assert.deepEqual(rep.split('\n'), ['pgsql2|streaming', 'pgsql3|streaming']);
    const slots = await psql(n1.port, 'SELECT slot_name, active FROM pg_replication_slots ORDER BY 1');
    assert.deepEqual(slots.split('\n'), ['barman|t', 'repmgr_slot_2|t', 'repmgr_slot_3|t']);
    assert.equal(await psql(n1.port, 'SELECT pg_is_in_recovery()'), 'f');
    for (const s of lab.nodes.slice(1)) assert.equal(await psql(s.port, 'SELECT pg_is_in_recovery()'), 't', s.name);
  });

  test('pgpool: SHOW pool_nodes shows 3 nodes up with the right roles', async () => {
    const text = await psql(lab.pgpool!.port, 'SHOW pool_nodes');
    const rows = parsePoolNodes(text);
    assert.equal(rows.length, 3, text);
    assert.deepEqual(
      rows.map((r) => [r.port, r.status, r.pg_status, r.role, r.pg_role]),
      lab.nodes.map((n) => [String(n.port), 'up', 'up', n.initialRole, n.initialRole]),
    );
    assert.deepEqual(rows.map((r) => r.replication_state), ['', 'streaming', 'streaming']);
  });

  test('pgpool: pcp_node_info -w works with PCPPASSFILE', async () => {
    const pp = lab.pgpool!;
    assert.equal(statSync(pp.pcpPassFile).mode & 0o777, 0o600);
    const r = await runRaw(['pcp_node_info', '-h', '127.0.0.1', '-p', String(pp.pcpPort), '-U', pp.pcpUser, '-w'], {
      env: { PCPPASSFILE: pp.pcpPassFile },
      timeoutMs: 20_000,
    });
    assert.equal(r.code, 0, explain(r));
    // "127.0.0.1 PORT STATUS WEIGHT status pg_status role pg_role ..."
    const rows = r.stdout.trim().split('\n').map((l) => l.split(' '));
    assert.deepEqual(
      rows.map((f) => [f[1], f[4], f[6]]),
      lab.nodes.map((n) => [String(n.port), 'up', n.initialRole]),
    );
  });

  test('barman: check main is all OK', async () => {
    const r = await barman('check', 'main');
    assert.equal(r.code, 0, explain(r));
    assert.doesNotMatch(r.stdout, /FAILED/);
    for (const line of ['PostgreSQL streaming: OK', 'replication slot: OK', 'receive-wal running: OK', 'pg_receivexlog: OK']) assert.ok(r.stdout.includes(line), line);
  });

  test('barman: list-backups (json) shows 2 DONE backups', async () => {
    const r = await barman('-f', 'json', 'list-backups', 'main');
    assert.equal(r.code, 0, explain(r));
    const backups = (JSON.parse(r.stdout) as { main: { backup_id: string; status: string }[] }).main;
    assert.equal(backups.length, 2, r.stdout);
    assert.deepEqual(backups.map((b) => b.status), ['DONE', 'DONE']);
  });

  test('barman: pg_receivewal streams from node1 as barman_receive_wal', async () => {
    const s = await psql(lab.nodes[0].port, "SELECT state FROM pg_stat_replication WHERE application_name = 'barman_receive_wal'");
    assert.equal(s, 'streaming');
  });

  test('the console\'s alerts on the lab: quiet while healthy; repmgrd paused, repmgrd stopped and a pgpool backend detached are raised within two ticks and clear when fixed', { timeout: 120_000 }, async (t) => {
    const note = (m: string) => {
      const line = `${m}; alerts then: ${codes().join(', ') || 'none'}`;
      log(line);
      t.diagnostic(line);
    };
    process.env.PCPPASSFILE = lab.pgpool!.pcpPassFile; // the console's PCP client reads the lab's .pcppass
    const { cluster } = loadConfig({ configFile: writeLabConfig(lab), env: {} });
    const store = createAppStore(storeInitFromCluster(cluster));
    const scheduler = createScheduler(cluster, store);
    const tickMs = cluster.intervalSeconds * 1000;
    const codes = () => store.getState().alerts.map((a) => `${a.code} ${a.subject}`);
    /** Polls until `ok`; returns how long it took. pgpool is asked every second tick, so its layer gets two of its own. */
    async function until(what: string, ok: (c: string[]) => boolean, ticks: number): Promise<number> {
      const t0 = Date.now();
      const deadline = t0 + ticks * tickMs + 3000; // plus a probe's own time
      while (Date.now() < deadline) {
        if (ok(codes())) return Date.now() - t0;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`${what}: not within ${ticks} ticks; alerts now: ${codes().join(', ') || 'none'}`);
    }
    scheduler.start();
    try {
      await until('first full poll', () => Object.keys(store.getState().repmgrCli).length === 3 && store.getState().backupOrder.every((k) => store.getState().backups[k]), 30);
      // healthy: ten ticks without a single alert
      for (let i = 0; i < 10; i++) {
        assert.deepEqual(codes(), [], `tick ${i}: the healthy lab raises nothing`);
        await new Promise((r) => setTimeout(r, tickMs));
      }

      const pause = await repmgr('service', 'pause');
      assert.equal(pause.code, 0, explain(pause));
      note(`REPMGRD_PAUSED raised after ${await until('repmgrd paused', (c) => ['pgsql1', 'pgsql2', 'pgsql3'].every((n) => c.includes(`REPMGRD_PAUSED ${n}`)), 2)} ms`);
      const unpause = await repmgr('service', 'unpause');
      assert.equal(unpause.code, 0, explain(unpause));
      note(`REPMGRD_PAUSED cleared after ${await until('repmgrd unpaused', (c) => !c.some((x) => x.startsWith('REPMGRD_')), 2)} ms`);

      // repmgrd stopped on a standby as an init system stops it (SIGTERM), then started the way the lab starts it
      const n3 = lab.nodes[2]!;
      const oldPid = Number(readFileSync(n3.repmgrdPidFile, 'utf8').trim());
      assert.ok(alive(oldPid), `repmgrd of pgsql3 (pid ${oldPid}) running before the step`);
      process.kill(oldPid, 'SIGTERM');
      note(`REPMGRD_DOWN raised after ${await until('repmgrd stopped', (c) => c.includes('REPMGRD_DOWN pgsql3'), 2)} ms`);
      await waitUntil('the old repmgrd gone', async () => !alive(oldPid), 15_000);
      const restart = await asPostgres(['repmgrd', '-f', n3.repmgrConf]);
      assert.equal(restart.code, 0, explain(restart));
      note(`REPMGRD_DOWN cleared after ${await until('repmgrd running again', (c) => !c.some((x) => x.startsWith('REPMGRD_')), 2)} ms`);
      n3.repmgrdPid = Number(readFileSync(n3.repmgrdPidFile, 'utf8').trim()); // the last test checks lab:down stops this one
      assert.notEqual(n3.repmgrdPid, oldPid);

      // With the lab's auto_failback pgpool re-attaches the streaming standby within a second, before
      // any console could see it down: off for this step, as a DBA investigating a flapping node would.
      await setAutoFailback(lab, false);
      try {
        const detach = await pcpTool(lab.pgpool!, 'pcp_detach_node', ['-n', '2']); // pgsql3, a standby: never the primary here
        assert.match(detach.stdout, /Command Successful/, explain(detach));
        note(`PGPOOL_BACKEND_DOWN raised after ${await until('backend detached', (c) => c.includes('PGPOOL_BACKEND_DOWN pgpool1/pgsql3'), 4)} ms`);
        const attach = await pcpTool(lab.pgpool!, 'pcp_attach_node', ['-n', '2']);
        assert.match(attach.stdout, /Command Successful/, explain(attach));
        note(`PGPOOL_BACKEND_DOWN cleared after ${await until('backend attached', (c) => !c.some((x) => x.startsWith('PGPOOL_BACKEND_DOWN')), 4)} ms`);
      } finally {
        await setAutoFailback(lab, true);
      }
      note(`no alert left after ${await until('every fault fixed', (c) => c.length === 0, 4)} ms`);
      const seen = store.getState().observed.map((e) => `${e.source} ${e.subject} ${e.event}`);
      for (const want of ['alert pgsql3 REPMGRD_PAUSED raised', 'alert pgsql3 REPMGRD_PAUSED cleared', 'alert pgsql3 REPMGRD_DOWN raised', 'alert pgsql3 REPMGRD_DOWN cleared', 'pgpool pgpool1/pgsql3 backend down', 'alert pgpool1/pgsql3 PGPOOL_BACKEND_DOWN cleared']) {
        assert.ok(seen.includes(want), `timeline has "${want}":\n${seen.join('\n')}`);
      }
    } finally {
      await scheduler.stop();
    }
  });

  test('lab:down leaves no process; lab:up (CLI) works again after it; lab:up is idempotent', { timeout: 150_000 }, async () => {
    const pids = [...lab.nodes.flatMap((n) => [n.pid, n.repmgrdPid]), lab.pgpool!.pid, lab.barman!.receiveWalPid];
    await labDown({ dir: DIR, log });
    assert.deepEqual(labProcesses(DIR), []);
    assert.deepEqual(pids.filter(alive), [], 'every recorded pid has exited');
    assert.ok(!existsSync(DIR), 'lab dir removed');

    const env = { ...process.env, PGTOP_HA_LAB_DIR: DIR };
    const cli = (script: string) => spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'test/lab', script)], { cwd: ROOT, env, encoding: 'utf8', timeout: 120_000 });
    const up = cli('up.ts');
    assert.equal(up.status, 0, `lab:up\n${up.stdout}\n${up.stderr}`);
    lab = readLab(DIR);
    assert.equal(lab.state, 'up');
    const show = await repmgr('cluster', 'show', '--csv');
    assert.deepEqual(show.stdout.trim().split('\n'), ['1,0,0', '2,0,1', '3,0,1'], explain(show));
    const again = cli('up.ts');
    assert.equal(again.status, 0, `second lab:up\n${again.stdout}\n${again.stderr}`);
    assert.match(again.stderr, /lab already up/);
    assert.equal(readLab(DIR).createdAt, lab.createdAt, 'idempotent up keeps the running lab');

    const down = cli('down.ts');
    assert.equal(down.status, 0, `lab:down\n${down.stdout}\n${down.stderr}`);
    assert.deepEqual(labProcesses(DIR), []);
    const downAgain = cli('down.ts');
    assert.equal(downAgain.status, 0, `second lab:down\n${downAgain.stdout}\n${downAgain.stderr}`);
  });
});
