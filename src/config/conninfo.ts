// libpq connection strings (key=value and postgres:// URIs) turned into node-postgres settings.
// Passwords are never required here: node-postgres reads PGPASSWORD and ~/.pgpass (PGPASSFILE)
// itself when no password is given, and `service=` is resolved from pg_service.conf like libpq.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ClientConfig } from 'pg';
import { parse as parseUri } from 'pg-connection-string';

export class ConninfoError extends Error {}

export type Conninfo = Record<string, string>;

/** Keys node-postgres can honour; anything else libpq knows is accepted and ignored with intent. */
const KNOWN_KEYS = new Set([
  'host', 'hostaddr', 'port', 'dbname', 'user', 'password', 'passfile', 'service', 'application_name',
  'connect_timeout', 'sslmode', 'sslcert', 'sslkey', 'sslrootcert', 'options', 'target_session_attrs',
  'keepalives', 'keepalives_idle', 'client_encoding', 'fallback_application_name', 'sslcrl', 'channel_binding',
  'gssencmode', 'krbsrvname', 'require_auth', 'load_balance_hosts',
]);

/** Parses libpq `key=value key='quoted value'` syntax as libpq does (backslash escapes); any keyword accepted. */
export function parseKeyValue(text: string): Conninfo {
  const out: Conninfo = {};
  let i = 0;
  const n = text.length;
  const skipSpace = () => { while (i < n && /\s/.test(text[i]!)) i++; };
  while (true) {
    skipSpace();
    if (i >= n) break;
    const keyStart = i;
    while (i < n && text[i] !== '=' && !/\s/.test(text[i]!)) i++;
    const key = text.slice(keyStart, i);
    skipSpace();
    if (text[i] !== '=') throw new ConninfoError(`missing "=" after "${key}"`);
    i++;
    skipSpace();
    let value = '';
    if (text[i] === "'") {
      i++;
      let closed = false;
      while (i < n) {
        const c = text[i]!;
        if (c === '\\' && i + 1 < n) { value += text[i + 1]; i += 2; continue; }
        if (c === "'") { closed = true; i++; break; }
        value += c;
        i++;
      }
      if (!closed) throw new ConninfoError(`unterminated quoted value for "${key}"`);
    } else {
      while (i < n && !/\s/.test(text[i]!)) {
        if (text[i] === '\\' && i + 1 < n) { value += text[i + 1]; i += 2; continue; }
        value += text[i];
        i++;
      }
    }
    out[key] = value;
  }
  return out;
}

export function parseConninfo(text: string): Conninfo {
  const trimmed = text.trim();
  if (trimmed === '') throw new ConninfoError('empty connection string');
  if (/^postgres(ql)?:\/\//.test(trimmed)) {
    let parsed: ReturnType<typeof parseUri>;
    try {
      parsed = parseUri(trimmed);
    } catch (e) {
      throw new ConninfoError(`not a valid postgres:// URI (${(e as Error).message})`);
    }
    const out: Conninfo = {};
    for (const [k, v] of Object.entries(parsed)) {
      if (v === undefined || v === null || v === '' || typeof v === 'object') continue;
      const key = k === 'database' ? 'dbname' : k;
      if (KNOWN_KEYS.has(key)) out[key] = String(v);
    }
    return out;
  }
  if (!trimmed.includes('=')) throw new ConninfoError('expected libpq "key=value" pairs or a postgres:// URI');
  const info = parseKeyValue(trimmed);
  for (const key of Object.keys(info)) {
    if (!KNOWN_KEYS.has(key)) throw new ConninfoError(`unknown connection keyword "${key}"`);
  }
  return info;
}

/** Reads a pg_service.conf section the way libpq does: user file first, then the system file. */
export function lookupService(name: string, env: NodeJS.ProcessEnv = process.env): Conninfo {
  const candidates = [
    env.PGSERVICEFILE ?? join(env.HOME ?? homedir(), '.pg_service.conf'),
    join(env.PGSYSCONFDIR ?? '/etc/postgresql-common', 'pg_service.conf'),
  ];
  for (const file of candidates) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const section = parseServiceFile(text)[name];
    if (section) return section;
  }
  throw new ConninfoError(`service "${name}" not found in ${candidates.join(' or ')}`);
}

export function parseServiceFile(text: string): Record<string, Conninfo> {
  const sections: Record<string, Conninfo> = {};
  let current: Conninfo | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      current = sections[header[1]!] = {};
      continue;
    }
    const eq = line.indexOf('=');
    if (current && eq > 0) current[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return sections;
}

/** Applies `service=` (explicit keys win, as in libpq). */
export function resolveService(info: Conninfo, env: NodeJS.ProcessEnv = process.env): Conninfo {
  const service = info.service ?? env.PGSERVICE;
  if (!service) return info;
  const { service: _omit, ...rest } = info;
  return { ...lookupService(service, env), ...rest };
}

export interface PgTarget {
  host?: string;
  port?: number;
  database?: string;
  user?: string;
  password?: string;
  ssl?: boolean | { rejectUnauthorized: boolean };
  options?: string;
  connectTimeoutMs?: number;
}

export function toPgTarget(info: Conninfo): PgTarget {
  const host = info.hostaddr ?? info.host;
  if (host?.includes(',')) throw new ConninfoError('multiple hosts in one conninfo are not supported: give each node its own entry');
  const port = info.port === undefined ? undefined : Number(info.port);
  if (port !== undefined && (!Number.isInteger(port) || port <= 0 || port > 65535)) {
    throw new ConninfoError(`port "${info.port}" is not a TCP port number`);
  }
  const target: PgTarget = { host, port, database: info.dbname, user: info.user, password: info.password };
  if (info.passfile) process.env.PGPASSFILE ??= info.passfile;
  if (info.connect_timeout) target.connectTimeoutMs = Number(info.connect_timeout) * 1000;
  if (info.options) target.options = info.options;
  switch (info.sslmode) {
    case undefined: case 'disable': case 'allow': case 'prefer': break;
    case 'require': target.ssl = { rejectUnauthorized: false }; break;
    case 'verify-ca': case 'verify-full': target.ssl = { rejectUnauthorized: true }; break;
    default: throw new ConninfoError(`sslmode "${info.sslmode}" is not one of disable, allow, prefer, require, verify-ca, verify-full`);
  }
  return target;
}

/** What the screen shows for a node's connection: never the password. */
export function describeTarget(info: Conninfo, env: NodeJS.ProcessEnv = process.env): string {
  const host = info.hostaddr ?? info.host ?? env.PGHOST ?? 'localhost';
  const port = info.port ?? env.PGPORT ?? '5432';
  const db = info.dbname ?? env.PGDATABASE ?? info.user ?? env.PGUSER ?? '';
  const user = info.user ?? env.PGUSER;
  const where = host.startsWith('/') ? `${host}:${port}` : `${host}:${port}`;
  return `${user ? `${user}@` : ''}${where}${db ? `/${db}` : ''}`;
}

/** Rebuilds a key=value string with the password dropped, for logs and `--keep` hints. */
export function redactConninfo(text: string): string {
  try {
    const info = parseConninfo(text);
    delete info.password;
    return Object.entries(info)
      .map(([k, v]) => `${k}=${/[\s'\\]/.test(v) || v === '' ? `'${v.replace(/(['\\])/g, '\\$1')}'` : v}`)
      .join(' ');
  } catch {
    return '(unparseable conninfo)';
  }
}

/** node-postgres settings for a conninfo string (service resolved); callers add their own options. */
export function toClientConfig(conninfo: string | Conninfo): ClientConfig {
  const info = resolveService(typeof conninfo === 'string' ? parseConninfo(conninfo) : conninfo);
  const t = toPgTarget(info);
  const config: ClientConfig = {
    host: t.host, port: t.port, database: t.database, user: t.user, password: t.password, ssl: t.ssl, options: t.options,
  };
  if (info.application_name) config.application_name = info.application_name;
  if (t.connectTimeoutMs) config.connectionTimeoutMillis = t.connectTimeoutMs;
  return config;
}
