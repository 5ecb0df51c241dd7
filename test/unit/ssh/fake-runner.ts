// A scripted SshRunner: replies by argv (as the remote command's words joined by spaces), from
// captured fixtures, and records what was asked so tests can check the argv and options.
import { readFileSync } from 'node:fs';
import type { RunOptions, RunResult, SshRunner, SshTarget } from '../../../src/probes/ssh/ssh-runner.ts';

export function sshFixture(name: string): string {
  return readFileSync(new URL(`../../fixtures/ssh/${name}`, import.meta.url), 'utf8');
}

/** A fixture pair (NAME.txt, NAME.stderr.txt if present) as a RunResult with `code`. */
export function captured(name: string, code: number): RunResult {
  let stderr = '';
  try {
    stderr = sshFixture(`${name}.stderr.txt`);
  } catch {
    /* no stderr captured */
  }
  return reply(sshFixture(`${name}.txt`), code, stderr);
}

export function reply(stdout: string, code: number | null = 0, stderr = ''): RunResult {
  return { code, signal: null, stdout, stderr, truncated: false, durationMs: 1 };
}

export type Script = (argv: readonly string[], target: SshTarget) => RunResult | Error;

export class FakeRunner implements SshRunner {
  readonly calls: Array<{ target: SshTarget; argv: readonly string[]; opts: RunOptions | undefined }> = [];
  constructor(private readonly script: Script) {}
  async run(target: SshTarget, argv: readonly string[], opts?: RunOptions): Promise<RunResult> {
    this.calls.push({ target, argv, opts });
    const r = this.script(argv, target);
    if (r instanceof Error) throw r;
    return r;
  }
}
