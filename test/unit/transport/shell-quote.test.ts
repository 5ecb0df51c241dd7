import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { buildCommand, quoteArg } from '../../../src/transport/shell-quote.ts';
import { HOSTILE } from './hostile-inputs.ts';


describe('quoteArg', () => {
  const cases: Array<[string, string]> = [
    ['plain', `'plain'`],
    ['', `''`],
    [`it's`, `'it'\\''s'`],
    [`'; rm -rf /`, `''\\''; rm -rf /'`],
    ['$(id)', `'$(id)'`],
    ['`id`', "'`id`'"],
    ['a\nb', `'a\nb'`],
  ];
  for (const [input, want] of cases) test(JSON.stringify(input), () => assert.equal(quoteArg(input), want));

  test('rejects NUL', () => assert.throws(() => quoteArg('a\0b'), /NUL/));

  // The local /bin/sh must give back every hostile argument byte for byte.
  test('round-trips through /bin/sh', () => {
    const cmd = buildCommand(['printf', '%s\\n', ...HOSTILE]);
    const res = spawnSync('/bin/sh', ['-c', cmd], { encoding: 'utf8' });
    assert.equal(res.status, 0, res.stderr);
    assert.equal(res.stdout, HOSTILE.map((s) => `${s}\n`).join(''));
  });
});

describe('buildCommand', () => {
  test('quotes every argument', () => assert.equal(buildCommand(['ls', '-l', 'a b']), `'ls' '-l' 'a b'`));
  test('sudo', () =>
    assert.equal(buildCommand(['repmgr', 'cluster', 'show'], { sudoUser: 'postgres' }),
      `sudo -n -u 'postgres' -- 'repmgr' 'cluster' 'show'`));
  test('hostile sudo user stays quoted', () =>
    assert.equal(buildCommand(['id'], { sudoUser: '$(id)' }), `sudo -n -u '$(id)' -- 'id'`));
  test('empty argv', () => assert.throws(() => buildCommand([]), /empty argv/));
  test('empty sudo user', () => assert.throws(() => buildCommand(['id'], { sudoUser: '' }), /empty sudoUser/));
});
