// Golden frames of every switchover wizard step at 80x24 and 120x40, driven through the real
// controller over the HA lab's captured state and repmgr 5.3.3's real output.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AuditLog } from '../../../src/actions/audit.ts';
import { createSwitchoverWizard } from '../../../src/actions/switchover/wizard.ts';
import type { KeyLike } from '../../../src/actions/switchover/wizard-keys.ts';
import type { NodeSample } from '../../../src/model/types.ts';
import type { RunResult } from '../../../src/probes/ssh/ssh-runner.ts';
import { wizardArea } from '../../../src/views/components/SwitchoverWizard.ts';
import { lineText } from '../../../src/views/format/line.ts';
import { width } from '../../../src/views/format/text.ts';
import { golden } from '../../helpers/golden.ts';
import { SCENARIOS, type Scenario } from '../../helpers/states.ts';
import { withSsh } from '../../helpers/switchover.ts';

const fx = (f: string) => readFileSync(fileURLToPath(new URL(`../../fixtures/repmgr/${f}`, import.meta.url)), 'utf8');
const tick = () => new Promise((r) => setImmediate(r));
const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);

function drive(s: Scenario, dryRun = 'real-5.3.3-switchover-dry-run-siblings-follow', run = 'real-5.3.3-switchover-verbose-to-pgsql2', runCode = 0) {
  let clock = T0;
  let release: (() => void) | null = null;
  const lines = fx(`${run}.stderr.txt`).split('\n').filter(Boolean);
  const pool = {
    run: async () => ({ code: 0, signal: null, stdout: fx(`${dryRun}.txt`), stderr: fx(`${dryRun}.stderr.txt`), truncated: false, durationMs: 5 }) as RunResult,
    stream: async (_t: unknown, _a: unknown, o: { onStderr?(c: string): void }) => {
      // the first half, then wait: the frame of a switchover under way
      const half = Math.ceil(lines.length / 2);
      for (const l of lines.slice(0, half)) { clock += 700; o.onStderr?.(`${l}\n`); }
      await new Promise<void>((r) => (release = r));
      for (const l of lines.slice(half)) { clock += 700; o.onStderr?.(`${l}\n`); }
      return { code: runCode, signal: null, durationMs: clock - T0 };
    },
  };
  const cluster = withSsh(s);
  const wizard = createSwitchoverWizard({
    store: s.store, cluster, audit: new AuditLog(join(mkdtempSync(join(tmpdir(), 'pgtop-wizg-')), 'a.log')), ssh: pool as never,
    thresholds: s.cluster.thresholds, refreshNow: () => undefined, refreshBackups: () => undefined, facts: async () => ({ archiveReadyFiles: 0 }), now: () => clock, postTimeoutMs: 1,
  });
  const key = (input: string, k: KeyLike = {}) => { clock += 1500; wizard.key(input, k); };
  const frame = (cols: number, rows: number) => {
    const out = wizardArea({ wizard: s.store.getState().switchover!, state: s.store.getState(), cluster, thresholds: s.cluster.thresholds }, cols, rows - 3, false, clock + 4000).map(lineText);
    for (const l of out) assert.ok(width(l) <= cols, `wider than ${cols}: ${l}`);
    return out.join('\n');
  };
  return { wizard, key, frame, release: () => release?.() };
}

function repmgrdStopped(): Scenario {
  const s = SCENARIOS.haLab();
  const st = s.store.getState();
  const n = st.nodes.pgsql3!;
  const smp: NodeSample = { ...n.sample!, repmgr: n.sample!.repmgr?.available ? { ...n.sample!.repmgr, repmgrdRunning: false } : n.sample!.repmgr };
  s.store.setState({ nodes: { ...st.nodes, pgsql3: { ...n, sample: smp } } });
  return s;
}

type Step = (d: ReturnType<typeof drive>) => Promise<void>;
const open: Step = async (d) => d.wizard.open();
const preflight: Step = async (d) => { await open(d); d.key('1'); await tick(); };
const confirm: Step = async (d) => { await preflight(d); d.key('', { return: true }); for (const c of 'pgsq') d.key(c); };
const running: Step = async (d) => { await confirm(d); d.key('l'); d.key('2'); d.key('', { return: true }); await tick(); };
const finished: Step = async (d) => { await running(d); d.release(); await tick(); await tick(); await new Promise((r) => setTimeout(r, 10)); };

const CASES: Array<[string, () => Scenario, Step, string?, string?, number?]> = [
  ['choose', SCENARIOS.haLab, open],
  ['preflight', SCENARIOS.haLab, preflight],
  ['preflight-red', repmgrdStopped, preflight, 'real-5.3.3-switchover-dry-run-repmgrd-stopped-pgsql3'],
  ['confirm', SCENARIOS.haLab, confirm],
  ['running', SCENARIOS.haLab, running],
  ['summary-not-green', SCENARIOS.haLab, finished],
  ['summary-failed', SCENARIOS.haLab, finished, undefined, 'real-5.3.3-switchover-dry-run-target-is-primary', 1],
];

describe('switchover wizard frames', () => {
  for (const [name, scenario, step, dry, run, code] of CASES) {
    for (const [cols, rows] of [[80, 24], [120, 40]] as const) {
      test(`${name} ${cols}x${rows}`, async (t) => {
        const d = drive(scenario(), dry, run, code);
        await step(d);
        golden(t, `wizard-${name}-${cols}x${rows}`, d.frame(cols, rows));
      });
    }
  }
});
