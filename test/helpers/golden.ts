// Golden frames: a rendered frame compared with test/golden/<name>.txt. Without UPDATE_GOLDEN a
// missing or different file fails; with UPDATE_GOLDEN=1 the file is (re)written and the test
// says so, so a refresh is always deliberate and reviewed with `git diff test/golden`.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';

const GOLDEN_DIR = fileURLToPath(new URL('../golden/', import.meta.url));
export const UPDATE_GOLDEN = process.env.UPDATE_GOLDEN === '1';
/** Files this process wrote, for a summary at the end of a run. */
export const writtenGoldens: string[] = [];

export function golden(t: TestContext, name: string, frame: string): void {
  const file = join(GOLDEN_DIR, `${name}.txt`);
  const text = `${frame}\n`;
  if (UPDATE_GOLDEN) {
    const old = existsSync(file) ? readFileSync(file, 'utf8') : null;
    if (old !== text) {
      mkdirSync(GOLDEN_DIR, { recursive: true });
      writeFileSync(file, text);
      writtenGoldens.push(`${name}.txt (${old === null ? 'new' : 'changed'})`);
      t.diagnostic(`UPDATE_GOLDEN=1: wrote test/golden/${name}.txt`);
    }
    return;
  }
  if (!existsSync(file)) {
    assert.fail(`missing golden frame test/golden/${name}.txt — create it with \`UPDATE_GOLDEN=1 node scripts/run-tests.mjs unit\`, then read it before committing`);
  }
  assert.equal(
    frame,
    readFileSync(file, 'utf8').replace(/\n$/, ''),
    `frame differs from test/golden/${name}.txt; if the change is intended, run \`UPDATE_GOLDEN=1 node scripts/run-tests.mjs unit\` and review git diff test/golden`,
  );
}
