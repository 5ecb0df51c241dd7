// Replication slots on every node: which hold WAL back, how much, and whether they are in danger.
import type { NodeState, SlotRow } from '../../model/types.ts';
import { type Line, type PaneSize, type Tone, seg } from '../format/line.ts';
import { type Cell, tableHeader, tableRow } from '../format/table.ts';
import { type Column, fitColumns, padEnd } from '../format/text.ts';
import { formatAge, formatBytes } from '../format/units.ts';

const COLUMNS: Column[] = [
  { title: 'NODE', width: 12 },
  { title: 'SLOT', width: 18 },
  { title: 'TYPE', width: 8, drop: 1 },
  { title: 'ACTIVE', width: 6 },
  { title: 'WAL', width: 10 },
  { title: 'RETAINED', width: 10, align: 'right' },
  { title: 'SAFE SIZE', width: 10, align: 'right', drop: 2 },
  { title: 'INACTIVE SINCE', width: 14, drop: 3 },
  { title: 'INVALIDATED', width: 14, drop: 4 },
];

function walTone(slot: SlotRow): Tone | undefined {
  if (slot.invalidationReason || slot.walStatus === 'lost') return 'bad';
  if (slot.walStatus === 'unreserved' || slot.walStatus === 'extended') return 'warn';
  return undefined;
}

export function slotsLines(order: string[], nodes: Record<string, NodeState>, size: PaneSize, now: number): Line[] {
  // INVALIDATED is empty on a healthy cluster: it takes room only when a slot has a reason.
  const anyInvalid = order.some((n) => nodes[n]!.sample?.slots.some((s) => s.invalidationReason));
  const cols = fitColumns(anyInvalid ? COLUMNS : COLUMNS.filter((c) => c.title !== 'INVALIDATED'), size.width);
  const lines: Line[] = [tableHeader(cols)];
  let any = false;
  for (const name of order) {
    const s = nodes[name]!.sample;
    if (!s) continue;
    for (const slot of s.slots) {
      any = true;
      const values: Record<string, Cell> = {
        NODE: [name],
        SLOT: [slot.slotName, slot.temporary ? 'dim' : undefined],
        TYPE: [slot.slotType + (slot.synced ? '*' : '')],
        // A slot synced from the primary (17+) is never active on the standby, by design.
        ACTIVE: slot.active ? ['yes', 'ok'] : slot.synced ? ['synced', 'dim'] : ['no', 'warn'],
        WAL: [slot.walStatus ?? '-', walTone(slot)],
        RETAINED: [formatBytes(slot.retainedBytes), !slot.active && (slot.retainedBytes ?? 0) > 1024 ** 3 ? 'bad' : undefined],
        'SAFE SIZE': [slot.safeWalSize === null ? 'unlimited' : formatBytes(slot.safeWalSize)],
        'INACTIVE SINCE': [slot.synced ? '' : slot.inactiveSince ? formatAge(slot.inactiveSince, now) : slot.active ? '' : s.serverVersionNum < 170000 ? '(17+)' : '-'],
        INVALIDATED: [slot.invalidationReason ?? '', 'bad'],
      };
      lines.push(tableRow(cols, values));
    }
  }
  if (!any) lines.push([seg(padEnd('no replication slots on any reachable node', size.width), 'dim')]);
  return lines;
}
