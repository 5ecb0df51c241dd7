// Shared pieces for repmgr's text outputs. Pure: no I/O, no clock.
//
// repmgr prints its tables (cluster show, service status, cluster event) as: a header row,
// a rule of dashes with '+' where the header has '|', then one row per record, each cell
// printed with printf("| %-*s ") where the width is strlen() of the widest value — i.e. BYTES
// (repmgr-action-cluster.c notes it never adopted pg_wcssize()). So the rule's '+' byte offsets
// are exact cell boundaries for every row; slicing there (instead of splitting on " | ") keeps
// a value that itself contains " | " intact and copes with multi-byte names.

export class RepmgrParseError extends Error {
  constructor(readonly command: string, detail: string) {
    super(`repmgr ${command}: ${detail}`);
    this.name = 'RepmgrParseError';
  }
}

export interface TextTable {
  /** Header titles, trimmed. */
  headers: string[];
  /** Cells with the single leading pad space removed and trailing padding trimmed. Leading
   *  spaces that belong to the value survive (the standby status is "  running"). */
  rows: string[][];
}

const PIPE = 0x7c;

function cellsAt(command: string, what: string, line: string, cuts: readonly number[]): string[] {
  const buf = Buffer.from(line, 'utf8');
  const cells: string[] = [];
  let start = 0;
  for (const cut of cuts) {
    if (buf.length <= cut || buf[cut] !== PIPE) {
      throw new RepmgrParseError(command, `${what}: expected "|" at byte ${cut} (under the rule's "+"), got ${JSON.stringify(line)}`);
    }
    cells.push(buf.subarray(start, cut).toString('utf8'));
    start = cut + 1;
  }
  cells.push(buf.subarray(start).toString('utf8'));
  return cells.map((c) => (c.startsWith(' ') ? c.slice(1) : c).trimEnd());
}

/** Splits a repmgr text table. The table ends at the first blank line (repmgr prints one after
 *  the rows when it has warnings, and `cluster event` always does); whatever follows is ignored. */
export function splitTextTable(command: string, stdout: string): TextTable {
  const lines = stdout.replace(/\r\n/g, '\n').split('\n');
  const first = lines.findIndex((l) => l.trim() !== '');
  if (first < 0) throw new RepmgrParseError(command, 'empty output; expected a header row (did the command fail? check its exit code and stderr)');
  const header = lines[first];
  const rule = lines[first + 1];
  if (rule === undefined || !/^-[-+]*$/.test(rule.trimEnd())) {
    throw new RepmgrParseError(command, `expected a "----+----" rule under the header, got ${JSON.stringify(rule ?? '(end of output)')}`);
  }
  const cuts: number[] = [];
  for (let i = 0; i < rule.length; i++) if (rule[i] === '+') cuts.push(i);
  const headers = cellsAt(command, 'header', header, cuts).map((h) => h.trim());
  const rows: string[][] = [];
  for (let i = first + 2; i < lines.length && lines[i].trim() !== ''; i++) {
    rows.push(cellsAt(command, `row ${rows.length + 1}`, lines[i], cuts));
  }
  return { headers, rows };
}

/** Index of the first of `names` present in the header; throws naming what was looked for. */
export function columnIndex(command: string, headers: readonly string[], ...names: string[]): number {
  for (const n of names) {
    const i = headers.indexOf(n);
    if (i >= 0) return i;
  }
  throw new RepmgrParseError(command, `column ${names.map((n) => `"${n}"`).join(' or ')} missing from header (got ${headers.map((h) => `"${h}"`).join(', ')})`);
}

export function optionalColumn(headers: readonly string[], ...names: string[]): number | null {
  for (const n of names) {
    const i = headers.indexOf(n);
    if (i >= 0) return i;
  }
  return null;
}

export function parseInteger(command: string, where: string, value: string): number {
  if (!/^-?\d+$/.test(value)) throw new RepmgrParseError(command, `${where}: expected an integer, got ${JSON.stringify(value)}`);
  return Number(value);
}

export function oneOf<T extends string>(command: string, where: string, allowed: readonly T[], value: string): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new RepmgrParseError(command, `${where}: expected one of ${allowed.join('/')}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}

/** Output lines that are not blank, for the CSV forms (no header, one record a line). */
export function dataLines(stdout: string): string[] {
  return stdout.replace(/\r\n/g, '\n').split('\n').filter((l) => l.trim() !== '');
}
