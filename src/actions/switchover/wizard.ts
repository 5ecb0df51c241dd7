// The guided switchover (key s): choose a standby → preflight (live checks + repmgr's own
// --dry-run on the target) → type the target's name → `repmgr standby switchover` streamed →
// post-checks until every layer agrees or a timeout → summary. Plain code over the store: the
// wizard view only draws `store.switchover`. Nothing is changed before the typed confirmation,
// and once repmgr runs nothing here can interrupt it.
import { DEFAULT_REPMGR_CONFIG, type ClusterConfig, type NodeConfig } from '../../config/schema.ts';
import { type Candidates, switchoverCandidates, type SwitchoverThresholds } from '../../model/switchover/eligibility.ts';
import { backendsDown, pgpoolsToPromote, postCheckRows, wizardPostContext, wizardPreflightRows } from '../../model/switchover/checks.ts';
import { describeTarget } from '../../probes/barman/barman-probe.ts';
import type { SshRunner } from '../../probes/ssh/ssh-runner.ts';
import type { AppStore } from '../../state/store.ts';
import { newWizard, WIZARD_OUTPUT_LINES, type SwitchoverWizardState, type WizardDryRun } from '../../state/switchover-state.ts';
import type { AuditLog } from '../audit.ts';
import type { StreamingPool } from '../barman-backup.ts';
import { runBarmanSwitchWal } from '../barman-switch-wal.ts';
import { attachCommandLine, attachPgpoolNode, promoteCommandLine, promotePgpoolNode } from '../pgpool-attach.ts';
import { querySwitchoverFacts, type SwitchoverFacts } from '../../probes/pg/switchover-facts.ts';
import { runSwitchover, runSwitchoverDryRun, switchoverArgv } from '../repmgr-switchover.ts';
import { type KeyLike, wizardCommandFor } from './wizard-keys.ts';
import { nextSteps } from './next-steps.ts';

export interface WizardDeps {
  store: AppStore;
  cluster: ClusterConfig;
  audit: AuditLog;
  ssh: (StreamingPool & SshRunner) | null;
  thresholds: SwitchoverThresholds;
  refreshNow(): void;
  refreshBackups(): void;
  now?: () => number;
  /** How long the post-checks may take to come out green (default 120 s). */
  postTimeoutMs?: number;
  attach?: typeof attachPgpoolNode;
  promote?: typeof promotePgpoolNode;
  /** One-shot facts of the primary (its .ready files); querySwitchoverFacts over its conninfo by default. */
  facts?: (conninfo: string) => Promise<Pick<SwitchoverFacts, 'archiveReadyFiles'>>;
}

export interface SwitchoverWizard {
  /** Key s: open (or show again) the wizard; refusals go to the footer and the audit log. */
  open(): void;
  /** Every key while the wizard is shown. */
  key(input: string, key: KeyLike): void;
  /** Stop timers and subscriptions (on exit). A running switchover is not touched. */
  dispose(): void;
}

const ACTION = 'switchover';
const sameWait = (a: string, b: string) => a.replace(/\s*\(.*\)$/, '') === b.replace(/\s*\(.*\)$/, '');
export const POST_TIMEOUT_MS = 120_000;

export function createSwitchoverWizard(deps: WizardDeps): SwitchoverWizard {
  const { store, cluster, audit } = deps;
  const now = deps.now ?? Date.now;
  const attach = deps.attach ?? attachPgpoolNode;
  const promote_ = deps.promote ?? promotePgpoolNode;
  let unsubscribe: (() => void) | null = null;
  let deadline: ReturnType<typeof setTimeout> | null = null;

  const wiz = () => store.getState().switchover;
  const update = (f: (w: SwitchoverWizardState) => SwitchoverWizardState) => store.getState().setSwitchover(f);
  const note = (text: string, tone: 'info' | 'ok' | 'warn' | 'error' = 'warn') => update((w) => ({ ...w, note: { text, tone } }));
  const nodeCfg = (name: string): NodeConfig | undefined => cluster.nodes.find((n) => n.name === name);
  const candidates = (): Candidates => switchoverCandidates(store.getState(), cluster, deps.thresholds);
  const where = (n: NodeConfig) => (n.ssh ? describeTarget(n.ssh) : '?');
  const argvOpts = (n: NodeConfig, w: SwitchoverWizardState, dryRun: boolean) => ({
    repmgrBin: n.repmgrBin, configFile: n.repmgrConfig ?? DEFAULT_REPMGR_CONFIG, dryRun, siblingsFollow: true,
    forceRewind: w.forceRewind, alwaysPromote: w.alwaysPromote,
  });
  const refuse = (why: string) => {
    audit.write({ cluster: cluster.name, action: ACTION, target: '-', command: '-', outcome: 'refused', detail: why });
    store.getState().setFlash(`switchover: ${why}`, 'warn');
  };
  const endPhase = (w: SwitchoverWizardState, t: number) => w.phases.map((p) => (p.endedAt === null ? { ...p, endedAt: t } : p));
  const startPhase = (w: SwitchoverWizardState, name: string, t: number) => [...endPhase(w, t), { name, startedAt: t, endedAt: null }];
  // repmgr's own phases nest inside "switchover": a new one ends only the previous one of them
  const startRepmgrPhase = (w: SwitchoverWizardState, name: string, t: number) => [
    ...w.phases.map((p) => (p.endedAt === null && p.name.startsWith('repmgr: ') ? { ...p, endedAt: t } : p)),
    { name, startedAt: t, endedAt: null },
  ];

  function stopWatching() {
    unsubscribe?.();
    unsubscribe = null;
    if (deadline) clearTimeout(deadline);
    deadline = null;
  }

  function open() {
    const st = store.getState();
    const cur = st.switchover;
    if (cur && (cur.step === 'running' || cur.step === 'post' || cur.step === 'done')) {
      update((w) => ({ ...w, hidden: false }));
      return;
    }
    if (st.readOnly) return refuse('read-only mode: actions are disabled');
    const ssh = cluster.nodes.filter((n) => n.ssh);
    const repmgrSeen = st.nodeOrder.some((n) => st.nodes[n]!.sample?.repmgr);
    if (!repmgrSeen) return refuse('no repmgr here: no polled database has the repmgr extension (the switchover is repmgr standby switchover)');
    if (ssh.length === 0 || !deps.ssh) return refuse('no node has ssh: in the config (repmgr runs the switchover on the target over SSH)');
    const c = candidates();
    if (c.problem) return refuse(c.problem);
    if (c.candidates.length === 0) return refuse('no standby to switch over to');
    const first = c.candidates.findIndex((x) => x.level !== 'bad');
    store.getState().setSwitchover(newWizard(now(), c.primary, Math.max(0, first)));
  }

  function abort(step: string) {
    const w = wiz()!;
    audit.write({ cluster: cluster.name, action: ACTION, target: w.target ?? '-', command: '-', outcome: 'cancelled', detail: `aborted at ${step}; nothing was changed` });
    store.getState().setSwitchover(null);
    store.getState().setFlash('switchover aborted: nothing was changed', 'info');
  }

  async function dryRun() {
    const w = wiz();
    if (!w?.target || !deps.ssh) return;
    const n = nodeCfg(w.target)!;
    const opts = argvOpts(n, w, true);
    const command = `${where(n)}: ${switchoverArgv(opts).join(' ')}`;
    const pending: WizardDryRun = { running: true, ok: null, error: null, checks: [], raw: '', command, durationMs: null };
    update((x) => ({ ...x, dryRun: pending }));
    deps.refreshNow();
    const t0 = now();
    const r = await runSwitchoverDryRun(deps.ssh, n.ssh!, { ...opts, sudoUser: n.sudoUser });
    const durationMs = now() - t0;
    audit.write({
      cluster: cluster.name, action: 'switchover_dry_run', target: `${w.target} on ${where(n)}`, command: switchoverArgv(opts).join(' '),
      outcome: r.ok ? 'ok' : 'error', detail: r.error ?? undefined, durationMs, exitCode: r.code ?? null,
    });
    // the answer belongs to the wizard that asked: it may have been aborted or moved on meanwhile
    update((x) => (x.dryRun !== pending && x.dryRun?.command !== command ? x : {
      ...x, dryRun: { running: false, ok: r.ok, error: r.error, checks: r.checks.map((c) => ({ level: c.level, text: c.text, detail: c.detail })), raw: r.raw, command, durationMs },
    }));
  }

  /** The primary's .ready files, asked once per preflight: reading archive_status is not a per-tick cost. */
  async function archiveFacts(primary: string | null) {
    const n = primary ? nodeCfg(primary) : undefined;
    if (!n) return;
    try {
      const f = await (deps.facts ?? querySwitchoverFacts)(n.conninfo);
      update((x) => ({ ...x, pendingArchive: f.archiveReadyFiles }));
    } catch (e) {
      update((x) => ({ ...x, pendingArchive: `not read: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}` }));
    }
  }


  function choose(index: number) {
    const c = candidates();
    const cand = c.candidates[index];
    if (!cand) return;
    if (c.problem) return note(c.problem, 'error');
    if (cand.level === 'bad') return note(`${cand.node} cannot be the new primary: ${cand.reasons.join('; ')}`, 'error');
    const t = now();
    const tl = c.primary ? (store.getState().nodes[c.primary]?.sample?.timeline ?? null) : null;
    update((w) => ({ ...w, step: 'preflight', cursor: index, target: cand.node, oldPrimary: c.primary, timelineBefore: tl, note: null, pendingArchive: null, phases: [{ name: 'preflight', startedAt: t, endedAt: null }] }));
    void dryRun();
    void archiveFacts(c.primary);
  }

  function toConfirm() {
    const w = wiz()!;
    const rows = wizardPreflightRows(w, store.getState(), cluster, deps.thresholds);
    const red = rows.filter((r) => r.level === 'bad');
    const pending = rows.filter((r) => r.level === 'pending');
    if (red.length) return note(`cannot go on: ${red.map((r) => `${r.name}: ${r.evidence}`).join('; ')}`, 'error');
    if (pending.length) return note(`still waiting for: ${pending.map((r) => r.name).join(', ')}`, 'info');
    update((x) => ({ ...x, step: 'confirm', typed: '', note: null }));
  }

  function execute() {
    const w = wiz()!;
    const target = w.target!;
    if (w.typed !== target) return note(`type the target's name exactly ("${target}") to run the switchover`, 'warn');
    // The cluster may have moved while the DBA read the preflight: check it once more.
    const c = candidates();
    const cand = c.candidates.find((x) => x.node === target);
    if (c.primary !== w.oldPrimary || !cand || cand.level === 'bad') {
      const why = c.primary !== w.oldPrimary ? `the primary is now ${c.primary ?? 'none'}, not ${w.oldPrimary}` : `${target}: ${cand?.reasons.join('; ') ?? 'gone'}`;
      update((x) => ({ ...x, step: 'preflight', typed: '' }));
      return note(`the cluster changed since the preflight: ${why}; nothing was run`, 'error');
    }
    const n = nodeCfg(target)!;
    const opts = argvOpts(n, w, false);
    const argv = switchoverArgv(opts);
    const command = `${where(n)}: ${argv.join(' ')}`;
    const t0 = now();
    update((x) => ({ ...x, step: 'running', command, note: null, phases: startPhase(x, 'switchover', t0), waitingOn: { text: 'repmgr to start', since: t0 } }));
    void runSwitchover(deps.ssh!, n.ssh!, { ...opts, sudoUser: n.sudoUser }, (e) => {
      const t = now();
      update((x) => ({
        ...x,
        output: [...x.output, e.text].slice(-WIZARD_OUTPUT_LINES),
        // "primary shutdown (attempt 3 of 60, …)" is the same wait as attempt 2: its clock keeps running
        waitingOn: e.waitingOn
          ? { text: e.waitingOn, since: x.waitingOn && sameWait(x.waitingOn.text, e.waitingOn) ? x.waitingOn.since : t }
          : e.phase ? { text: e.text.replace(/^[A-Z]+:\s*/, ''), since: t } : x.waitingOn,
        phases: e.phase && e.phase !== 'done' && e.phase !== 'failed' ? startRepmgrPhase(x, `repmgr: ${e.phase}`, t) : x.phases,
      }));
      deps.refreshNow();
    }).then((r) => {
      const t = now();
      audit.write({ cluster: cluster.name, action: ACTION, target: `${target} on ${where(n)}`, command: argv.join(' '), outcome: r.ok ? 'ok' : 'error', detail: r.error ?? `${w.oldPrimary} → ${target}`, durationMs: r.elapsedMs, exitCode: r.code });
      if (!r.ok) {
        update((x) => ({ ...x, step: 'done', waitingOn: null, phases: endPhase(x, t), outcome: { ok: false, message: `the switchover failed (repmgr exit ${r.code ?? '?'})`, error: r.error } }));
        deps.refreshNow();
        return;
      }
      startPostChecks();
    });
  }

  function startPostChecks() {
    const t = now();
    update((x) => ({ ...x, step: 'post', waitingOn: { text: 'every layer to agree on the new primary', since: t }, phases: startPhase(x, 'post-checks', t), postDeadline: t + (deps.postTimeoutMs ?? POST_TIMEOUT_MS) }));
    deps.refreshNow();
    deps.refreshBackups();
    const evaluate = () => {
      const w = wiz();
      if (!w || w.step !== 'post') return stopWatching();
      const rows = postCheckRows(store.getState(), wizardPostContext(w));
      if (rows.every((r) => r.level === 'ok' || r.level === 'warn')) finishPost();
    };
    unsubscribe = store.subscribe((s, prev) => {
      if (s.nodes !== prev.nodes || s.pgpools !== prev.pgpools || s.vip !== prev.vip || s.backups !== prev.backups) evaluate();
    });
    deadline = setTimeout(() => finishPost(), deps.postTimeoutMs ?? POST_TIMEOUT_MS);
    deadline.unref?.();
    evaluate();
  }

  /** The verdict comes from the rows as they are now, whether they all turned green or time ran out. */
  function finishPost() {
    stopWatching();
    const w = wiz();
    if (!w || w.step !== 'post') return;
    const t = now();
    const rows = postCheckRows(store.getState(), wizardPostContext(w));
    const open = rows.filter((r) => r.level === 'pending' || r.level === 'bad');
    const amber = rows.filter((r) => r.level === 'warn');
    const message = open.length === 0
      ? `${w.target} is the primary; every layer agrees${amber.length ? `; look at: ${amber.map((r) => r.name).join(', ')}` : ''}`
      : `repmgr reported success, but after ${Math.round((t - (w.phases.at(-1)?.startedAt ?? t)) / 1000)} s not every layer agrees: ${open.map((r) => r.name).join(', ')}`;
    audit.write({ cluster: cluster.name, action: 'switchover_postcheck', target: w.target!, command: '-', outcome: open.length === 0 ? 'ok' : 'error', detail: [...open, ...amber].map((r) => `${r.name}: ${r.evidence}`).join('; ') || message, durationMs: t - (w.phases.at(-1)?.startedAt ?? t) });
    update((x) => ({ ...x, step: 'done', waitingOn: null, phases: endPhase(x, t), outcome: { ok: open.length === 0, message, error: null } }));
  }

  /** a: set pgpool right: pcp_promote_node where it kept the old primary, then pcp_attach_node what it has down. */
  async function fixPgpool() {
    const w = wiz()!;
    const promote = w.target ? pgpoolsToPromote(store.getState(), w.target) : [];
    const down = backendsDown(store.getState());
    if (promote.length === 0 && down.length === 0) return note('pgpool agrees: nothing to promote or attach', 'info');
    if (w.busy) return note(`${w.busy} is still running`, 'info');
    update((x) => ({ ...x, busy: promote.length ? 'pcp_promote_node' : 'pcp_attach_node' }));
    const results: string[] = [];
    let failed = false;
    const isDown = (d: { pgpool: string; nodeId: number }) => down.some((x) => x.pgpool === d.pgpool && x.nodeId === d.nodeId);
    const steps = [
      // pgpool ignores a promote of a backend it has down: attach that one first
      ...promote.flatMap((d) => [...(isDown(d) ? [{ d, action: 'pcp_attach_node' as const }] : []), { d, action: 'pcp_promote_node' as const }]),
      // a promote makes pgpool detach and re-attach the others itself: attach only when no promote ran
      ...(promote.length ? [] : down.map((d) => ({ d, action: 'pcp_attach_node' as const }))),
    ];
    for (const { d, action } of steps) {
      const cfg = cluster.pgpool.find((p) => p.name === d.pgpool);
      if (!cfg) continue;
      const t0 = now();
      const r = action === 'pcp_promote_node' ? await promote_(cfg, d.nodeId) : await attach(cfg, d.nodeId);
      failed ||= !r.ok;
      const command = action === 'pcp_promote_node' ? promoteCommandLine(cfg, d.nodeId) : attachCommandLine(cfg, d.nodeId);
      audit.write({ cluster: cluster.name, action, target: `${d.pgpool} node ${d.nodeId} (${d.node})`, command, outcome: r.ok ? 'ok' : 'error', detail: r.message, durationMs: now() - t0 });
      results.push(r.message); // the message names the pgpool and the node
    }
    deps.refreshNow();
    update((x) => ({ ...x, busy: null, note: { text: results.join('; '), tone: failed ? 'error' : 'ok' } }));
  }

  async function barmanSwitchWal() {
    const w = wiz()!;
    const b = cluster.barman[0];
    if (!b || !deps.ssh) return note('no barman configured', 'info');
    if (w.busy) return note(`${w.busy} is still running`, 'info');
    update((x) => ({ ...x, busy: 'barman switch-wal', note: { text: `barman switch-wal --force --archive ${b.server}: waiting for the WAL to reach barman…`, tone: 'info' } }));
    const t0 = now();
    const r = await runBarmanSwitchWal(deps.ssh, b.ssh, { server: b.server, configFile: b.configFile, barmanBin: b.barmanBin, sudoUser: b.sudoUser, force: true });
    audit.write({ cluster: cluster.name, action: 'barman_switch_wal', target: `${b.server} on ${describeTarget(b.ssh)}`, command: `barman switch-wal --force --archive ${b.server}`, outcome: r.ok ? 'ok' : 'error', detail: r.message, durationMs: now() - t0 });
    deps.refreshBackups();
    update((x) => ({ ...x, busy: null, note: { text: `barman ${b.server}: ${r.message}`, tone: r.ok && r.archived ? 'ok' : r.ok ? 'warn' : 'error' } }));
  }

  function key(input: string, k: KeyLike) {
    const w = wiz();
    if (!w || w.hidden) return;
    if (w.step === 'confirm' && !k.return && !k.escape && !k.backspace && !k.delete && input && !k.ctrl && !k.tab) {
      // eslint-disable-next-line no-control-regex
      const clean = input.replace(/[\x00-\x1f\x7f]/g, '');
      if (clean) update((x) => ({ ...x, typed: (x.typed + clean).slice(0, 64), note: null }));
      return;
    }
    const cmd = wizardCommandFor(w.step, input, k);
    if (!cmd) return;
    const count = candidates().candidates.length;
    switch (cmd.id) {
      case 'up': return update((x) => ({ ...x, cursor: (x.cursor + count - 1) % Math.max(1, count), note: null }));
      case 'down': return update((x) => ({ ...x, cursor: (x.cursor + 1) % Math.max(1, count), note: null }));
      case 'pick': {
        const i = Number(input) - 1;
        if (i >= count) return note(`there are ${count} standbys`, 'info');
        return choose(i);
      }
      case 'choose': return choose(w.cursor);
      case 'abort': return abort(w.step);
      case 'next': return toConfirm();
      case 'rerun': return void dryRun();
      case 'forceRewind':
      case 'alwaysPromote': {
        update((x) => (cmd.id === 'forceRewind' ? { ...x, forceRewind: !x.forceRewind } : { ...x, alwaysPromote: !x.alwaysPromote }));
        // the dry run must have been asked with the options that will run
        return void dryRun();
      }
      case 'raw': return update((x) => ({ ...x, showRaw: !x.showRaw }));
      case 'erase': return update((x) => ({ ...x, typed: x.typed.slice(0, -1) }));
      case 'run': return execute();
      case 'hide': return update((x) => ({ ...x, hidden: true }));
      case 'attach': return void fixPgpool();
      case 'barmanSwitchWal': return void barmanSwitchWal();
      case 'finish': return finishPost();
      case 'close': {
        stopWatching();
        store.getState().setSwitchover(null);
        return;
      }
    }
  }

  return { open, key, dispose: stopWatching };
}

export { nextSteps };
