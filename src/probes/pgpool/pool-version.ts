// Parser for `SHOW pool_version`: one column, value "<VERSION> (<codename>)", e.g.
// "4.3.5 (tamahomeboshi)". Through 4.3.5 pgpool sends an EMPTY result set (RowDescription, no rows)
// before the real one (captures/pgpool-show-pool_version-unaligned.txt), so node-postgres hands back
// an array of two results; a bare single result is accepted as well.

import { PgpoolParseError, Table, text, type PgpoolResult } from './result-table.ts';

export interface PoolVersion {
  /** As printed, e.g. "4.3.5" or "4.6beta1". */
  version: string;
  codename: string;
  major: number;
  minor: number;
  /** null for a pre-release without a patch number ("4.6beta1"). */
  patch: number | null;
}

const SOURCE = 'SHOW pool_version';
const VERSION_RE = /^(\d+)\.(\d+)(?:\.(\d+))?([0-9A-Za-z.]*)\s+\(([^)]+)\)$/;

export function parsePoolVersion(results: PgpoolResult | readonly PgpoolResult[]): PoolVersion {
  const list: readonly unknown[] = Array.isArray(results) ? results : [results];
  // Each result must look like SHOW pool_version's; the one that carries a row is the answer.
  const tables = list.map((r) => new Table(SOURCE, r, ['pool_version']));
  const withRows = tables.filter((t) => t.rows.length > 0);
  if (withRows.length !== 1 || withRows[0].rows.length !== 1) {
    const counts = tables.map((t) => t.rows.length).join(', ');
    throw new PgpoolParseError(SOURCE, null, `expected exactly one row over all results, got row counts [${counts}]`);
  }
  const t = withRows[0];
  const raw = t.req(t.rows[0], 'pool_version', text).trim();
  const m = VERSION_RE.exec(raw);
  if (!m) throw new PgpoolParseError(SOURCE, 'pool_version', `not "<version> (<codename>)": ${JSON.stringify(raw)}`);
  return {
    version: `${m[1]}.${m[2]}${m[3] !== undefined ? `.${m[3]}` : ''}${m[4]}`,
    codename: m[5],
    major: Number(m[1]),
    minor: Number(m[2]),
    patch: m[3] !== undefined ? Number(m[3]) : null,
  };
}

