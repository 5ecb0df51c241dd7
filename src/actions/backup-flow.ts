// The `b` flow: run a barman backup of a configured server (asked which when several) over SSH. Refused in --read-only,
// when a backup is already running, or without barman; confirmed (full, or full/incremental
// when the server can take one); streamed into the job panel; audited with its outcome; the
// backups are read again when it ends so the new one appears in its chain.
import type { BarmanConfig, ClusterConfig } from '../config/schema.ts';
import { describeTarget as describeSsh } from '../probes/barman/barman-probe.ts';
import type { AppStore } from '../state/store.ts';
import type { DialogState } from '../views/components/Dialog.tsx';
import { seg } from '../views/format/line.ts';
import type { AuditLog } from './audit.ts';
import { runBarman } from '../probes/barman/barman-run.ts';
import type { SshRunner } from '../probes/ssh/ssh-runner.ts';
import { backupAlreadyRunning, type BackupListEntry, backupMode, barmanBackupArgv, runBarmanBackup, versionAtLeast, type StreamingPool } from './barman-backup.ts';

export interface BackupFlowDeps {
  store: AppStore;
  cluster: ClusterConfig;
  audit: AuditLog;
  openDialog(d: DialogState | null): void;
  /** The scheduler's SSH pool (one connection per host); null when nothing uses SSH. */
  ssh: (StreamingPool & SshRunner) | null;
  /** Read the backup sources again now (the new backup appears when it is in barman's catalogue). */
  refreshBackups(): void;
}

const ACTION = 'barman_backup';

/** PostgreSQL major and summarize_wal of the primary, as the probes last saw them. */
function serverFacts(store: AppStore): { pgMajor: number | null; summarizeWal: boolean | null } {
  const st = store.getState();
  const primary = st.nodeOrder.map((n) => st.nodes[n]!).find((n) => n.health.kind === 'ok' && n.sample?.role === 'primary');
  const s = primary?.sample;
  return { pgMajor: s ? Math.floor(s.serverVersionNum / 10000) : null, summarizeWal: s ? (s.walSummary?.summarizeWal ?? false) : null };
}

function refuser(deps: BackupFlowDeps) {
  return (target: string, command: string, why: string) => {
    deps.audit.write({ cluster: deps.cluster.name, action: ACTION, target, command, outcome: 'refused', detail: why });
    deps.store.getState().setFlash(`backup: ${why}`, 'warn');
  };
}

/**
 * `b`: refusals first, then (with several barman servers) which one, then the confirm dialog.
 * Resolves once the dialog is open or the request refused; the backup itself runs on.
 */
export async function runBackupFlow(deps: BackupFlowDeps): Promise<void> {
  const { store, cluster } = deps;
  const state = store.getState();
  const refuse = refuser(deps);
  if (state.readOnly) return refuse('-', '-', 'read-only mode: actions are disabled');
  if (cluster.barman.length === 0 || !deps.ssh) return refuse('-', '-', 'no barman server configured (cluster key "barman")');
  if (state.job && state.job.ok === null) {
    store.getState().setJobHidden(false);
    return refuse('-', '-', `a backup started from this console is still running (${state.job.title})`);
  }
  if (cluster.barman.length === 1) return backupServer(deps, cluster.barman[0]!);
  const servers = cluster.barman.slice(0, 9);
  await new Promise<void>((resolve) => {
    deps.openDialog({
      title: 'Run a backup: which server?',
      lines: [
        ...servers.map((b, i) => [seg(`${i + 1}`, undefined, true), seg(`  ${b.server}`, 'accent'), seg(`  on ${describeSsh(b.ssh)}`, 'dim', true)]),
        [],
        [seg('a digit chooses; any other key cancels', 'dim')],
      ],
      onAnswer: () => undefined,
      choices: {
        keys: servers.map((_, i) => String(i + 1)),
        onChoice: (k) => {
          if (k === null) {
            deps.audit.write({ cluster: cluster.name, action: ACTION, target: '-', command: '-', outcome: 'cancelled' });
            store.getState().setFlash('backup cancelled', 'info');
            resolve();
            return;
          }
          void backupServer(deps, servers[Number(k) - 1]!).then(resolve);
        },
      },
    });
  });
}

/**
 * Is a backup of this server running? barman 3.14+ answers `list-processes` (a killed barman's
 * leftover STARTED backup is then not mistaken for one); older ones, or when that command fails,
 * fall back to a STARTED backup in the catalogue.
 */
async function listProcessesCheck(deps: BackupFlowDeps, barman: BarmanConfig, catalogue: BackupListEntry[]) {
  const r = await runBarman(deps.ssh!, barman, 'list-processes', [barman.server]);
  return backupAlreadyRunning(r.ok ? r.doc : null, catalogue);
}

async function backupServer(deps: BackupFlowDeps, barman: BarmanConfig): Promise<void> {
  const { store, cluster, audit, openDialog } = deps;
  const base = { cluster: cluster.name, action: ACTION };
  const refuse = refuser(deps);
  const source = store.getState().backups[`barman:${barman.server}`];
  const catalogue = (source?.backups ?? []).map((b) => ({ status: b.status, backup_id: b.id }));
  // Only 3.14+ needs the round trip; before it the dialog opens in the same keypress.
  const running = versionAtLeast(source?.barmanVersion ?? null, [3, 14]) ? await listProcessesCheck(deps, barman, catalogue) : backupAlreadyRunning(null, catalogue);
  if (running.running) return refuse(barman.server, '-', running.reason ?? 'a backup is already running');

  const mode = backupMode({ ...serverFacts(store), barmanVersion: source?.barmanVersion ?? null });
  const where = describeSsh(barman.ssh);
  const command = (incremental: boolean) => barmanBackupArgv({ server: barman.server, incremental: incremental ? 'latest' : null, configFile: barman.configFile, barmanBin: barman.barmanBin, wait: true }).join(' ');
  const start = (incremental: boolean) => {
    const cmd = command(incremental);
    const target = `${barman.server} on ${where}`;
    const started = Date.now();
    store.getState().startJob(`barman backup ${barman.server}${incremental ? ' (incremental)' : ''}`, `${where}: ${cmd}`);
    void runBarmanBackup(
      deps.ssh!,
      barman.ssh,
      { server: barman.server, incremental: incremental ? 'latest' : null, configFile: barman.configFile, barmanBin: barman.barmanBin, wait: true, sudoUser: barman.sudoUser },
      (e) => {
        const progress = e.phase === 'copy' || e.phase === 'copy-done' || e.phase === 'finalise' || e.phase === 'wait-wal' ? e.text : undefined;
        store.getState().jobOutput([e.text], progress);
      },
    ).then((r) => {
      const msg = r.ok ? `backup ${r.backupId ?? ''} done`.replace('  ', ' ') : (r.error ?? `barman exited ${r.code}`);
      store.getState().finishJob(r.ok, msg);
      audit.write({ ...base, target, command: cmd, outcome: r.ok ? 'ok' : 'error', detail: msg, durationMs: Date.now() - started });
      store.getState().setFlash(`barman backup ${barman.server}: ${msg}`, r.ok ? 'ok' : 'error');
      deps.refreshBackups();
    });
    deps.refreshBackups();
  };

  const lines = [
    [seg('Run '), seg(`barman backup --wait ${barman.server}`, 'accent', true)],
    [seg(`  on ${where}${barman.configFile ? ` (-c ${barman.configFile})` : ''}`, undefined, true)],
    [seg('barman copies the data directory, then waits for its WAL to be archived.', 'dim')],
    [seg('The output is shown live; Esc hides it and never stops the backup.', 'dim')],
    [],
  ];
  if (mode.choices.includes('incremental')) {
    openDialog({
      title: 'Run a backup',
      lines: [...lines, [seg('f', undefined, true), seg(' full   '), seg('i', undefined, true), seg(' incremental on the latest backup   any other key cancels', 'dim')]],
      onAnswer: () => undefined,
      choices: {
        keys: ['f', 'i'],
        onChoice: (k) => {
          if (k === null) {
            audit.write({ ...base, target: barman.server, command: command(false), outcome: 'cancelled' });
            store.getState().setFlash('backup cancelled', 'info');
            return;
          }
          start(k === 'i');
        },
      },
    });
    return;
  }
  openDialog({
    title: 'Run a backup',
    lines: [
      ...lines,
      [seg(`Full backup: ${mode.incrementalUnavailable ?? 'incremental not available'}.`, 'dim')],
      [seg('Proceed? '), seg('[y/N]', undefined, true), seg('  y runs it; any other key cancels', 'dim')],
    ],
    onAnswer: (yes) => {
      if (!yes) {
        audit.write({ ...base, target: barman.server, command: command(false), outcome: 'cancelled' });
        store.getState().setFlash('backup cancelled', 'info');
        return;
      }
      start(false);
    },
  });
}
