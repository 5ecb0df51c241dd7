import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { BackupLabelError, parseBackupLabel, parseStartTime } from '../../../src/probes/basebackup/backup-label.ts';

const captured = (n: string) => readFileSync(new URL(`../../fixtures/basebackup/captured/${n}.backup_label`, import.meta.url), 'utf8');

describe('parseBackupLabel', () => {
  test('a real PostgreSQL 17 full backup label', () => {
    assert.deepEqual(parseBackupLabel(captured('full1')), {
      startWalLocation: '0/2000028', startWalFile: '000000010000000000000002', checkpointLocation: '0/2000080',
      backupMethod: 'streamed', backupFrom: 'primary',
      startTime: { text: '2026-11-22 07:16:21 UTC', iso: '2026-11-22T07:16:21.000Z' },
      label: 'full_20260101_020000', startTimeline: 1, incrementalFromLsn: null, incrementalFromTli: null,
    });
  });

  test('a real PostgreSQL 17 incremental label names its parent by start LSN and TLI', () => {
    const l = parseBackupLabel(captured('incr1'));
    assert.equal(l.startWalLocation, '0/5000028');
    assert.equal(l.incrementalFromLsn, '0/2000028');
    assert.equal(l.incrementalFromTli, 1);
    assert.equal(parseBackupLabel(captured('incr2')).incrementalFromLsn, '0/5000028');
  });

  const base = 'START WAL LOCATION: 16/B374D848 (file 0000000300000016000000B3)\nCHECKPOINT LOCATION: 16/B374D880\n';
  const cases: Array<[string, string, Partial<ReturnType<typeof parseBackupLabel>>]> = [
    ['lower-case hex is normalised', 'START WAL LOCATION: 16/b374d848 (file 0000000300000016000000b3)\nCHECKPOINT LOCATION: 16/b374d880\n',
      { startWalLocation: '16/B374D848', startWalFile: '0000000300000016000000B3', checkpointLocation: '16/B374D880' }],
    ['CRLF line ends', base.replace(/\n/g, '\r\n') + 'START TIMELINE: 3\r\n', { startTimeline: 3 }],
    ['a label holding ": " and a standby source', `${base}BACKUP FROM: standby\nLABEL: nightly: db1\n`, { backupFrom: 'standby', label: 'nightly: db1' }],
    ['no START TIMELINE (before 11)', base, { startTimeline: null, startTime: null, label: null }],
    ['unknown lines are skipped', `${base}SOME FUTURE FIELD: x\nnot a field line\n`, { startWalLocation: '16/B374D848' }],
    ['incremental, timeline 3', `${base}INCREMENTAL FROM LSN: 16/A0000028\nINCREMENTAL FROM TLI: 2\n`, { incrementalFromLsn: '16/A0000028', incrementalFromTli: 2 }],
  ];
  for (const [name, text, want] of cases) {
    test(name, () => {
      const got = parseBackupLabel(text);
      for (const [k, v] of Object.entries(want)) assert.deepEqual(got[k as keyof typeof got], v, k);
    });
  }

  const bad: Array<[string, string, RegExp]> = [
    ['empty', '  \n', /empty/],
    ['a manifest instead', '{ "PostgreSQL-Backup-Manifest-Version": 2 }', /no START WAL LOCATION/],
    ['no checkpoint', 'START WAL LOCATION: 0/2000028 (file 000000010000000000000002)\n', /no CHECKPOINT LOCATION/],
    ['bad LSN', 'START WAL LOCATION: 0/XYZ (file 000000010000000000000002)\nCHECKPOINT LOCATION: 0/1\n', /START WAL LOCATION.*not an LSN|malformed/],
    ['LSN without TLI', `${base}INCREMENTAL FROM LSN: 0/1\n`, /INCREMENTAL FROM LSN without its partner/],
    ['TLI without LSN', `${base}INCREMENTAL FROM TLI: 1\n`, /INCREMENTAL FROM TLI without its partner/],
    ['bad timeline', `${base}START TIMELINE: zero\n`, /START TIMELINE is not a timeline ID/],
    ['binary', 'START WAL\0', /binary/],
  ];
  for (const [name, text, re] of bad) {
    test(`error: ${name}`, () => {
      assert.throws(() => parseBackupLabel(text), (e: unknown) => e instanceof BackupLabelError && re.test(e.message));
    });
  }
});

describe('parseStartTime', () => {
  const cases: Array<[string, string | null]> = [
    ['2026-11-22 07:16:21 UTC', '2026-11-22T07:16:21.000Z'],
    ['2026-01-15 03:00:00 CET', '2026-01-15T02:00:00.000Z'],
    ['2026-07-15 03:00:00 CEST', '2026-07-15T01:00:00.000Z'],
    ['2026-07-15 03:00:00 +03', '2026-07-15T00:00:00.000Z'],
    ['2026-07-15 03:00:00 -0330', '2026-07-15T06:30:00.000Z'],
    ['2026-07-15 03:00:00 CST', null], // China or US Central: not guessed
    ['yesterday', null],
  ];
  for (const [text, iso] of cases) test(text, () => assert.deepEqual(parseStartTime(text), { text, iso }));
});
