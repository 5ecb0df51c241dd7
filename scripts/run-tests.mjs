#!/usr/bin/env node
// Lists the test files (Node 20's runner does not expand globs) and runs them all in one
// `node --test` so CI reads one summary. `unit` runs only test/unit; `integration` only those.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function find(dir) {
  let out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(find(p));
    else if (/\.test\.tsx?$/.test(name)) out.push(p);
  }
  return out;
}

const which = process.argv[2];
const dirs = which === 'unit' ? ['test/unit'] : which === 'integration' ? ['test/integration'] : ['test/unit', 'test/integration'];
const files = dirs.flatMap(find);
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
// Golden frames print clock times and colours: pin both so a frame is the same on every machine.
const env = { ...process.env, TZ: 'UTC', FORCE_COLOR: '0', NO_COLOR: '1' };
const res = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter', 'spec', ...files], { stdio: 'inherit', env });
process.exit(res.status ?? 1);
