import { Text } from 'ink';
import React, { useEffect, useState } from 'react';
import { useStore } from 'zustand';
import type { AppStore } from '../../state/store.ts';
import { fitLine } from '../format/clip.ts';
import { type Line, seg } from '../format/line.ts';
import { clock, formatSeconds } from '../format/units.ts';
import { StyledLine } from './StyledLine.tsx';

export function headerLine(s: {
  cluster: string; paused: boolean; readOnly: boolean; intervalMs: number; lastRefreshAt: number | null;
  up: number; total: number; primaries: string[]; answered: boolean;
}, now: number, width: number, ascii = false): Line {
  const stale = s.lastRefreshAt !== null && now - s.lastRefreshAt > 2 * s.intervalMs + 1000;
  const line: Line = [
    seg('pgtop-ha', 'accent', true),
    seg(` ${s.cluster} `, undefined, true),
    seg(`${s.up}/${s.total} up`, s.up < s.total ? 'bad' : 'ok'),
    seg(' primary '),
    s.primaries.length === 1
      ? seg(s.primaries[0]!, 'accent')
      : !s.answered
        ? seg('?', 'dim')
        : seg(s.primaries.length === 0 ? 'NONE' : s.primaries.join('+'), 'bad', true),
    seg(' · refreshed '),
    s.lastRefreshAt === null
      ? seg('never', 'dim')
      : seg(stale ? `${formatSeconds((now - s.lastRefreshAt) / 1000)} ago` : clock(s.lastRefreshAt), stale ? 'bad' : undefined),
    seg(` · every ${formatSeconds(s.intervalMs / 1000)}`),
  ];
  if (s.paused) line.push(seg(' PAUSED', 'warn', true));
  if (s.readOnly) line.push(seg(' READ-ONLY', 'dim', true));
  return fitLine(line, width, ascii);
}

/** Subscribes to header fields only; re-renders on a clock only while the data is stale. */
export function Header({ store, width, ascii = false, now: clockNow = Date.now }: { store: AppStore; width: number; ascii?: boolean; now?: () => number }) {
  const cluster = useStore(store, (s) => s.cluster);
  const paused = useStore(store, (s) => s.paused);
  const readOnly = useStore(store, (s) => s.readOnly);
  const intervalMs = useStore(store, (s) => s.intervalMs);
  const lastRefreshAt = useStore(store, (s) => s.lastRefreshAt);
  const nodes = useStore(store, (s) => s.nodes);
  const [now, setNow] = useState(clockNow);
  const list = Object.values(nodes);
  const up = list.filter((n) => n.health.kind === 'ok').length;
  const answered = list.some((n) => n.health.kind !== 'connecting');
  const primaries = list.filter((n) => n.health.kind === 'ok' && n.sample?.role === 'primary').map((n) => n.name);
  useEffect(() => {
    setNow(clockNow());
    const id = setInterval(() => {
      const t = clockNow();
      if (lastRefreshAt === null || t - lastRefreshAt > 2 * intervalMs + 1000) setNow(t);
    }, 1000);
    return () => clearInterval(id);
  }, [lastRefreshAt, intervalMs]);
  return <StyledLine line={headerLine({ cluster, paused, readOnly, intervalMs, lastRefreshAt, up, total: list.length, primaries, answered }, now, width, ascii)} />;
}
