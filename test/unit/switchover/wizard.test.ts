// The switchover wizard's controller over the HA lab's captured state, with repmgr's real 5.3.3
// output (test/fixtures/repmgr/real-5.3.3-switchover-*) played back by a fake SSH pool: what
// each key does, what is refused and audited, and that nothing runs before the typed name.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AuditLog } from '../../../src/actions/audit.ts';
import { createSwitchoverWizard } from '../../../src/actions/switchover/wizard.ts';
import type { KeyLike } from '../../../src/actions/switchover/wizard-keys.ts';
import type { RunResult } from '../../../src/probes/ssh/ssh-runner.ts';
import type { NodeSample } from '../../../src/model/types.ts';
import { SCENARIOS, type Scenario } from '../../helpers/states.ts';
import { withSsh } from '../../helpers/switchover.ts';

const fx = (f: string) => readFileSync(fileURLToPath(new URL(`../../fixtures/repmgr/${f}`, import.meta.url)), 'utf8');
const tick = () => new Promise((r) => setImmediate(r));

interface Opts {
  scenario?: Scenario;
  readOnly?: boolean;
  dryRun?: string;
  run?: string;
  runCode?: number;
}

function setup(o: Opts = {}) {
  const s = o.scenario ?? SCENARIOS.haLab();
  if (o.readOnly) s.store.setState({ readOnly: true });
  const calls: string[][] = [];
  const pool = {
    run: async (_t: unknown, argv: readonly string[]) => {
      calls.push([...argv]);
      const base = o.dryRun ?? 'real-5.3.3-switchover-dry-run-siblings-follow';
      return { code: 0, signal: null, stdout: fx(`${base}.txt`), stderr: fx(`${base}.stderr.txt`), truncated: false, durationMs: 5 } as RunResult;
    },
    stream: async (_t: unknown, argv: readonly string[], opts: { onStdout?(c: string): void; onStderr?(c: string): void }) => {
      calls.push([...argv]);
      const base = o.run ?? 'real-5.3.3-switchover-verbose-to-pgsql2';
      for (const line of fx(`${base}.stderr.txt`).split('\n')) opts.onStderr?.(`${line}\n`);
      opts.onStdout?.(fx(`${base}.txt`));
      return { code: o.runCode ?? 0, signal: null, durationMs: 10 };
    },
  };
  const file = join(mkdtempSync(join(tmpdir(), 'pgtop-wiz-')), 'audit.log');
  let refreshed = 0;
  const promoted: string[] = [];
  const wizard = createSwitchoverWizard({
    store: s.store, cluster: withSsh(s), audit: new AuditLog(file), ssh: pool as never, thresholds: s.cluster.thresholds,
    refreshNow: () => void refreshed++, refreshBackups: () => undefined, facts: async () => ({ archiveReadyFiles: 0 }), postTimeoutMs: 30,
    attach: async () => ({ ok: true, message: 'attached' }),
    promote: async (cfg, id) => (promoted.push(`${cfg.name}:${id}`), { ok: true, message: `${cfg.name}: promoted node ${id}` }),
  });
  const key = (input: string, k: KeyLike = {}) => wizard.key(input, k);
  const type = (text: string) => { for (const c of text) key(c); };
  const audit = () => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>) : []);
  /** Open, pick pgsql2, pass the preflight, type its name: the switchover is running. */
  const startRun = async () => {
    wizard.open();
    key('1');
    await tick();
    key('', { return: true });
    type('pgsql2');
    key('', { return: true });
  };
  return { s, wizard, key, type, startRun, calls, audit, promoted, w: () => s.store.getState().switchover, flash: () => s.store.getState().flash?.text, refreshed: () => refreshed };
}

const ENTER: KeyLike = { return: true };
const ESC: KeyLike = { escape: true };

function patchSample(s: Scenario, node: string, f: (x: NodeSample) => NodeSample) {
  const st = s.store.getState();
  const n = st.nodes[node]!;
  s.store.setState({ nodes: { ...st.nodes, [node]: { ...n, sample: f(n.sample!) } } });
}

describe('switchover wizard', () => {
  test('read-only: refused and audited, no wizard', () => {
    const t = setup({ readOnly: true });
    t.wizard.open();
    assert.equal(t.w(), null);
    assert.match(t.flash()!, /read-only/);
    assert.deepEqual(t.audit().map((e) => [e.action, e.outcome]), [['switchover', 'refused']]);
  });

  test('a cluster without repmgr: says what is missing', () => {
    const t = setup({ scenario: SCENARIOS.healthy17() });
    t.wizard.open();
    assert.equal(t.w(), null);
    assert.match(t.flash()!, /no repmgr here/);
  });

  test('the whole way: choose → preflight (dry run) → type the name → run → post-checks → summary', async () => {
    const t = setup();
    t.wizard.open();
    assert.equal(t.w()!.step, 'choose');
    t.key('', { downArrow: true });
    assert.equal(t.w()!.cursor, 1);
    t.key('1');
    assert.equal(t.w()!.step, 'preflight');
    assert.equal(t.w()!.target, 'pgsql2');
    assert.equal(t.w()!.dryRun!.running, true);
    await tick();
    const dr = t.w()!.dryRun!;
    assert.equal(dr.ok, true, dr.error ?? '');
    assert.deepEqual(t.calls[0], ['repmgr', '-f', '/etc/repmgr.conf', 'standby', 'switchover', '--dry-run', '--siblings-follow']);
    assert.match(dr.command, /^postgres@pgsql2: repmgr -f \/etc\/repmgr\.conf standby switchover --dry-run --siblings-follow$/);
    t.key('o');
    assert.equal(t.w()!.showRaw, true);
    t.key('', ENTER);
    assert.equal(t.w()!.step, 'confirm');
    t.type('pgsql3');
    t.key('', ENTER);
    assert.equal(t.w()!.step, 'confirm', 'a wrong name runs nothing');
    assert.match(t.w()!.note!.text, /type the target's name exactly \("pgsql2"\)/);
    assert.equal(t.calls.length, 1);
    for (let i = 0; i < 6; i++) t.key('', { backspace: true });
    t.type('pgsql2');
    t.key('', ENTER);
    assert.equal(t.w()!.step, 'running');
    assert.deepEqual(t.calls[1], ['repmgr', '-f', '/etc/repmgr.conf', 'standby', 'switchover', '--siblings-follow', '--verbose']);
    await tick();
    await tick();
    const w = t.w()!;
    assert.ok(w.output.some((l) => /STANDBY SWITCHOVER has completed successfully/.test(l)));
    assert.ok(w.phases.some((p) => p.name === 'repmgr: shutdown') && w.phases.some((p) => p.name === 'repmgr: promote'), JSON.stringify(w.phases));
    assert.equal(w.step, 'post');
    // The captured store never sees the new topology: the post-checks give up after their timeout.
    await new Promise((r) => setTimeout(r, 60));
    const done = t.w()!;
    assert.equal(done.step, 'done');
    assert.equal(done.outcome!.ok, false);
    assert.match(done.outcome!.message, /not every layer agrees: new primary/);
    const actions = t.audit().map((e) => [e.action, e.outcome, e.exitCode ?? null]);
    assert.deepEqual(actions, [['switchover_dry_run', 'ok', 0], ['switchover', 'ok', 0], ['switchover_postcheck', 'error', null]]);
    // PostgreSQL now has pgsql2 as primary, both pgpools still route to pgsql1: a promotes it there
    patchSample(t.s, 'pgsql2', (x) => ({ ...x, role: 'primary' }));
    t.key('a');
    await tick();
    await tick();
    assert.deepEqual(t.promoted, ['pgpool1:1', 'pgpool2:1']);
    assert.match(t.w()!.note!.text, /pgpool1: promoted node 1; pgpool2: promoted node 1/);
    assert.deepEqual(t.audit().slice(-2).map((e) => [e.action, e.outcome]), [['pcp_promote_node', 'ok'], ['pcp_promote_node', 'ok']]);
    t.key('', ESC);
    assert.equal(t.w(), null);
  });

  test('repmgrd stopped on one node: repmgr only NOTICEs it, the preflight stops there, naming it; nothing runs', async () => {
    const s = SCENARIOS.haLab();
    patchSample(s, 'pgsql3', (x) => ({ ...x, repmgr: x.repmgr?.available ? { ...x.repmgr, repmgrdRunning: false } : x.repmgr }));
    const t = setup({ scenario: s, dryRun: 'real-5.3.3-switchover-dry-run-repmgrd-stopped-pgsql3' });
    t.wizard.open();
    t.key('1');
    await tick();
    assert.equal(t.w()!.dryRun!.ok, true, 'repmgr itself says the prerequisites are met');
    t.key('', ENTER);
    assert.equal(t.w()!.step, 'preflight');
    assert.match(t.w()!.note!.text, /cannot go on: repmgrd: not running on pgsql3/);
    t.key('', ESC);
    assert.equal(t.w(), null);
    assert.equal(t.calls.length, 1, 'only the dry run ran');
    assert.deepEqual(t.audit().map((e) => [e.action, e.outcome]), [['switchover_dry_run', 'ok'], ['switchover', 'cancelled']]);
  });

  test('an ineligible standby cannot be chosen: the reason is shown, the step stays', () => {
    const s = SCENARIOS.haLab();
    patchSample(s, 'pgsql2', (x) => ({ ...x, replayPaused: true }));
    const t = setup({ scenario: s });
    t.wizard.open();
    assert.equal(t.w()!.cursor, 1, 'the cursor starts on the first eligible standby');
    t.key('1');
    assert.equal(t.w()!.step, 'choose');
    assert.match(t.w()!.note!.text, /pgsql2 cannot be the new primary: WAL replay is paused/);
  });

  test('a failing switchover: repmgr\'s error in full, next steps, audited with its exit code', async () => {
    const t = setup({ run: 'real-5.3.3-switchover-dry-run-target-is-primary', runCode: 1 });
    await t.startRun();
    await tick();
    await tick();
    const w = t.w()!;
    assert.equal(w.step, 'done');
    assert.equal(w.outcome!.ok, false);
    assert.ok(w.outcome!.error && w.outcome!.error.length > 0);
    const last = t.audit().at(-1)!;
    assert.deepEqual([last.action, last.outcome, last.exitCode], ['switchover', 'error', 1]);
  });

  test('Esc while it runs only hides; s shows it again', async () => {
    const t = setup();
    await t.startRun();
    t.key('', ESC);
    assert.equal(t.w()!.hidden, true);
    t.wizard.open();
    assert.equal(t.w()!.hidden, false);
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(t.w()!.step, 'done');
  });
});
