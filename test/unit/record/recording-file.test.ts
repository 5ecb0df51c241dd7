// The recording file (src/record/recorder.ts, reader.ts): every probe update of every scenario
// comes back exactly as it was written, a killed recorder leaves its whole samples readable, the
// file rotates to FILE.1 at its bound and is read back FILE.1 then FILE, sessions append, and a
// damaged file or a wrong target is named in one line.
import assert from 'node:assert/strict';
import { appendFileSync, closeSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { BackupSourceState } from '../../../src/model/backups.ts';
import { probeBarman } from '../../../src/probes/barman/barman-probe.ts';
import { storeInitFromCluster } from '../../../src/probes/scheduler.ts';
import { decodeLine, encodeLine, parseSize, type RecordedBatch } from '../../../src/record/format.ts';
import { GzipLineEncoder } from '../../../src/record/gzip-lines.ts';
import { readRecording } from '../../../src/record/reader.ts';
import { Recorder, RecorderError } from '../../../src/record/recorder.ts';
import type { AppState, ProbeUpdate, StoreInit } from '../../../src/state/store.ts';
import { NOW, SCENARIOS } from '../../helpers/states.ts';
import { barman315, barman34 } from '../barman/fixtures.ts';
import { FakeRunner } from '../ssh/fake-runner.ts';

const dir = mkdtempSync(join(tmpdir(), 'pgtop-recfile-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const tmp = (name: string) => join(dir, `${++n}-${name}`);

/** Every update that would give a store its state: node samples and health, pgpool, repmgr CLI, VIP, backups. */
function updatesOf(st: AppState): ProbeUpdate[] {
  return [
    ...st.nodeOrder.flatMap((name): ProbeUpdate[] => [...(st.nodes[name]!.sample ? [{ name, sample: st.nodes[name]!.sample! }] : []), { name, health: st.nodes[name]!.health }]),
    ...st.pgpoolOrder.flatMap((name): ProbeUpdate[] => [
      ...(st.pgpools[name]!.sample ? [{ layer: 'pgpool' as const, name, sample: st.pgpools[name]!.sample! }] : []),
      { layer: 'pgpool' as const, name, health: st.pgpools[name]!.health },
    ]),
    ...Object.entries(st.repmgrCli).map(([name, result]) => ({ layer: 'repmgrCli' as const, name, result })),
    ...(st.vip ? [{ layer: 'vip' as const, state: st.vip }] : []),
    ...Object.entries(st.backups).map(([key, state]) => ({ layer: 'backups' as const, key, state })),
  ];
}

async function backupStates(): Promise<BackupSourceState[]> {
  const ssh = { host: 'backup1', port: 22, user: 'barman' };
  return [
    await probeBarman(new FakeRunner(barman34), { ssh, server: 'main' }, null, { now: () => NOW }),
    await probeBarman(new FakeRunner(barman315), { ssh, server: 'pg17' }, null, { now: () => NOW }),
  ];
}

const haInit = (): StoreInit => storeInitFromCluster(SCENARIOS.haLab().cluster);

/** A recorder on `file` for the HA lab's cluster, at a fixed clock. */
const recorder = (file: string, maxBytes = 64 * 1024 * 1024, init = haInit()) =>
  new Recorder(file, { maxBytes, header: { cluster: init.cluster, store_init: init }, now: () => NOW });

function writeSamples(rec: Recorder, count: number, from = 0): RecordedBatch[] {
  const st = SCENARIOS.haLab().store.getState();
  const out: RecordedBatch[] = [];
  for (let i = from; i < from + count; i++) {
    const t = NOW + i * 2000;
    const u: ProbeUpdate[] = st.nodeOrder.map((name) => ({ name, sample: { ...st.nodes[name]!.sample!, takenAt: t } }));
    rec.write(u, t);
    out.push({ t, u });
  }
  return out;
}

/** The recorder's file descriptor, to end it the way a kill would (no trailer) or break it. */
const fdOf = (rec: Recorder) => (rec as unknown as { fd: number }).fd;

const readAll = (file: string) => {
  const got: RecordedBatch[] = [];
  const rec = readRecording(file, { onBatch: (b) => got.push(b) });
  return { rec, got };
};

describe('what goes in comes out', () => {
  test('every probe update of every scenario, and barman\'s backup states, survive the file exactly', async () => {
    const file = tmp('all.gz');
    const rec = recorder(file);
    const written: RecordedBatch[] = [];
    for (const [name, make] of Object.entries(SCENARIOS)) {
      const u = updatesOf(make().store.getState());
      assert.ok(u.length > 0, name);
      const t = NOW + written.length;
      written.push({ t, u });
      rec.write(u, t);
    }
    const backups = (await backupStates()).map((state, i): ProbeUpdate => ({ layer: 'backups', key: `barman:${i}`, state }));
    written.push({ t: NOW + 99, u: backups });
    rec.write(backups, NOW + 99);
    rec.close();
    const { got } = readAll(file);
    assert.equal(got.length, written.length);
    // deepStrictEqual: undefined vs absent, NaN vs null, a Date vs its string would all differ
    written.forEach((b, i) => assert.deepStrictEqual(got[i]!.u, b.u, `batch ${i}`));
    const kinds = new Set(got.flatMap((b) => b.u.map((u) => ('layer' in u ? u.layer : 'sample' in u ? 'sample' : 'health'))));
    assert.deepEqual([...kinds].sort(), ['backups', 'health', 'pgpool', 'repmgrCli', 'sample', 'vip']);
  });

  test('numbers JSON has no words for (NaN, ±Infinity) come back as themselves, not null', () => {
    const doc = { t: 1, u: [{ name: 'x', sample: { lag: NaN, rate: Infinity, low: -Infinity, n: 3, s: 'NaN', o: { $pgtop_ha_number: 'Infinity', other: 1 } } }] } as unknown as RecordedBatch;
    const back = decodeLine(encodeLine(doc));
    assert.deepStrictEqual(back, doc);
  });
});

describe('a killed recorder', () => {
  test('truncated anywhere in its last sample, every sample before it reads back', () => {
    const file = tmp('killed.gz');
    const rec = recorder(file);
    const written = writeSamples(rec, 6);
    const before = statSync(file).size;
    writeSamples(rec, 1, 6);
    const after = statSync(file).size;
    closeSync(fdOf(rec)); // no close(): no trailer, as after kill -9
    const copy = readFileSync(file);
    for (let cut = before; cut < after; cut += Math.max(1, Math.floor((after - before) / 40))) {
      writeFileSync(file, copy.subarray(0, cut));
      const { got } = readAll(file);
      assert.ok(got.length === 6 || (got.length === 7 && cut > before), `cut at ${cut}: ${got.length}`);
      assert.deepStrictEqual(got.slice(0, 6), written, `cut at ${cut}`);
    }
    writeFileSync(file, copy);
    assert.equal(readAll(file).got.length, 7, 'unclosed but whole: every sample');
  });

  test('recording again to the same file appends a session after the cut one', () => {
    const file = tmp('again.gz');
    const killed = recorder(file);
    const first = writeSamples(killed, 3);
    closeSync(fdOf(killed)); // never closed: no trailer
    const second = recorder(file);
    const more = writeSamples(second, 2, 3);
    second.close();
    assert.deepStrictEqual(readAll(file).got, [...first, ...more]);
    assert.doesNotThrow(() => gunzipSync(readFileSync(file)), 'the cut session was finished: one valid gzip file for zcat');
  });
});

describe('bounded size', () => {
  test('past the bound FILE moves to FILE.1 (replacing an older one) and starts again with a header; replay reads FILE.1 then FILE', () => {
    const file = tmp('bounded.gz');
    const rec = recorder(file, 20_000);
    const written = writeSamples(rec, 400);
    rec.close();
    assert.ok(rec.rotations >= 2, `rotated ${rec.rotations} times`);
    assert.ok(existsSync(`${file}.1`));
    assert.ok(statSync(file).size <= 20_000 + 4096 && statSync(`${file}.1`).size <= 20_000 + 4096, 'each part near its bound');
    const { rec: r, got } = readAll(file);
    assert.deepEqual(r.files, [`${file}.1`, file]);
    assert.ok(got.length > 0 && got.length < written.length, 'the oldest part is gone');
    assert.deepStrictEqual(got, written.slice(written.length - got.length), 'the newest samples, in order, none missing');
    assert.equal(r.header.cluster, 'ha-lab');
  });
});

describe('sessions and wrong targets', () => {
  test('a second session of the same cluster appends; another cluster or a file that is not a recording is refused and left alone', () => {
    const file = tmp('sessions.gz');
    const a = recorder(file);
    const first = writeSamples(a, 2);
    a.close();
    const b = recorder(file);
    const second = writeSamples(b, 2, 10);
    b.close();
    assert.deepStrictEqual(readAll(file).got, [...first, ...second]);

    const other = storeInitFromCluster(SCENARIOS.healthy17().cluster);
    assert.throws(() => recorder(file, 1e9, other), (e: unknown) => e instanceof RecorderError && /holds a recording of cluster ha-lab; record prod-eu to another file/.test(e.message));
    const yaml = tmp('pgtop-ha.yaml');
    writeFileSync(yaml, 'clusters: []\n');
    assert.throws(() => recorder(yaml), /pgtop-ha\.yaml exists and is not a pgtop-ha recording/);
    assert.equal(readFileSync(yaml, 'utf8'), 'clusters: []\n');
  });

  test('a full disk: refused at the start; mid-way recording stops, the console is not thrown at', () => {
    assert.throws(() => recorder('/dev/full'), /cannot record to \/dev\/full: no space left on the device/);
    const file = tmp('stops.gz');
    const errors: string[] = [];
    const init = haInit();
    const rec = new Recorder(file, { maxBytes: 1e9, header: { cluster: init.cluster, store_init: init }, onError: (m) => errors.push(m) });
    writeSamples(rec, 2);
    closeSync(fdOf(rec)); // the descriptor goes bad under it
    assert.doesNotThrow(() => writeSamples(rec, 2, 2));
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /recording to .*stops\.gz stopped/);
    assert.equal(rec.samples, 2);
    assert.equal(readAll(file).got.length, 2);
  });
});

describe('a damaged recording is named', () => {
  test('a line that is not JSON: file and line', () => {
    const file = tmp('bad.gz');
    const rec = recorder(file);
    writeSamples(rec, 3);
    rec.close();
    const enc = new GzipLineEncoder();
    appendFileSync(file, Buffer.concat([enc.header(), enc.line('{"t": 1, "u": [\n'), enc.end()]));
    // line 1 the header, 2-4 the samples, 5 the broken one
    assert.throws(() => readRecording(file), /bad\.gz, line 5: not JSON: \{"t": 1, "u": \[/);
  });

  test('not gzip, missing, a sample before any header, damaged compressed data', () => {
    const plain = tmp('plain.txt');
    writeFileSync(plain, 'hello\n');
    assert.throws(() => readRecording(plain), /plain\.txt is not a pgtop-ha recording \(not gzip\)/);
    assert.throws(() => readRecording(join(dir, 'missing.gz')), /cannot read .*missing\.gz: no such file/);
    const headless = tmp('headless.gz');
    const enc = new GzipLineEncoder();
    writeFileSync(headless, Buffer.concat([enc.header(), enc.line('{"t":1,"u":[]}\n')]));
    assert.throws(() => readRecording(headless), /headless\.gz, line 1: a sample before any header/);
    const file = tmp('flipped.gz');
    const rec = recorder(file);
    writeSamples(rec, 3);
    rec.close();
    const buf = readFileSync(file);
    buf[Math.floor(buf.length / 2)] ^= 0xff;
    writeFileSync(file, buf);
    assert.throws(() => readRecording(file), /flipped\.gz(, after line \d+: damaged compressed data at byte \d+|, line \d+: not (JSON|a recorded sample))/);
  });

  test('sizes for --max-size', () => {
    const cases: Array<[string, number | null]> = [['64MB', 64 * 1024 ** 2], ['512k', 512 * 1024], ['1G', 1024 ** 3], ['2048', 2048], ['1.5MiB', 1.5 * 1024 ** 2], ['lots', null], ['', null]];
    for (const [s, want] of cases) assert.equal(parseSize(s), want, s);
  });
});

describe('reading again from the middle', () => {
  test('from(i) gives sample i onwards, whatever the resume points (thinned past 1024)', () => {
    const file = tmp('resume.gz');
    const rec = recorder(file, 1e9);
    const written = writeSamples(rec, 1500);
    rec.close();
    const r = readRecording(file, { resumeEvery: 1 });
    for (const i of [0, 1, 2, 511, 1024, 1025, 1498, 1499]) {
      const got: RecordedBatch[] = [];
      for (const b of r.from(i)) if (got.push(b) === 2) break;
      assert.deepStrictEqual(got, written.slice(i, i + 2), `from ${i}`);
    }
    assert.deepStrictEqual([...r.from(1400)], written.slice(1400), 'to the end');
  });
});
