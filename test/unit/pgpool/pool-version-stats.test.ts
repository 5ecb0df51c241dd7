import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseBackendStats, parseHealthCheckStats } from '../../../src/probes/pgpool/pool-stats.ts';
import { parsePoolVersion } from '../../../src/probes/pgpool/pool-version.ts';
import { PgpoolParseError } from '../../../src/probes/pgpool/result-table.ts';
import { fixture, fromAligned, fromUnaligned, only } from './psql-text.ts';

describe('parsePoolVersion', () => {
  test('4.3.5 capture: empty result set first, then the version', () => {
    const results = fromUnaligned(fixture('pgpool-show-pool_version-unaligned.txt'));
    assert.deepEqual(results.map((r) => r.rows.length), [0, 1]); // the capture really has two sets
    assert.deepEqual(parsePoolVersion(results), { version: '4.3.5', codename: 'tamahomeboshi', major: 4, minor: 3, patch: 5 });
  });

  test('4.3.5 with SHOW_ALL_RESULTS=off (aligned): a bare single result', () => {
    const r = only(fromAligned(fixture('pgpool-show-pool_version-show_all_results_off.txt')));
    assert.equal(parsePoolVersion(r).version, '4.3.5');
  });

  test('constructed 4.6.7', () => {
    const r = only(fromUnaligned(fixture('constructed-4.6-pool_version-unaligned.txt')));
    assert.deepEqual(parsePoolVersion(r), { version: '4.6.7', codename: 'chirikoboshi', major: 4, minor: 6, patch: 7 });
  });

  test('pre-release without patch number', () => {
    const v = parsePoolVersion({ fields: [{ name: 'pool_version' }], rows: [{ pool_version: '4.6beta1 (chirikoboshi)' }] });
    assert.deepEqual(v, { version: '4.6beta1', codename: 'chirikoboshi', major: 4, minor: 6, patch: null });
  });

  test('only empty result sets / wrong column / junk value → PgpoolParseError', () => {
    const empty = { fields: [{ name: 'pool_version' }], rows: [] };
    assert.throws(() => parsePoolVersion([empty, empty]), /exactly one row/);
    assert.throws(() => parsePoolVersion({ fields: [{ name: 'version' }], rows: [{ version: 'x' }] }),
      (e: unknown) => e instanceof PgpoolParseError && e.column === 'pool_version');
    assert.throws(() => parsePoolVersion({ fields: [{ name: 'pool_version' }], rows: [{ pool_version: 'pgpool' }] }), PgpoolParseError);
  });
});

describe('parseHealthCheckStats (4.3.5 capture, healthy)', () => {
  const rows = parseHealthCheckStats(only(fromUnaligned(fixture('pgpool-show-pool_health_check_stats-unaligned.txt'))));

  test('typed counters, ms durations, empty timestamps → null', () => {
    assert.deepEqual(rows[0], {
      nodeId: 0, hostname: '127.0.0.1', port: 55432, status: 'up', role: 'primary', lastStatusChange: '2026-11-22 03:47:01',
      totalCount: 21, successCount: 21, failCount: 0, skipCount: 0, retryCount: 0, averageRetryCount: 0, maxRetryCount: 0,
      maxDurationMs: 39, minDurationMs: 8, averageDurationMs: 20.428571, lastHealthCheck: '2026-11-22 03:48:41',
      lastSuccessfulHealthCheck: '2026-11-22 03:48:41', lastSkipHealthCheck: null, lastFailedHealthCheck: null,
    });
    assert.deepEqual(rows.map((r) => [r.nodeId, r.role, r.maxDurationMs, r.averageDurationMs]),
      [[0, 'primary', 39, 20.428571], [1, 'standby', 57, 23.142857], [2, 'standby', 42, 22.238095]]);
  });

  test('missing column named', () => {
    const r = only(fromUnaligned(fixture('pgpool-show-pool_health_check_stats-unaligned.txt')));
    const fields = r.fields.filter((f) => f.name !== 'fail_count');
    assert.throws(() => parseHealthCheckStats({ fields, rows: r.rows }),
      (e: unknown) => e instanceof PgpoolParseError && e.column === 'fail_count');
  });

  test('a non-numeric counter is named', () => {
    const r = only(fromUnaligned(fixture('pgpool-show-pool_health_check_stats-unaligned.txt')));
    const rows2 = r.rows.map((x) => ({ ...x, total_count: 'many' }));
    assert.throws(() => parseHealthCheckStats({ fields: r.fields, rows: rows2 }),
      (e: unknown) => e instanceof PgpoolParseError && e.column === 'total_count');
  });
});

describe('parseBackendStats (4.3.5 capture, healthy)', () => {
  test('typed counters', () => {
    const rows = parseBackendStats(only(fromUnaligned(fixture('pgpool-show-pool_backend_stats-unaligned.txt'))));
    assert.deepEqual(rows[0], {
      nodeId: 0, hostname: '127.0.0.1', port: 55432, status: 'up', role: 'primary', selectCnt: 21, insertCnt: 0,
      updateCnt: 0, deleteCnt: 0, ddlCnt: 0, otherCnt: 75, panicCnt: 0, fatalCnt: 0, errorCnt: 0,
    });
    assert.deepEqual(rows.map((r) => [r.selectCnt, r.otherCnt]), [[21, 75], [18, 23], [21, 27]]);
  });

  test('missing column named', () => {
    assert.throws(() => parseBackendStats({ fields: [{ name: 'node_id' }], rows: [] }),
      (e: unknown) => e instanceof PgpoolParseError && e.column === 'hostname' && /pool_backend_stats/.test(e.message));
  });
});
