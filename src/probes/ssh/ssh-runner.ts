// What the SSH-side probes need from the transport: SshPool.run's shape, injected so unit tests
// can replay captured outputs; plus the one-line wording of transport failures for a DBA.

import type { SshTarget } from '../../transport/ssh-config.ts';
import { SshError, SshHostKeyError } from '../../transport/ssh-errors.ts';
import type { RunOptions, RunResult } from '../../transport/ssh-pool.ts';

export type { RunOptions, RunResult, SshTarget };

export interface SshRunner {
  run(target: SshTarget, argv: readonly string[], opts?: RunOptions): Promise<RunResult>;
}

/** `ssh user@host:port` as SshPool prefixes its messages with. */
const WHERE = /^ssh ([^@\s]+)@(\S+):(\d+)(?: |:)/;

/**
 * One line for a failed run. SshErrors are already one line that says what to do; an unknown
 * host key also gets the ssh-keyscan line, for hosts where nobody will log in by hand first.
 */
export function describeRunFailure(err: unknown): string {
  if (err instanceof SshHostKeyError && err.status === 'unknown') {
    const m = WHERE.exec(err.message);
    const keyType = /\(([a-z0-9-]+) SHA256:/.exec(err.message)?.[1];
    if (m) {
      const [, , host, port] = m;
      const scan = `ssh-keyscan ${port === '22' ? '' : `-p ${port} `}${keyType ? `-t ${keyType} ` : ''}${host} >> ~/.ssh/known_hosts`;
      return `${err.message}; or check the fingerprint and run \`${scan}\``;
    }
    return err.message;
  }
  if (err instanceof SshError) return err.message;
  // config/resolution errors (bad target, unreadable ssh config): first line only, never a stack
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0];
}
