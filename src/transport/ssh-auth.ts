// Which credentials a connection offers, in ssh's order: the agent first, then identity files.
// Encrypted keys are skipped (no passphrase prompt in a live console); the agent covers them.

import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import type { AnyAuthMethod } from 'ssh2';

export interface AuthPlan {
  /** ssh2 authHandler methods, tried in order. */
  methods: AnyAuthMethod[];
  /** Human-readable names of what was tried, for the "authentication failed" line. */
  tried: string[];
}

export const DEFAULT_IDENTITIES = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

export function planAuth(username: string, identityFiles: readonly string[], agentSock: string | undefined, home = homedir()): AuthPlan {
  const methods: AnyAuthMethod[] = [];
  const tried: string[] = [];
  if (agentSock) {
    methods.push({ type: 'agent', username, agent: agentSock });
    tried.push('ssh-agent');
  }
  // Like ssh: with no IdentityFile configured, the default key names are tried if present.
  const files = identityFiles.length > 0 ? identityFiles : DEFAULT_IDENTITIES.map((n) => join(home, '.ssh', n));
  for (const file of files) {
    if (!existsSync(file)) continue;
    let text: Buffer;
    try {
      text = readFileSync(file);
    } catch {
      tried.push(`${file} (unreadable)`);
      continue;
    }
    const parsed = ssh2.utils.parseKey(text);
    if (parsed instanceof Error) {
      tried.push(`${file} (${/encrypted|passphrase/i.test(parsed.message) ? 'encrypted; load it into ssh-agent' : 'not a usable private key'})`);
      continue;
    }
    methods.push({ type: 'publickey', username, key: text });
    tried.push(file);
  }
  return { methods, tried };
}
