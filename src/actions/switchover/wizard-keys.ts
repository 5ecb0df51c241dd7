// The wizard's own keymap: per step, the keys that do something, with the words the wizard's
// hint line shows. The controller matches keys through it, so hint and behaviour cannot drift.
import type { WizardStep } from '../../state/switchover-state.ts';

export interface KeyLike {
  upArrow?: boolean;
  downArrow?: boolean;
  return?: boolean;
  escape?: boolean;
  backspace?: boolean;
  delete?: boolean;
  ctrl?: boolean;
  tab?: boolean;
}

export type WizardCommand =
  | 'up' | 'down' | 'pick' | 'choose' | 'abort' | 'next' | 'rerun' | 'forceRewind' | 'alwaysPromote'
  | 'raw' | 'erase' | 'run' | 'hide' | 'attach' | 'barmanSwitchWal' | 'finish' | 'close';

export interface WizardKey {
  id: WizardCommand;
  keys: string;
  hint: string;
  steps: readonly WizardStep[];
  match(input: string, key: KeyLike): boolean;
}

export const WIZARD_KEYS: readonly WizardKey[] = [
  { id: 'up', keys: '↑/k', hint: 'up', steps: ['choose'], match: (i, k) => !!k.upArrow || i === 'k' },
  { id: 'down', keys: '↓/j', hint: 'down', steps: ['choose'], match: (i, k) => !!k.downArrow || i === 'j' },
  { id: 'pick', keys: '1-9', hint: 'pick', steps: ['choose'], match: (i) => /^[1-9]$/.test(i) },
  { id: 'choose', keys: 'Enter', hint: 'preflight this standby', steps: ['choose'], match: (_i, k) => !!k.return },
  { id: 'next', keys: 'Enter', hint: 'confirm', steps: ['preflight'], match: (_i, k) => !!k.return },
  { id: 'rerun', keys: 'r', hint: 'run the checks again', steps: ['preflight'], match: (i) => i === 'r' },
  { id: 'forceRewind', keys: 'f', hint: '--force-rewind', steps: ['preflight'], match: (i) => i === 'f' },
  { id: 'alwaysPromote', keys: 'p', hint: '--always-promote', steps: ['preflight'], match: (i) => i === 'p' },
  { id: 'raw', keys: 'o', hint: "repmgr's output", steps: ['preflight', 'done'], match: (i) => i === 'o' },
  { id: 'erase', keys: 'Backspace', hint: 'erase', steps: ['confirm'], match: (_i, k) => !!k.backspace || !!k.delete },
  { id: 'run', keys: 'Enter', hint: 'run the switchover', steps: ['confirm'], match: (_i, k) => !!k.return },
  { id: 'attach', keys: 'a', hint: 'set pgpool right (pcp_promote_node / pcp_attach_node)', steps: ['post', 'done'], match: (i) => i === 'a' },
  { id: 'barmanSwitchWal', keys: 'w', hint: 'barman switch-wal', steps: ['post', 'done'], match: (i) => i === 'w' },
  { id: 'finish', keys: 'Enter', hint: 'stop waiting, show the summary', steps: ['post'], match: (_i, k) => !!k.return },
  { id: 'abort', keys: 'Esc', hint: 'abort (nothing has been changed)', steps: ['choose', 'preflight', 'confirm'], match: (_i, k) => !!k.escape },
  { id: 'hide', keys: 'Esc', hint: 'hide (it keeps running; s shows it)', steps: ['running', 'post'], match: (_i, k) => !!k.escape },
  { id: 'close', keys: 'Esc/Enter', hint: 'close', steps: ['done'], match: (_i, k) => !!k.escape || !!k.return },
];

export function wizardCommandFor(step: WizardStep, input: string, key: KeyLike): WizardKey | undefined {
  return WIZARD_KEYS.find((c) => c.steps.includes(step) && c.match(input, key));
}

/** The hints of a step ("Enter confirm", …); `offered` filters the keys that only apply sometimes (a, w). */
export function wizardHintItems(step: WizardStep, offered: (id: WizardCommand) => boolean = () => true): string[] {
  return WIZARD_KEYS.filter((c) => c.steps.includes(step) && offered(c.id)).map((c) => `${c.keys} ${c.hint}`);
}
