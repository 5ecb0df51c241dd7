// The `w` flow: pick the primary from what the probes see, confirm (No is the default), run,
// audit, and report in the footer. Refusals are reported and audited too.
import { describeTarget, parseConninfo } from '../config/conninfo.ts';
import type { BarmanConfig, ClusterConfig } from '../config/schema.ts';
import type { AppStore } from '../state/store.ts';
import type { DialogState } from '../views/components/Dialog.tsx';
import { seg } from '../views/format/line.ts';
import type { AuditLog } from './audit.ts';
import { type RunningPool, barmanSwitchWalArgv, runBarmanSwitchWal } from './barman-switch-wal.ts';
import { switchWal } from './switch-wal.ts';
import { describeTarget as describeSsh } from '../probes/barman/barman-probe.ts';

export interface FlowDeps {
  store: AppStore;
  cluster: ClusterConfig;
  audit: AuditLog;
  openDialog(d: DialogState | null): void;
  /** The scheduler's SSH pool: with a barman server configured, `w` also offers barman's switch-wal. */
  ssh?: RunningPool | null;
  /** Read the backup sources again (barman's view of the archived WAL). */
  refreshBackups?(): void;
}

const BARMAN_ACTION = 'barman_switch_wal';

/** `barman switch-wal --force --archive SERVER` over SSH: closes a segment and waits until barman has it. */
function runBarmanSwitch({ store, cluster, audit, ssh, refreshBackups }: FlowDeps, barman: BarmanConfig): void {
  const opts = { server: barman.server, configFile: barman.configFile, barmanBin: barman.barmanBin, sudoUser: barman.sudoUser, force: true };
  const command = barmanSwitchWalArgv(opts).join(' ');
  const target = `${barman.server} on ${describeSsh(barman.ssh)}`;
  const base = { cluster: cluster.name, action: BARMAN_ACTION, command, target };
  store.getState().setFlash(`barman switch-wal on ${barman.server}: waiting for the WAL to reach barman…`, 'info');
  const started = Date.now();
  void runBarmanSwitchWal(ssh!, barman.ssh, opts).then((r) => {
    audit.write({ ...base, outcome: r.ok ? 'ok' : 'error', detail: r.message, durationMs: Date.now() - started });
    store.getState().setFlash(`barman ${barman.server}: ${r.message}`, r.ok && r.archived ? 'ok' : r.ok ? 'warn' : 'error');
    refreshBackups?.();
  });
}

const COMMAND = 'SELECT pg_switch_wal()';

export function runSwitchWal(deps: FlowDeps): void {
  const { store, cluster, audit, openDialog } = deps;
  const state = store.getState();
  const base = { cluster: cluster.name, action: 'switch_wal', command: COMMAND };
  if (state.readOnly) {
    audit.write({ ...base, target: '-', outcome: 'refused', detail: 'read-only mode' });
    state.setFlash('read-only mode: actions are disabled', 'warn');
    return;
  }
  const primaries = state.nodeOrder.filter((n) => state.nodes[n]!.health.kind === 'ok' && state.nodes[n]!.sample?.role === 'primary');
  if (primaries.length !== 1) {
    const why = primaries.length === 0 ? 'no reachable primary' : `more than one primary (${primaries.join(', ')}): refusing to guess`;
    audit.write({ ...base, target: '-', outcome: 'refused', detail: why });
    state.setFlash(`switch WAL: ${why}`, 'error');
    return;
  }
  const name = primaries[0]!;
  const node = cluster.nodes.find((n) => n.name === name)!;
  const info = parseConninfo(node.conninfo);
  const target = `${name} (${describeTarget(info)})`;
  const barman = deps.ssh ? cluster.barman[0] : undefined;
  const cancel = () => {
    audit.write({ ...base, target, outcome: 'cancelled' });
    store.getState().setFlash('switch WAL cancelled', 'info');
  };
  const runPgSwitch = () => {
    store.getState().setFlash(`switching WAL on ${name}…`, 'info');
    const started = Date.now();
    switchWal(info).then(
      (r) => {
        audit.write({ ...base, target, outcome: 'ok', detail: r.message, durationMs: Date.now() - started });
        store.getState().setFlash(`${name}: ${r.message}`, r.archived === 'failed' || r.archived === 'pending' ? 'warn' : 'ok');
      },
      (e: Error) => {
        audit.write({ ...base, target, outcome: 'error', detail: e.message, durationMs: Date.now() - started });
        store.getState().setFlash(`switch WAL on ${name} failed: ${e.message}`, 'error');
      },
    );
  };
  if (barman) {
    // With barman in the stack, its own switch-wal also says whether the segment reached barman.
    openDialog({
      title: 'Switch WAL',
      lines: [
        [seg('p', undefined, true), seg('  '), seg(COMMAND, 'accent', true), seg(' on the primary')],
        [seg(`   ${target}`)],
        [seg('b', undefined, true), seg('  '), seg(`barman switch-wal --force --archive ${barman.server}`, 'accent', true)],
        [seg(`   on ${describeSsh(barman.ssh)}; waits until barman has the segment`, 'dim')],
        [],
        [seg('p', undefined, true), seg(' or '), seg('b', undefined, true), seg(' runs it; any other key cancels', 'dim')],
      ],
      onAnswer: () => undefined,
      choices: {
        keys: ['p', 'b'],
        onChoice: (k) => {
          if (k === null) return cancel();
          if (k === 'b') return runBarmanSwitch(deps, barman);
          runPgSwitch();
        },
      },
    });
    return;
  }
  openDialog({
    title: 'Switch WAL',
    lines: [
      [seg('Run '), seg(COMMAND, 'accent', true), seg(' on the primary')],
      [seg(`  ${target}`, undefined, true)],
      [seg('It closes the current WAL segment so it can be archived.', 'dim')],
      [],
      [seg('Proceed? '), seg('[y/N]', undefined, true), seg('  y runs it; any other key cancels', 'dim')],
    ],
    onAnswer: (yes) => (yes ? runPgSwitch() : cancel()),
  });
}
