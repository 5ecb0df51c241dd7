// Finds and reads the config the way the README documents: --config, $PGTOP_HA_CONFIG,
// ./pgtop-ha.yaml, $XDG_CONFIG_HOME/pgtop-ha/config.yaml, ~/.config/pgtop-ha/config.yaml.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { ConninfoError, parseConninfo } from './conninfo.ts';
import { ConfigError, DEFAULT_INTERVAL_SECONDS, DEFAULT_THRESHOLDS, plainCluster, validateConfig } from './schema.ts';
import type { AppConfig, ClusterConfig } from './schema.ts';

export interface LoadOptions {
  configFile?: string;
  conninfo?: string[];
  cluster?: string;
  interval?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface Loaded {
  cluster: ClusterConfig;
  config: AppConfig;
  /** Where the config came from, for the header and error messages. */
  source: string;
}

/** Candidate files in search order; the first that exists wins (an explicit one must exist). */
export function configCandidates(opts: LoadOptions): { path: string; explicit: boolean }[] {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  if (opts.configFile) return [{ path: resolve(cwd, opts.configFile), explicit: true }];
  if (env.PGTOP_HA_CONFIG) return [{ path: resolve(cwd, env.PGTOP_HA_CONFIG), explicit: true }];
  const home = env.HOME ?? homedir();
  const xdg = env.XDG_CONFIG_HOME || join(home, '.config');
  const list = [join(cwd, 'pgtop-ha.yaml'), join(xdg, 'pgtop-ha', 'config.yaml')];
  if (env.XDG_CONFIG_HOME) list.push(join(home, '.config', 'pgtop-ha', 'config.yaml'));
  return list.map((path) => ({ path, explicit: false }));
}

function fromConninfoFlags(list: string[], interval: number | undefined): AppConfig {
  const nodes = list.map((conninfo, i) => {
    let info;
    try {
      info = parseConninfo(conninfo);
    } catch (e) {
      if (e instanceof ConninfoError) throw new ConfigError(`--conninfo #${i + 1}`, `expected a libpq "key=value" string or postgres:// URI: ${e.message}`, 'command line');
      throw e;
    }
    const host = info.host ?? info.hostaddr ?? 'localhost';
    const name = `${host.startsWith('/') ? 'local' : host}:${info.port ?? '5432'}`;
    return { name, conninfo };
  });
  const seen = new Map<string, number>();
  for (const n of nodes) {
    const count = (seen.get(n.name) ?? 0) + 1;
    seen.set(n.name, count);
    if (count > 1) n.name = `${n.name}#${count}`;
  }
  return {
    clusters: [plainCluster({ name: 'cli', nodes, intervalSeconds: interval ?? DEFAULT_INTERVAL_SECONDS, thresholds: { ...DEFAULT_THRESHOLDS } })],
  };
}

function parseYaml(text: string, file: string): unknown {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    const err = doc.errors[0]!;
    const where = err.linePos?.[0] ? `line ${err.linePos[0].line}, column ${err.linePos[0].col}` : 'YAML';
    throw new ConfigError(where, `not valid YAML: ${err.message.split('\n')[0]}`, file);
  }
  return doc.toJS();
}

export function loadConfig(opts: LoadOptions): Loaded {
  let config: AppConfig;
  let source: string;
  if (opts.conninfo && opts.conninfo.length > 0) {
    config = fromConninfoFlags(opts.conninfo, opts.interval);
    source = 'command line';
  } else {
    const candidates = configCandidates(opts);
    const found = candidates.find((c) => c.explicit || existsSync(c.path));
    if (!found) {
      throw new ConfigError(
        'config',
        `no config file found (looked in ${candidates.map((c) => c.path).join(', ')}). ` +
          'Give --config FILE, or --conninfo "host=... port=... dbname=... user=..." for a quick look, or run `pgtop-ha demo`.',
      );
    }
    let text: string;
    try {
      text = readFileSync(found.path, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
      throw new ConfigError('config', `cannot read the file: ${why}`, found.path);
    }
    try {
      config = validateConfig(parseYaml(text, found.path));
    } catch (e) {
      if (e instanceof ConfigError && !e.file) throw new ConfigError(e.path, e.expected, found.path);
      throw e;
    }
    source = found.path;
  }
  const cluster = opts.cluster ? config.clusters.find((c) => c.name === opts.cluster) : config.clusters[0];
  if (!cluster) {
    throw new ConfigError('--cluster', `no cluster named "${opts.cluster}"; this config has: ${config.clusters.map((c) => c.name).join(', ')}`, source);
  }
  if (opts.interval !== undefined) cluster.intervalSeconds = opts.interval;
  return { cluster, config, source };
}

/** The one-paragraph message the CLI prints before exiting with status 2. */
export function formatConfigError(e: ConfigError): string {
  return `pgtop-ha: configuration error${e.file ? ` in ${e.file}` : ''} at ${e.path}: ${e.expected}`;
}
