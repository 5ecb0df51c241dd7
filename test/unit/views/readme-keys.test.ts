// The README's key table is written by hand; this keeps it from drifting from the one keymap.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { KEYMAP } from '../../../src/views/keymap.ts';

test('every command of the keymap is in the README key table, in keymap order', () => {
  const readme = readFileSync(join(import.meta.dirname, '../../../README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Keys'), readme.indexOf('\n## ', readme.indexOf('### Keys')));
  const rows = section.split('\n').filter((l) => l.startsWith('| `'));
  const keysIn = (row: string) => [...row.split('|')[1]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
  const documented = rows.flatMap(keysIn);
  const aliases: Record<string, string> = { 'S-Tab': 'Shift-Tab' };
  let last = -1;
  for (const c of KEYMAP) {
    const key = aliases[c.keys] ?? c.keys;
    const at = rows.findIndex((r) => keysIn(r).includes(key));
    assert.ok(documented.includes(key), `README lacks key ${key} (${c.description})`);
    assert.ok(at >= last, `README lists ${key} out of keymap order`);
    last = at;
  }
});
