// backup_label as PostgreSQL writes it (build_backup_content(), xlogbackup.c; PG17 adds the two
// INCREMENTAL FROM lines, only in incremental backups). The layout is fixed "KEY: value" lines;
// unknown keys are skipped so a newer server's extra line does not make every backup unreadable.

import { formatLsn, parseLsn } from '../../model/lsn.ts';

export class BackupLabelError extends Error {
  override name = 'BackupLabelError';
}

export interface BackupStartTime {
  /** As written: "2026-11-22 07:16:21 UTC" (log_timezone's abbreviation). */
  text: string;
  /** ISO 8601 UTC when the zone could be read unambiguously, else null. */
  iso: string | null;
}

export interface BackupLabel {
  startWalLocation: string;
  /** The WAL file named after START WAL LOCATION; null when the "(file …)" part is absent. */
  startWalFile: string | null;
  checkpointLocation: string;
  /** "streamed" for pg_basebackup and pg_backup_start(). */
  backupMethod: string | null;
  /** "primary" or "standby". */
  backupFrom: string | null;
  startTime: BackupStartTime | null;
  label: string | null;
  /** Absent before PostgreSQL 11. */
  startTimeline: number | null;
  /** The parent's START WAL LOCATION (17+, incremental backups only). */
  incrementalFromLsn: string | null;
  /** The parent's START TIMELINE (17+, incremental backups only). */
  incrementalFromTli: number | null;
}

// Zone abbreviations PostgreSQL prints for common log_timezone settings whose offset is not in
// doubt; ambiguous ones (CST, IST, BST, …) keep iso null rather than guess.
const ZONES: Record<string, string> = {
  UTC: '+00:00', GMT: '+00:00', UCT: '+00:00', Z: '+00:00',
  WET: '+00:00', WEST: '+01:00', CET: '+01:00', CEST: '+02:00', MET: '+01:00', MEST: '+02:00',
  EET: '+02:00', EEST: '+03:00', MSK: '+03:00',
  EST: '-05:00', EDT: '-04:00', MDT: '-06:00', MST: '-07:00', PDT: '-07:00', PST: '-08:00',
  JST: '+09:00', KST: '+09:00', AEST: '+10:00', AEDT: '+11:00', NZST: '+12:00', NZDT: '+13:00',
};

export function parseStartTime(text: string): BackupStartTime {
  const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?: (\S+))?$/.exec(text);
  if (!m) return { text, iso: null };
  const zone = m[3] ?? '';
  let off: string | undefined = ZONES[zone.toUpperCase()];
  // zones without an abbreviation print as a numeric offset: "+03", "-0330", "+05:30"
  const num = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  if (num) off = `${num[1]}${num[2]}:${num[3] ?? '00'}`;
  if (off === undefined) return { text, iso: null };
  const ms = Date.parse(`${m[1]}T${m[2]}${off}`);
  return { text, iso: Number.isNaN(ms) ? null : new Date(ms).toISOString() };
}

function lsn(value: string, key: string): string {
  try {
    return formatLsn(parseLsn(value));
  } catch {
    throw new BackupLabelError(`backup_label: ${key} is not an LSN: ${JSON.stringify(value)}`);
  }
}

function timeline(value: string, key: string): number {
  if (!/^\d{1,10}$/.test(value) || Number(value) < 1 || Number(value) > 0xffffffff) {
    throw new BackupLabelError(`backup_label: ${key} is not a timeline ID: ${JSON.stringify(value)}`);
  }
  return Number(value);
}

export function parseBackupLabel(text: string): BackupLabel {
  if (text.trim() === '') throw new BackupLabelError('backup_label is empty');
  if (text.includes('\0')) throw new BackupLabelError('backup_label holds binary data (not a backup_label?)');
  const fields = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line === '') continue;
    const m = /^([A-Z][A-Z ]*[A-Z]): ?(.*)$/.exec(line);
    // not "KEY: value" (e.g. a LABEL given with a newline in it): nothing we need
    if (!m) continue;
    // the first occurrence wins, as the server's own sequential fscanf reading would
    if (!fields.has(m[1])) fields.set(m[1], m[2]);
  }

  const start = fields.get('START WAL LOCATION');
  if (start === undefined) throw new BackupLabelError('backup_label: no START WAL LOCATION line (not a backup_label?)');
  const sm = /^(\S+)(?: \(file ([0-9A-Fa-f]{24})\))?$/.exec(start.trim());
  if (!sm) throw new BackupLabelError(`backup_label: START WAL LOCATION is malformed: ${JSON.stringify(start)}`);
  const checkpoint = fields.get('CHECKPOINT LOCATION');
  if (checkpoint === undefined) throw new BackupLabelError('backup_label: no CHECKPOINT LOCATION line');

  const incrLsn = fields.get('INCREMENTAL FROM LSN');
  const incrTli = fields.get('INCREMENTAL FROM TLI');
  // pg_combinebackup refuses a label with one of the pair and not the other; so do we
  if ((incrLsn === undefined) !== (incrTli === undefined)) {
    throw new BackupLabelError(`backup_label: ${incrLsn === undefined ? 'INCREMENTAL FROM TLI' : 'INCREMENTAL FROM LSN'} without its partner line`);
  }
  const tl = fields.get('START TIMELINE');
  const startTime = fields.get('START TIME');

  return {
    startWalLocation: lsn(sm[1], 'START WAL LOCATION'),
    startWalFile: sm[2]?.toUpperCase() ?? null,
    checkpointLocation: lsn(checkpoint.trim(), 'CHECKPOINT LOCATION'),
    backupMethod: fields.get('BACKUP METHOD')?.trim() ?? null,
    backupFrom: fields.get('BACKUP FROM')?.trim() ?? null,
    startTime: startTime === undefined ? null : parseStartTime(startTime.trim()),
    label: fields.get('LABEL') ?? null,
    startTimeline: tl === undefined ? null : timeline(tl.trim(), 'START TIMELINE'),
    incrementalFromLsn: incrLsn === undefined ? null : lsn(incrLsn.trim(), 'INCREMENTAL FROM LSN'),
    incrementalFromTli: incrTli === undefined ? null : timeline(incrTli.trim(), 'INCREMENTAL FROM TLI'),
  };
}
