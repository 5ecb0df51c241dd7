// Test helper: turns captured psql text into what node-postgres returns for the same query —
// `{ fields: [{ name }], rows: [{ column: 'text' }] }`, every value a string, because pgpool
// describes all SHOW columns as text and node-postgres does not convert text. One file may hold
// several result sets (pgpool ≤ 4.3.5 sends an empty one before SHOW pool_version's real one),
// so the converters return a list.
//
// `-unaligned` (psql -X -A -F'|'): header line, '|'-separated rows, "(N rows)" footer. Exact.
// aligned (plain psql): header, "---+---" rule, ' | '-separated padded rows, footer. Cells are
// trimmed, so leading/trailing spaces inside a value would be lost — none of pgpool's have any.
// Neither form can tell NULL from '' (psql prints both as nothing); pgpool SHOW never sends NULL.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PgpoolResult } from '../../../src/probes/pgpool/result-table.ts';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/pgpool');
export const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');

const FOOTER = /^\((\d+) rows?\)$/;

function build(source: string, header: string[], data: string[][], declared: number): PgpoolResult {
  if (data.length !== declared) throw new Error(`${source}: footer says ${declared} rows, found ${data.length}`);
  const rows = data.map((cells, i) => {
    if (cells.length !== header.length) throw new Error(`${source}: row ${i + 1} has ${cells.length} cells for ${header.length} columns`);
    return Object.fromEntries(header.map((h, j) => [h, cells[j]]));
  });
  return { fields: header.map((name) => ({ name })), rows };
}

export function fromUnaligned(textIn: string, source = 'unaligned'): PgpoolResult[] {
  const out: PgpoolResult[] = [];
  let header: string[] | null = null;
  let data: string[][] = [];
  for (const line of textIn.replace(/\n$/, '').split('\n')) {
    const foot = FOOTER.exec(line);
    if (foot) {
      if (!header) throw new Error(`${source}: footer without header`);
      out.push(build(source, header, data, Number(foot[1])));
      header = null;
      data = [];
    } else if (!header) {
      if (line === '') continue; // blank between result sets
      header = line.split('|');
    } else {
      data.push(line.split('|'));
    }
  }
  if (header) throw new Error(`${source}: result without "(N rows)" footer`);
  return out;
}

export function fromAligned(textIn: string, source = 'aligned'): PgpoolResult[] {
  const out: PgpoolResult[] = [];
  const lines = textIn.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    const header = lines[i].split('|').map((c) => c.trim());
    if (!/^-+(\+-+)*$/.test(lines[i + 1] ?? '')) throw new Error(`${source}: line ${i + 2} is not a "---+---" rule`);
    const data: string[][] = [];
    let j = i + 2;
    for (; j < lines.length && !FOOTER.test(lines[j]); j++) data.push(lines[j].split(' | ').map((c) => c.trim()));
    const foot = FOOTER.exec(lines[j] ?? '');
    if (!foot) throw new Error(`${source}: result without "(N rows)" footer`);
    out.push(build(source, header, data, Number(foot[1])));
    i = j;
  }
  return out;
}

/** The single result a file holds (most SHOW commands). */
export function only(results: PgpoolResult[]): PgpoolResult {
  if (results.length !== 1) throw new Error(`expected 1 result set, got ${results.length}`);
  return results[0];
}
