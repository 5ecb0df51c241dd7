// The fast path in src/terminal/ink-patches.ts must change how fast a frame is assembled,
// never what it says: the same frames through Ink's own path and through the fast path.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderToString } from 'ink';
import React from 'react';
import { installInkPatches } from '../../../src/terminal/ink-patches.ts';
import { App, type AppControls } from '../../../src/views/App.tsx';
import { SCENARIOS, THRESHOLDS, type ScenarioName } from '../../helpers/states.ts';

const controls: AppControls = { refreshNow() {}, requestAction() {}, quit() {} };
const CASES: Array<[ScenarioName, number, number, boolean, boolean]> = [
  ['healthy17', 80, 24, false, false],
  ['healthy17', 160, 45, false, false],
  ['standbyDown', 120, 40, true, false],
  ['splitBrain', 250, 70, false, false],
  ['healthy17', 120, 40, false, true],
];

function frame(name: ScenarioName, columns: number, rows: number, ascii: boolean, color: boolean): string {
  const s = SCENARIOS[name]();
  return renderToString(
    <App store={s.store} controls={controls} thresholds={THRESHOLDS} ascii={ascii} color={color} size={{ columns, rows }} now={() => s.now} />,
    { columns },
  );
}

// eslint-disable-next-line no-control-regex
const strip = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

test('frames through Ink\'s own path and through the fast path are the same text', async () => {
  const slow = CASES.map((c) => frame(...c));
  assert.equal(await installInkPatches(), true, 'the fast path installs on this Ink version');
  const fast = CASES.map((c) => frame(...c));
  CASES.forEach((c, i) => {
    if (c[4]) {
      // Ink re-encodes colours its own way; the text and the presence of colour must agree.
      assert.equal(strip(fast[i]!), strip(slow[i]!), `${c.join(' ')}: text`);
      assert.match(fast[i]!, /\x1b\[36m/, 'colours reach the terminal');
    } else {
      assert.equal(fast[i], slow[i], c.join(' '));
    }
  });
});

test('after an incremental redraw that ends in a newline the cursor goes back to the last line', async () => {
  const { fixIncrementalCursor } = await import('../../../src/terminal/ink-patches.ts');
  const writes: string[] = [];
  const calls: string[] = [];
  let last = '';
  const render = Object.assign(
    (str: string) => {
      calls.push(str);
      if (str === last) return false;
      last = str;
      return true;
    },
    { clear: () => calls.push('clear'), sync: () => undefined },
  );
  const wrapped = fixIncrementalCursor(render, { write: (s: string) => writes.push(s) });
  assert.equal(wrapped('a\nb\n'), true);
  assert.deepEqual(writes, ['\x1b[1A'], 'moved up after a frame ending in a newline');
  assert.equal(wrapped('a\nb\n'), false);
  assert.deepEqual(writes, ['\x1b[1A'], 'an unchanged frame writes nothing');
  wrapped('a\nc\n');
  assert.equal(writes.length, 2);
  wrapped('a\nc\nd\n');
  assert.deepEqual(calls.slice(-2), ['clear', 'a\nc\nd\n'], 'a frame of another height is drawn from a cleared block');
  wrapped('x\ny');
  assert.equal(writes.length, 3, 'a full-height frame (no trailing newline) leaves the cursor alone');
  assert.equal(typeof (wrapped as unknown as { sync: unknown }).sync, 'function', "Ink's other log methods are kept");
});
