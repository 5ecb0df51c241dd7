// `pgtop-ha replay`: a time cursor over a recording. The store the views read is what applying
// the recorded batches up to the cursor with their recorded times gives, so alerts' first-seen
// times, the timeline and the lag history are what the live console had at that moment.
// Moving: forward applies the batches in between; backward (or far forward) restores the nearest
// checkpoint taken while the file was first read and applies from there; the states of the last
// block rebuilt are kept, so stepping back one sample at a time is immediate after the first.
import type { Ring } from '../state/ring.ts';
import { type AppState, type AppStore, createAppStore, type History } from '../state/store.ts';
import type { ReplayPosition } from '../views/frame/header.ts';
import type { RecordedBatch, RecordHeader } from './format.ts';
import { type ReadOptions, readRecording, type Recording } from './reader.ts';

/** Longest wait between two samples while playing: a recording may hold hours of gap between sessions. */
export const MAX_PLAY_STEP_MS = 5000;
/** Checkpoints kept at most; past it every other one goes (memory: one store state each). */
const MAX_CHECKPOINTS = 512;
/** What the viewer changes rather than the recording: kept across moves of the cursor. */
const VIEWER_FIELDS = new Set<string>(['flash', 'alertCursor', 'job', 'switchover', 'paused', 'readOnly', 'intervalMs']);

export interface ReplayController {
  readonly store: AppStore;
  readonly recording: Pick<Recording, 'header' | 'files' | 'times'>;
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

export interface ReplayOptions extends Pick<ReadOptions, 'onProgress' | 'resumeEvery'> {
  timers?: { set: typeof setTimeout; clear: typeof clearTimeout };
  /** Samples between store checkpoints at first (doubled as the recording grows; tests make it small). */
  checkpointEvery?: number;
}

type Snapshot = Partial<AppState>;

const alertSet = (s: AppState) => s.alerts.map((a) => a.key).sort().join('\n');

function cloneHistory(h: History): History {
  const copy = (m: Map<string, Ring>) => new Map([...m].map(([k, r]) => [k, r.clone()]));
  return { lagBytes: copy(h.lagBytes), lagSeconds: copy(h.lagSeconds), walRate: copy(h.walRate) };
}

/** The recording's part of the store (not the viewer's, not the actions), with history copied. */
function snapshot(store: AppStore): Snapshot {
  const s = store.getState();
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) if (typeof v !== 'function' && !VIEWER_FIELDS.has(k)) out[k] = v;
  return { ...(out as Snapshot), history: cloneHistory(s.history) };
}

const storeFor = (h: RecordHeader) => createAppStore({ ...h.store_init, readOnly: true });

export function openReplay(file: string, opts: ReplayOptions = {}): ReplayController {
  const timers = opts.timers ?? { set: setTimeout, clear: clearTimeout };
  let every = opts.checkpointEvery ?? 256;
  const checkpoints: Array<{ index: number; snap: Snapshot }> = [];
  const alertChanges: number[] = [];
  let scratch: AppStore | null = null;
  let prevAlerts = '';

  // One pass: check every line, note where the alerts change, take checkpoints.
  const rec = readRecording(file, {
    onProgress: opts.onProgress,
    resumeEvery: opts.resumeEvery,
    onBatch(b, i, header) {
      scratch ??= storeFor(header);
      if (i % every === 0) {
        checkpoints.push({ index: i, snap: snapshot(scratch) });
        if (checkpoints.length > MAX_CHECKPOINTS) {
          every *= 2;
          checkpoints.splice(0, checkpoints.length, ...checkpoints.filter((c) => c.index % every === 0));
        }
      }
      scratch.getState().applyBatch(b.u, b.t);
      const now = alertSet(scratch.getState());
      if (now !== prevAlerts) alertChanges.push(i);
      prevAlerts = now;
    },
  });
  scratch = null;

  const store = storeFor(rec.header);
  const total = rec.times.length;
  if (checkpoints.length === 0) checkpoints.push({ index: 0, snap: snapshot(store) });
  let cursor = -1;
  let playing = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  /** States after each sample of the block last rebuilt (index → state). */
  let recent = new Map<number, Snapshot>();
  const listeners = new Set<() => void>();
  let pos: ReplayPosition = { at: null, index: 0, total, playing };
  const notify = () => {
    pos = { at: cursor >= 0 ? rec.times[cursor]! : null, index: Math.max(0, cursor), total, playing };
    for (const l of listeners) l();
  };

  const checkpointBefore = (index: number) => {
    let c = checkpoints[0]!;
    for (const x of checkpoints) if (x.index <= index) c = x;
    return c;
  };

  // An acknowledgement is the viewer's, not the recording's: it survives a rebuild of the store.
  const ackId = (a: { key: string; since: number }) => `${a.key}@${a.since}`;
  const acked = new Set<string>();

  function restore(snap: Snapshot): void {
    for (const a of store.getState().alerts) if (a.acked) acked.add(ackId(a));
    store.setState({ ...snap, history: cloneHistory(snap.history!) });
  }

  /** Where reading the file stopped last: stepping or playing forward reads on from there. */
  let ahead: { index: number; it: Generator<RecordedBatch> } | null = null;

  /** Applies samples first..last (inclusive) onto the store as it is. */
  function apply(first: number, last: number, keep?: Map<number, Snapshot>): void {
    if (first > last) return;
    const it = ahead?.index === first ? ahead.it : rec.from(first);
    let i = first;
    while (i <= last) {
      const next = it.next();
      if (next.done) break;
      store.getState().applyBatch(next.value.u, next.value.t);
      keep?.set(i, snapshot(store));
      i++;
    }
    ahead = { index: i, it };
  }

  function seek(index: number): void {
    const target = Math.max(0, Math.min(total - 1, index));
    if (total === 0 || target === cursor) return;
    const cp = checkpointBefore(target);
    if (target > cursor && cp.index <= cursor + 1) {
      apply(cursor + 1, target);
    } else if (recent.has(target)) {
      restore(recent.get(target)!);
    } else {
      restore(cp.snap);
      recent = new Map();
      apply(cp.index, target, target < cursor && target - cp.index < 4096 ? recent : undefined);
    }
    cursor = target;
    if (acked.size && store.getState().alerts.some((a) => !a.acked && acked.has(ackId(a)))) {
      store.setState({ alerts: store.getState().alerts.map((a) => (acked.has(ackId(a)) ? { ...a, acked: true } : a)) });
    }
    notify();
  }

  function schedule(): void {
    if (!playing) return;
    if (cursor >= total - 1) {
      playing = false;
      notify();
      return;
    }
    const wait = Math.min(MAX_PLAY_STEP_MS, Math.max(0, rec.times[cursor + 1]! - rec.times[cursor]!));
    timer = timers.set(() => {
      timer = null;
      seek(cursor + 1);
      schedule();
    }, wait);
  }

  const ctl: ReplayController = {
    store,
    recording: rec,
    alertChanges,
    position: () => pos,
    now: () => (cursor >= 0 ? rec.times[cursor]! : rec.header.started),
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
