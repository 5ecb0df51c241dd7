// The one keymap: every command with its keys and descriptions. The root input handler
// dispatches through it, and the footer hints and the `?` help are generated from it.
import type { Key } from 'ink';

export type CommandId =
  | 'quit' | 'help' | 'focusNext' | 'focusPrev' | 'zoom' | 'back'
  | 'pause' | 'faster' | 'slower' | 'refresh' | 'switchWal' | 'backup' | 'switchover'
  | 'ack' | 'alertUp' | 'alertDown';

export interface Command {
  id: CommandId;
  /** Display form of the keys, as shown in the footer and help. */
  keys: string;
  /** Footer label (short); commands without one appear only in help. */
  hint?: string;
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
    id: 'switchWal', keys: 'w', hint: 'switch WAL', action: true,
    description: 'pg_switch_wal() on the primary or barman switch-wal; says if archived',
    match: (i) => i === 'w',
  },
  { id: 'focusNext', keys: 'Tab', hint: 'focus', description: 'Focus the next pane', match: (_i, k) => k.tab && !k.shift },
  { id: 'focusPrev', keys: 'S-Tab', description: 'Focus the previous pane', match: (_i, k) => k.tab && k.shift },
  { id: 'zoom', keys: 'Enter', hint: 'zoom', description: 'Zoom the focused pane to the full screen (again to go back)', match: (_i, k) => k.return },
  { id: 'back', keys: 'Esc', description: 'Back: close help or a dialog, leave the zoomed pane', match: (_i, k) => k.escape },
  { id: 'pause', keys: 'space', hint: 'pause', description: 'Pause or resume polling (the screen keeps the last sample)', match: (i) => i === ' ' },
  { id: 'faster', keys: '+', description: 'Poll more often (shorter interval)', match: (i) => i === '+' || i === '=' },
  { id: 'slower', keys: '-', hint: 'interval', description: 'Poll less often (longer interval)', match: (i) => i === '-' || i === '_' },
  { id: 'refresh', keys: 'r', hint: 'refresh', description: 'Poll every node now', match: (i) => i === 'r' },
  {
    id: 'backup', keys: 'b', hint: 'backup', action: true,
    description: 'Run a barman backup (live output; Esc hides it, never stops it)',
    match: (i) => i === 'b',
  },
  {
    id: 'switchover', keys: 's', hint: 'switchover', action: true,
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

export function commandFor(input: string, key: Key, readOnly: boolean): Command | undefined {
  return KEYMAP.find((c) => (!readOnly || !c.action) && c.match(input, key));
}

/** Footer: "q quit  ? help  Tab focus …", cut to the width on a whole hint. */
export function footerText(readOnly: boolean, width: number): string {
  const hints = KEYMAP.filter((c) => c.hint && (!readOnly || !c.action)).map((c) => `${c.id === 'slower' ? '+/-' : c.keys} ${c.hint}`);
  let out = '';
  for (const h of hints) {
    const next = out ? `${out}  ${h}` : h;
    if (next.length > width) break;
    out = next;
  }
  return out;
}

export function helpRows(readOnly: boolean): Array<{ keys: string; description: string }> {
  return KEYMAP.filter((c) => !readOnly || !c.action).map((c) => ({ keys: c.keys, description: c.description }));
}
