// Backup chains (full → incremental → …) from any source's BackupInfo list. A restore of an
// incremental needs every ancestor DONE and every ancestor's WAL summarized, so a chain is
// `broken` when that does not hold, with the reason naming the backup a DBA must look at.
//
// Links: a backup's parentId; failing that, a parent that lists it in childrenIds (barman
// 3.11+ records a FAILED incremental in its parent's children but show-backup prints no
// parent for it). Roots: backups with no known parent, and orphans whose parent is not in the list.

import type { BackupChain, BackupInfo } from './backups.ts';

/** Statuses a restore can start from (barman prints these; a basebackup dir source likewise). */
const USABLE = new Set(['DONE']);

function byBegin(a: BackupInfo, b: BackupInfo): number {
  // ISO UTC strings sort as text; unknown begin times go last, ids (timestamps in barman) break ties
  const ka = a.beginTime ?? a.endTime ?? '\uffff';
  const kb = b.beginTime ?? b.endTime ?? '\uffff';
  return ka < kb ? -1 : ka > kb ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function buildChains(backups: BackupInfo[]): BackupChain[] {
  const byId = new Map(backups.map((b) => [b.id, b]));
  const parentOf = new Map<string, string>();
  for (const b of backups) if (b.parentId) parentOf.set(b.id, b.parentId);
  for (const p of backups) {
    for (const c of p.childrenIds) if (byId.has(c) && !parentOf.has(c)) parentOf.set(c, p.id);
  }
  // a corrupt catalog could link a backup to itself or in a loop; cut the link that closes it
  for (const b of backups) {
    const seen = new Set<string>([b.id]);
    let cur = parentOf.get(b.id);
    while (cur !== undefined && byId.has(cur)) {
      if (seen.has(cur)) {
        parentOf.delete(b.id);
        break;
      }
      seen.add(cur);
      cur = parentOf.get(cur);
    }
  }
  const children = new Map<string, BackupInfo[]>();
  const roots: BackupInfo[] = [];
  for (const b of backups) {
    const p = parentOf.get(b.id);
    if (p !== undefined && byId.has(p)) {
      const list = children.get(p) ?? [];
      list.push(b);
      children.set(p, list);
    } else {
      roots.push(b);
    }
  }
  for (const list of children.values()) list.sort(byBegin);

  const chains = roots.map((root): BackupChain => {
    const members: string[] = [];
    const reasons: string[] = [];
    const missing = parentOf.get(root.id);
    if (missing !== undefined) reasons.push(`${root.id} hangs on ${missing}, which is missing`);
    else if (root.type === 'incremental') reasons.push(`${root.id} is incremental but its parent is unknown`);
    const walk = (b: BackupInfo) => {
      members.push(b.id);
      const kids = children.get(b.id) ?? [];
      for (const k of kids) {
        if (!USABLE.has(b.status)) reasons.push(`${k.id} hangs on ${b.id}, which is ${b.status}`);
        else if (k.type === 'incremental' && b.summarizeWal === false) reasons.push(`${k.id} hangs on ${b.id}, taken with summarize_wal off`);
        walk(k);
      }
    };
    walk(root);
    return { rootId: root.id, members, broken: reasons.length > 0, reason: reasons.length > 0 ? reasons.join('; ') : null };
  });
  // newest root first
  const root = (c: BackupChain) => byId.get(c.rootId)!;
  return chains.sort((a, b) => byBegin(root(b), root(a)));
}

/** The newest DONE backup: what a restore would start from. */
export function newestUsable(backups: readonly BackupInfo[]): BackupInfo | null {
  const done = backups.filter((b) => b.status === 'DONE' && b.endTime && !Number.isNaN(Date.parse(b.endTime)));
  done.sort((a, b) => Date.parse(b.endTime!) - Date.parse(a.endTime!));
  return done[0] ?? null;
}
