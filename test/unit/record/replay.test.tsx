// A recorded session replays to the same frames: the live console's frames (App rendered as the
// golden tests render it) at every store write, recorded through the real recorder, read back
// and moved through by the real replay controller — forward, backward, by jumps, one step at a
// time back from the end, from checkpoints or not — give the same frames. In replay mode the
// panes are the same and the header carries the cursor.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { renderToString } from 'ink';
import React from 'react';
import { storeInitFromCluster } from '../../../src/probes/scheduler.ts';
import { openReplay, MAX_PLAY_STEP_MS, type ReplayController, type ReplayOptions } from '../../../src/record/replay-controller.ts';
import { Recorder } from '../../../src/record/recorder.ts';
import { type AppState, type AppStore, createAppStore, type ProbeUpdate, type StoreInit } from '../../../src/state/store.ts';
import { App, type AppControls } from '../../../src/views/App.tsx';
import { FLASH_MS } from '../../../src/views/frame/compose.ts';
import { INTERVAL_MS, NOW, SCENARIOS, THRESHOLDS } from '../../helpers/states.ts';

process.env.TZ = 'UTC';
const dir = mkdtempSync(join(tmpdir(), 'pgtop-replay-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const controls: AppControls = { refreshNow() {}, requestAction() {}, quit() {} };
const SIZE = { columns: 120, rows: 40 };

interface Session {
  init: StoreInit;
  batches: Array<{ t: number; u: ProbeUpdate[] }>;
}

const at = (i: number) => NOW + i * INTERVAL_MS;
/** The nodes answering in `st`, their samples taken at tick i. */
const answering = (st: AppState, i: number): ProbeUpdate[] =>
  st.nodeOrder.filter((n) => st.nodes[n]!.health.kind === 'ok' && st.nodes[n]!.sample).map((name) => ({ name, sample: { ...st.nodes[name]!.sample!, takenAt: at(i) } }));

/** healthy17 → standbyDown (standby2 refuses connections, its walsender gone) → healthy17 again. */
function incident(): Session {
  const healthy = SCENARIOS.healthy17();
  const down = SCENARIOS.standbyDown().store.getState();
  const refused = (i: number): ProbeUpdate => {
    const h = down.nodes.standby2!.health;
    assert.equal(h.kind, 'down');
    return { name: 'standby2', health: { ...h, since: at(2), retryAt: at(i) + 2000 } as typeof h };
  };
  const ok = healthy.store.getState();
  return {
    init: storeInitFromCluster(healthy.cluster),
    batches: [
      { t: at(0), u: answering(ok, 0) },
      { t: at(1), u: answering(ok, 1) },
      { t: at(2), u: [...answering(down, 2), refused(2)] },
      { t: at(3), u: [...answering(down, 3), refused(3)] },
      { t: at(4), u: [...answering(down, 4), refused(4)] },
      { t: at(5), u: answering(ok, 5) },
      { t: at(6), u: answering(ok, 6) },
    ],
  };
}

/** The HA lab with every layer, pgsql3 going down and back, then pgpool2 lost. */
function haLab(): Session {
  const s = SCENARIOS.haLab();
  const st = s.store.getState();
  const layers: ProbeUpdate[] = [
    ...st.pgpoolOrder.map((name) => ({ layer: 'pgpool' as const, name, sample: st.pgpools[name]!.sample! })),
    ...Object.entries(st.repmgrCli).map(([name, result]) => ({ layer: 'repmgrCli' as const, name, result })),
    { layer: 'vip', state: st.vip! },
  ];
  const without = (i: number, name: string) => answering(st, i).filter((u) => !('name' in u) || u.name !== name);
  const down = (name: string, i: number): ProbeUpdate => ({ name, health: { kind: 'down', reason: 'connection refused', since: at(2), retryAt: at(i) + 2000 } });
  return {
    init: storeInitFromCluster(s.cluster),
    batches: [
      { t: at(0), u: [...answering(st, 0), ...layers] },
      { t: at(1), u: answering(st, 1) },
      { t: at(2), u: [...without(2, 'pgsql3'), down('pgsql3', 2)] },
      { t: at(3), u: [...without(3, 'pgsql3'), down('pgsql3', 3)] },
      { t: at(4), u: answering(st, 4) },
      { t: at(5), u: [{ layer: 'pgpool', name: 'pgpool2', health: { kind: 'down', reason: 'refuses new sessions', since: at(5), retryAt: null } }] },
      { t: at(6), u: answering(st, 6) },
    ],
  };
}

/** A frame as the live console draws it: App on the store, the clock at `now`. */
const liveFrame = (store: AppStore, now: number) =>
  renderToString(<App store={store} controls={controls} thresholds={THRESHOLDS} ascii={false} size={SIZE} now={() => now} />, { columns: SIZE.columns });

/** The same App given the replay: its header and footer are the replay's. */
const replayFrame = (r: ReplayController) =>
  renderToString(<App store={r.store} controls={controls} thresholds={THRESHOLDS} ascii={false} size={SIZE} now={r.now} replay={r} />, { columns: SIZE.columns });

/** Records the session through the real recorder while a live store draws each frame. */
function recordSession(s: Session, name: string): { file: string; frames: string[] } {
  const file = join(dir, `${name}.ndjson.gz`);
  // read-only like the replay's store, which refuses every action (the header says so in both)
  const live = createAppStore({ ...s.init, readOnly: true });
  const rec = new Recorder(file, { maxBytes: 64 * 1024 * 1024, header: { cluster: s.init.cluster, store_init: s.init }, now: () => NOW });
  const frames = s.batches.map((b) => {
    rec.write(b.u, b.t);
    live.getState().applyBatch(b.u, b.t);
    return liveFrame(live, b.t);
  });
  rec.close();
  return { file, frames };
}

const SESSIONS: Array<[string, () => Session, RegExp]> = [
  ['incident', incident, /NODE_DOWN +standby2/],
  ['haLab', haLab, /NODE_DOWN +pgsql3/],
];
/** Checkpoints and resume points at every second sample, or only at the start (rebuild from the beginning). */
const MODES: Array<[string, ReplayOptions]> = [['checkpoints every 2', { checkpointEvery: 2, resumeEvery: 2 }], ['from the start', { checkpointEvery: 1e9, resumeEvery: 1e9 }]];

for (const [name, make, downShown] of SESSIONS) {
  describe(`${name}: a recorded session replays to the same frames`, () => {
    const s = make();
    const { file, frames } = recordSession(s, name);
    const last = s.batches.length - 1;

    test('the live frames differ along the way (the comparison can fail)', () => {
      assert.ok(frames.some((f) => downShown.test(f)), 'a node down in one');
      assert.ok(!downShown.test(frames[0]!) && !downShown.test(frames[last]!), 'not at the start or the end');
    });

    for (const [mode, opts] of MODES) {
      test(`${mode}: forward, backward, jumps, and step by step back from the end`, () => {
        const r = openReplay(file, opts);
        const expect = (i: number, why: string) => {
          assert.equal(r.position().index, i, why);
          assert.equal(r.now(), s.batches[i]!.t, why);
          assert.equal(liveFrame(r.store, r.now()), frames[i], `${why}: frame ${i}`);
        };
        expect(0, 'opened');
        for (let i = 1; i <= last; i++) {
          r.step(1);
          expect(i, 'forward');
        }
        for (let i = last - 1; i >= 0; i--) {
          r.step(-1);
          expect(i, 'back');
        }
        for (const i of [5, 2, 6, 0, 3, 3, 1, 4]) {
          r.seek(i);
          expect(i, `seek ${i}`);
        }
        r.dispose();
      });
    }

    test('in replay mode the panes are the live ones; the header says REPLAY, when, and where', () => {
      const r = openReplay(file);
      r.seek(3);
      const live = frames[3]!.split('\n');
      const shown = replayFrame(r).split('\n');
      assert.deepEqual(shown.slice(1, -1), live.slice(1, -1), 'the same panes');
      assert.match(shown[0]!, new RegExp(`REPLAY 2026-11-22 12:00:06 · 4/${s.batches.length} paused`));
      assert.match(shown.at(-1)!, /←\/→ step/);
      r.dispose();
    });
  });
}

describe('moving through a replay', () => {
  const s = haLab();
  const { file } = recordSession(s, 'moves');

  test('[ and ] stop where the open alerts change: pgsql3 down, back, pgpool2 lost', () => {
    const r = openReplay(file);
    assert.deepEqual(r.alertChanges, [2, 4, 5]);
    assert.ok(r.jumpAlertChange(1));
    assert.equal(r.position().index, 2);
    assert.ok(r.jumpAlertChange(1));
    assert.equal(r.position().index, 4);
    assert.ok(r.jumpAlertChange(-1));
    assert.equal(r.position().index, 2);
    assert.equal(r.jumpAlertChange(-1), false, 'nothing earlier');
  });

  test('alerts carry the recorded time, not the replay\'s', () => {
    const r = openReplay(file);
    r.seek(3);
    const a = r.store.getState().alerts.find((x) => x.code === 'NODE_DOWN')!;
    assert.equal(a.since, s.batches[2]!.t);
  });

  test('an acknowledgement is stamped with the cursor and survives going back and forth', () => {
    const r = openReplay(file, { checkpointEvery: 2 });
    r.seek(3);
    const key = r.store.getState().alerts.find((x) => x.code === 'NODE_DOWN')!.key;
    r.store.getState().acknowledgeAlert(key, r.now());
    assert.equal(r.store.getState().observed.at(-1)!.at, s.batches[3]!.t);
    r.seek(0);
    r.seek(2);
    assert.equal(r.store.getState().alerts.find((x) => x.key === key)!.acked, true);
  });

  test('play steps at the recorded spacing (capped) and stops at the end', () => {
    const waits: number[] = [];
    let fire: (() => void) | null = null;
    const timers = { set: ((fn: () => void, ms: number) => { waits.push(ms); fire = fn; return 1; }) as unknown as typeof setTimeout, clear: (() => undefined) as typeof clearTimeout };
    const r = openReplay(file, { timers });
    r.seek(s.batches.length - 3);
    r.togglePlay();
    assert.equal(r.position().playing, true);
    while (fire) {
      const f: () => void = fire;
      fire = null;
      f();
    }
    assert.deepEqual(waits, [INTERVAL_MS, INTERVAL_MS]);
    assert.equal(r.position().index, s.batches.length - 1);
    assert.equal(r.position().playing, false, 'stops at the last sample');
    assert.ok(MAX_PLAY_STEP_MS >= INTERVAL_MS);
  });

  test('a flash answers the viewer: it lasts its time on the wall clock, not the recording\'s', () => {
    const r = openReplay(file);
    r.store.getState().setFlash('replay: nothing runs against a cluster here', 'warn');
    assert.match(replayFrame(r), /nothing runs against a cluster here/);
    r.store.setState({ flash: { text: 'an old one', tone: 'info', at: Date.now() - FLASH_MS - 1 } });
    assert.doesNotMatch(replayFrame(r), /an old one/);
  });
});

describe('a long recording: thinned checkpoints give the states a straight run gives', () => {
  test('seeks anywhere among 1200 samples match applying them in order', () => {
    const s = haLab();
    const file = join(dir, 'long.ndjson.gz');
    const rec = new Recorder(file, { maxBytes: 1e9, header: { cluster: s.init.cluster, store_init: s.init } });
    const straight = createAppStore(s.init);
    const want = new Map<number, string>();
    const probe = [0, 1, 7, 255, 256, 600, 601, 1024, 1199];
    const state = (st: AppState) => JSON.stringify({ nodes: st.nodes, pgpools: st.pgpools, alerts: st.alerts, observed: st.observed, last: st.lastRefreshAt, lag: [...st.history.lagBytes].map(([k, r]) => [k, r.last()]) });
    for (let i = 0; i < 1200; i++) {
      // the session's pattern over and over, on an advancing clock
      const b = s.batches[i % s.batches.length]!;
      const t = NOW + i * INTERVAL_MS;
      const u = b.u.map((x) => ('sample' in x && !('layer' in x) ? { ...x, sample: { ...x.sample, takenAt: t } } : x));
      rec.write(u, t);
      straight.getState().applyBatch(u, t);
      if (probe.includes(i)) want.set(i, state(straight.getState()));
    }
    rec.close();
    const r = openReplay(file, { checkpointEvery: 1, resumeEvery: 1 });
    for (const i of [1199, 0, 600, 7, 1024, 256, 255, 601, 1]) {
      r.seek(i);
      assert.equal(state(r.store.getState()), want.get(i), `seek ${i}`);
    }
  });
});
