// The `b` flow without a server: what it refuses (and audits), what it asks, and which backup
// kinds it offers, over the golden HA scenario's store (real PG15 + repmgr captures).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { AuditLog } from '../../../src/actions/audit.ts';
import { runBackupFlow } from '../../../src/actions/backup-flow.ts';
import type { StreamingPool } from '../../../src/actions/barman-backup.ts';
import type { RunResult, SshRunner } from '../../../src/probes/ssh/ssh-runner.ts';
import type { ClusterConfig } from '../../../src/config/schema.ts';
import type { BackupInfo } from '../../../src/model/backups.ts';
import type { DialogState } from '../../../src/views/components/Dialog.tsx';
import { lineText } from '../../../src/views/format/line.ts';
import { SCENARIOS } from '../../helpers/states.ts';

/** No backup is streamed here; `run` answers `list-processes` with the given stdout (or fails). */
function fakePool(listProcesses: string | Error) {
  const runs: string[][] = [];
  const pool: StreamingPool & SshRunner = {
    stream: () => Promise.reject(new Error('not in this test')),
    run: async (_t, argv) => {
      runs.push([...argv]);
      if (listProcesses instanceof Error) throw listProcesses;
      return { code: 0, signal: null, stdout: listProcesses, stderr: '', truncated: false, durationMs: 1 } as RunResult;
    },
  };
  return { pool, runs };
}

function setup(opts: { readOnly?: boolean; barman?: boolean; servers?: string[]; backups?: Array<Pick<BackupInfo, 'id' | 'status'>>; barmanVersion?: string; listProcesses?: string | Error } = {}) {
  const s = SCENARIOS.haLab();
  const servers = opts.servers ?? ['main'];
  const cluster: ClusterConfig = { ...s.cluster, barman: opts.barman === false ? [] : servers.map((server, i) => ({ server, ssh: `barman@backup${i + 1}`, configFile: '/etc/barman.conf' })) };
  if (opts.readOnly) s.store.setState({ readOnly: true });
  if (opts.backups) {
    const backups = opts.backups.map((b) => ({ ...b, name: null, type: 'full', parentId: null, childrenIds: [], beginTime: null, endTime: null, durationSeconds: null, sizeBytes: null, walBytes: null, resourcesSavedBytes: null, retentionStatus: null, timeline: null, beginLsn: null, endLsn: null, summarizeWal: null } as BackupInfo));
    s.store.getState().applyBatch([{ layer: 'backups', key: 'barman:main', state: { source: 'barman', name: 'main', where: 'barman@backup1', reachable: true, error: null, at: 0, backups, chains: [], checks: null, wal: null, barmanVersion: opts.barmanVersion ?? null } }]);
  }
  const file = join(mkdtempSync(join(tmpdir(), 'pgtop-flow-')), 'audit.log');
  let dialog: DialogState | null = null;
  const { pool, runs } = fakePool(opts.listProcesses ?? '{"main": []}');
  const run = () => runBackupFlow({ store: s.store, cluster, audit: new AuditLog(file), openDialog: (d) => (dialog = d), ssh: pool, refreshBackups: () => undefined });
  const audit = () => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>) : []);
  return { s, run, runs, audit, dialog: () => dialog as DialogState | null, flash: () => s.store.getState().flash?.text };
}

describe('b: run a barman backup', () => {
  test('read-only: refused, flashed and audited; no dialog', async () => {
    const t = setup({ readOnly: true });
    await t.run();
    assert.equal(t.dialog(), null);
    assert.match(t.flash()!, /read-only/);
    assert.deepEqual(t.audit().map((e) => [e.action, e.outcome]), [['barman_backup', 'refused']]);
  });

  test('no barman configured: says which config key', async () => {
    const t = setup({ barman: false });
    await t.run();
    assert.match(t.flash()!, /no barman server configured \(cluster key "barman"\)/);
  });

  test('a STARTED backup in barman\'s catalogue: refused, naming it', async () => {
    const t = setup({ backups: [{ id: '20261122T030000', status: 'STARTED' }] });
    await t.run();
    assert.equal(t.dialog(), null);
    assert.match(t.flash()!, /already running|STARTED/);
    assert.deepEqual(t.audit().map((e) => e.outcome), ['refused']);
  });

  test('PG15: a full backup only, y/N with the exact command; anything but y cancels and is audited', async () => {
    const t = setup({ backups: [{ id: '20261122T030000', status: 'DONE' }] });
    await t.run();
    const d = t.dialog()!;
    assert.equal(d.choices, undefined);
    const text = d.lines.map(lineText).join('\n');
    assert.match(text, /barman backup --wait main\n {2}on barman@backup1 \(-c \/etc\/barman\.conf\)/);
    assert.match(text, /PostgreSQL 15 has no incremental backup/);
    d.onAnswer(false);
    assert.deepEqual(t.audit().map((e) => [e.action, e.outcome]), [['barman_backup', 'cancelled']]);
  });

  test('PG17 + summarize_wal + barman 3.15: full or incremental offered as keys', async () => {
    const t = setup({ backups: [{ id: '20261122T030000', status: 'DONE' }], barmanVersion: '3.15.0' });
    // The primary's sample as PostgreSQL 17 with WAL summarization on.
    const st = t.s.store.getState();
    const p = st.nodes.pgsql1!;
    t.s.store.setState({ nodes: { ...st.nodes, pgsql1: { ...p, sample: { ...p.sample!, serverVersionNum: 170010, walSummary: { summarizeWal: true, keepTimeMinutes: 14400, summarizedTli: 1, summarizedLsn: null, pendingLsn: null, summarizerPid: 1, summaryCount: 1, oldestStartLsn: null, newestEndLsn: null, behindBytes: 0 } } } } });
    await t.run();
    const d = t.dialog()!;
    assert.deepEqual(d.choices?.keys, ['f', 'i']);
    d.choices!.onChoice(null);
    assert.deepEqual(t.audit().map((e) => e.outcome), ['cancelled']);
  });

  test('barman 3.14+: list-processes decides; a running "backup" task is refused with its pid', async () => {
    const t = setup({ backups: [{ id: '20261122T030000', status: 'DONE' }], barmanVersion: '3.14.1', listProcesses: '{"main": [{"pid": 4242, "name": "backup"}, {"pid": 17, "name": "receive-wal"}]}' });
    await t.run();
    assert.deepEqual(t.runs, [['barman', '-c', '/etc/barman.conf', '-f', 'json', 'list-processes', 'main']]);
    assert.equal(t.dialog(), null);
    assert.match(t.flash()!, /already running \(pid 4242\)/);
    assert.deepEqual(t.audit().map((e) => e.outcome), ['refused']);
  });

  test('barman 3.14+: a STARTED leftover with no backup process is not taken as running', async () => {
    const t = setup({ backups: [{ id: '20261122T030000', status: 'STARTED' }], barmanVersion: '3.14.0', listProcesses: '{"main": [{"pid": 17, "name": "receive-wal"}]}' });
    await t.run();
    assert.notEqual(t.dialog(), null);
  });

  test('barman 3.14+ whose list-processes fails: falls back to the STARTED status', async () => {
    const t = setup({ backups: [{ id: '20261122T030000', status: 'STARTED' }], barmanVersion: '3.15.0', listProcesses: new Error('ssh barman@backup1:22: connection refused') });
    await t.run();
    assert.equal(t.dialog(), null);
    assert.match(t.flash()!, /STARTED/);
  });

  test('barman 3.4: list-processes does not exist there and is never run', async () => {
    const t = setup({ backups: [{ id: '20261122T030000', status: 'DONE' }], barmanVersion: '3.4.0' });
    await t.run();
    assert.deepEqual(t.runs, []);
    assert.notEqual(t.dialog(), null);
  });

  test('several barman servers: asks which by digit, then confirms the one chosen', async () => {
    const t = setup({ servers: ['main', 'reporting'] });
    const done = t.run();
    const pick = t.dialog()!;
    assert.deepEqual(pick.choices?.keys, ['1', '2']);
    assert.match(pick.lines.map(lineText).join('\n'), /1 {2}main {2}on barman@backup1\n2 {2}reporting {2}on barman@backup2/);
    pick.choices!.onChoice('2');
    await done;
    const text = t.dialog()!.lines.map(lineText).join('\n');
    assert.match(text, /barman backup --wait reporting\n {2}on barman@backup2/);
  });

  test('several barman servers: any other key cancels, audited', async () => {
    const t = setup({ servers: ['main', 'reporting'] });
    const done = t.run();
    t.dialog()!.choices!.onChoice(null);
    await done;
    assert.deepEqual(t.audit().map((e) => [e.action, e.outcome]), [['barman_backup', 'cancelled']]);
  });
});
