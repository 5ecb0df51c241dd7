// Every SSH failure reaches the UI as ONE line that says what to do; never a stack trace and never a
// secret (ssh2 errors can echo config objects, so messages are rebuilt here, not passed through).

export type SshErrorKind = 'auth' | 'refused' | 'timeout' | 'hostkey' | 'dns' | 'network' | 'closed' | 'protocol' | 'config';

export class SshError extends Error {
  readonly kind: SshErrorKind;
  constructor(kind: SshErrorKind, message: string) {
    super(message.replace(/\s*\n\s*/g, ' ')); // one line, whatever the source
    this.name = 'SshError';
    this.kind = kind;
  }
}

export class SshHostKeyError extends SshError {
  readonly status: 'unknown' | 'changed' | 'revoked';
  readonly fingerprint: string;
  constructor(status: 'unknown' | 'changed' | 'revoked', fingerprint: string, message: string) {
    super('hostkey', message);
    this.name = 'SshHostKeyError';
    this.status = status;
    this.fingerprint = fingerprint;
  }
}

export class SshTimeoutError extends SshError {
  constructor(message: string) {
    super('timeout', message);
    this.name = 'SshTimeoutError';
  }
}

interface NodeishError { code?: string; level?: string; message?: string }

/** Maps an ssh2 / socket error to an SshError for `where` (e.g. `ssh postgres@db1:22`). */
export function mapSshError(err: unknown, where: string, authTried: readonly string[] = []): SshError {
  if (err instanceof SshError) return err;
  const e = (err ?? {}) as NodeishError;
  const code = e.code ?? '';
  const msg = String(e.message ?? err);
  if (e.level === 'client-authentication') {
    const tried = authTried.length ? authTried.join(', ') : 'nothing (no ssh-agent, no identity file)';
    return new SshError('auth', `${where}: authentication failed (tried ${tried})`);
  }
  if (e.level === 'client-timeout' || code === 'ETIMEDOUT') return new SshError('timeout', `${where}: connection timed out`);
  if (code === 'ECONNREFUSED') return new SshError('refused', `${where}: connection refused (is sshd running on that port?)`);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new SshError('dns', `${where}: host name not found`);
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return new SshError('network', `${where}: host unreachable`);
  if (code === 'ECONNRESET' || code === 'EPIPE') return new SshError('closed', `${where}: connection reset`);
  if (/not connected|no response from server|connection lost/i.test(msg)) return new SshError('closed', `${where}: connection lost`);
  return new SshError('protocol', `${where}: ${msg.split('\n')[0]}`);
}
