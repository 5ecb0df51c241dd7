import type { Flash } from '../../state/store.ts';
import { fitLine } from '../format/clip.ts';
import { type Line, seg } from '../format/line.ts';
import { footerText, type KeyMode } from '../keymap.ts';
import { clock } from '../format/units.ts';

const FLASH_TONE = { info: undefined, ok: 'ok', warn: 'warn', error: 'bad' } as const;

export function footerLine(flash: Flash | null, readOnly: boolean, width: number, ascii = false, mode: KeyMode = 'live'): Line {
  if (flash) {
    return fitLine([seg(`${clock(flash.at)} `, 'dim'), seg(flash.text, FLASH_TONE[flash.tone], flash.tone === 'error'), seg('  ? help', 'dim')], width, ascii);
  }
  return fitLine([seg(footerText(readOnly, width, mode), 'dim')], width, ascii);
}

