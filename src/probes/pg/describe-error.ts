// Turns driver and server errors into the one line a DBA reads in the node's row.
export function describePgError(e: unknown, target: string): string {
  const err = e as { code?: string; message?: string; errno?: string };
  const code = err?.code ?? '';
  const msg = (err?.message ?? String(e)).split('\n')[0]!;
  switch (code) {
    case 'ECONNREFUSED': return `connection refused at ${target} (is PostgreSQL running?)`;
    case 'ENOTFOUND': case 'EAI_AGAIN': return `host name not found for ${target}`;
    case 'EHOSTUNREACH': case 'ENETUNREACH': return `no route to ${target}`;
    case 'ECONNRESET': case 'EPIPE': return 'connection reset by the server';
    case 'ENOENT': return `no socket at ${target} (is PostgreSQL running?)`;
    case '28P01': case '28000': return msg; // server text already names the user, database and hba rule
    case '3D000': return msg;
    case '57P01': case '57P02': case '57P03': return msg;
    case '53300': return 'too many connections on the server';
    case '57014': return 'statement timeout: the probe query was cancelled by the server';
  }
  if (/timeout expired|Connection terminated due to connection timeout/i.test(msg)) return `no answer to connect within the timeout (${target})`;
  if (/Query read timeout/i.test(msg)) return 'no answer: the probe query hung and was abandoned';
  if (/Connection terminated unexpectedly|not queryable/i.test(msg)) return 'connection lost (server closed it or the network dropped it)';
  if (/password authentication failed|no password supplied|SASL/i.test(msg)) return msg;
  return msg || 'unknown error';
}
