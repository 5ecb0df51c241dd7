// Where each pane goes for a terminal size. Pure: the sum of heights never exceeds the rows we
// have, because a frame taller than the terminal makes Ink clear and repaint (a flash in tmux).
export const PANES = ['topology', 'lag', 'slots', 'wal'] as const;
export type PaneId = (typeof PANES)[number];

export const PANE_TITLES: Record<PaneId, string> = {
  topology: 'Topology',
  lag: 'Replication lag',
  slots: 'Replication slots',
  wal: 'WAL & archiving',
};

export interface Rect {
  pane: PaneId;
  width: number;
  height: number;
}

export interface Layout {
  columns: Rect[][];
}

/** Content lines each pane would like (without borders); `lag` also takes any spare rows. */
export type Natural = Record<PaneId, number>;

const BORDER = 2;
const FLEX: PaneId = 'lag';
/** Who gets rows first when not every pane fits: who is primary matters most, slots least. */
const PRIORITY: readonly PaneId[] = ['topology', 'lag', 'wal', 'slots'];
/** Below this many body rows four panes are four slivers: show the focused pane alone. */
export const MIN_ROWS_FOR_ALL = 4 * (BORDER + 1) + 2;

/** Splits `total` rows among panes stacked in one column. */
export function stack(panes: PaneId[], natural: Natural, total: number): number[] {
  const min = panes.map(() => BORDER + 1);
  if (min.reduce((a, b) => a + b, 0) > total) {
    // Not even one line each: show as many panes as fit, the last shown one takes the rest.
    const fit = Math.floor(total / (BORDER + 1));
    const heights = panes.map((_, i) => (i < fit ? BORDER + 1 : 0));
    if (fit > 0) heights[fit - 1]! += total - fit * (BORDER + 1);
    return heights;
  }
  const heights = [...min];
  let left = total - heights.reduce((a, b) => a + b, 0);
  // Each pane in priority order grows to what it asks for, so the topology is never cut to
  // make room for a slot list.
  const order = [...panes].sort((a, b) => PRIORITY.indexOf(a) - PRIORITY.indexOf(b));
  for (const p of order) {
    const i = panes.indexOf(p);
    const grow = Math.min(left, Math.max(0, BORDER + Math.max(1, natural[p]) - heights[i]!));
    heights[i]! += grow;
    left -= grow;
  }
  const flex = panes.indexOf(FLEX);
  heights[flex >= 0 ? flex : panes.length - 1]! += left;
  return heights;
}

export function computeLayout(cols: number, bodyRows: number, natural: Natural, zoomed: PaneId | null, focus: PaneId = 'topology'): Layout {
  if (zoomed) return { columns: [[{ pane: zoomed, width: cols, height: bodyRows }]] };
  if (bodyRows < MIN_ROWS_FOR_ALL) return { columns: [[{ pane: focus, width: cols, height: bodyRows }]] };
  // Side by side only when each column still holds its tables' essential columns.
  if (cols >= 160 && bodyRows >= 16) {
    const leftWidth = Math.ceil(cols * 0.55);
    const left: PaneId[] = ['topology', 'lag'];
    const right: PaneId[] = ['slots', 'wal'];
    const lh = stack(left, natural, bodyRows);
    const rh = stack(right, natural, bodyRows);
    return {
      columns: [
        left.map((pane, i) => ({ pane, width: leftWidth, height: lh[i]! })),
        right.map((pane, i) => ({ pane, width: cols - leftWidth, height: rh[i]! })),
      ],
    };
  }
  const all = [...PANES];
  const h = stack(all, natural, bodyRows);
  return { columns: [all.map((pane, i) => ({ pane, width: cols, height: h[i]! }))] };
}
