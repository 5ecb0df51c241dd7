// An SshRunner that runs the argv on this machine with no shell in between, exactly as the remote
// side would get it after sshd: so the probe's real find/sh/tar commands run against fixtures.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunOptions, RunResult, SshRunner, SshTarget } from '../../../src/probes/ssh/ssh-runner.ts';

export class LocalRunner implements SshRunner {
  readonly calls: Array<readonly string[]> = [];
  /** `asUser`: run as that OS user (through runuser, when we are root), like an SSH login as them. */
  constructor(private readonly asUser?: string) {}
  async run(_target: SshTarget, argvIn: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    this.calls.push(argvIn);
    const argv = this.asUser && process.getuid?.() === 0 ? ['runuser', '-u', this.asUser, '--', ...argvIn] : argvIn;
    const t0 = Date.now();
    return new Promise((resolve) => {
      execFile(argv[0], argv.slice(1), { encoding: 'utf8', maxBuffer: opts.maxOutputBytes ?? 1 << 20, timeout: opts.timeoutMs }, (err, stdout, stderr) => {
        const e = err as (NodeJS.ErrnoException & { code?: number | string; signal?: string }) | null;
        const truncated = e?.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER';
        const code = e === null ? 0 : typeof e.code === 'number' ? e.code : truncated ? 0 : 1;
        resolve({ code, signal: e?.signal ?? null, stdout, stderr, truncated, durationMs: Date.now() - t0 });
      });
    });
  }
}

export const FIXTURE_BACKUPS = new URL('../../fixtures/basebackup/backups/', import.meta.url).pathname;

/** End time (epoch s) given to each fixture manifest in a copy: git does not keep mtimes. */
export const MANIFEST_MTIME: Record<string, number> = {
  full_20261122_071621: Date.parse('2026-11-22T07:16:24Z') / 1000,
  incr_20261122_071634: Date.parse('2026-11-22T07:16:35Z') / 1000,
  incr_20261122_071648: Date.parse('2026-11-22T07:16:49Z') / 1000,
  full_20261129_020001: Date.parse('2026-11-29T02:10:01Z') / 1000,
  incr_20261130_020001: Date.parse('2026-11-30T02:01:31Z') / 1000,
  incr_20261201_020001: Date.parse('2026-12-01T02:01:01Z') / 1000,
  incr_20261203_020001: Date.parse('2026-12-03T02:01:01Z') / 1000,
};

/** A copy of the fixture tree under `parent` (default a new temp dir), manifests' mtimes set. */
export function copyFixtureTree(dest = join(mkdtempSync(join(tmpdir(), 'pgtop-bb-')), 'backups')): string {
  cpSync(FIXTURE_BACKUPS, dest, { recursive: true });
  for (const [name, t] of Object.entries(MANIFEST_MTIME)) utimesSync(join(dest, name, 'backup_manifest'), t, t);
  return dest;
}
