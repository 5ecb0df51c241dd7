// `repmgr standby switchover` for real on the lab, the way the console runs it: over the lab sshd
// as postgres through the SshPool (runSwitchoverDryRun / runSwitchover), repmgr then SSHing on to
// the primary and the sibling with repmgr.conf's ssh_options. Dry run, switchover to pgsql2 (checked
// by SQL on every node and by `repmgr cluster show`), back to pgsql1, then what repmgr does with a
// repmgrd stopped (goes on, only NOTICEs it) and with a node down (refuses; nothing changes).
// Needs root and apt like lab.test.ts; a lab that cannot start FAILS the suite. Own lab dir
// (PGTOP_HA_LAB_REPMGR_SWITCHOVER_DIR), repmgr layer only (no pgpool, no barman): ~1 min.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { readFileSync } from 'node:fs';
import { runSwitchover, runSwitchoverDryRun, type SwitchoverEvent } from '../../src/actions/repmgr-switchover.ts';
import { parseClusterShow } from '../../src/probes/repmgr/cluster-show.ts';
import { clusterShowArgv } from '../../src/probes/ssh/repmgr-cli.ts';
import type { SshTarget } from '../../src/transport/ssh-config.ts';
import { SshPool } from '../../src/transport/ssh-pool.ts';
import { PG_BIN, labDown, labUp, pidAlive, runRaw, type LabInfo, type LabNode } from '../lab/lab.ts';

const DIR = process.env.PGTOP_HA_LAB_REPMGR_SWITCHOVER_DIR ?? '/tmp/pgtop-ha-lab-repmgr-switchover';
const logs: string[] = [];
let lab: LabInfo;
let pool: SshPool;

const node = (name: string): LabNode => lab.nodes.find((n) => n.name === name)!;

function target(): SshTarget {
  const s = lab.sshd!;
  return { host: s.host, port: s.port, user: 'postgres', identity_file: s.clientKey, known_hosts: s.knownHosts };
}

async function sql(n: LabNode, query: string, db = 'postgres'): Promise<string> {
  const r = await runRaw([`${PG_BIN}/psql`, '-X', '-A', '-t', '-q', '-h', '127.0.0.1', '-p', String(n.port), '-U', 'postgres', '-d', db, '-c', query], {
    user: 'postgres', timeoutMs: 15_000,
  });
  if (r.code !== 0) throw new Error(`psql on ${n.name}: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

async function waitFor<T>(what: string, timeoutMs: number, f: () => Promise<T | null | undefined | false>): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await f();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** The primary is `primary` for PostgreSQL itself and streams to both others; repmgr agrees. */
async function assertPrimary(primary: string): Promise<void> {
  const p = node(primary);
  const others = lab.nodes.filter((n) => n !== p);
  assert.equal(await sql(p, 'SELECT pg_is_in_recovery()'), 'f', `${primary} is not in recovery`);
  for (const o of others) assert.equal(await sql(o, 'SELECT pg_is_in_recovery()'), 't', `${o.name} is a standby`);
  // each standby streams from the new primary (its own wal receiver and the primary's walsenders)
  await waitFor(`${others.map((o) => o.name).join(', ')} streaming from ${primary}`, 30_000, async () => {
    const rows = (await sql(p, "SELECT application_name || ':' || state FROM pg_stat_replication WHERE application_name LIKE 'pgsql%' ORDER BY 1")).split('\n');
    return rows.join(',') === others.map((o) => `${o.name}:streaming`).join(',');
  });
  for (const o of others) {
    const port = await sql(o, "SELECT substring(conninfo from 'port=(\\d+)') FROM pg_stat_wal_receiver WHERE status = 'streaming'");
    assert.equal(port, String(p.port), `${o.name} receives WAL from ${primary}`);
  }
  // repmgr cluster show, asked over SSH on a standby as the console's repmgr probe does
  const cs = await waitFor(`repmgr cluster show to agree that ${primary} is primary`, 30_000, async () => {
    const r = await pool.run(target(), clusterShowArgv(others[0].repmgrConf), { timeoutMs: 15_000 });
    if (r.code !== 0) return null;
    const rows = parseClusterShow(r.stdout);
    return rows.every((x) => x.status.state === 'running' && (x.name === primary ? x.role === 'primary' : x.role === 'standby' && x.upstream?.name === primary)) && rows;
  });
  assert.deepEqual(cs.map((x) => [x.name, x.role]), lab.nodes.map((n) => [n.name, n.name === primary ? 'primary' : 'standby']));
}

const PHASES = ['checks', 'pause-repmgrd', 'shutdown', 'promote', 'rejoin', 'follow', 'unpause-repmgrd', 'done'];

async function switchTo(name: string): Promise<{ events: SwitchoverEvent[]; elapsedMs: number }> {
  const events: SwitchoverEvent[] = [];
  const r = await runSwitchover(pool, target(), { configFile: node(name).repmgrConf, siblingsFollow: true }, (e) => events.push(e));
  const out = events.map((e) => e.text).join('\n');
  assert.equal(r.ok, true, `${r.error}\n${out}`);
  assert.deepEqual([r.code, r.error], [0, null]);
  assert.deepEqual(events.filter((e) => e.phase).map((e) => e.phase), PHASES, out);
  assert.ok(events.some((e) => e.waitingOn?.startsWith('primary shutdown (attempt 1 of 60, shutdown_check_timeout)')), out);
  logs.push(`switchover to ${name}: ${r.elapsedMs} ms`);
  return { events, elapsedMs: r.elapsedMs };
}

/** repmgrd as the node's repmgr extension sees it (the probe's query, in database repmgr). */
async function repmgrdRunning(n: LabNode): Promise<string> {
  return sql(n, "SELECT CASE WHEN repmgr.repmgrd_is_running() THEN CASE WHEN repmgr.repmgrd_is_paused() THEN 'paused' ELSE 'running' END ELSE 'stopped' END", 'repmgr');
}

describe('repmgr standby switchover on the lab, over SSH', { timeout: 240_000 }, () => {
  before(
    async () => {
      lab = await labUp({ dir: DIR, fresh: true, layers: ['repmgr'], log: (m) => logs.push(m) });
      pool = new SshPool({ agent: false, connectTimeoutMs: 5_000 });
    },
    { timeout: 180_000 },
  );

  after(async () => {
    await pool?.close();
    await labDown({ dir: DIR, log: (m) => logs.push(m) });
  });

  test('dry run to pgsql2: ok, every check named', async () => {
    const r = await runSwitchoverDryRun(pool, target(), { configFile: node('pgsql2').repmgrConf, siblingsFollow: true });
    assert.equal(r.ok, true, `${r.error}\n${r.raw}`);
    assert.equal(r.code, 0);
    const ok = r.checks.filter((c) => c.level === 'ok').map((c) => c.text);
    for (const re of [/^SSH connection to host "127\.0\.0\.1" succeeded$/, /^able to execute "repmgr" on remote host/, /^all sibling nodes are reachable via SSH$/,
      /^demotion candidate is able to make replication connection/, /^replication lag on this standby is \d+ seconds$/, /^prerequisites for executing STANDBY SWITCHOVER are met$/]) {
      assert.ok(ok.some((t) => re.test(t)), `${re} in ${JSON.stringify(ok)}`);
    }
    assert.deepEqual(r.checks.filter((c) => c.level === 'warn' || c.level === 'bad'), []);
    assert.ok(r.checks.some((c) => c.level === 'info' && /^would pause repmgrd on node "pgsql3"/.test(c.text)));
    assert.equal(await sql(node('pgsql1'), 'SELECT pg_is_in_recovery()'), 'f', 'a dry run changes nothing');
  });

  test('switchover to pgsql2, then back to pgsql1', async () => {
    await assertPrimary('pgsql1');
    const to2 = await switchTo('pgsql2');
    await assertPrimary('pgsql2');
    // repmgrd paused for the switchover and unpaused at its end, on every node
    const states = await waitFor('repmgrd running (unpaused) on every node', 30_000, async () => {
      const s = await Promise.all(lab.nodes.map(repmgrdRunning));
      return s.every((x) => x === 'running') && s;
    });
    assert.deepEqual(states, ['running', 'running', 'running']);
    const back = await switchTo('pgsql1');
    await assertPrimary('pgsql1');
    // both well under the minute: the lab's switchovers take ~6 s
    for (const t of [to2.elapsedMs, back.elapsedMs]) assert.ok(t < 60_000, `${t} ms`);
    // the new timeline is visible everywhere: pgsql1 went 1 → 2 (pgsql2) → 3
    assert.equal(await sql(node('pgsql1'), 'SELECT timeline_id FROM pg_control_checkpoint()').then(Number).then((tl) => tl >= 2), true);
  });

  test('repmgrd stopped on pgsql3: repmgr does not refuse, the dry run names it, nothing changes', async () => {
    const n3 = node('pgsql3');
    const pid = Number(readFileSync(n3.repmgrdPidFile, 'utf8').trim());
    assert.ok(pidAlive(pid), `repmgrd node3 pid ${pid}`);
    process.kill(pid, 'SIGTERM');
    await waitFor('repmgrd on pgsql3 to stop', 15_000, async () => !pidAlive(pid));
    await waitFor('repmgr to see repmgrd stopped on pgsql3', 15_000, async () => (await repmgrdRunning(n3)) === 'stopped');
    const r = await runSwitchoverDryRun(pool, target(), { configFile: node('pgsql2').repmgrConf, siblingsFollow: true });
    // repmgr 5.3.3 only NOTICEs it: that repmgrd is neither paused nor unpaused, the switchover may go on
    assert.equal(r.ok, true, r.raw);
    assert.deepEqual(r.checks.filter((c) => c.level === 'warn').map((c) => c.text), ['repmgrd not running on node "pgsql3" (ID: 3), not pausing']);
    assert.equal(await sql(node('pgsql1'), 'SELECT pg_is_in_recovery()'), 'f');
    assert.equal(await sql(node('pgsql2'), 'SELECT pg_is_in_recovery()'), 't');
  });

  test('pgsql3 down: the dry run and the real run both refuse (exit 18), naming it; nothing changes', async () => {
    const n3 = node('pgsql3');
    const stop = await runRaw([`${PG_BIN}/pg_ctl`, '-D', n3.dataDir, '-m', 'fast', '-w', '-t', '30', 'stop'], { user: 'postgres', timeoutMs: 45_000 });
    assert.equal(stop.code, 0, stop.stderr);
    const dry = await runSwitchoverDryRun(pool, target(), { configFile: node('pgsql2').repmgrConf, siblingsFollow: true });
    assert.equal(dry.ok, false);
    assert.equal(dry.code, 18);
    assert.match(dry.error!, /^unable to connect to 1 of 3 node\(s\), unable to pause all repmgrd instances — following node\(s\) unreachable: unable to connect to node "pgsql3" \(ID: 3\)/);
    assert.doesNotMatch(dry.error!, /\n/);
    // The real run stops at the same check, before touching the primary.
    const events: SwitchoverEvent[] = [];
    const real = await runSwitchover(pool, target(), { configFile: node('pgsql2').repmgrConf, siblingsFollow: true }, (e) => events.push(e));
    assert.deepEqual([real.ok, real.code], [false, 18]);
    assert.match(real.error!, /unable to pause all repmgrd instances .*"pgsql3".* \(exit 18 ERR_SWITCHOVER_FAIL\)$/);
    assert.deepEqual(events.filter((e) => e.phase).map((e) => e.phase), ['checks', 'pause-repmgrd', 'failed']);
    assert.doesNotMatch(real.error!, /already shut down/);
    assert.equal(await sql(node('pgsql1'), 'SELECT pg_is_in_recovery()'), 'f', 'pgsql1 still primary');
    assert.equal(await sql(node('pgsql2'), "SELECT pg_is_in_recovery()::text || ':' || (SELECT status FROM pg_stat_wal_receiver)"), 'true:streaming');
  });
});
