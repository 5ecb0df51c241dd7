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
import type { ClusterConfig } from '../../../src/config/schema.ts';
import type { BackupInfo } from '../../../src/model/backups.ts';
import type { DialogState } from '../../../src/views/components/Dialog.tsx';
import { lineText } from '../../../src/views/format/line.ts';
import { SCENARIOS } from '../../helpers/states.ts';

const noStream: StreamingPool = { stream: () => Promise.reject(new Error('not in this test')) };

function setup(opts: { readOnly?: boolean; barman?: boolean; backups?: Array<Pick<BackupInfo, 'id' | 'status'>>; barmanVersion?: string } = {}) {
  const s = SCENARIOS.haLab();
  const cluster: ClusterConfig = { ...s.cluster, barman: opts.barman === false ? [] : [{ server: 'main', ssh: 'barman@backup1', configFile: '/etc/barman.conf' }] };
  if (opts.readOnly) s.store.setState({ readOnly: true });
  if (opts.backups) {
    const backups = opts.backups.map((b) => ({ ...b, name: null, type: 'full', parentId: null, childrenIds: [], beginTime: null, endTime: null, durationSeconds: null, sizeBytes: null, walBytes: null, resourcesSavedBytes: null, retentionStatus: null, timeline: null, beginLsn: null, endLsn: null, summarizeWal: null } as BackupInfo));
    s.store.getState().applyBatch([{ layer: 'backups', key: 'barman:main', state: { source: 'barman', name: 'main', where: 'barman@backup1', reachable: true, error: null, at: 0, backups, chains: [], checks: null, wal: null, barmanVersion: opts.barmanVersion ?? null } }]);
  }
  const file = join(mkdtempSync(join(tmpdir(), 'pgtop-flow-')), 'audit.log');
  let dialog: DialogState | null = null;
  const run = () => runBackupFlow({ store: s.store, cluster, audit: new AuditLog(file), openDialog: (d) => (dialog = d), ssh: noStream, refreshBackups: () => undefined });
  const audit = () => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>) : []);
  return { s, run, audit, dialog: () => dialog as DialogState | null, flash: () => s.store.getState().flash?.text };
}

describe('b: run a barman backup', () => {
  test('read-only: refused, flashed and audited; no dialog', () => {
    const t = setup({ readOnly: true });
    t.run();
    assert.equal(t.dialog(), null);
    assert.match(t.flash()!, /read-only/);
    assert.deepEqual(t.audit().map((e) => [e.action, e.outcome]), [['barman_backup', 'refused']]);
  });

  test('no barman configured: says which config key', () => {
    const t = setup({ barman: false });
    t.run();
    assert.match(t.flash()!, /no barman server configured \(cluster key "barman"\)/);
  });

  test('a STARTED backup in barman\'s catalogue: refused, naming it', () => {
    const t = setup({ backups: [{ id: '20261122T030000', status: 'STARTED' }] });
    t.run();
    assert.equal(t.dialog(), null);
    assert.match(t.flash()!, /already running|STARTED/);
    assert.deepEqual(t.audit().map((e) => e.outcome), ['refused']);
  });

  test('PG15: a full backup only, y/N with the exact command; anything but y cancels and is audited', () => {
    const t = setup({ backups: [{ id: '20261122T030000', status: 'DONE' }] });
    t.run();
    const d = t.dialog()!;
    assert.equal(d.choices, undefined);
    const text = d.lines.map(lineText).join('\n');
    assert.match(text, /barman backup --wait main\n {2}on barman@backup1 \(-c \/etc\/barman\.conf\)/);
    assert.match(text, /PostgreSQL 15 has no incremental backup/);
    d.onAnswer(false);
    assert.deepEqual(t.audit().map((e) => [e.action, e.outcome]), [['barman_backup', 'cancelled']]);
  });

  test('PG17 + summarize_wal + barman 3.15: full or incremental offered as keys', () => {
    const t = setup({ backups: [{ id: '20261122T030000', status: 'DONE' }], barmanVersion: '3.15.0' });
    // The primary's sample as PostgreSQL 17 with WAL summarization on.
    const st = t.s.store.getState();
    const p = st.nodes.pgsql1!;
    t.s.store.setState({ nodes: { ...st.nodes, pgsql1: { ...p, sample: { ...p.sample!, serverVersionNum: 170010, walSummary: { summarizeWal: true, keepTimeMinutes: 14400, summarizedTli: 1, summarizedLsn: null, pendingLsn: null, summarizerPid: 1, summaryCount: 1, oldestStartLsn: null, newestEndLsn: null, behindBytes: 0 } } } } });
    t.run();
    const d = t.dialog()!;
    assert.deepEqual(d.choices?.keys, ['f', 'i']);
    d.choices!.onChoice(null);
    assert.deepEqual(t.audit().map((e) => e.outcome), ['cancelled']);
  });
});
