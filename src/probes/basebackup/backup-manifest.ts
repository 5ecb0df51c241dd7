// backup_manifest as the server writes it (backup_manifest.c): version 2 with System-Identifier
// from PostgreSQL 17, version 1 without it in 13–16; then Files, WAL-Ranges (newest timeline
// first) and a SHA-256 Manifest-Checksum over every byte before the "Manifest-Checksum" key.
// Only the summary the console shows is kept: a manifest lists every file of the cluster
// (~150 bytes each, megabytes for a large one), so nothing per file survives the parse.

import { createHash } from 'node:crypto';
import { formatLsn, parseLsn } from '../../model/lsn.ts';

export class BackupManifestError extends Error {
  override name = 'BackupManifestError';
}

export interface ManifestWalRange {
  timeline: number;
  startLsn: string;
  endLsn: string;
}

export interface BackupManifestSummary {
  version: number;
  /** uint64 as decimal text: it does not fit a JS number. null for version 1 (before 17). */
  systemIdentifier: string | null;
  /** Newest timeline first, as written. */
  walRanges: ManifestWalRange[];
  fileCount: number;
  /** Sum of every file's Size: bytes of the backup as a data directory (uncompressed). */
  totalSize: number;
  /** Files named INCREMENTAL.*: relation files an incremental backup sent as changed blocks only. */
  incrementalFileCount: number;
  manifestChecksum: string | null;
  /** Whether Manifest-Checksum matches the text; null when there is none. */
  checksumValid: boolean | null;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

const isObject = (v: Json | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

const CHECKSUM_KEY = '"Manifest-Checksum"';

function walRange(v: Json, i: number): ManifestWalRange {
  const where = `backup_manifest: WAL-Ranges[${i}]`;
  if (!isObject(v)) throw new BackupManifestError(`${where} is not an object`);
  const tl = v['Timeline'];
  if (typeof tl !== 'number' || !Number.isInteger(tl) || tl < 1) throw new BackupManifestError(`${where}.Timeline is not a timeline ID`);
  const lsn = (key: string): string => {
    const s = v[key];
    try {
      if (typeof s !== 'string') throw new TypeError();
      return formatLsn(parseLsn(s));
    } catch {
      throw new BackupManifestError(`${where}.${key} is not an LSN: ${JSON.stringify(s ?? null)}`);
    }
  };
  return { timeline: tl, startLsn: lsn('Start-LSN'), endLsn: lsn('End-LSN') };
}

/** The file's own name (Encoded-Path is hex, for paths that are not valid UTF-8). */
function baseName(f: JsonObject): string | null {
  const p = f['Path'];
  if (typeof p === 'string') return p.slice(p.lastIndexOf('/') + 1);
  const e = f['Encoded-Path'];
  if (typeof e === 'string' && /^(?:[0-9A-Fa-f]{2})*$/.test(e)) {
    const s = Buffer.from(e, 'hex').toString('latin1');
    return s.slice(s.lastIndexOf('/') + 1);
  }
  return null;
}

export function parseBackupManifest(text: string): BackupManifestSummary {
  if (text.trim() === '') throw new BackupManifestError('backup_manifest is empty');
  let doc: Json;
  try {
    doc = JSON.parse(text) as Json;
  } catch (e) {
    // a manifest cut short (disk full, copy interrupted) ends mid-JSON: say so plainly
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new BackupManifestError(`backup_manifest is not valid JSON (truncated or corrupt?): ${why}`);
  }
  if (!isObject(doc)) throw new BackupManifestError('backup_manifest is not a JSON object');
  const version = doc['PostgreSQL-Backup-Manifest-Version'];
  if (version === undefined) throw new BackupManifestError('backup_manifest: no PostgreSQL-Backup-Manifest-Version (not a backup manifest?)');
  if (version !== 1 && version !== 2) throw new BackupManifestError(`backup_manifest: unsupported manifest version ${JSON.stringify(version)}`);

  // JSON.parse rounds a uint64 to the nearest double; the exact digits come from the text
  let systemIdentifier: string | null = null;
  if (doc['System-Identifier'] !== undefined) {
    const m = /"System-Identifier"\s*:\s*(\d{1,20})\s*[,}]/.exec(text);
    if (!m) throw new BackupManifestError('backup_manifest: System-Identifier is not an unsigned integer');
    systemIdentifier = m[1];
  } else if (version === 2) {
    throw new BackupManifestError('backup_manifest: version 2 without System-Identifier');
  }

  const files = doc['Files'];
  if (!Array.isArray(files)) throw new BackupManifestError('backup_manifest: no Files list');
  let totalSize = 0;
  let incrementalFileCount = 0;
  files.forEach((f, i) => {
    if (!isObject(f)) throw new BackupManifestError(`backup_manifest: Files[${i}] is not an object`);
    const size = f['Size'];
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 0) throw new BackupManifestError(`backup_manifest: Files[${i}].Size is not a byte count`);
    totalSize += size;
    const name = baseName(f);
    if (name === null) throw new BackupManifestError(`backup_manifest: Files[${i}] has neither Path nor Encoded-Path`);
    if (name.startsWith('INCREMENTAL.')) incrementalFileCount++;
  });

  const ranges = doc['WAL-Ranges'];
  // every backup needs WAL to be consistent; pg_verifybackup and the server reject an empty list too
  if (!Array.isArray(ranges) || ranges.length === 0) throw new BackupManifestError('backup_manifest: no WAL-Ranges');
  const walRanges = ranges.map(walRange);

  const cs = doc['Manifest-Checksum'];
  let manifestChecksum: string | null = null;
  let checksumValid: boolean | null = null;
  if (cs !== undefined) {
    if (typeof cs !== 'string') throw new BackupManifestError('backup_manifest: Manifest-Checksum is not a string');
    manifestChecksum = cs.toLowerCase();
    const at = text.lastIndexOf(CHECKSUM_KEY);
    checksumValid = createHash('sha256').update(text.slice(0, at), 'utf8').digest('hex') === manifestChecksum;
  }

  return { version, systemIdentifier, walRanges, fileCount: files.length, totalSize, incrementalFileCount, manifestChecksum, checksumValid };
}

/** The WAL range on the timeline the backup started on: the last one, since newest comes first. */
export function startRange(m: BackupManifestSummary): ManifestWalRange {
  return m.walRanges[m.walRanges.length - 1];
}
