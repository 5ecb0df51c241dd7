// Where each pane goes for a terminal size. Pure: the sum of heights never exceeds the rows we
// have, because a frame taller than the terminal makes Ink clear and repaint (a flash in tmux).
export const PANES = ['topology', 'alerts', 'pgpool', 'repmgr', 'lag', 'slots', 'wal', 'backups', 'timeline'] as const;
export type PaneId = (typeof PANES)[number];
/** Shown for every cluster; the others only when their layer is configured or seen. */
export const CORE_PANES: readonly PaneId[] = ['topology', 'lag', 'slots', 'wal'];

export const PANE_TITLES: Record<PaneId, string> = {
  topology: 'Topology',
  pgpool: 'pgpool-II',
  repmgr: 'repmgr',
  lag: 'Replication lag',
  slots: 'Replication slots',
  wal: 'WAL & archiving',
  backups: 'Backups',
  alerts: 'Alerts',
  timeline: 'Timeline',
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
export type Natural = Partial<Record<PaneId, number>>;

const BORDER = 2;
const FLEX: PaneId = 'lag';
/**
 * Who gets rows first when not every pane fits: who is primary matters most, then what is wrong
 * now, slots least; during a failover the timeline says what repmgrd did.
 */
const PRIORITY: readonly PaneId[] = ['topology', 'alerts', 'pgpool', 'lag', 'timeline', 'repmgr', 'backups', 'wal', 'slots'];
/** Below this many body rows four panes are four slivers: show the focused pane alone. */
export const MIN_ROWS_FOR_ALL = 4 * (BORDER + 1) + 2;

/** Panes in screen order, keeping only what `active` lists. */
export function orderPanes(active: readonly PaneId[]): PaneId[] {
  return PANES.filter((p) => active.includes(p));
}

/** Rows a pane needs to be useful: its content up to a screenful's worth, plus borders. */
const USEFUL_LINES = 8;

/**
 * Beyond the four core panes, drops the least important ones (never the focused one) until the
 * rest get what they need: at 80×24 an HA cluster shows topology, pgpool, lag and events rather
 * than six three-row slivers. Tab still reaches the dropped ones.
 */
function fitting(panes: PaneId[], rows: number, natural: Natural, focus: PaneId): PaneId[] {
  const keep = [...panes].sort((a, b) => PRIORITY.indexOf(a) - PRIORITY.indexOf(b));
  const demand = () => keep.reduce((a, p) => a + BORDER + Math.max(1, Math.min(natural[p] ?? 1, USEFUL_LINES)), 0);
  while (keep.length > 4 && demand() > rows) {
    const last = [...keep].reverse().find((p) => p !== focus)!;
    keep.splice(keep.indexOf(last), 1);
  }
  return panes.filter((p) => keep.includes(p));
}

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
    const grow = Math.min(left, Math.max(0, BORDER + Math.max(1, natural[p] ?? 1) - heights[i]!));
    heights[i]! += grow;
    left -= grow;
  }
  const flex = panes.indexOf(FLEX);
  heights[flex >= 0 ? flex : panes.length - 1]! += left;
  return heights;
}

export function computeLayout(
  cols: number,
  bodyRows: number,
  natural: Natural,
  zoomed: PaneId | null,
  focus: PaneId = 'topology',
  active: readonly PaneId[] = CORE_PANES,
): Layout {
  if (zoomed) return { columns: [[{ pane: zoomed, width: cols, height: bodyRows }]] };
  if (bodyRows < MIN_ROWS_FOR_ALL) return { columns: [[{ pane: focus, width: cols, height: bodyRows }]] };
  const shown = orderPanes(active);
  // Side by side only when each column still holds its tables' essential columns.
  if (cols >= 160 && bodyRows >= 16) {
    const leftWidth = Math.ceil(cols * 0.55);
    // The HA layers (topology, pgpool) and lag on the left; what is wrong, slots, WAL and what happened on the right.
    const left = fitting(shown.filter((p) => p === 'topology' || p === 'pgpool' || p === 'repmgr' || p === 'lag'), bodyRows, natural, focus);
    const right = fitting(shown.filter((p) => p === 'alerts' || p === 'slots' || p === 'wal' || p === 'backups' || p === 'timeline'), bodyRows, natural, focus);
    const lh = stack(left, natural, bodyRows);
    const rh = stack(right, natural, bodyRows);
    return {
      columns: [
        left.map((pane, i) => ({ pane, width: leftWidth, height: lh[i]! })),
        right.map((pane, i) => ({ pane, width: cols - leftWidth, height: rh[i]! })),
      ],
    };
  }
  const all = fitting(shown, bodyRows, natural, focus);
  const h = stack(all, natural, bodyRows);
  return { columns: [all.map((pane, i) => ({ pane, width: cols, height: h[i]! }))] };
}
