// The one keymap: dispatch, footer hints and help all come from KEYMAP.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Key } from 'ink';
import { commandFor, footerText, helpRows, KEYMAP } from '../../../src/views/keymap.ts';

function key(over: Partial<Key> = {}): Key {
  return {
    upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false,
    home: false, end: false, return: false, escape: false, ctrl: false, shift: false, tab: false,
    backspace: false, delete: false, meta: false, super: false, hyper: false, capsLock: false, numLock: false,
    ...over,
  };
}

describe('commandFor', () => {
  const cases: Array<[string, string, Partial<Key>, string | undefined]> = [
    ['q', 'q', {}, 'quit'],
    ['Ctrl-C', 'c', { ctrl: true }, 'quit'],
    ['c alone', 'c', {}, undefined],
    ['?', '?', {}, 'help'],
    ['Tab', '', { tab: true }, 'focusNext'],
    ['Shift-Tab', '', { tab: true, shift: true }, 'focusPrev'],
    ['Enter', '\r', { return: true }, 'zoom'],
    ['Esc', '', { escape: true }, 'back'],
    ['space', ' ', {}, 'pause'],
    ['+', '+', {}, 'faster'],
    ['= (unshifted +)', '=', {}, 'faster'],
    ['-', '-', {}, 'slower'],
    ['_', '_', {}, 'slower'],
    ['r', 'r', {}, 'refresh'],
    ['w', 'w', {}, 'switchWal'],
    ['s', 's', {}, 'switchover'],
    ['a', 'a', {}, 'ack'],
    ['↑', '', { upArrow: true }, 'alertUp'],
    ['k', 'k', {}, 'alertUp'],
    ['↓', '', { downArrow: true }, 'alertDown'],
    ['j', 'j', {}, 'alertDown'],
    ['W is not w', 'W', {}, undefined],
    ['x', 'x', {}, undefined],
  ];
  for (const [what, input, k, want] of cases) {
    test(`${what} → ${want ?? 'nothing'}`, () => assert.equal(commandFor(input, key(k), false)?.id, want));
  }

  test('read-only hides the action w and nothing else', () => {
    assert.equal(commandFor('w', key(), true), undefined);
    for (const [, input, k, want] of cases) {
      if (want === 'switchWal' || want === 'switchover') continue;
      assert.equal(commandFor(input, key(k), true)?.id, want, input);
    }
  });

  test('every action is marked: switch WAL, run a backup, switchover', () => {
    assert.deepEqual(KEYMAP.filter((c) => c.action).map((c) => c.id), ['switchWal', 'backup', 'switchover']);
  });

  test('ids are unique, and display keys within each mode', () => {
    assert.equal(new Set(KEYMAP.map((c) => c.id)).size, KEYMAP.length);
    for (const mode of ['live', 'replay'] as const) {
      const keys = KEYMAP.filter((c) => !c.only || c.only === mode).map((c) => c.keys);
      assert.equal(new Set(keys).size, keys.length, mode);
    }
  });

  test('replay: the cursor keys work, polling and actions do not', () => {
    const replay: Array<[string, Partial<Key>, string | undefined]> = [
      ['', { leftArrow: true }, 'stepBack'], ['', { rightArrow: true }, 'stepForward'], ['[', {}, 'prevAlertChange'], [']', {}, 'nextAlertChange'],
      [' ', {}, 'play'], ['q', {}, 'quit'], ['a', {}, 'ack'], ['r', {}, undefined], ['w', {}, undefined], ['s', {}, undefined], ['+', {}, undefined],
    ];
    for (const [input, k, want] of replay) assert.equal(commandFor(input, key(k), true, 'replay')?.id, want, JSON.stringify([input, k]));
    assert.equal(commandFor('', key({ leftArrow: true }), false, 'live'), undefined, 'no cursor live');
  });
});

describe('footerText', () => {
  // KEYMAP order is footer priority: w comes right after ? help, so a narrow footer cuts r first.
  const full = 'q quit  ? help  w switch WAL  Tab focus  Enter zoom  space pause  +/- interval  r refresh  b backup  s switchover  a ack';
  test('is generated from the KEYMAP hints in order', () => {
    const live = KEYMAP.filter((c) => c.hint && c.only !== 'replay');
    assert.deepEqual(live.map((c) => c.id), ['quit', 'help', 'switchWal', 'focusNext', 'zoom', 'pause', 'slower', 'refresh', 'backup', 'switchover', 'ack']);
    const hints = live.map((c) => c.hint!);
    assert.equal(footerText(false, 500), full);
    let at = 0;
    for (const h of hints) {
      const i = full.indexOf(h, at);
      assert.ok(i >= at, `hint ${h} in order`);
      at = i + h.length;
    }
  });

  const cases: Array<[number, boolean, string]> = [
    [0, false, ''],
    [13, false, 'q quit'],
    [14, false, 'q quit  ? help'],
    [27, false, 'q quit  ? help'],
    [28, false, 'q quit  ? help  w switch WAL'],
    [40, false, 'q quit  ? help  w switch WAL  Tab focus'],
    [80, false, 'q quit  ? help  w switch WAL  Tab focus  Enter zoom  space pause  +/- interval'],
    [88, false, 'q quit  ? help  w switch WAL  Tab focus  Enter zoom  space pause  +/- interval'],
    [89, false, 'q quit  ? help  w switch WAL  Tab focus  Enter zoom  space pause  +/- interval  r refresh'],
    [112, false, 'q quit  ? help  w switch WAL  Tab focus  Enter zoom  space pause  +/- interval  r refresh  b backup'],
    [113, false, 'q quit  ? help  w switch WAL  Tab focus  Enter zoom  space pause  +/- interval  r refresh  b backup  s switchover'],
    [120, false, full],
    [40, true, 'q quit  ? help  Tab focus  Enter zoom'], // read-only: w gone, the next hints move up
    [80, true, 'q quit  ? help  Tab focus  Enter zoom  space pause  +/- interval  r refresh'],
    [200, true, 'q quit  ? help  Tab focus  Enter zoom  space pause  +/- interval  r refresh  a ack'], // acknowledging changes nothing on the cluster
  ];
  for (const [w, ro, want] of cases) {
    test(`${w} columns${ro ? ' read-only' : ''} → ${JSON.stringify(want)}`, () => assert.equal(footerText(ro, w), want));
  }

  test('always fits its width and never cuts a hint in half', () => {
    const hints = KEYMAP.filter((c) => c.hint).map((c) => `${c.hintKeys ?? c.keys} ${c.hint}`);
    for (let w = 0; w <= 120; w++) {
      for (const ro of [false, true]) {
        const t = footerText(ro, w);
        assert.ok(t.length <= w, `${w}: ${t}`);
        if (t) for (const part of t.split('  ')) assert.ok(hints.includes(part), `${w}: ${part}`);
      }
    }
  });

  test('read-only never offers w', () => {
    for (const w of [80, 120, 250]) assert.doesNotMatch(footerText(true, w), /\bw switch/);
  });
});

describe('helpRows', () => {
  test('lists every command with its keys and description', () => {
    assert.deepEqual(helpRows(false), KEYMAP.filter((c) => c.only !== 'replay').map((c) => ({ keys: c.keys, description: c.description })));
    assert.equal(helpRows(false).length, 16);
    assert.deepEqual(helpRows(false).map((r) => r.keys), ['q', '?', 'w', 'Tab', 'S-Tab', 'Enter', 'Esc', 'space', '+', '-', 'r', 'b', 's', 'a', '↑', '↓']);
  });
  test('read-only leaves out the actions only', () => {
    assert.deepEqual(helpRows(true).map((r) => r.keys), ['q', '?', 'Tab', 'S-Tab', 'Enter', 'Esc', 'space', '+', '-', 'r', 'a', '↑', '↓']);
  });
  test('replay: the cursor keys instead of polling and actions', () => {
    assert.deepEqual(helpRows(true, 'replay').map((r) => r.keys), ['q', '?', 'Tab', 'S-Tab', 'Enter', 'Esc', 'space', '←', '→', '[', ']', 'a', '↑', '↓']);
    assert.equal(footerText(true, 200, 'replay'), 'q quit  ? help  Tab focus  Enter zoom  space play  ←/→ step  [/] alert changes  a ack');
  });
});
