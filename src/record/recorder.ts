// Appends store writes to a gzip-compressed NDJSON file, flushed after every line so a killed
// recorder leaves a readable file, and bounded: past maxBytes the file becomes FILE.1 (the older
// FILE.1 is dropped) and FILE starts again with a fresh header.
import { closeSync, existsSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { ProbeUpdate } from '../state/store.ts';
import { RECORD_VERSION, type RecordHeader } from './format.ts';

// One gzip member per line (gzipSync): written synchronously, so an exit handler loses nothing,
// and every gunzip reads concatenated members as one stream.
export interface RecorderOptions {
  maxBytes: number;
  header: Omit<RecordHeader, 'pgtop_ha_record' | 'started'>;
  now?: () => number;
}

export class Recorder {
  private fd: number;
  private bytes: number;
  samples = 0;
  rotations = 0;

  constructor(readonly file: string, private readonly opts: RecorderOptions) {
    this.fd = openSync(file, 'a');
    this.bytes = statSync(file).size;
    this.writeHeader();
  }

  private writeHeader(): void {
    const h: RecordHeader = { pgtop_ha_record: RECORD_VERSION, ...this.opts.header, started: (this.opts.now ?? Date.now)() };
    this.append(`${JSON.stringify(h)}\n`);
  }

  private append(line: string): void {
    const buf = gzipSync(line);
    writeSync(this.fd, buf);
    this.bytes += buf.length;
  }

  write(updates: readonly ProbeUpdate[], at: number): void {
    this.append(`${JSON.stringify({ t: at, u: updates })}\n`);
    this.samples++;
    if (this.bytes > this.opts.maxBytes) this.rotate();
  }

  private rotate(): void {
    closeSync(this.fd);
    renameSync(this.file, `${this.file}.1`);
    this.rotations++;
    this.fd = openSync(this.file, 'a');
    this.bytes = 0;
    this.writeHeader();
  }

  close(): void {
    closeSync(this.fd);
  }
}

export const previousFile = (file: string) => `${file}.1`;
export const hasPrevious = (file: string) => existsSync(previousFile(file));
