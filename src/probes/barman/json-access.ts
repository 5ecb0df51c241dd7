// Typed access to barman's `-f json` output: every read names the command and the key, so a
// DBA (or a bug report) sees "barman show-backup: base_backup_information.timeline is a string"
// instead of a TypeError from deep inside a parser.

export type BarmanCommand = 'list-backups' | 'show-backup' | 'check' | 'status' | 'replication-status' | 'list-processes';

export class BarmanJsonError extends Error {
  constructor(
    readonly command: BarmanCommand,
    detail: string,
  ) {
    super(`barman ${command}: ${detail}`);
    this.name = 'BarmanJsonError';
  }
}

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

export function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** JSON.parse with the command named on failure; accepts an already parsed value too. */
export function parseJsonText(command: BarmanCommand, input: string | Json): Json {
  if (typeof input !== 'string') return input;
  const text = input.trim();
  if (text === '') throw new BarmanJsonError(command, 'empty output');
  try {
    return JSON.parse(text) as Json;
  } catch {
    const head = text.slice(0, 60).replace(/\s+/g, ' ');
    throw new BarmanJsonError(command, `output is not JSON ("${head}${text.length > 60 ? '…' : ''}")`);
  }
}

/** barman's own error list (`_ERROR`), joined; null when it reported none. */
export function barmanErrors(doc: Json): string | null {
  if (!isObject(doc)) return null;
  const errs = doc._ERROR;
  if (!Array.isArray(errs) || errs.length === 0) return null;
  return errs.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))).join('; ');
}

/**
 * The one server's entry of a top-level `{ "<server>": … }` document. With no server name the
 * single non-`_` key is taken (barman prints one per server asked). barman's `_ERROR` wins when
 * the entry is missing or empty: it is why (`Unknown server 'x'`, `Unable to connect …`).
 */
export function serverEntry(command: BarmanCommand, doc: Json, server?: string): Json {
  if (!isObject(doc)) throw new BarmanJsonError(command, 'top level is not an object');
  const errors = barmanErrors(doc);
  const keys = Object.keys(doc).filter((k) => !k.startsWith('_'));
  const key = server ?? (keys.length === 1 ? keys[0] : undefined);
  const entry = key === undefined ? undefined : doc[key];
  const empty = entry === undefined || (Array.isArray(entry) && entry.length === 0 && errors !== null) || (isObject(entry) && Object.keys(entry).length === 0 && errors !== null);
  if (empty) {
    if (errors) throw new BarmanJsonError(command, errors);
    if (key === undefined) throw new BarmanJsonError(command, keys.length === 0 ? 'no server in output' : `several servers in output (${keys.join(', ')}), none chosen`);
    throw new BarmanJsonError(command, `server '${key}' missing from output`);
  }
  return entry as Json;
}

export class Reader {
  constructor(
    readonly command: BarmanCommand,
    readonly obj: JsonObject,
    readonly path: string,
  ) {}

  static of(command: BarmanCommand, v: Json | undefined, path: string): Reader {
    if (!isObject(v)) throw new BarmanJsonError(command, `${path || 'entry'} is not an object`);
    return new Reader(command, v, path);
  }

  private at(key: string): string {
    return this.path ? `${this.path}.${key}` : key;
  }

  private fail(key: string, want: string): never {
    throw new BarmanJsonError(this.command, `${this.at(key)} is ${describe(this.obj[key])}, expected ${want}`);
  }

  has(key: string): boolean {
    return this.obj[key] !== undefined;
  }

  str(key: string): string {
    const v = this.obj[key];
    if (typeof v !== 'string') this.fail(key, 'a string');
    return v;
  }

  optStr(key: string): string | null {
    const v = this.obj[key];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string') this.fail(key, 'a string');
    return v;
  }

  /** barman mixes numbers and numeric strings (`end_time_timestamp` is "1795319219"). */
  optNum(key: string): number | null {
    const v = this.obj[key];
    if (v === undefined || v === null) return null;
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (typeof v === 'string' && /^-?\d+(?:\.\d+)?$/.test(v.trim())) return Number(v);
    this.fail(key, 'a number');
  }

  optStrList(key: string): string[] | null {
    const v = this.obj[key];
    if (v === undefined || v === null) return null;
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
    // infofile form: "id1,id2"
    if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter(Boolean);
    this.fail(key, 'a list of strings');
  }

  /** A nested object, or null when absent (barman omits whole sections for unfinished backups). */
  optObj(key: string): Reader | null {
    const v = this.obj[key];
    if (v === undefined || v === null) return null;
    if (!isObject(v)) this.fail(key, 'an object');
    return new Reader(this.command, v, this.at(key));
  }
}

function describe(v: Json | undefined): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return `a ${typeof v} (${JSON.stringify(v).slice(0, 40)})`;
}
