// OpenSSH known_hosts, read the way ssh(1) reads it, so a host the operator already trusts with
// `ssh` is trusted here and a key ssh would refuse is refused here too.

import { createHash, createHmac } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';

export type Marker = 'revoked' | 'cert-authority' | null;

export interface KnownHostLine {
  file: string;
  line: number; // 1-based, as ssh prints it
  marker: Marker;
  hosts: string; // the raw host field: a pattern list or one |1|salt|hash
  keyType: string;
  keyBlob: Buffer;
}

export type HostKeyStatus =
  | { status: 'ok' }
  | { status: 'unknown'; fingerprint: string }
  | { status: 'changed'; fingerprint: string; expected: { file: string; line: number } }
  | { status: 'revoked'; fingerprint: string };

export interface VerifyHostKeyInput {
  host: string;
  port: number;
  keyType: string;
  keyBlob: Buffer;
  files: readonly string[];
}

/** `SHA256:<base64 without padding>`, exactly what `ssh-keygen -lf` and ssh's prompts print. */
export function fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** ssh looks a non-default port up as `[host]:port`, so keys of two sshds on one box never clash. */
export function lookupName(host: string, port: number): string {
  const h = host.toLowerCase();
  return port === 22 ? h : `[${h}]:${port}`;
}

/** The key type named inside an SSH wire-format public key blob (its first string). */
export function blobKeyType(blob: Buffer): string {
  if (blob.length < 4) throw new Error('host key blob too short');
  const n = blob.readUInt32BE(0);
  if (n > blob.length - 4) throw new Error('host key blob malformed');
  return blob.subarray(4, 4 + n).toString('latin1');
}

/** Parses one file's text; malformed lines are skipped, as ssh does. */
export function parseKnownHosts(text: string, file = '<memory>'): KnownHostLine[] {
  const out: KnownHostLine[] = [];
  text.split('\n').forEach((raw, i) => {
    const fields = raw.trim().split(/[ \t]+/);
    if (fields[0] === '' || fields[0].startsWith('#')) return;
    let marker: Marker = null;
    if (fields[0].startsWith('@')) {
      const m = fields.shift()!;
      if (m === '@revoked') marker = 'revoked';
      else if (m === '@cert-authority') marker = 'cert-authority';
      else return;
    }
    const [hosts, keyType, b64] = fields;
    if (!hosts || !keyType || !b64 || !/^[A-Za-z0-9+/]+=*$/.test(b64)) return;
    const keyBlob = Buffer.from(b64, 'base64');
    // A blob that names another type than its line is corrupt; ssh ignores such lines too.
    try {
      if (blobKeyType(keyBlob) !== keyType) return;
    } catch {
      return;
    }
    out.push({ file, line: i + 1, marker, hosts, keyType, keyBlob });
  });
  return out;
}

/** ssh's glob: `*` any run, `?` one character; case-insensitive like hostnames. */
export function globMatch(pattern: string, s: string): boolean {
  const re = pattern.toLowerCase().replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 's').test(s.toLowerCase());
}

/**
 * Pattern list semantics of ssh's match_hostname: any `!pattern` that matches vetoes the whole list,
 * otherwise one positive match is enough.
 */
export function matchPatternList(list: string, name: string): boolean {
  let positive = false;
  for (const p of list.split(',')) {
    if (p === '') continue;
    if (p.startsWith('!')) {
      if (globMatch(p.slice(1), name)) return false;
    } else if (globMatch(p, name)) positive = true;
  }
  return positive;
}

/** `|1|salt|hash`: HMAC-SHA1 keyed by the salt over the lookup name (ssh-keygen -H). */
export function matchHashed(field: string, name: string): boolean {
  const parts = field.split('|');
  if (parts.length !== 4 || parts[1] !== '1') return false;
  const salt = Buffer.from(parts[2], 'base64');
  const want = Buffer.from(parts[3], 'base64');
  const got = createHmac('sha1', salt).update(name).digest();
  return got.length === want.length && got.equals(want);
}

export function lineMatchesHost(entry: KnownHostLine, name: string): boolean {
  return entry.hosts.startsWith('|') ? matchHashed(entry.hosts, name) : matchPatternList(entry.hosts, name);
}

/** Reads every existing file; a missing file is simply empty, an unreadable one is an error. */
export function loadKnownHosts(files: readonly string[]): KnownHostLine[] {
  return files.flatMap((f) => (existsSync(f) ? parseKnownHosts(readFileSync(f, 'utf8'), f) : []));
}

/** Pure decision over already-parsed lines (what ssh calls check_host_in_hostfile). */
export function checkHostKey(entries: readonly KnownHostLine[], host: string, port: number, keyType: string, keyBlob: Buffer): HostKeyStatus {
  const name = lookupName(host, port);
  const fp = fingerprint(keyBlob);
  // A revoked key is refused whatever host it is presented for; ssh applies @revoked to any host.
  if (entries.some((e) => e.marker === 'revoked' && e.keyBlob.equals(keyBlob))) return { status: 'revoked', fingerprint: fp };
  // Certificates are not supported here: @cert-authority lines neither trust nor refuse.
  const mine = entries.filter((e) => e.marker === null && lineMatchesHost(e, name));
  if (mine.some((e) => e.keyType === keyType && e.keyBlob.equals(keyBlob))) return { status: 'ok' };
  // Only a known key OF THE SAME TYPE makes this a change; another type is merely unknown, as in ssh.
  const other = mine.find((e) => e.keyType === keyType);
  if (other) return { status: 'changed', fingerprint: fp, expected: { file: other.file, line: other.line } };
  return { status: 'unknown', fingerprint: fp };
}

export function verifyHostKey(input: VerifyHostKeyInput): HostKeyStatus {
  return checkHostKey(loadKnownHosts(input.files), input.host, input.port, input.keyType, input.keyBlob);
}

/** Key types already trusted for a host, so a client can ask the server for those first (as ssh does). */
export function knownKeyTypes(files: readonly string[], host: string, port: number): string[] {
  const name = lookupName(host, port);
  const types = loadKnownHosts(files).filter((e) => e.marker === null && lineMatchesHost(e, name)).map((e) => e.keyType);
  return [...new Set(types)];
}

/** The accept-new step: records a key for a host; creates the directory 0700 and the file 0600. */
export function appendKnownHost(file: string, host: string, port: number, keyType: string, keyBlob: Buffer): void {
  const dir = dirname(file);
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  let prefix = '';
  if (existsSync(file)) {
    // Never glue our entry onto a last line that lacks its newline.
    const cur = readFileSync(file);
    if (cur.length > 0 && cur[cur.length - 1] !== 0x0a) prefix = '\n';
  }
  appendFileSync(file, `${prefix}${lookupName(host, port)} ${keyType} ${keyBlob.toString('base64')}\n`, { mode: 0o600 });
}
