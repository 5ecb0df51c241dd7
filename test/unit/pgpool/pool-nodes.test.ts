import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parsePoolNodes, type PoolNodeRow } from '../../../src/probes/pgpool/pool-nodes.ts';
import { PgpoolParseError } from '../../../src/probes/pgpool/result-table.ts';
import { fixture, fromAligned, fromUnaligned, only } from './psql-text.ts';

const nodes = (file: string): PoolNodeRow[] =>
  parsePoolNodes(only(file.includes('unaligned') ? fromUnaligned(fixture(file), file) : fromAligned(fixture(file), file)));

/** Compact view of a state: status/pg_status/role/pg_role/lb per node. */
const shape = (rows: PoolNodeRow[]) => rows.map((r) => `${r.nodeId}:${r.status}/${r.pgStatus}:${r.role}/${r.pgRole}${r.loadBalanceNode ? ':lb' : ''}`);

describe('parsePoolNodes over pgpool-II 4.3.5 captures', () => {
  test('healthy: full row, typed', () => {
    const rows = nodes('pgpool-show-pool_nodes-unaligned.txt');
    assert.deepEqual(rows[0], {
      nodeId: 0, hostname: '127.0.0.1', port: 55432, status: 'up', pgStatus: 'up', lbWeight: 0.333333,
      role: 'primary', pgRole: 'primary', selectCnt: 21, loadBalanceNode: false, replicationDelay: { bytes: 0 },
      replicationState: null, replicationSyncState: null, lastStatusChange: '2026-11-22 03:47:01',
      statusMismatch: false, roleMismatch: false,
    });
    assert.deepEqual(rows[1].replicationState, 'streaming');
    assert.deepEqual(rows[1].replicationSyncState, 'async');
    assert.deepEqual(shape(rows), ['0:up/up:primary/primary', '1:up/up:standby/standby', '2:up/up:standby/standby:lb']);
  });

  test('during load (aligned capture): node 2 is 132529552 bytes behind', () => {
    const rows = nodes('pgpool-show-pool_nodes-during-load.txt');
    assert.deepEqual(rows.map((r) => r.replicationDelay), [{ bytes: 0 }, { bytes: 0 }, { bytes: 132529552 }]);
    assert.deepEqual(rows.map((r) => r.selectCnt), [0, 0, 0]);
    assert.equal(rows[2].replicationState, 'streaming');
  });

  test('after failover: node 0 down (pgpool and ping agree), pg_role unknown, node 1 primary', () => {
    const rows = nodes('pgpool-show-pool_nodes-unaligned-after-failover.txt');
    assert.deepEqual(shape(rows), ['0:down/down:standby/unknown', '1:up/up:primary/primary:lb', '2:up/up:standby/standby']);
    // pgpool relabels the dead old primary "standby"; pg_role unknown → no role alarm.
    assert.equal(rows[0].roleMismatch, false);
    assert.equal(rows[0].statusMismatch, false);
    assert.equal(rows[0].lastStatusChange, '2026-11-22 03:49:38');
    assert.equal(rows[1].lastStatusChange, '2026-11-22 03:49:38');
    assert.deepEqual(rows[0].replicationDelay, { bytes: 0 }); // reported as 0, not null, for a dead node
    assert.equal(rows[1].replicationState, null);
  });

  test('after rejoin: node 0 standby of node 1, streaming', () => {
    const rows = nodes('pgpool-show-pool_nodes-unaligned-after-rejoin.txt');
    assert.deepEqual(shape(rows), ['0:up/up:standby/standby', '1:up/up:primary/primary', '2:up/up:standby/standby:lb']);
    assert.equal(rows[0].replicationState, 'streaming');
    assert.equal(rows[0].lastStatusChange, '2026-11-22 03:50:56');
  });

  test('final (after switchback): node 0 primary again', () => {
    const rows = nodes('pgpool-show-pool_nodes-unaligned-final.txt');
    assert.deepEqual(shape(rows), ['0:up/up:primary/primary:lb', '1:up/up:standby/standby', '2:up/up:standby/standby']);
    assert.ok(rows.every((r) => !r.statusMismatch && !r.roleMismatch));
  });
});

describe('parsePoolNodes over constructed 4.4+ rows (delay_threshold_by_time)', () => {
  const rows = nodes('constructed-4.4-pool_nodes-by-time-unaligned.txt');

  test('"%.6f second(s)" reads as seconds', () => {
    assert.deepEqual(rows.map((r) => r.replicationDelay), [{ seconds: 0 }, { seconds: 1.5 }, { seconds: 12.25 }]);
  });

  test('mismatch flags', () => {
    assert.deepEqual(rows.map((r) => [r.statusMismatch, r.roleMismatch]), [[false, true], [false, true], [true, false]]);
  });
});

describe('parsePoolNodes: malformed input', () => {
  const good = () => only(fromUnaligned(fixture('pgpool-show-pool_nodes-unaligned.txt')));

  test('a missing column is named, even with no rows', () => {
    const r = good();
    const fields = r.fields.filter((f) => f.name !== 'pg_role');
    assert.throws(() => parsePoolNodes({ fields, rows: [] }), (e: unknown) =>
      e instanceof PgpoolParseError && e.column === 'pg_role' && /column "pg_role".*missing/.test(e.message));
  });

  test('an unknown status value is rejected, naming the column', () => {
    const r = good();
    const rows = r.rows.map((x, i) => (i === 1 ? { ...x, status: 'sleeping' } : x));
    assert.throws(() => parsePoolNodes({ fields: r.fields, rows }), (e: unknown) =>
      e instanceof PgpoolParseError && e.column === 'status' && /sleeping/.test(e.message));
  });

  test('an unreadable delay is rejected', () => {
    const r = good();
    const rows = r.rows.map((x) => ({ ...x, replication_delay: '5 minutes' }));
    assert.throws(() => parsePoolNodes({ fields: r.fields, rows }), (e: unknown) =>
      e instanceof PgpoolParseError && e.column === 'replication_delay');
  });

  test('not a result at all', () => {
    assert.throws(() => parsePoolNodes('node_id|hostname' as never), PgpoolParseError);
  });
});
