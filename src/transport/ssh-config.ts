// A small ~/.ssh/config reader, so the hosts an operator already reaches with `ssh db1` resolve to
// the same address, port, user, keys and known_hosts here. Only the keys below are honoured;
// Match and Include blocks are not supported (a Match block is skipped as a whole).

import { readFileSync, existsSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { matchPatternList } from './known-hosts.ts';

export type StrictHostKeyChecking = 'yes' | 'no' | 'accept-new' | 'ask';

export interface HostOptions {
  hostName?: string;
  port?: number;
  user?: string;
  identityFiles: string[];
  proxyJump?: string;
  userKnownHostsFiles?: string[];
  strictHostKeyChecking?: StrictHostKeyChecking;
}

interface Block { patterns: string | null; options: Array<[string, string]> } // null = Match (never applies)

export interface SshConfig { blocks: Block[] }

const KEYS = new Set(['hostname', 'port', 'user', 'identityfile', 'proxyjump', 'userknownhostsfile', 'stricthostkeychecking']);

/** Splits `Key value`, `Key=value` and `Key "quoted value"`. */
function splitLine(line: string): [string, string] | null {
  const m = /^\s*([A-Za-z]+)\s*(?:=\s*|\s+)(.*?)\s*$/.exec(line);
  if (!m) return null;
  let v = m[2];
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1);
  return [m[1].toLowerCase(), v];
}

export function parseSshConfig(text: string): SshConfig {
  // Lines before the first Host apply to every host, like `Host *` at the top.
  const blocks: Block[] = [{ patterns: '*', options: [] }];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const kv = splitLine(line);
    if (!kv) continue;
    const [key, value] = kv;
    if (key === 'host') blocks.push({ patterns: value.split(/\s+/).join(','), options: [] });
    else if (key === 'match') blocks.push({ patterns: null, options: [] });
    else if (KEYS.has(key)) blocks[blocks.length - 1].options.push([key, value]);
  }
  return { blocks };
}

export function expandTilde(p: string, home = homedir()): string {
  return p === '~' ? home : p.startsWith('~/') ? join(home, p.slice(2)) : p;
}

/** Options for `alias`: the first value obtained for a key wins; IdentityFile accumulates. */
export function lookupHost(cfg: SshConfig, alias: string, home = homedir()): HostOptions {
  const out: HostOptions = { identityFiles: [] };
  for (const b of cfg.blocks) {
    if (b.patterns === null || !matchPatternList(b.patterns, alias)) continue;
    for (const [key, value] of b.options) {
      switch (key) {
        case 'hostname':
          out.hostName ??= value.replace(/%h/g, alias);
          break;
        case 'port': {
          const n = Number(value);
          if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`ssh config: bad Port ${JSON.stringify(value)} for ${alias}`);
          out.port ??= n;
          break;
        }
        case 'user':
          out.user ??= value;
          break;
        case 'identityfile':
          out.identityFiles.push(expandTilde(value, home));
          break;
        case 'proxyjump':
          out.proxyJump ??= value;
          break;
        case 'userknownhostsfile':
          out.userKnownHostsFiles ??= value.split(/\s+/).map((f) => expandTilde(f, home));
          break;
        case 'stricthostkeychecking': {
          const v = value.toLowerCase();
          const norm: StrictHostKeyChecking = v === 'yes' || v === 'true' ? 'yes' : v === 'no' || v === 'off' || v === 'false' ? 'no' : v === 'accept-new' ? 'accept-new' : 'ask';
          out.strictHostKeyChecking ??= norm;
          break;
        }
      }
    }
  }
  return out;
}

export function loadSshConfig(file = join(homedir(), '.ssh', 'config')): SshConfig {
  return existsSync(file) ? parseSshConfig(readFileSync(file, 'utf8')) : { blocks: [] };
}

/** `[user@]host[:port]`, with `[v6addr]:port` for IPv6. */
export function parseUserHostPort(s: string): { user?: string; host: string; port?: number } {
  let rest = s.trim();
  let user: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    user = rest.slice(0, at);
    rest = rest.slice(at + 1);
    if (user === '') throw new Error(`ssh target ${JSON.stringify(s)}: empty user`);
  }
  let host = rest;
  let portText: string | undefined;
  const v6 = /^\[([^\]]+)\](?::(.*))?$/.exec(rest);
  if (v6) [, host, portText] = v6;
  else if ((rest.match(/:/g) ?? []).length === 1) [host, portText] = rest.split(':');
  if (host === '') throw new Error(`ssh target ${JSON.stringify(s)}: empty host`);
  let port: number | undefined;
  if (portText !== undefined) {
    port = Number(portText);
    if (!/^\d+$/.test(portText) || port < 1 || port > 65535) throw new Error(`ssh target ${JSON.stringify(s)}: bad port ${JSON.stringify(portText)}`);
  }
  return { user, host, port };
}

/** The forms a config may give: `user@host[:port]`, a ~/.ssh/config alias, or an object. */
export type SshTarget =
  | string
  | { host: string; port?: number; user?: string; identity_file?: string | string[]; known_hosts?: string | string[] };

export interface JumpHost { host: string; port: number; user: string; identityFiles: string[] }

export interface ResolvedTarget {
  /** What the target was called, for messages. */
  label: string;
  host: string;
  port: number;
  user: string;
  identityFiles: string[];
  knownHostsFiles: string[];
  strictHostKeyChecking: StrictHostKeyChecking;
  /** Hops in order; the pool supports one. */
  proxyJump: JumpHost[];
}

export interface ResolveEnv {
  config?: SshConfig;
  home?: string;
  defaultUser?: string;
}

/** Target → everything needed to connect. Explicit values in the target win over ~/.ssh/config. */
export function resolveTarget(target: SshTarget, env: ResolveEnv = {}): ResolvedTarget {
  const home = env.home ?? homedir();
  const cfg = env.config ?? loadSshConfig(join(home, '.ssh', 'config'));
  const defaultUser = env.defaultUser ?? userInfo().username;
  const t = typeof target === 'string' ? parseUserHostPort(target) : target;
  const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]).map((f) => expandTilde(f, home));
  const obj = typeof target === 'string' ? undefined : target;
  const o = lookupHost(cfg, t.host, home);
  const identity = list(obj?.identity_file);
  const known = list(obj?.known_hosts);
  const jumps = o.proxyJump && o.proxyJump.toLowerCase() !== 'none'
    ? o.proxyJump.split(',').map((s) => s.trim()).filter(Boolean).map((hop) => {
        const j = parseUserHostPort(hop);
        const jo = lookupHost(cfg, j.host, home);
        return { host: jo.hostName ?? j.host, port: j.port ?? jo.port ?? 22, user: j.user ?? jo.user ?? defaultUser, identityFiles: jo.identityFiles };
      })
    : [];
  return {
    label: typeof target === 'string' ? target : `${t.user ? `${t.user}@` : ''}${t.host}${t.port ? `:${t.port}` : ''}`,
    host: o.hostName ?? t.host,
    port: t.port ?? o.port ?? 22,
    user: t.user ?? o.user ?? defaultUser,
    identityFiles: [...identity, ...o.identityFiles],
    knownHostsFiles: known.length > 0 ? known : o.userKnownHostsFiles ?? [join(home, '.ssh', 'known_hosts'), join(home, '.ssh', 'known_hosts2')],
    strictHostKeyChecking: o.strictHostKeyChecking ?? 'yes',
    proxyJump: jumps,
  };
}
