// Every layer's view of the HA lab through the console's own probes (PostgreSQL, repmgr over SQL,
// pgpool's SHOW pool_nodes), before and during a real failover: the lab primary is stopped with
// `pg_ctl -m immediate`, repmgrd promotes a standby, pgpool detaches the old primary. The probes
// must show the failure within two ticks, every layer's changing view while it lasts, and never
// stall the nodes that still answer. Needs root and apt like lab.test.ts; a lab that cannot start
// FAILS the suite. Own lab dir (PGTOP_HA_LAB_FAILOVER_DIR) so it collides with no other lab.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog } from '../../src/actions/audit.ts';
import { runBackupFlow } from '../../src/actions/backup-flow.ts';
import { runSwitchWal } from '../../src/actions/switch-wal-flow.ts';
import { runSnapshot } from '../../src/cli/snapshot.ts';
import type { DialogState } from '../../src/views/components/Dialog.tsx';
import { loadConfig } from '../../src/config/load.ts';
import type { ClusterConfig } from '../../src/config/schema.ts';
import { DEFAULT_THRESHOLDS } from '../../src/config/schema.ts';
import type { Consistency } from '../../src/model/consistency.ts';
import { backupSourceKeys, createScheduler, storeNodesFromConfig, storePgpoolsFromConfig, type Scheduler } from '../../src/probes/scheduler.ts';
import { type AppStore, createAppStore } from '../../src/state/store.ts';
import { lineText } from '../../src/views/format/line.ts';
import { buildPaneData } from '../../src/views/panes/pane-data.ts';
import { paneLines } from '../../src/views/panes/pane-lines.ts';
import { writeLabConfig } from '../lab/lab-config.ts';
import { PG_BIN, labDown, labUp, runRaw, type LabInfo } from '../lab/lab.ts';

const DIR = process.env.PGTOP_HA_LAB_FAILOVER_DIR ?? '/tmp/pgtop-ha-lab-failover';
const INTERVAL_MS = 1000;
const logs: string[] = [];
let lab: LabInfo;
let store: AppStore;
let scheduler: Scheduler;

/**
 * The config `npm run lab:up` writes for a new user (test/lab/lab-config.ts), loaded the way the
 * CLI loads it: nodes with SSH to their host for repmgr's CLI, both pgpools (one watchdog cluster)
 * with PCP, and the VIP.
 */
function clusterOf(l: LabInfo): ClusterConfig {
  return loadConfig({ configFile: writeLabConfig(l), env: {} }).cluster;
}

function consistency(): Consistency {
  return buildPaneData(store.getState(), DEFAULT_THRESHOLDS, Date.now()).consistency;
}

function pane(id: 'topology' | 'pgpool' | 'repmgr' | 'backups', width = 140): string[] {
  const d = buildPaneData(store.getState(), DEFAULT_THRESHOLDS, Date.now());
  return paneLines(id, d, { width, height: 1000, ascii: false }).map((l) => lineText(l).trimEnd());
}

async function waitFor<T>(what: string, timeoutMs: number, f: () => T | null | undefined | false): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${pane('topology').join('\n')}\n${pane('pgpool').join('\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('HA lab through the console probes: agreement, then a failover', { timeout: 300_000 }, () => {
  before(
    async () => {
      lab = await labUp({ dir: DIR, fresh: true, log: (m) => logs.push(m) });
      // PCP passwords come from .pcppass, as for `pcp_* -w`.
      process.env.PCPPASSFILE = lab.pgpool!.pcpPassFile;
      const cluster = clusterOf(lab);
      store = createAppStore({ cluster: 'lab', intervalMs: INTERVAL_MS, nodes: storeNodesFromConfig(cluster), pgpools: storePgpoolsFromConfig(cluster), backupOrder: backupSourceKeys(cluster) });
      scheduler = createScheduler(cluster, store);
      scheduler.start();
    },
    { timeout: 240_000 },
  );

  after(async () => {
    await scheduler?.stop();
    await labDown({ dir: DIR, log: (m) => logs.push(m) });
  });

  test('PostgreSQL, repmgr and pgpool agree on three nodes', async () => {
    await waitFor('every node and pgpool answered', 20_000, () => {
      const s = store.getState();
      return Object.values(s.nodes).every((n) => n.health.kind === 'ok') && Object.values(s.pgpools).every((p) => p.health.kind === 'ok' && p.sample?.watchdog)
        && Object.keys(s.repmgrCli).length === 3 && s.vip !== null;
    });
    const st = store.getState();
    // repmgr's CLI over SSH on every node, the VIP held by the lab host.
    for (const n of ['pgsql1', 'pgsql2', 'pgsql3']) {
      const r = st.repmgrCli[n]!;
      assert.ok(r.ok, `${n}: ${JSON.stringify(r)}`);
      assert.deepEqual(r.clusterShow.map((x) => [x.name, x.role, x.status.state]), [['pgsql1', 'primary', 'running'], ['pgsql2', 'standby', 'running'], ['pgsql3', 'standby', 'running']]);
    }
    assert.deepEqual([st.vip!.address, st.vip!.holders, st.vip!.problem], [lab.vip!.address, ['lab'], null]);
    const rep = pane('repmgr');
    assert.deepEqual(rep.slice(1, 4).map((l) => l.split(/\s+/).slice(0, 3).join(' ')), ['pgsql1 primary *', '└─pgsql2 standby running', '└─pgsql3 standby running']);
    const c = consistency();
    assert.deepEqual(
      c.rows.map((r) => [r.node, r.postgres, r.repmgr, r.pgpool.pgpool1 && `${r.pgpool.pgpool1.status}/${r.pgpool.pgpool1.role}`]),
      [['pgsql1', 'primary', 'primary', 'up/primary'], ['pgsql2', 'standby', 'standby', 'up/standby'], ['pgsql3', 'standby', 'standby', 'up/standby']],
    );
    assert.deepEqual(c.disagreements, []);
    // The watchdog over PCP: one leader, one standby, quorum, the same from either pgpool.
    for (const name of ['pgpool1', 'pgpool2']) {
      const wd = store.getState().pgpools[name]!.sample!.watchdog!;
      assert.ok(wd.ok, `${name}: ${JSON.stringify(wd)}`);
      assert.equal(wd.info.quorumState, 'QUORUM EXIST');
      assert.deepEqual(wd.info.nodes.map((n) => n.state).sort(), ['LEADER', 'STANDBY']);
    }
    const topo = pane('topology');
    assert.match(topo[0]!, /NODE\s+ROLE\s+STATE\s+REPMGR\s+PGPOOL1\s+PGPOOL2/);
    assert.ok(!topo.some((l) => l.startsWith('!!')), topo.join('\n'));
    const pool = pane('pgpool');
    assert.match(pool[0]!, /^pgpool1 pgpool-II 4\.3\.5 · /);
    assert.ok(pool.some((l) => /^ {2}watchdog: quorum exist · 2\/2 alive · leader /.test(l)), pool.join('\n'));
    assert.ok(topo.some((l) => l.startsWith(`VIP ${lab.vip!.address}: on lab (`)), topo.join('\n'));
    // Backends are named after the configured nodes they are (matched by host and port).
    assert.deepEqual(pool.slice(2, 5).map((l) => l.trim().split(/\s+/).slice(1, 6).join(' ')), [
      'pgsql1 up up primary primary',
      'pgsql2 up up standby standby',
      'pgsql3 up up standby standby',
    ]);
  });

  test('snapshot --json on the lab config carries every layer, agreeing', async () => {
    const snap = JSON.parse(await runSnapshot(loadConfig({ configFile: writeLabConfig(lab), env: {} }), { format: 'json' }));
    assert.deepEqual(snap.consistency.disagreements, []);
    assert.deepEqual(snap.consistency.rows.map((r: { node: string; postgres: string; repmgr: string; pgpool: Record<string, { role: string }> }) =>
      [r.node, r.postgres, r.repmgr, r.pgpool.pgpool1?.role, r.pgpool.pgpool2?.role]), [
      ['pgsql1', 'primary', 'primary', 'primary', 'primary'], ['pgsql2', 'standby', 'standby', 'standby', 'standby'], ['pgsql3', 'standby', 'standby', 'standby', 'standby'],
    ]);
    assert.deepEqual(snap.repmgr.nodes.map((n: { node_name: string; repmgrd: string; cluster_show_status: string }) => [n.node_name, n.repmgrd, n.cluster_show_status]),
      [['pgsql1', 'running', '* running'], ['pgsql2', 'running', 'running'], ['pgsql3', 'running', 'running']]);
    assert.ok(snap.repmgr.events.some((e: { event: string }) => e.event === 'primary_register'));
    assert.deepEqual(snap.pgpool.map((p: { name: string; reachable: boolean; watchdog: { quorum_state: string } }) => [p.name, p.reachable, p.watchdog.quorum_state]),
      [['pgpool1', true, 'QUORUM EXIST'], ['pgpool2', true, 'QUORUM EXIST']]);
    assert.deepEqual(snap.vip.holders, ['lab']);
    // barman over SSH: the lab's two full backups, each its own chain, checks, the last one's age.
    const [barman] = snap.backups;
    assert.deepEqual([barman.source, barman.server, barman.reachable, barman.error], ['barman', 'main', true, null]);
    assert.deepEqual(barman.backups.map((b: { type: string; status: string; parent: string | null }) => [b.type, b.status, b.parent]), [['full', 'DONE', null], ['full', 'DONE', null]]);
    assert.deepEqual(barman.chains.map((c: { members: string[]; broken: boolean }) => [c.members.length, c.broken]), [[1, false], [1, false]]);
    assert.equal(barman.check['receive wal running'].status, 'OK');
    assert.ok(barman.last_backup_age_seconds >= 0 && barman.last_backup_age_seconds < 600, String(barman.last_backup_age_seconds));
  });

  test('b runs a real barman backup over SSH: confirmed, streamed, audited, and it appears in the tree', { timeout: 120_000 }, async () => {
    const source = await waitFor('barman read over SSH', 60_000, () => {
      const b = store.getState().backups['barman:main'];
      return b?.reachable && b.backups.length === 2 ? b : null;
    });
    assert.ok(source.checks && source.checks.length > 0, 'barman check parsed');
    assert.equal(source.barmanVersion, '3.4.0', 'barman -v asked once over SSH');
    const auditFile = join(mkdtempSync(join(tmpdir(), 'pgtop-audit-')), 'audit.log');
    const audit = new AuditLog(auditFile);
    let dialog: DialogState | null = null;
    runBackupFlow({ store, cluster: clusterOf(lab), audit, openDialog: (d) => (dialog = d), ssh: scheduler.ssh, refreshBackups: () => scheduler.refreshBackups() });
    assert.ok(dialog, 'a confirm dialog opened');
    const d = dialog as DialogState;
    assert.equal(d.choices, undefined, 'PG15 + barman 3.4: a full backup only, y/N');
    assert.match(d.lines.map(lineText).join('\n'), /barman backup --wait main\n {2}on barman@127\.0\.0\.1:\d+ \(-c \S+barman\.conf\)/);
    d.onAnswer(true);
    const job = await waitFor('the backup to finish', 100_000, () => {
      const j = store.getState().job;
      return j && j.ok !== null ? j : null;
    });
    assert.equal(job.ok, true, `${job.result}\n${job.lines.join('\n')}`);
    assert.ok(job.lines.some((l) => /Backup completed/.test(l)), job.lines.join('\n'));
    // The new backup shows up in barman's tree once the backups are re-read.
    await waitFor('three DONE backups in the tree', 30_000, () => store.getState().backups['barman:main']?.backups.filter((b) => b.status === 'DONE').length === 3);
    const text = paneLines('backups', buildPaneData(store.getState(), DEFAULT_THRESHOLDS, Date.now()), { width: 140, height: 100, ascii: false }).map((l) => lineText(l).trimEnd());
    assert.equal(text.filter((l) => /^\d{8}T\d{6}\s+full\s+DONE/.test(l)).length, 3, text.join('\n'));
    const entries = readFileSync(auditFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(entries.map((e) => [e.action, e.outcome]), [['barman_backup', 'ok']]);
    // A second b while nothing runs would ask again; while one runs it is refused (unit-tested).
  });

  test('w with barman configured offers barman switch-wal: the WAL reaches barman, audited', { timeout: 120_000 }, async () => {
    const auditFile = join(mkdtempSync(join(tmpdir(), 'pgtop-audit-')), 'audit.log');
    let dialog: DialogState | null = null;
    runSwitchWal({ store, cluster: clusterOf(lab), audit: new AuditLog(auditFile), openDialog: (d) => (dialog = d), ssh: scheduler.ssh, refreshBackups: () => scheduler.refreshBackups() });
    const d = dialog as DialogState | null;
    assert.ok(d?.choices, 'p/b choice offered');
    assert.deepEqual(d.choices.keys, ['p', 'b']);
    assert.match(d.lines.map(lineText).join('\n'), /barman switch-wal --force --archive main/);
    d.choices.onChoice('b');
    const entry = await waitFor('the audit entry', 100_000, () => {
      const text = existsSync(auditFile) ? readFileSync(auditFile, 'utf8').trim() : '';
      return text ? (JSON.parse(text.split('\n').at(-1)!) as Record<string, string>) : null;
    });
    assert.deepEqual([entry.action, entry.outcome], ['barman_switch_wal', 'ok'], JSON.stringify(entry));
    assert.match(store.getState().flash!.text, /^barman main: /);
    assert.match(entry.detail!, /archived|0000000/, entry.detail);
  });

  test('stopping the primary: down within two ticks, repmgrd promotes, pgpool follows, no stall', async () => {
    const s0 = store.getState();
    const survivors = ['pgsql2', 'pgsql3'];
    // Every sample time of the survivors from here on: the gaps show whether anything stalled.
    const seen: Record<string, number[]> = { pgsql2: [], pgsql3: [] };
    const disagreements = new Map<string, string[]>();
    const unsubscribe = store.subscribe((st, prev) => {
      for (const n of survivors) {
        const t = st.nodes[n]!.lastOkAt;
        if (t !== null && t !== prev.nodes[n]!.lastOkAt) seen[n]!.push(t);
      }
      for (const d of consistency().disagreements) disagreements.set(d.message, d.layers);
    });
    assert.equal(s0.nodes.pgsql1!.sample!.role, 'primary');
    try {
      const stoppedAt = Date.now();
      const r = await runRaw([`${PG_BIN}/pg_ctl`, '-D', lab.nodes[0].dataDir, '-m', 'immediate', '-w', 'stop'], { user: 'postgres', cwd: '/', timeoutMs: 30_000 });
      assert.equal(r.code, 0, r.stderr);

      await waitFor('pgsql1 shown down', 2 * INTERVAL_MS + 1500, () => store.getState().nodes.pgsql1!.health.kind === 'down');
      const downAfter = Date.now() - stoppedAt;
      assert.ok(downAfter <= 2 * INTERVAL_MS + 1500, `down after ${downAfter} ms`);

      // While repmgrd waits out reconnect_attempts, pgpool still lists the dead primary as up:
      // the banner names the layers (unless pgpool's health check already detached it).
      const promoted = await waitFor('a standby promoted by repmgrd', 90_000, () => {
        const st = store.getState();
        return survivors.find((n) => st.nodes[n]!.health.kind === 'ok' && st.nodes[n]!.sample!.role === 'primary');
      });
      const other = survivors.find((n) => n !== promoted)!;

      // Every layer's view converges: repmgr registers the promoted node, pgpool routes writes to it
      // and has the old primary detached.
      await waitFor('repmgr and pgpool follow the promotion', 60_000, () => {
        const c = consistency();
        const row = (n: string) => c.rows.find((x) => x.node === n)!;
        return (
          row(promoted).repmgr === 'primary' &&
          row(promoted).pgpool.pgpool1?.role === 'primary' &&
          row(promoted).pgpool.pgpool1?.status === 'up' &&
          row('pgsql1').pgpool.pgpool1?.status === 'down' &&
          row('pgsql1').repmgr !== 'primary'
        );
      });
      const c = consistency();
      assert.deepEqual(c.rows.find((x) => x.node === 'pgsql1')!.postgres, 'down');
      assert.deepEqual(c.rows.find((x) => x.node === promoted)!.postgres, 'primary');
      assert.equal(c.rows.find((x) => x.node === 'pgsql1')!.repmgr, 'inactive', 'repmgr marks the failed primary inactive');
      const topo = pane('topology');
      assert.ok(topo.some((l) => /^pgsql1\s+DOWN /.test(l)), topo.join('\n'));
      assert.ok(topo.some((l) => l.startsWith(promoted) && /primary\s+read-write\s+primary\s+primary/.test(l)), topo.join('\n'));
      assert.ok(store.getState().nodes[other]!.health.kind === 'ok');

      // The disagreement was on screen while it lasted, naming the layers.
      assert.ok(
        [...disagreements].some(([m, layers]) => layers.includes('pgpool1') || layers.includes('repmgr') || /primar/.test(m)),
        `no disagreement seen during the failover: ${JSON.stringify([...disagreements])}`,
      );
      // No stall: the survivors were sampled at the PostgreSQL pace throughout.
      for (const n of survivors) {
        const times = seen[n]!;
        assert.ok(times.length >= 5, `${n}: ${times.length} samples`);
        const gaps = times.slice(1).map((t, i) => t - times[i]!);
        // The promoted node restarts nothing, but repmgr's promote runs a checkpoint: allow one slow tick.
        assert.ok(Math.max(...gaps) < 3 * INTERVAL_MS + 1000, `${n}: largest gap between samples ${Math.max(...gaps)} ms`);
      }
    } finally {
      unsubscribe();
    }
  });
});
