// The one keymap: every command with its keys and descriptions. The root input handler
// dispatches through it, and the footer hints and the `?` help are generated from it.
import type { Key } from 'ink';

export type CommandId =
  | 'quit' | 'help' | 'focusNext' | 'focusPrev' | 'zoom' | 'back'
  | 'pause' | 'faster' | 'slower' | 'refresh' | 'switchWal' | 'backup' | 'switchover'
  | 'ack' | 'alertUp' | 'alertDown'
  | 'stepBack' | 'stepForward' | 'prevAlertChange' | 'nextAlertChange' | 'play';

/** The live console, or `pgtop-ha replay` moving a time cursor over a recording. */
export type KeyMode = 'live' | 'replay';

export interface Command {
  id: CommandId;
  /** Display form of the keys, as shown in the footer and help. */
  keys: string;
  /** Footer label (short); commands without one appear only in help. */
  hint?: string;
  /** Keys as the footer shows them when one hint stands for a pair (`+/-`). */
  hintKeys?: string;
  /** Only in this mode; both when absent. */
  only?: KeyMode;
  description: string;
  /** Changes the cluster: hidden and refused in --read-only. */
  action?: boolean;
  match(input: string, key: Key): boolean;
}

// Order is footer priority: when the footer is cut to the terminal width, the tail goes first.
export const KEYMAP: readonly Command[] = [
  { id: 'quit', keys: 'q', hint: 'quit', description: 'Quit and restore the terminal', match: (i, k) => i === 'q' || (k.ctrl && i === 'c') },
  { id: 'help', keys: '?', hint: 'help', description: 'Show or hide this help', match: (i) => i === '?' },
  {
    id: 'switchWal', keys: 'w', hint: 'switch WAL', action: true, only: 'live',
    description: 'pg_switch_wal() on the primary or barman switch-wal; says if archived',
    match: (i) => i === 'w',
  },
  { id: 'focusNext', keys: 'Tab', hint: 'focus', description: 'Focus the next pane', match: (_i, k) => k.tab && !k.shift },
  { id: 'focusPrev', keys: 'S-Tab', description: 'Focus the previous pane', match: (_i, k) => k.tab && k.shift },
  { id: 'zoom', keys: 'Enter', hint: 'zoom', description: 'Zoom the focused pane to the full screen (again to go back)', match: (_i, k) => k.return },
  { id: 'back', keys: 'Esc', description: 'Back: close help or a dialog, leave the zoomed pane', match: (_i, k) => k.escape },
  { id: 'pause', keys: 'space', hint: 'pause', only: 'live', description: 'Pause or resume polling (the screen keeps the last sample)', match: (i) => i === ' ' },
  { id: 'play', keys: 'space', hint: 'play', only: 'replay', description: 'Play the recording at its own speed, or pause it', match: (i) => i === ' ' },
  { id: 'stepBack', keys: '←', hint: 'step', hintKeys: '←/→', only: 'replay', description: 'One sample back', match: (_i, k) => k.leftArrow },
  { id: 'stepForward', keys: '→', only: 'replay', description: 'One sample forward', match: (_i, k) => k.rightArrow },
  { id: 'prevAlertChange', keys: '[', hint: 'alert changes', hintKeys: '[/]', only: 'replay', description: 'Jump back to the previous moment the open alerts changed', match: (i) => i === '[' },
  { id: 'nextAlertChange', keys: ']', only: 'replay', description: 'Jump to the next moment the open alerts changed', match: (i) => i === ']' },
  { id: 'faster', keys: '+', only: 'live', description: 'Poll more often (shorter interval)', match: (i) => i === '+' || i === '=' },
  { id: 'slower', keys: '-', hint: 'interval', hintKeys: '+/-', only: 'live', description: 'Poll less often (longer interval)', match: (i) => i === '-' || i === '_' },
  { id: 'refresh', keys: 'r', hint: 'refresh', only: 'live', description: 'Poll every node now', match: (i) => i === 'r' },
  {
    id: 'backup', keys: 'b', hint: 'backup', action: true, only: 'live',
    description: 'Run a barman backup (live output; Esc hides it, never stops it)',
    match: (i) => i === 'b',
  },
  {
    id: 'switchover', keys: 's', hint: 'switchover', action: true, only: 'live',
    description: 'Guided switchover: choose a standby, preflight, confirm, run, verify',
    match: (i) => i === 's',
  },
  {
    // Acknowledging changes nothing on the cluster: allowed in --read-only.
    id: 'ack', keys: 'a', hint: 'ack', description: 'Acknowledge the selected alert (it stays listed, dimmed, until it clears)',
    match: (i) => i === 'a',
  },
  { id: 'alertUp', keys: '↑', description: 'Select the previous alert', match: (i, k) => k.upArrow || i === 'k' },
  { id: 'alertDown', keys: '↓', description: 'Select the next alert', match: (i, k) => k.downArrow || i === 'j' },
];

const offered = (c: Command, readOnly: boolean, mode: KeyMode) => (!readOnly || !c.action) && (!c.only || c.only === mode);

export function commandFor(input: string, key: Key, readOnly: boolean, mode: KeyMode = 'live'): Command | undefined {
  return KEYMAP.find((c) => offered(c, readOnly, mode) && c.match(input, key));
}

/** The footer's pieces in priority order: "q quit", "? help", … */
export function footerHints(readOnly: boolean, mode: KeyMode = 'live'): string[] {
  return KEYMAP.filter((c) => c.hint && offered(c, readOnly, mode)).map((c) => `${c.hintKeys ?? c.keys} ${c.hint}`);
}

/** Footer: "q quit  ? help  Tab focus …", cut to the width on a whole hint. */
export function footerText(readOnly: boolean, width: number, mode: KeyMode = 'live'): string {
  const hints = footerHints(readOnly, mode);
  let out = '';
  for (const h of hints) {
    const next = out ? `${out}  ${h}` : h;
    if (next.length > width) break;
    out = next;
  }
  return out;
}

export function helpRows(readOnly: boolean, mode: KeyMode = 'live'): Array<{ keys: string; description: string }> {
  return KEYMAP.filter((c) => offered(c, readOnly, mode)).map((c) => ({ keys: c.keys, description: c.description }));
}
