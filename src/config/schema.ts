// Validates the parsed YAML into typed config. Every error names the key path and what was
// expected, because the user reads it in a terminal with the file open beside it.
import { ConninfoError, parseConninfo } from './conninfo.ts';

export interface NodeConfig {
  name: string;
  conninfo: string;
  /** Kept as given; the SSH transport (a later feature) interprets it. */
  ssh?: string | Record<string, unknown>;
}

export interface Thresholds {
  lagBytesWarn: number;
  lagSecondsWarn: number;
}

export interface ClusterConfig {
  name: string;
  nodes: NodeConfig[];
  intervalSeconds: number;
  thresholds: Thresholds;
}

export interface AppConfig {
  clusters: ClusterConfig[];
  auditLog?: string;
}

export class ConfigError extends Error {
  constructor(public readonly path: string, public readonly expected: string, public readonly file?: string) {
    super(`${path}: ${expected}`);
  }
}

export const DEFAULT_INTERVAL_SECONDS = 2;
export const DEFAULT_THRESHOLDS: Thresholds = { lagBytesWarn: 16 * 1024 * 1024, lagSecondsWarn: 30 };

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

function parseNode(v: unknown, path: string): NodeConfig {
  const o = expectObj(v, path, ['name', 'conninfo', 'ssh']);
  const name = expectString(o.name, `${path}.name`);
  const conninfo = expectString(o.conninfo, `${path}.conninfo`);
  try {
    parseConninfo(conninfo);
  } catch (e) {
    if (e instanceof ConninfoError) {
      throw new ConfigError(`${path}.conninfo`, `expected a libpq "key=value" string or postgres:// URI: ${e.message}`);
    }
    throw e;
  }
  const node: NodeConfig = { name, conninfo };
  if (o.ssh !== undefined) {
    if (typeof o.ssh !== 'string' && !isObj(o.ssh)) throw new ConfigError(`${path}.ssh`, `expected "user@host[:port]", an ssh-config alias or a mapping, got ${typeName(o.ssh)}`);
    node.ssh = o.ssh;
  }
  return node;
}

function parseThresholds(v: unknown, path: string): Thresholds {
  if (v === undefined) return { ...DEFAULT_THRESHOLDS };
  const o = expectObj(v, path, ['lag_bytes_warn', 'lag_seconds_warn']);
  return {
    lagBytesWarn: o.lag_bytes_warn === undefined ? DEFAULT_THRESHOLDS.lagBytesWarn : expectNumber(o.lag_bytes_warn, `${path}.lag_bytes_warn`, 0, Number.MAX_SAFE_INTEGER),
    lagSecondsWarn: o.lag_seconds_warn === undefined ? DEFAULT_THRESHOLDS.lagSecondsWarn : expectNumber(o.lag_seconds_warn, `${path}.lag_seconds_warn`, 0, 86400 * 365),
  };
}

function parseCluster(name: string, v: unknown, path: string, defaultInterval: number): ClusterConfig {
  const o = expectObj(v, path, ['nodes', 'interval', 'thresholds']);
  if (!Array.isArray(o.nodes) || o.nodes.length === 0) {
    throw new ConfigError(`${path}.nodes`, `expected a non-empty list of nodes, got ${typeName(o.nodes)}`);
  }
  const nodes = o.nodes.map((n, i) => parseNode(n, `${path}.nodes[${i}]`));
  const seen = new Set<string>();
  nodes.forEach((n, i) => {
    if (seen.has(n.name)) throw new ConfigError(`${path}.nodes[${i}].name`, `node name "${n.name}" is used twice in this cluster`);
    seen.add(n.name);
  });
  return {
    name,
    nodes,
    intervalSeconds: o.interval === undefined ? defaultInterval : expectNumber(o.interval, `${path}.interval`, 0.2, 3600),
    thresholds: parseThresholds(o.thresholds, `${path}.thresholds`),
  };
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
