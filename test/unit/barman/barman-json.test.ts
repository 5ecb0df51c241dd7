import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BarmanJsonError, parseCheck, parseListBackups, parseReplicationStatus, parseShowBackup, parseStatus } from '../../../src/probes/barman/barman-json.ts';
import { barmanTime, zonedToIso } from '../../../src/probes/barman/barman-time.ts';
import { barmanFixture as fx, barmanFixtures } from './fixtures.ts';

describe('barman times', () => {
  const cases: Array<[string | null, number | null, string | null]> = [
    ['2026-11-22 03:46:54.651488+00:00', null, '2026-11-22T03:46:54.651Z'],
    ['2026-03-02 02:00:00.123456+01:00', 1772413200, '2026-03-02T01:00:00.123Z'],
    ['2026-03-02 02:00:00+0530', null, '2026-03-01T20:30:00.000Z'],
    ['Sun Nov 22 03:46:59 2026', 1795319219, '2026-11-22T03:46:59.000Z'],
    ['Mon Mar  9 02:04:07 2026', null, 'Mon Mar  9 02:04:07 2026'],
    [null, null, null],
    ['', null, null],
  ];
  for (const [text, epoch, want] of cases) {
    it(`${JSON.stringify(text)} / ${epoch}`, () => assert.equal(barmanTime(text, epoch), want));
  }
  it('zoneless is not zoned', () => assert.equal(zonedToIso('2026-11-22 03:46:54'), null));
});

describe('parseListBackups', () => {
  it('3.4 real: two DONE full backups, newest first, end time from the epoch', () => {
    const b = parseListBackups(fx('real-3.4-list-backups-json.json'), 'main');
    assert.deepEqual(b.map((x) => [x.id, x.type, x.status, x.endTime, x.sizeBytes, x.walBytes, x.retentionStatus]), [
      ['20261122T034654', 'full', 'DONE', '2026-11-22T03:46:59.000Z', 38439049, 17845102, null],
      ['20261122T034649', 'full', 'DONE', '2026-11-22T03:46:53.000Z', 38438882, 50361, null],
    ]);
    assert.equal(b[0].beginTime, null);
    assert.equal(b[0].summarizeWal, null);
  });
  it('3.15 constructed: types, unfinished entries with status only, names', () => {
    const b = parseListBackups(fx('constructed-3.15-list-backups.json'));
    assert.equal(b.length, 12);
    const by = new Map(b.map((x) => [x.id, x]));
    assert.deepEqual([by.get('20260312T020000')!.status, by.get('20260312T020000')!.endTime], ['STARTED', null]);
    assert.equal(by.get('20260305T020000')!.status, 'FAILED');
    assert.equal(by.get('20260305T020000')!.type, 'incremental');
    assert.equal(by.get('20260228T020000')!.type, 'rsync');
    assert.equal(by.get('20260301T020000')!.name, 'weekly-full');
    assert.equal(by.get('20260311T020000')!.status, 'WAITING_FOR_WALS');
    assert.equal(by.get('20260309T020000')!.endTime, '2026-03-09T01:04:07.000Z');
    assert.equal(by.get('20260309T020000')!.retentionStatus, 'VALID');
  });
  it('lab 3.4 unknown server: barman _ERROR becomes the message', () => {
    assert.throws(() => parseListBackups(fx('lab-3.4-list-backups-unknown-server.json'), 'nosuch'), (e: Error) => e instanceof BarmanJsonError && e.message === "barman list-backups: Unknown server 'nosuch'");
  });
  it('malformed input names the command and key', () => {
    assert.throws(() => parseListBackups('{"main": [{"status": "DONE"}]}'), /barman list-backups: \[0\]\.backup_id is missing, expected a string/);
    assert.throws(() => parseListBackups('{"main": [{"backup_id": "x", "status": "DONE", "size_bytes": "big"}]}'), /\[0\]\.size_bytes is a string/);
    assert.throws(() => parseListBackups('{"main": {}}'), /barman list-backups: server entry is not a list/);
    assert.throws(() => parseListBackups('Traceback (most recent call last):'), /barman list-backups: output is not JSON/);
    assert.throws(() => parseListBackups(''), /barman list-backups: empty output/);
    assert.throws(() => parseListBackups('{"main": []}', 'other'), /server 'other' missing/);
    assert.throws(() => parseListBackups('{"main": [{"backup_id": "x", "status": "DONE", "backup_type": "weird"}]}'), /backup_type 'weird'/);
  });
  it('--minimal ids and an empty catalogue', () => {
    assert.deepEqual(parseListBackups('{"main": []}', 'main'), []);
    assert.equal(parseListBackups('{"main": ["20260101T000000"]}')[0].id, '20260101T000000');
  });
});

describe('parseShowBackup', () => {
  it('3.4 real latest: disk_usage keys, ISO times, duration, no chain keys', () => {
    const b = parseShowBackup(fx('real-3.4-show-backup-latest-json.json'), 'main');
    assert.deepEqual(b, {
      id: '20261122T034654', name: null, type: 'full', status: 'DONE', parentId: null, childrenIds: [],
      beginTime: '2026-11-22T03:46:54.651Z', endTime: '2026-11-22T03:46:59.103Z', durationSeconds: 4.452,
      sizeBytes: 38405345, walBytes: 17845102, resourcesSavedBytes: null, retentionStatus: 'VALID', timeline: 1,
      beginLsn: '0/9000028', endLsn: '0/A000958', summarizeWal: null,
    });
  });
  it('3.4 lab oldest: "not enforced" retention is null', () => {
    const b = parseShowBackup(fx('lab-3.4-show-backup-oldest.json'));
    assert.equal(b.retentionStatus, null);
    assert.equal(b.sizeBytes, 30888545);
  });
  it('3.15 incremental: backup_size, resources_saved, parent, children, summarize_wal', () => {
    const b = parseShowBackup(fx('constructed-3.15-show-backup-20260302T020000.json'), 'pg17');
    assert.equal(b.type, 'incremental');
    assert.equal(b.parentId, '20260301T020000');
    assert.deepEqual(b.childrenIds, ['20260303T020000']);
    assert.equal(b.sizeBytes, 120 * 1024 * 1024);
    assert.equal(b.resourcesSavedBytes, 1390 * 1024 * 1024);
    assert.equal(b.summarizeWal, true);
    assert.equal(b.beginTime, '2026-03-02T01:00:00.123Z');
    assert.equal(b.durationSeconds, 247.531);
  });
  it('3.15 full taken with summarize_wal off', () => {
    const b = parseShowBackup(fx('constructed-3.15-show-backup-20260309T020000.json'));
    assert.deepEqual([b.type, b.summarizeWal, b.parentId, b.childrenIds], ['full', false, null, ['20260310T020000']]);
  });
  it('3.15 FAILED and STARTED: status, type, nothing else', () => {
    const f = parseShowBackup(fx('constructed-3.15-show-backup-20260305T020000.json'));
    assert.deepEqual([f.status, f.type, f.parentId, f.beginTime, f.sizeBytes], ['FAILED', 'incremental', null, null, null]);
    const s = parseShowBackup(fx('constructed-3.15-show-backup-20260312T020000.json'));
    assert.deepEqual([s.status, s.type], ['STARTED', 'full']);
  });
  it('every show-backup fixture parses to its own id', () => {
    for (const f of barmanFixtures(/show-backup-(?!unknown).*\.json$/)) {
      const b = parseShowBackup(fx(f));
      const m = /(\d{8}T\d{6})\.json$/.exec(f);
      if (m) assert.equal(b.id, m[1], f);
      assert.ok(['full', 'incremental', 'rsync', 'snapshot'].includes(b.type), f);
    }
  });
  it('lab 3.4 unknown backup', () => {
    assert.throws(() => parseShowBackup(fx('lab-3.4-show-backup-unknown-backup.json'), 'main'), /barman show-backup: Unknown backup 'nosuchid' for server 'main'/);
  });
  it('malformed nested key', () => {
    assert.throws(() => parseShowBackup('{"main": {"backup_id": "x", "status": "DONE", "base_backup_information": {"timeline": "one"}}}'), /barman show-backup: base_backup_information\.timeline is a string/);
  });
});

describe('parseCheck', () => {
  const cases: Array<[string, number, string[]]> = [
    ['real-3.4-check-json.json', 25, []],
    ['real-3.4-check-json-after-failover.json', 17, ['pg basebackup compatible', 'pg receivexlog compatible', 'postgresql', 'receive wal running']],
    ['real-3.4-check-json-after-switchback.json', 25, ['archiver errors']],
    ['real-3.4-check-json-final.json', -1, []],
    ['lab-3.4-check.json', -1, []],
  ];
  for (const [file, count, failed] of cases) {
    it(file, () => {
      const c = parseCheck(fx(file), 'main');
      if (count >= 0) assert.equal(c.length, count);
      assert.ok(c.length > 10);
      assert.deepEqual(c.filter((x) => !x.ok).map((x) => x.name), failed);
    });
  }
  it('hints: empty → null, text kept', () => {
    const c = parseCheck(fx('real-3.4-check-json-after-switchback.json'));
    assert.deepEqual(c.find((x) => x.name === 'archiver errors'), { name: 'archiver errors', ok: false, hint: 'duplicates: 1' });
    assert.equal(c.find((x) => x.name === 'wal level')!.hint, null);
  });
  it('bad status', () => assert.throws(() => parseCheck('{"main": {"ssh": {"status": "MAYBE", "hint": ""}}}'), /barman check: ssh\.status is 'MAYBE'/));
});

describe('parseStatus', () => {
  it('3.4 real healthy: last archived WAL split from its local time', () => {
    const s = parseStatus(fx('real-3.4-status-json.json'), 'main');
    assert.deepEqual(s.wal, { lastArchivedWal: '000000010000000000000019', lastArchivedTime: 'Sun Nov 22 03:48:16 2026', failedCount: 0, walsPerHour: 718.86 });
    assert.deepEqual([s.firstBackupId, s.lastBackupId, s.backupsNumber, s.pgVersion, s.active], ['20261122T034649', '20261122T034654', 2, '15.18', true]);
  });
  it('3.4 after failover: archiver keys absent', () => {
    const s = parseStatus(fx('real-3.4-status-json-after-failover.json'));
    assert.deepEqual(s.wal, { lastArchivedWal: null, lastArchivedTime: null, failedCount: null, walsPerHour: null });
    assert.equal(s.pgVersion, 'FAILED trying to get PostgreSQL version');
  });
  it('3.4 after switchback: .partial WAL', () => {
    assert.equal(parseStatus(fx('real-3.4-status-json-after-switchback.json')).wal.lastArchivedWal, '00000002000000000000001B.partial');
  });
  for (const f of barmanFixtures(/status-json.*\.json$|lab-3\.4-status\.json$/).filter((x) => !x.includes('replication'))) {
    it(`parses ${f}`, () => assert.ok(parseStatus(fx(f)).firstBackupId));
  }
});

describe('parseReplicationStatus', () => {
  it('3.4 real: two standbys and barman receive-wal streaming', () => {
    const r = parseReplicationStatus(fx('real-3.4-replication-status-json.json'), 'main');
    assert.equal(r.clients.length, 3);
    assert.equal(r.receiveWalStreaming, true);
    assert.equal(r.serverLsn, '0/1A130C18');
  });
  it('3.4 after failover: _ERROR with an empty entry', () => {
    assert.throws(() => parseReplicationStatus(fx('real-3.4-replication-status-json-after-failover.json'), 'main'), /barman replication-status: Unable to connect to server main/);
  });
  for (const f of ['real-3.4-replication-status-json-final.json', 'real-3.4-replication-status-json-after-switchback.json']) {
    it(`parses ${f}`, () => assert.equal(parseReplicationStatus(fx(f)).receiveWalStreaming, true));
  }
});
