// barman backup and switch-wal as the console runs them: over the lab's sshd as OS user barman,
// against the lab's barman 3.4 server `main`. Needs root (the lab). A lab that cannot start fails
// the suite: these actions would otherwise be untested.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { backupAlreadyRunning, runBarmanBackup, type BackupEvent, type BackupListEntry } from '../../src/actions/barman-backup.ts';
import { runBarmanSwitchWal } from '../../src/actions/barman-switch-wal.ts';
import type { SshTarget } from '../../src/transport/ssh-config.ts';
import { SshPool } from '../../src/transport/ssh-pool.ts';
import { labDown, labUp, type LabInfo } from '../lab/lab.ts';

const DIR = '/tmp/pgtop-ha-lab-barman-actions';
const logs: string[] = [];
let lab: LabInfo;
let target: SshTarget;
const pool = new SshPool({ agent: false, connectTimeoutMs: 5_000 });

async function listBackups(): Promise<BackupListEntry[]> {
  const r = await pool.run(target, ['barman', '-c', lab.barman!.configFile, '-f', 'json', 'list-backups', lab.barman!.server]);
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as Record<string, BackupListEntry[]>)[lab.barman!.server]!;
}

describe('barman actions on the lab', { timeout: 420_000 }, () => {
  before(
    async () => {
      lab = await labUp({ dir: DIR, fresh: true, log: (m) => logs.push(m) });
      assert.ok(lab.barman, 'lab.barman recorded');
      const s = lab.sshd;
      if (!s) throw new Error('lab.sshd not recorded');
      assert.ok(s.users.includes('barman'), 'lab sshd lets barman in');
      target = { host: s.host, port: s.port, user: 'barman', identity_file: s.clientKey, known_hosts: s.knownHosts };
    },
    { timeout: 300_000 },
  );
  after(async () => {
    await pool.close();
    await labDown({ dir: DIR, log: (m) => logs.push(m) });
  });

  test('the guard lets a backup start: the lab\'s 2 backups are DONE', async () => {
    const backups = await listBackups();
    assert.equal(backups.length, 2);
    assert.deepEqual(backupAlreadyRunning(null, backups), { running: false, reason: null });
  });

  test('runBarmanBackup streams a real backup to completion; list-backups then shows 3', async () => {
    const events: Array<BackupEvent & { at: number }> = [];
    const r = await runBarmanBackup(
      pool, target,
      { server: lab.barman!.server, incremental: null, configFile: lab.barman!.configFile, wait: true, waitTimeoutS: 120 },
      (e) => events.push({ ...e, at: Date.now() }),
    );
    assert.equal(r.ok, true, `${r.error}\n${events.map((e) => e.text).join('\n')}`);
    assert.deepEqual([r.code, r.error, r.completed], [0, null, true]);
    assert.match(r.backupId ?? '', /^\d{8}T\d{6}$/);
    const phases = events.map((e) => e.phase);
    for (const p of ['start', 'start-lsn', 'copy', 'copy-done', 'size', 'end-lsn', 'completed', 'wait-wal'] as const) assert.ok(phases.includes(p), `${p} in ${phases.join(',')}`);
    assert.ok(phases.indexOf('start') < phases.indexOf('completed') && phases.indexOf('completed') < phases.indexOf('wait-wal'));
    assert.ok(events.every((e) => e.phase !== 'error'));
    const backups = await listBackups();
    assert.equal(backups.length, 3);
    assert.ok(backups.every((b) => b.status === 'DONE'), JSON.stringify(backups));
    assert.ok(backups.some((b) => b.backup_id === r.backupId));
  });

  test('barman switch-wal --force --archive over SSH: a segment closed and archived', async () => {
    const r = await runBarmanSwitchWal(pool, target, { server: lab.barman!.server, configFile: lab.barman!.configFile, archiveTimeoutS: 60 });
    assert.equal(r.ok, true, r.message);
    assert.match(r.walName ?? '', /^[0-9A-F]{24}$/);
    assert.equal(r.archived, true, r.message);
    assert.equal(r.message, `closed ${r.walName}; barman has it archived`);
  });

  test('errors are barman\'s own line: unknown server', async () => {
    const r = await runBarmanSwitchWal(pool, target, { server: 'no such server', configFile: lab.barman!.configFile });
    assert.deepEqual(r, { ok: false, walName: null, archived: false, message: "Unknown server 'no such server'" });
  });
});
