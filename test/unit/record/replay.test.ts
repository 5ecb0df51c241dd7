// Record and replay: a session written through the real recorder and read back replays to the
// same frames the live console drew; the file survives a killed recorder, rotates at its bound,
// and a damaged line is named.
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { parseSize } from '../../../src/record/format.ts';
import { readRecording } from '../../../src/record/reader.ts';
import { Recorder } from '../../../src/record/recorder.ts';
import { createReplay, MAX_PLAY_STEP_MS } from '../../../src/record/replay-controller.ts';
import { type AppStore, createAppStore, type ProbeUpdate, type StoreInit } from '../../../src/state/store.ts';
import { composeFrame } from '../../../src/views/frame/compose.ts';
import { lineText } from '../../../src/views/format/line.ts';
import { buildPaneData } from '../../../src/views/panes/pane-data.ts';
import { NOW, SCENARIOS, THRESHOLDS } from '../../helpers/states.ts';

process.env.TZ = 'UTC';
const dir = mkdtempSync(join(tmpdir(), 'pgtop-rec-'));

/** The HA lab as the probes deliver it: every layer, then pgsql3 going down, coming back, pgpool2 lost. */
function session(): { init: StoreInit; batches: Array<{ t: number; u: ProbeUpdate[] }> } {
  const st = SCENARIOS.haLab().store.getState();
  const init: StoreInit = {
    cluster: st.cluster, intervalMs: st.intervalMs,
    nodes: st.nodeOrder.map((n) => ({ name: n, target: st.nodes[n]!.target, endpoint: st.nodes[n]!.endpoint })),
    pgpools: st.pgpoolOrder.map((p) => ({ name: p, target: st.pgpools[p]!.target })),
    backupOrder: st.backupOrder, alertThresholds: st.alertThresholds,
  };
  const samples = (dt: number, except?: string): ProbeUpdate[] => st.nodeOrder.filter((n) => n !== except).map((name) => ({ name, sample: { ...st.nodes[name]!.sample!, takenAt: NOW + dt } }));
  const layers: ProbeUpdate[] = [
    ...st.pgpoolOrder.map((name) => ({ layer: 'pgpool' as const, name, sample: st.pgpools[name]!.sample! })),
    ...Object.entries(st.repmgrCli).map(([name, result]) => ({ layer: 'repmgrCli' as const, name, result })),
    { layer: 'vip', state: st.vip! },
  ];
  const down = (name: string, t: number): ProbeUpdate => ({ name, health: { kind: 'down', reason: 'connection refused', since: NOW + t, retryAt: NOW + t + 2000 } });
  const batches: Array<{ t: number; u: ProbeUpdate[] }> = [
    { t: NOW, u: [...samples(0), ...layers] },
    { t: NOW + 2000, u: samples(2000) },
    { t: NOW + 4000, u: [...samples(4000, 'pgsql3'), down('pgsql3', 4000)] },
    { t: NOW + 6000, u: [...samples(6000, 'pgsql3'), down('pgsql3', 6000)] },
    { t: NOW + 8000, u: samples(8000) },
    { t: NOW + 10000, u: [{ layer: 'pgpool', name: 'pgpool2', health: { kind: 'down', reason: 'refuses new sessions', since: NOW + 10000, retryAt: null } }] },
    { t: NOW + 12000, u: samples(12000) },
  ];
  return { init, batches };
}

function frame(store: AppStore, now: number): string {
  const s = store.getState();
  return composeFrame({
    columns: 120, rows: 40, data: buildPaneData(s, THRESHOLDS, now), focus: 'topology', zoomed: null, help: false, dialog: null, ascii: false, now,
    status: { cluster: s.cluster, paused: false, readOnly: false, intervalMs: s.intervalMs, lastRefreshAt: s.lastRefreshAt, flash: null },
  }).map(lineText).join('\n');
}

function record(file: string, maxBytes = 64 * 1024 * 1024) {
  const { init, batches } = session();
  const live = createAppStore(init);
  const rec = new Recorder(file, { maxBytes, header: { cluster: init.cluster, store_init: init }, now: () => NOW });
  const frames: string[] = [];
  for (const b of batches) {
    rec.write(b.u, b.t);
    live.getState().applyBatch(b.u, b.t);
    frames.push(frame(live, b.t));
  }
  rec.close();
  return { frames, batches };
}

describe('a recorded session replays to the same frames', () => {
  const file = join(dir, 'session.ndjson.gz');
  const { frames, batches } = record(file);
  const replay = createReplay(readRecording(file));

  test('forward, one sample at a time', () => {
    assert.equal(replay.position().total, batches.length);
    for (let i = 0; i < batches.length; i++) {
      replay.seek(i);
      assert.equal(replay.now(), batches[i]!.t);
      assert.equal(frame(replay.store, replay.now()), frames[i], `frame ${i}`);
    }
    assert.match(frames[3]!, /NODE_DOWN/, 'the frames are not trivially equal: pgsql3 is down in one');
  });

  test('backwards and jumps land on the same frames', () => {
    for (const i of [5, 2, 6, 0, 3]) {
      replay.seek(i);
      assert.equal(frame(replay.store, replay.now()), frames[i], `seek ${i}`);
    }
  });

  test('[ and ] stop where the open alerts change: pgsql3 down, back, pgpool2 lost', () => {
    assert.deepEqual(replay.alertChanges, [2, 4, 5]);
    replay.seek(0);
    assert.ok(replay.jumpAlertChange(1));
    assert.equal(replay.position().index, 2);
    assert.ok(replay.jumpAlertChange(1));
    assert.equal(replay.position().index, 4);
    assert.ok(replay.jumpAlertChange(-1));
    assert.equal(replay.position().index, 2);
    assert.equal(replay.jumpAlertChange(-1), false, 'nothing earlier');
  });

  test('alerts carry the recorded time, not the replay\'s', () => {
    replay.seek(3);
    const a = replay.store.getState().alerts.find((x) => x.code === 'NODE_DOWN')!;
    assert.equal(a.since, batches[2]!.t);
  });

  test('play steps at the recorded spacing (capped) and stops at the end', () => {
    const waits: number[] = [];
    let fire: (() => void) | null = null;
    const timers = { set: ((fn: () => void, ms: number) => { waits.push(ms); fire = fn; return 1; }) as unknown as typeof setTimeout, clear: (() => undefined) as typeof clearTimeout };
    const r = createReplay(readRecording(file), { timers });
    r.seek(batches.length - 3);
    r.togglePlay();
    assert.equal(r.position().playing, true);
    while (fire) {
      const f: () => void = fire;
      fire = null;
      f();
    }
    assert.deepEqual(waits, [2000, 2000]);
    assert.equal(r.position().index, batches.length - 1);
    assert.equal(r.position().playing, false, 'stops at the last sample');
    assert.ok(MAX_PLAY_STEP_MS >= 2000);
  });
});

describe('the recording file', () => {
  test('a recorder killed mid-write leaves every whole sample readable', () => {
    const file = join(dir, 'killed.ndjson.gz');
    const { init, batches } = session();
    const rec = new Recorder(file, { maxBytes: 1e9, header: { cluster: init.cluster, store_init: init } });
    for (const b of batches.slice(0, -1)) rec.write(b.u, b.t);
    const whole = statSync(file).size;
    rec.write(batches.at(-1)!.u, batches.at(-1)!.t);
    rec.close();
    truncateSync(file, whole + 40); // the last sample's gzip member cut short
    assert.equal(readRecording(file).batches.length, batches.length - 1, 'only the cut sample is lost');
    truncateSync(file, whole - 3); // into the one before: that one's data is still whole, its trailer is not
    assert.ok(readRecording(file).batches.length >= batches.length - 2);
  });

  test('past its bound the file moves to FILE.1 and starts again; replay reads both in order', () => {
    const file = join(dir, 'bounded.ndjson.gz');
    record(file, 4096);
    record(file, 4096);
    assert.ok(existsSync(`${file}.1`), 'rotated');
    assert.ok(statSync(file).size <= 4096 + 4096, 'FILE stays near its bound');
    const rec = readRecording(file);
    assert.equal(rec.files.length, 2);
    for (let i = 1; i < rec.batches.length; i++) assert.ok(rec.batches[i]!.t >= rec.batches[i - 1]!.t || rec.batches[i]!.t === NOW, 'sessions in order');
    assert.ok(rec.batches.length > 0);
  });

  test('appending a second session keeps the first', () => {
    const file = join(dir, 'two.ndjson.gz');
    record(file);
    record(file);
    assert.equal(readRecording(file).batches.length, 2 * session().batches.length);
  });

  test('damage is named: file and line', () => {
    const file = join(dir, 'bad.ndjson.gz');
    record(file);
    appendFileSync(file, gzipSync('{"t": 1, "u": [\n'));
    assert.throws(() => readRecording(file), /bad\.ndjson\.gz, line 9: not JSON/);
    writeFileSync(join(dir, 'plain.txt'), 'hello\n');
    assert.throws(() => readRecording(join(dir, 'plain.txt')), /is not a pgtop-ha recording/);
    assert.throws(() => readRecording(join(dir, 'missing.gz')), /cannot read .*missing\.gz: no such file/);
    assert.equal(readFileSync(file).subarray(0, 2).toString('hex'), '1f8b', 'gzip');
  });

  test('sizes for --max-size', () => {
    const cases: Array<[string, number | null]> = [['64MB', 64 * 1024 ** 2], ['512k', 512 * 1024], ['1G', 1024 ** 3], ['2048', 2048], ['1.5MiB', 1.5 * 1024 ** 2], ['lots', null], ['', null]];
    for (const [s, want] of cases) assert.equal(parseSize(s), want, s);
  });
});
