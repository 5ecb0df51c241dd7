// Reads a recording back: FILE.1 (the part rotated out) then FILE, every session's header and
// batches in order. A file cut short by a killed recorder reads up to its last whole line.
import { existsSync, readFileSync } from 'node:fs';
import { constants, gunzipSync } from 'node:zlib';
import { isHeader, type RecordedBatch, type RecordHeader } from './format.ts';
import { previousFile } from './recorder.ts';

export interface Recording {
  header: RecordHeader;
  batches: RecordedBatch[];
  files: string[];
}

export class RecordingError extends Error {}

function lines(file: string): string[] {
  let raw: Buffer;
  try {
    raw = readFileSync(file);
  } catch (e) {
    throw new RecordingError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  let text: string;
  try {
    // Z_SYNC_FLUSH as the final flush: a truncated last member yields what it holds instead of an error.
    text = gunzipSync(raw, { finishFlush: constants.Z_SYNC_FLUSH }).toString('utf8');
  } catch (e) {
    throw new RecordingError(`${file} is not a pgtop-ha recording (gzip: ${(e as Error).message})`);
  }
  const out = text.split('\n');
  // A partial last line (the recorder was killed mid-write) is dropped; a whole file ends in "\n".
  out.pop();
  return out;
}

export function readRecording(file: string): Recording {
  const files = [...(existsSync(previousFile(file)) ? [previousFile(file)] : []), file];
  let header: RecordHeader | null = null;
  const batches: RecordedBatch[] = [];
  for (const f of files) {
    lines(f).forEach((line, i) => {
      if (line === '') return;
      let doc: unknown;
      try {
        doc = JSON.parse(line);
      } catch {
        throw new RecordingError(`${f}, line ${i + 1}: not JSON: ${line.slice(0, 60)}`);
      }
      if (isHeader(doc)) {
        if (doc.pgtop_ha_record !== 1) throw new RecordingError(`${f}, line ${i + 1}: recording format ${doc.pgtop_ha_record}, this pgtop-ha reads 1`);
        if (header && doc.cluster !== header.cluster) throw new RecordingError(`${f}, line ${i + 1}: a session of cluster ${doc.cluster} inside a recording of ${header.cluster}`);
        header ??= doc;
        return;
      }
      const b = doc as RecordedBatch;
      if (!header) throw new RecordingError(`${f}, line ${i + 1}: a sample before any header`);
      if (typeof b?.t !== 'number' || !Array.isArray(b.u)) throw new RecordingError(`${f}, line ${i + 1}: not a recorded sample`);
      batches.push(b);
    });
  }
  if (!header) throw new RecordingError(`${file}: empty recording`);
  return { header, batches, files };
}
