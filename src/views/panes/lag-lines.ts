// Replication lag per standby: bytes and seconds side by side, a sparkline of each, and when the
// pane is tall enough a graph over time of the replay lag in bytes.
import asciichart from 'asciichart';
import type { Topology, TopoEntry } from '../../model/topology.ts';
import type { NodeState } from '../../model/types.ts';
import type { History } from '../../state/store.ts';
import { type Line, type PaneSize, type Tone, seg } from '../format/line.ts';
import { tableHeader, tableRow } from '../format/table.ts';
import { type Column, fitColumns, padEnd, padStart } from '../format/text.ts';
import { sparkline } from '../format/sparkline.ts';
import { formatBytes, formatSeconds } from '../format/units.ts';

export interface LagThresholds {
  lagBytesWarn: number;
  lagSecondsWarn: number;
}

function tone(bytes: number | null, seconds: number | null, t: LagThresholds): Tone | undefined {
  if ((bytes ?? 0) > t.lagBytesWarn || (seconds ?? 0) > t.lagSecondsWarn) return 'warn';
  return undefined;
}

// asciichart's output depends only on the series and the size, and measuring its box-drawing
// glyphs is the costliest thing a frame can do: one cached rendering per standby and version.
// Keyed by the store's history object, so two consoles in one process never share a chart.
const chartCaches = new WeakMap<History, Map<string, { key: string; lines: string[] }>>();

export function lagChart(history: History, name: string, width: number, height: number, ascii: boolean, version: number): string[] {
  let chartCache = chartCaches.get(history);
  if (!chartCache) chartCaches.set(history, (chartCache = new Map()));
  const key = `${version}:${width}:${height}:${ascii}`;
  const cached = chartCache.get(name);
  if (cached?.key === key) return cached.lines;
  const series = history.lagBytes.get(name)?.last() ?? [];
  const labelWidth = 11;
  const points = Math.max(2, width - labelWidth - 1);
  let data = series.slice(-points).map((v) => (Number.isFinite(v) ? v : 0));
  if (data.length < 2) data = [data[0] ?? 0, data[0] ?? 0];
  // A floor on the scale: a chart of 0..3 bytes would only draw noise.
  const max = Math.max(1024, ...data);
  let text = asciichart.plot(data, {
    height: Math.max(1, height - 1),
    min: 0,
    max,
    format: (x: number) => `${padStart(formatBytes(Math.round(x)), labelWidth - 2)} `,
  });
  if (ascii) text = text.replace(/[┼┤]/g, '+').replace(/─/g, '-').replace(/│/g, '|').replace(/[╭╮╰╯]/g, '+');
  const lines = text.split('\n').map((l) => padEnd(l, width));
  chartCache.set(name, { key, lines });
  return lines;
}

function worst(standbys: TopoEntry[]): TopoEntry {
  return standbys.reduce((a, b) => ((b.link?.replayLagBytes ?? -1) > (a.link?.replayLagBytes ?? -1) ? b : a));
}

export function lagLines(topo: Topology, history: History, version: number, thresholds: LagThresholds, size: PaneSize, nodes?: Record<string, NodeState>): Line[] {
  const standbys = topo.entries.filter((e) => e.role === 'standby');
  if (standbys.length === 0) {
    return [[seg(topo.entries.length === 0 ? 'no nodes' : 'no standby reports to a reachable upstream yet', 'dim')]];
  }
  const spark = Math.max(0, Math.floor((size.width - 38) / 2));
  const cols: Column[] = fitColumns(
    [
      { title: 'STANDBY', width: 16 },
      { title: 'REPLAY LAG', width: 10, align: 'right' as const },
      { title: 'TIME', width: 8, align: 'right' as const },
      { title: 'BYTES TREND', width: spark, drop: 2 },
      { title: 'TIME TREND', width: spark, drop: 1 },
    ].filter((c) => c.width > 0),
    size.width,
  );
  const lines: Line[] = [tableHeader(cols)];
  for (const e of standbys) {
    const bytes = e.link?.replayLagBytes ?? null;
    const secs = e.link?.replayLagSeconds ?? null;
    const t = tone(bytes, secs, thresholds);
    lines.push(tableRow(cols, {
      STANDBY: [e.name],
      'REPLAY LAG': [e.link ? formatBytes(bytes) : nodes?.[e.name]?.health.kind === 'down' ? 'down' : 'no link', t],
      TIME: [e.link ? (secs === null ? 'idle' : formatSeconds(secs)) : '-', t],
      'BYTES TREND': [sparkline(history.lagBytes.get(e.name)?.last(spark) ?? [], spark, size.ascii, 1024), 'accent'],
      'TIME TREND': [sparkline(history.lagSeconds.get(e.name)?.last(spark) ?? [], spark, size.ascii, 1), 'accent'],
    }));
  }
  // One graph per standby when there is room, else only the one lagging most: asciichart has no
  // legend, and uncoloured overlapping series cannot be told apart.
  const room = size.height - lines.length;
  if (room >= 5 && size.width >= 30) {
    const perChart = Math.floor(room / standbys.length);
    const shown = perChart >= 5 ? standbys : [worst(standbys)];
    const h = perChart >= 5 ? perChart : room;
    for (const e of shown) {
      const samples = history.lagBytes.get(e.name)?.length ?? 0;
      lines.push([seg(`${e.name}: replay lag in bytes, last ${samples} samples`, 'title')]);
      for (const l of lagChart(history, e.name, size.width, h - 1, size.ascii, version)) lines.push([seg(l, 'accent')]);
    }
  }
  return lines;
}
