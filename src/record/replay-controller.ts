// `pgtop-ha replay`: a time cursor over a recording. The store the views read is rebuilt by
// applying the recorded batches up to the cursor with their recorded times, so alerts' first-seen
// times, the timeline and the lag history are what the live console had at that moment.
import { type AppStore, createAppStore } from '../state/store.ts';
import type { ReplayPosition } from '../views/frame/header.ts';
import type { Recording } from './reader.ts';

/** Longest wait between two samples while playing: a recording may hold hours of gap between sessions. */
export const MAX_PLAY_STEP_MS = 5000;

export interface ReplayController {
  readonly store: AppStore;
  position(): ReplayPosition;
  /** The cursor's time: what "now" is for every age the views show. */
  now(): number;
  seek(index: number): void;
  step(delta: number): void;
  /** To the previous (-1) or next (+1) sample where the set of open alerts changed. */
  jumpAlertChange(dir: -1 | 1): boolean;
  togglePlay(): void;
  subscribe(listener: () => void): () => void;
  dispose(): void;
  /** Indexes where the open alerts changed (for tests and the status line). */
  readonly alertChanges: readonly number[];
}

const alertSet = (store: AppStore) => store.getState().alerts.map((a) => a.key).sort().join('\n');

/** The store's data fields (not its actions) as a fresh store has them. */
function freshData(rec: Recording) {
  return Object.fromEntries(Object.entries(createAppStore({ ...rec.header.store_init, readOnly: true }).getState()).filter(([, v]) => typeof v !== 'function'));
}

export function createReplay(rec: Recording, opts: { timers?: { set: typeof setTimeout; clear: typeof clearTimeout } } = {}): ReplayController {
  const timers = opts.timers ?? { set: setTimeout, clear: clearTimeout };
  const store = createAppStore({ ...rec.header.store_init, readOnly: true });
  const total = rec.batches.length;
  let cursor = -1;
  let playing = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const listeners = new Set<() => void>();
  const notify = () => {
    pos = { at: cursor >= 0 ? rec.batches[cursor]!.t : null, index: Math.max(0, cursor), total, playing };
    for (const l of listeners) l();
  };
  let pos: ReplayPosition = { at: null, index: 0, total, playing };

  // One pass up front to find where the alerts change, on a scratch store.
  const alertChanges: number[] = [];
  {
    const scratch = createAppStore({ ...rec.header.store_init, readOnly: true });
    let prev = '';
    rec.batches.forEach((b, i) => {
      scratch.getState().applyBatch(b.u, b.t);
      const now = alertSet(scratch);
      if (now !== prev) alertChanges.push(i);
      prev = now;
    });
  }

  function seek(index: number): void {
    const target = Math.max(0, Math.min(total - 1, index));
    if (total === 0 || target === cursor) return;
    if (target < cursor) {
      // Backwards: the history rings only grow, so start over (a full pass is what opening costs).
      store.setState(freshData(rec));
      cursor = -1;
    }
    for (let i = cursor + 1; i <= target; i++) store.getState().applyBatch(rec.batches[i]!.u, rec.batches[i]!.t);
    cursor = target;
    notify();
  }

  function schedule(): void {
    if (!playing) return;
    if (cursor >= total - 1) {
      playing = false;
      notify();
      return;
    }
    const wait = Math.min(MAX_PLAY_STEP_MS, Math.max(0, rec.batches[cursor + 1]!.t - rec.batches[cursor]!.t));
    timer = timers.set(() => {
      timer = null;
      seek(cursor + 1);
      schedule();
    }, wait);
  }

  const ctl: ReplayController = {
    store,
    alertChanges,
    position: () => pos,
    now: () => (cursor >= 0 ? rec.batches[cursor]!.t : rec.header.started),
    seek,
    step: (delta) => seek(cursor + delta),
    jumpAlertChange(dir) {
      const next = dir > 0 ? alertChanges.find((i) => i > cursor) : [...alertChanges].reverse().find((i) => i < cursor);
      if (next === undefined) return false;
      seek(next);
      return true;
    },
    togglePlay() {
      playing = !playing;
      if (timer) timers.clear(timer);
      timer = null;
      notify();
      schedule();
    },
    subscribe(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    dispose() {
      playing = false;
      if (timer) timers.clear(timer);
      listeners.clear();
    },
  };
  seek(0);
  return ctl;
}
