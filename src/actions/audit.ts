// Append-only record of every action: who did what, where, and how it ended. JSON lines, one
// per event, so `jq` and `grep` work on it. Conninfo passwords never reach it: callers pass the
// display target, and `redact` strips anything that looks like a password on the way in.
import { appendFileSync, mkdirSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';

export interface AuditEntry {
  cluster: string;
  action: string;
  target: string;
  command: string;
  outcome: 'ok' | 'error' | 'cancelled' | 'refused';
  detail?: string;
  durationMs?: number;
  /** The remote command's exit status, when one ran. */
  exitCode?: number | null;
}

export function defaultAuditPath(env: NodeJS.ProcessEnv = process.env): string {
  const state = env.XDG_STATE_HOME || join(env.HOME ?? homedir(), '.local', 'state');
  return join(state, 'pgtop-ha', 'audit.log');
}

export function redact(text: string): string {
  return text.replace(/(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)/gi, '$1***').replace(/(:\/\/[^:/@\s]+:)[^@\s]+@/g, '$1***@');
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}

export class AuditLog {
  constructor(readonly path: string) {}

  write(entry: AuditEntry, now = new Date()): void {
    const record = {
      time: now.toISOString(),
      user: osUser(),
      ...entry,
      command: redact(entry.command),
      detail: entry.detail === undefined ? undefined : redact(entry.detail),
    };
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    appendFileSync(this.path, `${JSON.stringify(record)}\n`, { mode: 0o600 });
  }
}
