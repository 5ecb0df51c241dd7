import type { ClientConfig } from 'pg';

/**
 * Parse a libpq keyword/value connection string ("host=... port=... user='a b'").
 *
 * node-postgres only understands URLs (it reads "host=1 port=2" as a database name), while
 * the demo, the config file and the UI all speak libpq conninfo, so we translate here.
 */
export function parseConninfo(conninfo: string): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  const s = conninfo;
  const skipSpace = () => {
    while (i < s.length && /\s/.test(s[i])) i++;
  };
  while (true) {
    skipSpace();
    if (i >= s.length) return out;
    const keyStart = i;
    while (i < s.length && s[i] !== '=' && !/\s/.test(s[i])) i++;
    const key = s.slice(keyStart, i);
    skipSpace();
    if (s[i] !== '=' || key === '') throw new Error(`invalid conninfo near "${s.slice(keyStart, keyStart + 20)}"`);
    i++;
    skipSpace();
    let value = '';
    if (s[i] === "'") {
      i++;
      while (i < s.length && s[i] !== "'") {
        if (s[i] === '\\' && i + 1 < s.length) i++;
        value += s[i++];
      }
      if (s[i] !== "'") throw new Error(`unterminated quoted value for "${key}" in conninfo`);
      i++;
    } else {
      while (i < s.length && !/\s/.test(s[i])) {
        if (s[i] === '\\' && i + 1 < s.length) i++;
        value += s[i++];
      }
    }
    out[key] = value;
  }
}

/** The subset of libpq keywords the project uses, mapped onto node-postgres options. */
export function pgClientConfig(conninfo: string): ClientConfig {
  const kv = parseConninfo(conninfo);
  const config: ClientConfig = {};
  if (kv.host !== undefined) config.host = kv.host;
  if (kv.hostaddr !== undefined && kv.host === undefined) config.host = kv.hostaddr;
  if (kv.port !== undefined) config.port = Number(kv.port);
  if (kv.dbname !== undefined) config.database = kv.dbname;
  if (kv.user !== undefined) config.user = kv.user;
  if (kv.password !== undefined) config.password = kv.password;
  if (kv.application_name !== undefined) config.application_name = kv.application_name;
  if (kv.connect_timeout !== undefined) config.connectionTimeoutMillis = Number(kv.connect_timeout) * 1000;
  return config;
}
