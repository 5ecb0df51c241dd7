// Backup directories (what was read from each) → BackupInfo with parentId, for buildChains().
//
// How an incremental names its parent: the server copies the prior manifest's WAL range for the
// prior backup's start timeline into the new backup_label as INCREMENTAL FROM LSN/TLI
// (PrepareForIncrementalBackup(), basebackup_incremental.c), and that range starts at the prior
// backup's START WAL LOCATION (AddWALInfoToBackupManifest(), backup_manifest.c). pg_combinebackup
// checks exactly that pairing (check_backup_label_files(): "backup at … starts at LSN …, but
// expected …"). So the parent is the backup whose start LSN and start timeline equal the child's
// INCREMENTAL FROM pair; it is NOT the parent's End-LSN.

import type { BackupInfo, BackupType } from '../../model/backups.ts';
import { BackupLabelError, parseBackupLabel, type BackupLabel } from './backup-label.ts';
import { BackupManifestError, parseBackupManifest, startRange, type BackupManifestSummary } from './backup-manifest.ts';

export interface BackupDirectoryRead {
  /** Directory name under the backup path: the backup's id. */
  name: string;
  /** backup_label text (plain format, or extracted from base.tar*); null when there is none. */
  label: string | null;
  /** backup_manifest text; null when the directory has none (yet). */
  manifest: string | null;
  /** Bytes on disk (du); falls back to the manifest's file sizes when absent. */
  sizeBytes?: number | null;
  /** backup_manifest's mtime, epoch seconds: pg_basebackup writes it last, so it is the end time. */
  manifestMtime?: number | null;
  /** backup_manifest.tmp present: pg_basebackup is writing the manifest right now. */
  manifestInProgress?: boolean;
  /** Why the label or manifest could not be read (permission, tar failure, …). */
  readError?: string | null;
}

export const STATUS_DONE = 'DONE';
/** Label but no manifest: pg_basebackup still running, or killed before it finished. */
export const STATUS_INCOMPLETE = 'INCOMPLETE';
/** Unreadable label, or a manifest that does not parse or whose checksum is wrong. */
export const STATUS_FAILED = 'FAILED';

/** pg_basebackup's -l default: not worth showing as a name. */
const DEFAULT_LABEL = 'pg_basebackup base backup';

export interface BackupDirectoryAnalysis {
  backups: BackupInfo[];
  /** Per backup id, what a DBA should know that BackupInfo has no field for. */
  notes: Record<string, string[]>;
}

interface Parsed {
  dir: BackupDirectoryRead;
  label: BackupLabel | null;
  manifest: BackupManifestSummary | null;
  info: BackupInfo;
  notes: string[];
}

const typeFromName = (name: string): BackupType | null =>
  /^full[_-]/i.test(name) ? 'full' : /^incr(?:emental)?[_-]/i.test(name) ? 'incremental' : null;

function parseOne(dir: BackupDirectoryRead): Parsed {
  const notes: string[] = [];
  let label: BackupLabel | null = null;
  let manifest: BackupManifestSummary | null = null;
  let failed = false;
  if (dir.readError) {
    notes.push(dir.readError);
    failed = true;
  }
  if (dir.label !== null) {
    try {
      label = parseBackupLabel(dir.label);
    } catch (e) {
      if (!(e instanceof BackupLabelError)) throw e;
      notes.push(e.message);
      failed = true;
    }
  } else if (!dir.readError) {
    notes.push('no backup_label (neither in the directory nor in base.tar*)');
  }
  if (dir.manifest !== null) {
    try {
      manifest = parseBackupManifest(dir.manifest);
      if (manifest.checksumValid === false) {
        notes.push('backup_manifest checksum does not match its contents (corrupt or edited)');
        failed = true;
      }
    } catch (e) {
      if (!(e instanceof BackupManifestError)) throw e;
      notes.push(e.message);
      failed = true;
    }
  } else {
    notes.push(dir.manifestInProgress
      ? 'backup_manifest is being written (backup finishing)'
      : 'no backup_manifest: pg_basebackup is still running, or stopped before it finished');
  }

  const fromName = typeFromName(dir.name);
  const type: BackupType = label ? (label.incrementalFromLsn !== null ? 'incremental' : 'full')
    : manifest && manifest.incrementalFileCount > 0 ? 'incremental'
    : fromName ?? 'full';
  if (label && fromName && fromName !== type) notes.push(`named like a ${fromName} backup, but its backup_label says ${type}`);

  const status = failed || (label === null && manifest !== null) ? STATUS_FAILED : manifest !== null ? STATUS_DONE : STATUS_INCOMPLETE;
  const beginTime = label?.startTime?.iso ?? null;
  const endTime = manifest !== null && dir.manifestMtime != null ? new Date(dir.manifestMtime * 1000).toISOString() : null;
  const duration = beginTime !== null && endTime !== null ? Math.max(0, (Date.parse(endTime) - Date.parse(beginTime)) / 1000) : null;
  const first = manifest?.walRanges[0];

  const info: BackupInfo = {
    id: dir.name,
    name: label?.label && label.label !== DEFAULT_LABEL ? label.label : null,
    type,
    status,
    parentId: null,
    childrenIds: [],
    beginTime,
    endTime,
    durationSeconds: duration,
    sizeBytes: dir.sizeBytes ?? manifest?.totalSize ?? null,
    walBytes: null,
    resourcesSavedBytes: null,
    retentionStatus: null,
    timeline: label?.startTimeline ?? (manifest ? startRange(manifest).timeline : null),
    beginLsn: label?.startWalLocation ?? (manifest ? startRange(manifest).startLsn : null),
    endLsn: first?.endLsn ?? null,
    // the server refuses an incremental backup unless WAL summaries cover it
    summarizeWal: type === 'incremental' && status === STATUS_DONE ? true : null,
  };
  return { dir, label, manifest, info, notes };
}

/** Where a backup starts, for children to match: label first, the manifest's start range else. */
function startKey(p: Parsed): string | null {
  if (p.label?.startTimeline != null) return `${p.label.startTimeline}@${p.label.startWalLocation}`;
  if (p.manifest) {
    const r = startRange(p.manifest);
    return `${r.timeline}@${r.startLsn}`;
  }
  return null;
}

const rank = (p: Parsed): number => (p.info.status === STATUS_DONE ? 0 : p.info.status === STATUS_INCOMPLETE ? 1 : 2);

export function analyzeBackupDirectories(dirs: readonly BackupDirectoryRead[]): BackupDirectoryAnalysis {
  const parsed = [...dirs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map(parseOne);
  const byStart = new Map<string, Parsed[]>();
  for (const p of parsed) {
    const k = startKey(p);
    if (k !== null) byStart.set(k, [...(byStart.get(k) ?? []), p]);
  }
  const byId = new Map(parsed.map((p) => [p.info.id, p]));

  for (const child of parsed) {
    const l = child.label;
    if (l?.incrementalFromLsn == null || l.incrementalFromTli == null) continue;
    const want = `${l.incrementalFromTli}@${l.incrementalFromLsn}`;
    const sysid = child.manifest?.systemIdentifier ?? null;
    // a backup of another cluster that happens to start at the same LSN is not a parent
    const candidates = (byStart.get(want) ?? [])
      .filter((p) => p !== child)
      .filter((p) => sysid === null || p.manifest?.systemIdentifier == null || p.manifest.systemIdentifier === sysid)
      .sort((a, b) => rank(a) - rank(b));
    const parent = candidates[0];
    if (!parent) {
      child.notes.push(`orphan: no backup here starts at ${l.incrementalFromLsn} on timeline ${l.incrementalFromTli} (its parent was deleted or lives elsewhere)`);
      continue;
    }
    if (candidates.length > 1) child.notes.push(`several backups start at ${l.incrementalFromLsn}: ${candidates.map((c) => c.info.id).join(', ')}; chose ${parent.info.id}`);
    child.info.parentId = parent.info.id;
    byId.get(parent.info.id)!.info.childrenIds.push(child.info.id);
  }

  const notes: Record<string, string[]> = {};
  for (const p of parsed) if (p.notes.length > 0) notes[p.info.id] = p.notes;
  return { backups: parsed.map((p) => p.info), notes };
}

export function backupsFromDirectories(dirs: readonly BackupDirectoryRead[]): BackupInfo[] {
  return analyzeBackupDirectories(dirs).backups;
}
