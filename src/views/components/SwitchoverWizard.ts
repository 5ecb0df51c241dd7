// The guided switchover's screen: one box over the panes, one step at a time. Everything shown
// is selected from the store (the wizard's state plus the probes' data) and formatted here.
import type { ClusterConfig } from '../../config/schema.ts';
import { describeTarget } from '../../probes/barman/barman-probe.ts';
import { nextSteps } from '../../actions/switchover/next-steps.ts';
import { wizardHintItems } from '../../actions/switchover/wizard-keys.ts';
import { backendsDown, pgpoolsToPromote, type CheckRow, postCheckRows, type RowLevel, type SwitchoverStoreView, wizardPostContext, wizardPreflightRows } from '../../model/switchover/checks.ts';
import { switchoverCandidates, type SwitchoverThresholds } from '../../model/switchover/eligibility.ts';
import { buildTopology } from '../../model/topology.ts';
import type { SwitchoverWizardState, WizardStep } from '../../state/switchover-state.ts';
import { centred, drawBox } from '../frame/box.ts';
import { type Line, seg, type Tone } from '../format/line.ts';
import { padEnd, wrapText } from '../format/text.ts';
import { formatBytes, formatSeconds } from '../format/units.ts';

export interface WizardInput {
  wizard: SwitchoverWizardState;
  state: SwitchoverStoreView;
  cluster: ClusterConfig;
  thresholds: SwitchoverThresholds;
}

const STEPS: Record<WizardStep, [number, string]> = {
  choose: [1, 'choose the new primary'],
  preflight: [2, 'preflight'],
  confirm: [3, 'confirm'],
  running: [4, 'switching over'],
  post: [5, 'post-checks'],
  done: [5, 'summary'],
};

const MARK: Record<RowLevel, [string, string, Tone]> = {
  ok: ['✓', '+', 'ok'],
  warn: ['!', '!', 'warn'],
  bad: ['✗', 'x', 'bad'],
  pending: ['…', '.', 'dim'],
};

function wrapped(text: string, width: number, tone?: Tone, indent = 2, max = 6): Line[] {
  return wrapText(text, width, max, indent).map((l) => [seg(l, tone)]);
}

function checkLines(rows: CheckRow[], width: number, ascii: boolean): Line[] {
  const nameW = Math.min(18, Math.max(...rows.map((r) => r.name.length), 4));
  const out: Line[] = [];
  for (const r of rows) {
    const [u, a, tone] = MARK[r.level];
    const body = wrapText(r.evidence, width - nameW - 3, 3, 0);
    body.forEach((b, i) => out.push(i === 0
      ? [seg(ascii ? a : u, tone, true), seg(' '), seg(padEnd(r.name, nameW), tone === 'ok' ? undefined : tone), seg(' '), seg(b, r.level === 'ok' ? 'dim' : tone)]
      : [seg(' '.repeat(nameW + 3)), seg(b, r.level === 'ok' ? 'dim' : tone)]));
  }
  return out;
}

function chooseLines(i: WizardInput, width: number): Line[] {
  const c = switchoverCandidates(i.state, i.cluster, i.thresholds);
  const out: Line[] = [[seg('The primary is '), seg(c.primary ?? 'unknown', 'accent', true), seg('. Which standby becomes the new primary?')], []];
  out.push([seg(`   ${padEnd('STANDBY', 18)} ${padEnd('REPLAY LAG', 11)} ${padEnd('TIME', 8)} ${padEnd('TL', 4)} ELIGIBLE`, 'dim')]);
  c.candidates.forEach((cand, n) => {
    const cur = n === i.wizard.cursor;
    const lag = cand.lagBytes === null ? '?' : formatBytes(cand.lagBytes);
    const secs = cand.lagSeconds === null ? 'idle' : `${cand.lagSeconds.toFixed(1)} s`;
    const verdict = cand.level === 'ok' ? ['yes', 'ok'] : cand.level === 'warn' ? ['yes, see below', 'warn'] : ['no', 'bad'];
    out.push([
      seg(cur ? '▶' : ' ', 'accent', true), seg(`${n + 1} `, 'dim'),
      seg(padEnd(cand.node, 18), cur ? 'accent' : undefined, cur), seg(` ${padEnd(lag, 11)} ${padEnd(secs, 8)} ${padEnd(String(cand.timeline ?? '?'), 4)} `),
      seg(verdict[0]!, verdict[1] as Tone, true),
    ]);
    for (const r of cand.reasons) out.push(...wrapped(`      ${r}`, width, cand.level === 'bad' ? 'bad' : 'warn', 6, 2));
  });
  if (c.problem) out.push([], ...wrapped(c.problem, width, 'bad'));
  out.push([], ...wrapped('Nothing is changed until you type the chosen node\'s name on step 3.', width, 'dim'));
  return out;
}

function headerLines(w: SwitchoverWizardState): Line[] {
  if (!w.target) return [];
  const flags = ['--siblings-follow', ...(w.forceRewind ? ['--force-rewind'] : []), ...(w.alwaysPromote ? ['--always-promote'] : [])].join(' ');
  return [[seg('primary '), seg(w.oldPrimary ?? '?', 'accent', true), seg(' → new primary '), seg(w.target, 'accent', true), seg(`   ${flags}`, 'dim')], []];
}

interface Body {
  lines: Line[];
  /** Shown whatever the height: the verdict, what to do next. */
  keep?: Line[];
}

function preflightLines(i: WizardInput, width: number, ascii: boolean): Body {
  const w = i.wizard;
  if (w.showRaw) {
    const raw = w.dryRun?.raw ?? '';
    return { lines: [[seg(w.dryRun?.command ?? 'repmgr dry run', 'dim')], ...raw.split('\n').filter((l) => l.trim()).map((l): Line => [seg(l, /ERROR/.test(l) ? 'bad' : /WARNING/.test(l) ? 'warn' : undefined)])] };
  }
  const dr = w.dryRun;
  const rows = wizardPreflightRows(w, i.state, i.cluster, i.thresholds);
  const out = checkLines(rows, width, ascii);
  if (dr && !dr.running && dr.checks.length) {
    out.push([], [seg(`repmgr's own checks (${dr.command.split(': ')[0]}${dr.durationMs !== null ? `, ${formatSeconds(dr.durationMs / 1000)}` : ''}):`, 'dim')]);
    for (const c of dr.checks) {
      const [u, a, tone] = c.level === 'info' ? ['·', '-', 'dim' as Tone] : MARK[c.level];
      out.push(...wrapText(`${ascii ? a : u} ${c.text}${c.detail ? ` — ${c.detail}` : ''}`, width, 2, 2).map((l): Line => [seg(l, c.level === 'ok' || c.level === 'info' ? 'dim' : tone)]));
    }
  }
  const red = rows.some((r) => r.level === 'bad');
  const verdict: Line = red
    ? [seg('A red row stops the switchover here: nothing has been changed. ', 'bad', true), seg('Esc leaves.', 'dim')]
    : rows.some((r) => r.level === 'pending') ? [seg('Waiting for the checks to finish…', 'dim')] : [seg('All checks passed or amber: Enter goes on to the confirmation.', 'ok')];
  return { lines: out, keep: [[], verdict] };
}

function confirmLines(i: WizardInput, width: number, ascii: boolean): Line[] {
  const w = i.wizard;
  const n = i.cluster.nodes.find((x) => x.name === w.target);
  const out: Line[] = [[seg('This runs, on '), seg(n?.ssh ? describeTarget(n.ssh) : '?', 'accent'), seg(':')]];
  out.push(...wrapped(`  repmgr -f ${n?.repmgrConfig ?? '/etc/repmgr.conf'} standby switchover --siblings-follow${w.forceRewind ? ' --force-rewind' : ''}${w.alwaysPromote ? ' --always-promote' : ''}`, width, 'accent', 4));
  out.push([], ...wrapped(`${w.oldPrimary} is shut down and becomes a standby of ${w.target}; the other standbys follow ${w.target}. Once started it is never interrupted from here.`, width, 'dim'));
  const rows = wizardPreflightRows(w, i.state, i.cluster, i.thresholds);
  const amber = rows.filter((r) => r.level === 'warn');
  if (amber.length) out.push([], [seg('Amber on the preflight:', 'warn')], ...checkLines(amber, width, ascii));
  out.push([], [seg('Type '), seg(w.target!, 'accent', true), seg(' and Enter to run it:')]);
  const match = w.typed === w.target;
  out.push([seg('> '), seg(w.typed, match ? 'ok' : undefined, true), seg(ascii ? '_' : '█', 'dim')]);
  return out;
}

function phaseLines(w: SwitchoverWizardState, now: number): Line[] {
  return w.phases.map((p) => [seg(`  ${padEnd(p.name, 28)} `), seg(formatSeconds(((p.endedAt ?? now) - p.startedAt) / 1000), p.endedAt === null ? 'accent' : 'dim')]);
}

function progressLine(w: SwitchoverWizardState, now: number): Line {
  if (!w.waitingOn) return [];
  return [seg('waiting on ', 'dim'), seg(w.waitingOn.text, 'accent', true), seg(` for ${formatSeconds((now - w.waitingOn.since) / 1000)}`, 'accent')];
}

function outputTail(w: SwitchoverWizardState, room: number): Line[] {
  if (room <= 0) return [];
  return w.output.slice(-room).map((l): Line => [seg(l, /\bERROR\b/.test(l) ? 'bad' : /WARNING/.test(l) ? 'warn' : 'dim')]);
}

function runningLines(i: WizardInput, width: number, height: number, now: number): Line[] {
  const w = i.wizard;
  const out: Line[] = [...wrapped(w.command ?? '', width, 'dim', 4, 2), progressLine(w, now), [], ...phaseLines(w, now), []];
  out.push(...outputTail(w, height - out.length - 1));
  return out;
}

function topologyLines(s: SwitchoverStoreView): Line[] {
  const topo = buildTopology(s.nodeOrder.map((n) => s.nodes[n]!));
  return topo.entries.map((e) => {
    const smp = s.nodes[e.name]!.health.kind === 'ok' ? s.nodes[e.name]!.sample : null;
    const role = smp ? smp.role : 'down';
    const lead = e.depth ? `${'  '.repeat(e.depth - 1)}└─` : '';
    return [seg(`  ${lead}${padEnd(e.name, Math.max(1, 18 - lead.length))} `), seg(padEnd(role, 8), role === 'primary' ? 'accent' : role === 'down' ? 'bad' : undefined), seg(` TL ${smp?.timeline ?? '?'}`, 'dim'), seg(e.upstream ? `  from ${e.upstream}` : '', 'dim')];
  });
}

function postLines(i: WizardInput, width: number, height: number, ascii: boolean, now: number): Line[] {
  const w = i.wizard;
  const rows = postCheckRows(i.state, wizardPostContext(w));
  const left = w.postDeadline ? Math.max(0, Math.round((w.postDeadline - now) / 1000)) : 0;
  const out: Line[] = [progressLine(w, now), [seg(`the switchover itself is done; checking every layer (gives up in ${left} s)`, 'dim')], [], ...checkLines(rows, width, ascii)];
  out.push(...pgpoolOffer(i));
  if (i.cluster.barman.length) out.push([seg('w', 'accent', true), seg(` barman switch-wal --force --archive ${i.cluster.barman[0]!.server}: proves WAL from ${w.target} reaches barman`)]);
  out.push([], ...phaseLines(w, now));
  out.push([], ...outputTail(w, Math.min(6, height - out.length - 2)));
  return out;
}

/** What `a` would do to pgpool right now, as a line; none when pgpool agrees. */
function pgpoolOffer(i: WizardInput): Line[] {
  const target = i.wizard.target;
  const promote = target ? pgpoolsToPromote(i.state, target) : [];
  const down = backendsDown(i.state);
  if (promote.length) return [[], [seg('a', 'accent', true), seg(` makes ${target} pgpool's primary on ${promote.map((p) => p.pgpool).join(', ')} (pcp_promote_node -n ${promote[0]!.nodeId})`)]];
  if (down.length) return [[], [seg('a', 'accent', true), seg(` attaches ${down.map((d) => `${d.node} on ${d.pgpool}`).join(', ')} (pcp_attach_node)`)]];
  return [];
}

function doneLines(i: WizardInput, width: number, ascii: boolean, now: number): Body {
  const w = i.wizard;
  if (w.showRaw) return { lines: w.output.map((l): Line => [seg(l, /\bERROR\b/.test(l) ? 'bad' : undefined)]) };
  const o = w.outcome!;
  const out: Line[] = wrapText(`${o.ok ? 'SWITCHOVER DONE' : 'SWITCHOVER NOT CLEAN'}: ${o.message}`, width, 3, 2).map((l): Line => [seg(l, o.ok ? 'ok' : 'bad', true)]);
  if (o.error) out.push([], [seg("repmgr's message:", 'bad', true)], ...wrapped(o.error, width, 'bad', 2, 10));
  if (o.ok && w.oldPrimary && w.target) {
    const amber = postCheckRows(i.state, wizardPostContext(w)).filter((r) => r.level === 'warn');
    if (amber.length) out.push([], ...checkLines(amber, width, ascii));
  }
  if (!o.ok && w.oldPrimary && w.target) {
    if (!o.error) {
      // at the end a check still pending did not come: amber, not "…"
      const rows = postCheckRows(i.state, wizardPostContext(w)).filter((r) => r.level !== 'ok');
      out.push([], ...checkLines(rows.map((r) => (r.level === 'pending' ? { ...r, level: 'warn' } : r)), width, ascii));
    }
    out.push([], [seg('What to check next:', 'warn', true)], ...nextSteps(i.state, i.cluster, w.oldPrimary, w.target).flatMap((l) => wrapped(l, width, undefined, 4, 3)));
  }
  out.push(...pgpoolOffer(i));
  out.push([], [seg('Topology now:', 'dim')], ...topologyLines(i.state), [], [seg('Phases:', 'dim')], ...phaseLines(w, now));
  return { lines: out };
}

/** Key hints two spaces apart, wrapped between hints, never inside one. */
function hintLines(items: string[], width: number): Line[] {
  const out: Line[] = [];
  let cur = '';
  for (const h of items) {
    if (cur && cur.length + 2 + h.length > width) {
      out.push([seg(cur, 'dim')]);
      cur = h;
    } else cur = cur ? `${cur}  ${h}` : h;
  }
  if (cur) out.push([seg(cur, 'dim')]);
  return out;
}

export function wizardArea(i: WizardInput, width: number, height: number, ascii: boolean, now: number): Line[] {
  const w = i.wizard;
  const boxW = Math.min(width, 110);
  const inner = boxW - 2;
  const [n, name] = STEPS[w.step];
  const body: Body = (() => {
    switch (w.step) {
      case 'choose': return { lines: chooseLines(i, inner) };
      case 'preflight': return preflightLines(i, inner, ascii);
      case 'confirm': return { lines: confirmLines(i, inner, ascii) };
      case 'running': return { lines: runningLines(i, inner, height - 8, now) };
      case 'post': return { lines: postLines(i, inner, height - 8, ascii, now) };
      case 'done': return doneLines(i, inner, ascii, now);
    }
  })();
  const down = pgpoolOffer(i).length > 0;
  const hints = wizardHintItems(w.step, (id) => (id === 'attach' ? down : id === 'barmanSwitchWal' ? i.cluster.barman.length > 0 : id === 'raw' ? (w.step === 'done' ? w.output.length > 0 : !!w.dryRun && !w.dryRun.running) : true));
  const foot: Line[] = [];
  if (w.busy) foot.push([seg(`${w.busy} …`, 'accent')]);
  if (w.note) foot.push(...wrapped(w.note.text, inner, w.note.tone === 'error' ? 'bad' : w.note.tone === 'ok' ? 'ok' : w.note.tone === 'warn' ? 'warn' : 'accent', 2, 3));
  foot.push(...hintLines(hints, inner));
  const keep = body.keep ?? [];
  const room = Math.max(0, height - 2 - foot.length - 1 - keep.length);
  const main = [...headerLines(w), ...body.lines];
  const shown = main.length > room ? [...main.slice(0, Math.max(0, room - 1)), [seg(`… ${main.length - room + 1} more lines`, 'dim')]] : main;
  const lines = [...shown, ...keep, [], ...foot];
  return centred(drawBox({ title: `Switchover — step ${n} of 5: ${name}`, focused: true, width: boxW, height: Math.min(height, lines.length + 2), lines, ascii }), boxW, width, height);
}
