// Validates the parsed YAML into typed config. Every error names the key path and what was
// expected, because the user reads it in a terminal with the file open beside it.
import { ConninfoError, parseConninfo } from './conninfo.ts';

/** `user@host[:port]`, a ~/.ssh/config alias, or a mapping (see transport/ssh-config.ts SshTarget). */
export type SshTargetConfig =
  | string
  | { host: string; port?: number; user?: string; identity_file?: string | string[]; known_hosts?: string | string[] };

export const DEFAULT_REPMGR_CONFIG = '/etc/repmgr.conf';

export interface NodeConfig {
  name: string;
  conninfo: string;
  /** How to reach the node's OS for repmgr's CLI (and VIP checks); no SSH probes without it. */
  ssh?: SshTargetConfig;
  /** repmgr.conf on that host; DEFAULT_REPMGR_CONFIG when not given. */
  repmgrConfig?: string;
  /** Run the node's tools as this OS user through `sudo -n -u` (e.g. postgres). */
  sudoUser?: string;
  /** repmgr binary on that host; `repmgr` on PATH (Debian's pg_wrapper) when not given. */
  repmgrBin?: string;
}

export interface PgpoolConfig {
  name: string;
  /** libpq conninfo to pgpool's own port: SHOW pool_nodes etc. */
  conninfo: string;
  /** PCP endpoint for watchdog state; host defaults to the conninfo's host. */
  pcp?: { host?: string; port: number; user: string };
  ssh?: SshTargetConfig;
}

/** A barman server, asked over SSH on the barman host (`barman -f json …`). */
export interface BarmanConfig {
  /** The barman server name (`barman list-backups SERVER`). */
  server: string;
  ssh: SshTargetConfig;
  /** `barman -c FILE`; barman's own default when absent. */
  configFile?: string;
  /** barman binary on that host; `barman` on PATH when absent. */
  barmanBin?: string;
  /** Run barman through `sudo -n -u` this user (usually barman) when the SSH user is another. */
  sudoUser?: string;
}

/** A directory of PostgreSQL 17 pg_basebackup backups (full_… and incr_… directories), read over SSH. */
export interface BasebackupDirConfig {
  type: 'basebackup_dir';
  path: string;
  ssh: SshTargetConfig;
  sudoUser?: string;
}

export interface VipHostConfig {
  name: string;
  ssh: SshTargetConfig;
}

export interface VipConfig {
  address: string;
  /** Hosts that may hold the address (keepalived / watchdog peers), each asked over SSH. */
  hosts: VipHostConfig[];
}

export interface Thresholds {
  /** Lag turns yellow and LAG_BYTES / LAG_SECONDS are raised past these. */
  lagBytesWarn: number;
  lagSecondsWarn: number;
  /** SLOT_INACTIVE_RETAINING: an inactive slot holding back more WAL than this. */
  slotRetainedBytes: number;
  /** ARCHIVE_STALE: WAL written and nothing archived for this long. */
  archiveAgeSeconds: number;
  /** BACKUP_STALE: the newest usable backup older than this. */
  backupAgeSeconds: number;
  /** SUMMARIZER_BEHIND: the PG17 WAL summarizer this far behind. */
  summarizerBehindBytes: number;
}

export interface ClusterConfig {
  name: string;
  nodes: NodeConfig[];
  pgpool: PgpoolConfig[];
  vip?: VipConfig;
  barman: BarmanConfig[];
  backups: BasebackupDirConfig[];
  intervalSeconds: number;
  thresholds: Thresholds;
}

export interface AppConfig {
  clusters: ClusterConfig[];
  auditLog?: string;
}

/** A cluster of PostgreSQL nodes only; the HA layers (pgpool, VIP, barman, backups) left out. */
export function plainCluster(c: Pick<ClusterConfig, 'name' | 'nodes' | 'intervalSeconds' | 'thresholds'>): ClusterConfig {
  return { ...c, pgpool: [], barman: [], backups: [] };
}

export class ConfigError extends Error {
  constructor(public readonly path: string, public readonly expected: string, public readonly file?: string) {
    super(`${path}: ${expected}`);
  }
}

export const DEFAULT_INTERVAL_SECONDS = 2;
export const DEFAULT_THRESHOLDS: Thresholds = {
  lagBytesWarn: 16 * 1024 * 1024,
  lagSecondsWarn: 30,
  slotRetainedBytes: 1024 * 1024 * 1024,
  archiveAgeSeconds: 3600,
  backupAgeSeconds: 24 * 3600,
  summarizerBehindBytes: 1024 * 1024 * 1024,
};

/** Config key → field, with the largest value that makes sense. */
const THRESHOLD_KEYS: Array<[string, keyof Thresholds, number]> = [
  ['lag_bytes_warn', 'lagBytesWarn', Number.MAX_SAFE_INTEGER],
  ['lag_seconds_warn', 'lagSecondsWarn', 86400 * 365],
  ['slot_retained_bytes', 'slotRetainedBytes', Number.MAX_SAFE_INTEGER],
  ['archive_age_seconds', 'archiveAgeSeconds', 86400 * 365],
  ['backup_age_seconds', 'backupAgeSeconds', 86400 * 365],
  ['summarizer_behind_bytes', 'summarizerBehindBytes', Number.MAX_SAFE_INTEGER],
];

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}

function expectObj(v: unknown, path: string, allowed: readonly string[]): Obj {
  if (!isObj(v)) throw new ConfigError(path, `expected a mapping, got ${typeName(v)}`);
  for (const key of Object.keys(v)) {
    if (!allowed.includes(key)) {
      throw new ConfigError(`${path}.${key}`, `unknown key; allowed here: ${allowed.join(', ')}`);
    }
  }
  return v;
}

function expectString(v: unknown, path: string): string {
  if (typeof v !== 'string' || v.trim() === '') throw new ConfigError(path, `expected a non-empty string, got ${typeName(v)}`);
  return v;
}

function expectNumber(v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw new ConfigError(path, `expected a number from ${min} to ${max}, got ${typeName(v)}`);
  }
  return v;
}

function expectConninfo(v: unknown, path: string): string {
  const conninfo = expectString(v, path);
  try {
    parseConninfo(conninfo);
  } catch (e) {
    if (e instanceof ConninfoError) {
      throw new ConfigError(path, `expected a libpq "key=value" string or postgres:// URI: ${e.message}`);
    }
    throw e;
  }
  return conninfo;
}

function expectStringList(v: unknown, path: string): string | string[] {
  if (typeof v === 'string' && v.trim() !== '') return v;
  if (Array.isArray(v) && v.length > 0) return v.map((x, i) => expectString(x, `${path}[${i}]`));
  throw new ConfigError(path, `expected a path or a list of paths, got ${typeName(v)}`);
}

const SSH_HELP = '"user@host[:port]", an ssh-config alias, or a mapping with host, port, user, identity_file, known_hosts';

function parseSshTarget(v: unknown, path: string): SshTargetConfig {
  if (typeof v === 'string') {
    if (v.trim() === '' || /\s/.test(v.trim())) throw new ConfigError(path, `expected ${SSH_HELP}, got ${typeName(v)}`);
    return v.trim();
  }
  if (!isObj(v)) throw new ConfigError(path, `expected ${SSH_HELP}, got ${typeName(v)}`);
  const o = expectObj(v, path, ['host', 'port', 'user', 'identity_file', 'known_hosts']);
  const t: Exclude<SshTargetConfig, string> = { host: expectString(o.host, `${path}.host`) };
  if (o.port !== undefined) t.port = expectInteger(o.port, `${path}.port`, 1, 65535);
  if (o.user !== undefined) t.user = expectString(o.user, `${path}.user`);
  if (o.identity_file !== undefined) t.identity_file = expectStringList(o.identity_file, `${path}.identity_file`);
  if (o.known_hosts !== undefined) t.known_hosts = expectStringList(o.known_hosts, `${path}.known_hosts`);
  return t;
}

function expectInteger(v: unknown, path: string, min: number, max: number): number {
  const n = expectNumber(v, path, min, max);
  if (!Number.isInteger(n)) throw new ConfigError(path, `expected a whole number from ${min} to ${max}, got ${typeName(v)}`);
  return n;
}

// An OS user name goes into `sudo -u`: keep it to what useradd accepts.
function expectOsUser(v: unknown, path: string): string {
  const s = expectString(v, path);
  if (!/^[a-z_][a-z0-9_.-]*\$?$/i.test(s) || s.length > 32) throw new ConfigError(path, `expected an OS user name, got ${typeName(v)}`);
  return s;
}

function parseNode(v: unknown, path: string): NodeConfig {
  const o = expectObj(v, path, ['name', 'conninfo', 'ssh', 'repmgr_config', 'repmgr_bin', 'sudo_user']);
  const node: NodeConfig = {
    name: expectString(o.name, `${path}.name`),
    conninfo: expectConninfo(o.conninfo, `${path}.conninfo`),
  };
  if (o.repmgr_config !== undefined) node.repmgrConfig = expectString(o.repmgr_config, `${path}.repmgr_config`);
  if (o.repmgr_bin !== undefined) node.repmgrBin = expectString(o.repmgr_bin, `${path}.repmgr_bin`);
  if (o.ssh !== undefined) node.ssh = parseSshTarget(o.ssh, `${path}.ssh`);
  if (o.sudo_user !== undefined) node.sudoUser = expectOsUser(o.sudo_user, `${path}.sudo_user`);
  return node;
}

function parsePgpool(v: unknown, path: string): PgpoolConfig {
  const o = expectObj(v, path, ['name', 'conninfo', 'pcp', 'ssh']);
  const p: PgpoolConfig = { name: expectString(o.name, `${path}.name`), conninfo: expectConninfo(o.conninfo, `${path}.conninfo`) };
  if (o.pcp !== undefined) {
    const c = expectObj(o.pcp, `${path}.pcp`, ['host', 'port', 'user']);
    p.pcp = { port: expectInteger(c.port, `${path}.pcp.port`, 1, 65535), user: expectString(c.user, `${path}.pcp.user`) };
    if (c.host !== undefined) p.pcp.host = expectString(c.host, `${path}.pcp.host`);
  }
  if (o.ssh !== undefined) p.ssh = parseSshTarget(o.ssh, `${path}.ssh`);
  return p;
}

function parseVip(v: unknown, path: string): VipConfig {
  const o = expectObj(v, path, ['address', 'hosts']);
  const address = expectString(o.address, `${path}.address`).trim();
  // The address is passed to `ip -o addr show to ADDRESS`: accept IPv4/IPv6 literals only.
  if (!/^(\d{1,3}(\.\d{1,3}){3}|[0-9a-f:]+)$/i.test(address)) throw new ConfigError(`${path}.address`, `expected an IPv4 or IPv6 address, got ${typeName(o.address)}`);
  if (!Array.isArray(o.hosts) || o.hosts.length === 0) throw new ConfigError(`${path}.hosts`, `expected a non-empty list of hosts, each {name, ssh}, got ${typeName(o.hosts)}`);
  const hosts = o.hosts.map((h, i) => {
    const ho = expectObj(h, `${path}.hosts[${i}]`, ['name', 'ssh']);
    return { name: expectString(ho.name, `${path}.hosts[${i}].name`), ssh: parseSshTarget(ho.ssh, `${path}.hosts[${i}].ssh`) };
  });
  return { address, hosts };
}

function parseBarman(v: unknown, path: string): BarmanConfig {
  const o = expectObj(v, path, ['server', 'ssh', 'config_file', 'barman_bin', 'sudo_user']);
  const b: BarmanConfig = { server: expectString(o.server, `${path}.server`), ssh: parseSshTarget(o.ssh, `${path}.ssh`) };
  if (o.config_file !== undefined) b.configFile = expectString(o.config_file, `${path}.config_file`);
  if (o.barman_bin !== undefined) b.barmanBin = expectString(o.barman_bin, `${path}.barman_bin`);
  if (o.sudo_user !== undefined) b.sudoUser = expectOsUser(o.sudo_user, `${path}.sudo_user`);
  return b;
}

function parseBackupDir(v: unknown, path: string): BasebackupDirConfig {
  const o = expectObj(v, path, ['type', 'path', 'ssh', 'sudo_user']);
  if (o.type !== 'basebackup_dir') throw new ConfigError(`${path}.type`, `expected "basebackup_dir" (a directory of pg_basebackup full_*/incr_* backups), got ${typeName(o.type)}`);
  const d: BasebackupDirConfig = { type: 'basebackup_dir', path: expectString(o.path, `${path}.path`), ssh: parseSshTarget(o.ssh, `${path}.ssh`) };
  if (!d.path.startsWith('/')) throw new ConfigError(`${path}.path`, `expected an absolute path, got ${typeName(o.path)}`);
  if (o.sudo_user !== undefined) d.sudoUser = expectOsUser(o.sudo_user, `${path}.sudo_user`);
  return d;
}

/** One mapping or a list of them. */
function oneOrList<T>(v: unknown, path: string, parse: (x: unknown, p: string) => T): T[] {
  if (v === undefined) return [];
  if (Array.isArray(v)) return v.map((x, i) => parse(x, `${path}[${i}]`));
  return [parse(v, path)];
}

function uniqueNames(items: ReadonlyArray<{ name: string }>, path: string, what: string): void {
  const seen = new Set<string>();
  items.forEach((n, i) => {
    if (seen.has(n.name)) throw new ConfigError(`${path}[${i}].name`, `${what} name "${n.name}" is used twice in this cluster`);
    seen.add(n.name);
  });
}

function parseThresholds(v: unknown, path: string): Thresholds {
  if (v === undefined) return { ...DEFAULT_THRESHOLDS };
  const o = expectObj(v, path, THRESHOLD_KEYS.map(([k]) => k));
  const out = { ...DEFAULT_THRESHOLDS };
  for (const [key, field, max] of THRESHOLD_KEYS) if (o[key] !== undefined) out[field] = expectNumber(o[key], `${path}.${key}`, 0, max);
  return out;
}

function parseCluster(name: string, v: unknown, path: string, defaultInterval: number): ClusterConfig {
  const o = expectObj(v, path, ['nodes', 'pgpool', 'vip', 'barman', 'backups', 'interval', 'thresholds']);
  if (!Array.isArray(o.nodes) || o.nodes.length === 0) {
    throw new ConfigError(`${path}.nodes`, `expected a non-empty list of nodes, got ${typeName(o.nodes)}`);
  }
  const nodes = o.nodes.map((n, i) => parseNode(n, `${path}.nodes[${i}]`));
  uniqueNames(nodes, `${path}.nodes`, 'node');
  let pgpool: PgpoolConfig[] = [];
  if (o.pgpool !== undefined) {
    if (!Array.isArray(o.pgpool)) throw new ConfigError(`${path}.pgpool`, `expected a list of pgpool instances, each {name, conninfo, pcp?, ssh?}, got ${typeName(o.pgpool)}`);
    pgpool = o.pgpool.map((p, i) => parsePgpool(p, `${path}.pgpool[${i}]`));
    uniqueNames(pgpool, `${path}.pgpool`, 'pgpool');
  }
  const barman = oneOrList(o.barman, `${path}.barman`, parseBarman);
  if (o.backups !== undefined && !Array.isArray(o.backups)) {
    throw new ConfigError(`${path}.backups`, `expected a list of backup sources, each {type: basebackup_dir, path, ssh}, got ${typeName(o.backups)}`);
  }
  const backups = (o.backups ?? []).map((b, i) => parseBackupDir(b, `${path}.backups[${i}]`));
  const cluster: ClusterConfig = {
    name,
    nodes,
    pgpool,
    barman,
    backups,
    intervalSeconds: o.interval === undefined ? defaultInterval : expectNumber(o.interval, `${path}.interval`, 0.2, 3600),
    thresholds: parseThresholds(o.thresholds, `${path}.thresholds`),
  };
  if (o.vip !== undefined) cluster.vip = parseVip(o.vip, `${path}.vip`);
  return cluster;
}

/** `doc` is the YAML document as plain data. */
export function validateConfig(doc: unknown): AppConfig {
  const o = expectObj(doc ?? {}, '(top level)', ['clusters', 'interval', 'audit_log']);
  const interval = o.interval === undefined ? DEFAULT_INTERVAL_SECONDS : expectNumber(o.interval, 'interval', 0.2, 3600);
  const clusters = expectObj(o.clusters, 'clusters', Object.keys(isObj(o.clusters) ? o.clusters : {}));
  const names = Object.keys(clusters);
  if (names.length === 0) throw new ConfigError('clusters', 'expected at least one cluster, e.g. clusters: { prod: { nodes: [...] } }');
  const config: AppConfig = {
    clusters: names.map((name) => parseCluster(name, clusters[name], `clusters.${name}`, interval)),
  };
  if (o.audit_log !== undefined) config.auditLog = expectString(o.audit_log, 'audit_log');
  return config;
}
