// `w`: pg_switch_wal() on the primary, then watch pg_stat_archiver until the closed segment is
// archived (or fails, or we give up). Runs on its own short-lived connection: the probe
// connections are read-only sessions and stay that way.
import pg from 'pg';
import { type Conninfo, resolveService, toPgTarget } from '../config/conninfo.ts';

export interface SwitchWalResult {
  switched: boolean;
  /** WAL file closed by the switch (or the current one when no switch was needed). */
  walFile: string | null;
  lsn: string | null;
  archiveMode: string;
  archived: 'yes' | 'failed' | 'pending' | 'not-archiving';
  archivedCountBefore: number;
  archivedCountAfter: number;
  waitedMs: number;
  message: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function switchWal(conninfo: Conninfo, opts: { waitMs?: number; pollMs?: number } = {}): Promise<SwitchWalResult> {
  const target = toPgTarget(resolveService(conninfo));
  const client = new pg.Client({
    host: target.host, port: target.port, database: target.database, user: target.user, password: target.password,
    ssl: target.ssl, options: target.options, application_name: 'pgtop-ha action',
    connectionTimeoutMillis: target.connectTimeoutMs ?? 5000, query_timeout: 10000,
  });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const pre = await client.query(
      `SELECT pg_is_in_recovery() AS standby, current_setting('archive_mode') AS archive_mode,
              CASE WHEN NOT pg_is_in_recovery() THEN pg_current_wal_insert_lsn()::text END AS before_lsn,
              a.archived_count, a.failed_count, a.last_archived_wal
         FROM pg_stat_archiver a`,
    );
    const before = pre.rows[0];
    if (before.standby) throw new Error('this node is a standby: pg_switch_wal() runs only on the primary');
    const sw = await client.query(
      'SELECT s.lsn::text AS lsn, pg_walfile_name(s.lsn) AS walfile FROM pg_switch_wal() AS s(lsn)',
    );
    const { lsn, walfile } = sw.rows[0];
    const before2 = Number(before.archived_count);
    const failedBefore = Number(before.failed_count);
    // pg_switch_wal() does nothing when no WAL was written since the last switch: it then
    // returns the insert position it found, the start of the current segment.
    const switched = lsn !== before.before_lsn;
    const archiveMode: string = before.archive_mode;
    const result: SwitchWalResult = {
      switched, walFile: walfile, lsn, archiveMode, archived: 'pending',
      archivedCountBefore: before2, archivedCountAfter: before2, waitedMs: 0, message: '',
    };
    if (archiveMode === 'off') {
      result.archived = 'not-archiving';
      result.message = `closed ${walfile} at ${lsn}; archive_mode is off, nothing to archive`;
      return result;
    }
    const started = Date.now();
    const waitMs = opts.waitMs ?? 15000;
    while (Date.now() - started < waitMs) {
      const r = await client.query('SELECT archived_count, failed_count, last_archived_wal, last_failed_wal FROM pg_stat_archiver');
      const row = r.rows[0];
      result.archivedCountAfter = Number(row.archived_count);
      if (row.last_archived_wal && row.last_archived_wal >= walfile) {
        result.archived = 'yes';
        break;
      }
      if (Number(row.failed_count) > failedBefore && row.last_failed_wal === walfile) {
        result.archived = 'failed';
        break;
      }
      await sleep(opts.pollMs ?? 250);
    }
    result.waitedMs = Date.now() - started;
    result.message =
      result.archived === 'yes'
        ? `closed ${walfile} at ${lsn}; archived in ${(result.waitedMs / 1000).toFixed(1)} s (archived_count ${before2} → ${result.archivedCountAfter})`
        : result.archived === 'failed'
          ? `closed ${walfile} at ${lsn}; archive_command FAILED for it (see the server log)`
          : `closed ${walfile} at ${lsn}; not archived after ${Math.round(result.waitedMs / 1000)} s`;
    if (!switched) result.message = `no switch needed: no WAL written since ${walfile} was closed (${result.archived === 'yes' ? 'archived' : 'not yet archived'})`;
    return result;
  } finally {
    await client.end().catch(() => undefined);
  }
}
