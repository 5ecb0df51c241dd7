// The `w` flow: pick the primary from what the probes see, confirm (No is the default), run,
// audit, and report in the footer. Refusals are reported and audited too.
import { describeTarget, parseConninfo } from '../config/conninfo.ts';
import type { ClusterConfig } from '../config/schema.ts';
import type { AppStore } from '../state/store.ts';
import type { DialogState } from '../views/components/Dialog.tsx';
import { seg } from '../views/format/line.ts';
import type { AuditLog } from './audit.ts';
import { switchWal } from './switch-wal.ts';

export interface FlowDeps {
  store: AppStore;
  cluster: ClusterConfig;
  audit: AuditLog;
  openDialog(d: DialogState | null): void;
}

const COMMAND = 'SELECT pg_switch_wal()';

export function runSwitchWal({ store, cluster, audit, openDialog }: FlowDeps): void {
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
  openDialog({
    title: 'Switch WAL',
    lines: [
      [seg('Run '), seg(COMMAND, 'accent', true), seg(' on the primary')],
      [seg(`  ${target}`, undefined, true)],
      [seg('It closes the current WAL segment so it can be archived.', 'dim')],
      [],
      [seg('Proceed? '), seg('[y/N]', undefined, true), seg('  y runs it; any other key cancels', 'dim')],
    ],
    onAnswer: (yes) => {
      if (!yes) {
        audit.write({ ...base, target, outcome: 'cancelled' });
        store.getState().setFlash('switch WAL cancelled', 'info');
        return;
      }
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
    },
  });
}
