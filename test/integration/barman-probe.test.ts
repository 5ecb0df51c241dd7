// probeBarman against the lab's real barman 3.4 over a real SshPool to the lab sshd as OS user
// barman. A lab that cannot start fails the suite: never skipped.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { probeBarman, type BarmanTarget } from '../../src/probes/barman/barman-probe.ts';
import { SshPool } from '../../src/transport/ssh-pool.ts';
import { labDown, labUp, type LabInfo } from '../lab/lab.ts';

const DIR = '/tmp/pgtop-ha-lab-barman';
let lab: LabInfo;
let pool: SshPool;
const logs: string[] = [];

function target(server?: string): BarmanTarget {
  const s = lab.sshd!;
  return { ssh: { host: s.host, port: s.port, user: 'barman', identity_file: s.clientKey, known_hosts: s.knownHosts }, server: server ?? lab.barman!.server, configFile: lab.barman!.configFile };
}

describe('barman probe on the lab', { timeout: 300_000 }, () => {
  before(
    async () => {
      lab = await labUp({ dir: DIR, fresh: true, log: (m) => logs.push(m) });
      assert.ok(lab.sshd && lab.barman, 'lab has sshd and barman');
      pool = new SshPool({ agent: false, backoffInitialMs: 50, backoffMaxMs: 200, connectTimeoutMs: 5_000 });
    },
    { timeout: 240_000 },
  );

  after(async () => {
    await pool?.close();
    await labDown({ dir: DIR, log: (m) => logs.push(m) });
  });

  test('the two lab backups are DONE full backups; checks and WAL archiving read', async () => {
    const s = await probeBarman(pool, target(), null, { timeoutMs: 60_000 });
    assert.equal(s.error, null, s.error ?? '');
    assert.equal(s.reachable, true);
    assert.equal(s.source, 'barman');
    assert.equal(s.backups.length, 2);
    for (const b of s.backups) {
      assert.equal(b.status, 'DONE');
      assert.equal(b.type, 'full');
      assert.match(b.beginTime ?? '', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      assert.ok((b.sizeBytes ?? 0) > 0);
      assert.match(b.beginLsn ?? '', /^[0-9A-F]+\/[0-9A-F]+$/);
    }
    assert.deepEqual(s.chains.map((c) => [c.members.length, c.broken]), [[1, false], [1, false]]);
    assert.ok(s.backups[0].id > s.backups[1].id, 'newest first');
    assert.ok(s.checks && s.checks.length > 10);
    assert.equal(s.checks.find((c) => c.name === 'receive wal running')?.ok, true);
    assert.ok(s.wal);
    assert.equal(s.wal.receiveWalRunning, true);
    assert.equal(s.wal.walStreaming, true, 'replication-status shows barman_receive_wal streaming');
    assert.equal(s.wal.firstRecoverabilityPoint, s.backups[1].endTime);

    // the next read reuses both finished records: only list-backups, check, status and replication-status run
    const seen: string[][] = [];
    const spy = { run: (t: Parameters<SshPool['run']>[0], argv: readonly string[], o?: Parameters<SshPool['run']>[2]) => (seen.push([...argv]), pool.run(t, argv, o)) };
    const again = await probeBarman(spy, target(), s, { timeoutMs: 60_000 });
    assert.equal(again.reachable, true);
    assert.deepEqual(seen.map((a) => a[a.indexOf('json') + 1]).sort(), ['check', 'list-backups', 'replication-status', 'status']);
    assert.deepEqual(again.backups, s.backups);
  });

  test('an unknown server name: reachable false, barman says why', async () => {
    const s = await probeBarman(pool, target('nosuch'), null, { timeoutMs: 60_000 });
    assert.equal(s.reachable, false);
    assert.equal(s.error, "barman list-backups: Unknown server 'nosuch'");
    assert.deepEqual(s.backups, []);
  });
});
