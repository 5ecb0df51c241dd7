// buildTopology (src/model/topology.ts) on real captured samples: who streams from whom, as the
// standby's wal receiver and the upstream's pg_stat_replication report it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildTopology, isWalStreamer, type Topology } from '../../../src/model/topology.ts';
import type { SenderRow } from '../../../src/model/types.ts';
import { NOW, nodeFromFixture, PORTS, SCENARIOS, type ScenarioName } from '../../helpers/states.ts';

/** name@depth←upstream [link app name] flags, one string per entry: the whole tree at a glance. */
function shape(t: Topology): string[] {
  return t.entries.map((e) =>
    `${'  '.repeat(e.depth)}${e.name} ${e.role}${e.upstream ? ` <- ${e.upstream}` : ''}${e.link ? ` [${e.link.applicationName}]` : ''}` +
    `${e.detached ? ' detached' : ''}${e.reachable ? '' : ' unreachable'}`);
}

function topoOf(name: ScenarioName): Topology {
  const st = SCENARIOS[name]().store.getState();
  return buildTopology(st.nodeOrder.map((n) => st.nodes[n]!));
}

const primary = () => nodeFromFixture('primary', '17-primary', PORTS.primary);
const standby1 = (opts: Parameters<typeof nodeFromFixture>[3] = {}) =>
  nodeFromFixture('standby1', '17-standby', PORTS.standby1, { senderPort: PORTS.primary, senderHost: '127.0.0.1', ...opts });

describe('buildTopology on the scenarios', () => {
  test('healthy17: standby3 cascades from standby1, standby2 streams from the primary', () => {
    const t = topoOf('healthy17');
    assert.deepEqual(shape(t), [
      'primary primary',
      '  standby1 standby <- primary [standby1]',
      '    standby3 standby <- standby1 [standby3]',
      '  standby2 standby <- primary [standby2]',
    ]);
    assert.deepEqual(t.primaries, ['primary']);
    assert.deepEqual(t.external, []);
    // The link is the upstream's own pg_stat_replication row: standby3's lag comes from standby1.
    const s3 = t.entries.find((e) => e.name === 'standby3')!;
    assert.equal(s3.link!.slotName, 'cascade');
    assert.ok(s3.link!.replayLagBytes! > 16 * 1024 * 1024, 'standby3 replays behind by the captured ~48 MiB');
  });

  test('standbyDown: the down standby keeps its place under its upstream, without a link', () => {
    assert.deepEqual(shape(topoOf('standbyDown')), [
      'primary primary',
      '  standby1 standby <- primary [standby1]',
      '    standby3 standby <- standby1 [standby3]',
      '  standby2 standby <- primary unreachable',
    ]);
  });

  test('splitBrain: two reachable primaries, each with its own followers', () => {
    const t = topoOf('splitBrain');
    assert.deepEqual(t.primaries, ['primary', 'standby1']);
    assert.deepEqual(shape(t), [
      'primary primary',
      '  standby2 standby <- primary [standby2]',
      'standby1 primary',
      '  standby3 standby <- standby1 [standby3]',
    ]);
  });

  test('pg15: pg_receivewal (barman_receive_wal, replay_lsn NULL) is a WAL streamer, not a standby', () => {
    const t = topoOf('pg15');
    assert.deepEqual(shape(t), ['primary primary', '  standby1 standby <- primary [standby1]']);
    assert.deepEqual(t.external.map((x) => [x.on, x.row.applicationName, x.kind, x.row.replayLsn, x.row.slotName]), [
      ['primary', 'barman_receive_wal', 'wal-streamer', null, 'barman'],
    ]);
  });

  test('walStreamer: a standby missing from the config is an unlisted standby, the streamer stays a streamer', () => {
    const t = topoOf('walStreamer');
    assert.deepEqual(shape(t), ['primary primary']);
    assert.deepEqual(t.external.map((x) => [x.row.applicationName, x.kind]), [
      ['barman_receive_wal', 'wal-streamer'],
      ['standby1', 'unknown-standby'],
    ]);
  });

  test('connecting: nothing known yet, every node a root of unknown role', () => {
    const t = topoOf('connecting');
    assert.deepEqual(shape(t), ['primary unknown unreachable', 'standby1 unknown unreachable', 'standby2 unknown unreachable']);
    assert.deepEqual(t.primaries, []);
  });
});

describe('buildTopology: matching a standby to its upstream', () => {
  test('cascade: standby2 receiving from standby1 sits under standby1 with standby1\'s row', () => {
    // standby1's pg_stat_replication row for its downstream (captured as standby3) now names standby2.
    const s1 = standby1({
      edit: (s) => ({ ...s, senders: s.senders.map((r) => ({ ...r, applicationName: 'standby2' })) }),
    });
    const s2 = nodeFromFixture('standby2', '17-cascaded', PORTS.standby2, {
      senderPort: PORTS.standby1,
      edit: (s) => ({ ...s, receiver: { ...s.receiver!, applicationName: 'standby2' } }),
    });
    // The primary no longer streams to standby2 (its captured row for standby2 goes).
    const p = nodeFromFixture('primary', '17-primary', PORTS.primary, {
      edit: (x) => ({ ...x, senders: x.senders.filter((r) => r.applicationName !== 'standby2') }),
    });
    const t = buildTopology([s2, s1, p]); // config order must not matter
    assert.deepEqual(shape(t), [
      'primary primary',
      '  standby1 standby <- primary [standby1]',
      '    standby2 standby <- standby1 [standby2]',
    ]);
    assert.equal(t.entries[2]!.link, s1.sample!.senders[0]);
    assert.deepEqual(t.external, []);
  });

  test('receiver down, but the upstream\'s pg_stat_replication still names the standby', () => {
    // The walreceiver died (wal_receiver_status NULL) while the primary's walsender lingers.
    const s1 = standby1({ edit: (s) => ({ ...s, receiver: null, senders: [] }) });
    const p = primary();
    const t = buildTopology([p, s1]);
    const e = t.entries.find((x) => x.name === 'standby1')!;
    assert.equal(e.upstream, 'primary');
    assert.equal(e.link, p.sample!.senders.find((r) => r.applicationName === 'standby1'));
    assert.equal(e.detached, true, 'no wal receiver: detached, even though the upstream is known');
    assert.equal(e.depth, 1);
    assert.deepEqual(t.external.map((x) => x.row.applicationName), ['standby2'], 'the claimed row is not listed again');
  });

  test('sender_host we do not know (a VIP): falls back to the upstream row named after the node', () => {
    const s1 = standby1({ senderHost: '10.0.0.5', senderPort: 5432 });
    const t = buildTopology([primary(), s1]);
    const e = t.entries.find((x) => x.name === 'standby1')!;
    assert.deepEqual([e.upstream, e.link?.applicationName, e.detached], ['primary', 'standby1', false]);
  });

  test('node named differently from its application_name: matched through the receiver\'s application_name', () => {
    const s1 = nodeFromFixture('db-b', '17-standby', PORTS.standby1, { senderPort: PORTS.primary });
    const t = buildTopology([primary(), s1]);
    const e = t.entries.find((x) => x.name === 'db-b')!;
    assert.deepEqual([e.upstream, e.link?.applicationName, e.link?.slotName], ['primary', 'standby1', 'standby1']);
  });

  test('…or through its slot when the application names differ too', () => {
    const s1 = nodeFromFixture('db-b', '17-standby', PORTS.standby1, {
      senderPort: PORTS.primary,
      edit: (s) => ({ ...s, receiver: { ...s.receiver!, applicationName: 'walreceiver' } }),
    });
    const e = buildTopology([primary(), s1]).entries.find((x) => x.name === 'db-b')!;
    assert.deepEqual([e.upstream, e.link?.applicationName], ['primary', 'standby1']);
  });

  test('localhost and 127.0.0.1 are the same host', () => {
    const p = nodeFromFixture('primary', '17-primary', PORTS.primary, { host: 'localhost' });
    const e = buildTopology([p, standby1()]).entries.find((x) => x.name === 'standby1')!;
    assert.deepEqual([e.upstream, e.link?.applicationName], ['primary', 'standby1']);
  });

  test('a standby nobody streams to and without a receiver is a detached root after the primaries', () => {
    const lonely = nodeFromFixture('standby9', '17-standby', 5499, { edit: (s) => ({ ...s, receiver: null, senders: [] }) });
    const t = buildTopology([lonely, primary()]);
    assert.deepEqual(shape(t).slice(0, 1), ['primary primary']);
    assert.equal(shape(t).at(-1), 'standby9 standby detached');
  });

  test('receiver pointing at a port nobody listens on, no row anywhere: detached root', () => {
    const s = nodeFromFixture('standby9', '17-standby', 5499, { senderPort: 6000, edit: (x) => ({ ...x, senders: [] }) });
    const t = buildTopology([primary(), s]);
    assert.equal(shape(t).at(-1), 'standby9 standby detached');
  });

  test('a replication loop in bad data lists every node once and does not hang', () => {
    const a = nodeFromFixture('a', '17-standby', 6001, { senderPort: 6002 });
    const b = nodeFromFixture('b', '17-standby', 6002, { senderPort: 6001 });
    const t = buildTopology([a, b]);
    assert.deepEqual(t.entries.map((e) => e.name).sort(), ['a', 'b']);
  });

  test('a primary that is down is not counted among the primaries', () => {
    const p = nodeFromFixture('primary', '17-primary', PORTS.primary, { health: { kind: 'down', reason: 'x', since: NOW, retryAt: null } });
    const t = buildTopology([p, standby1()]);
    assert.deepEqual(t.primaries, []);
    assert.equal(t.entries[0]!.reachable, false);
  });
});

describe('isWalStreamer', () => {
  const row = (over: Partial<SenderRow>): SenderRow => ({
    pid: 1, applicationName: 'standby1', clientAddr: '127.0.0.1', clientPort: 5000, state: 'streaming', syncState: 'async',
    sentLsn: '0/3000000', writeLsn: '0/3000000', flushLsn: '0/3000000', replayLsn: '0/3000000',
    sentLagBytes: 0, writeLagBytes: 0, flushLagBytes: 0, replayLagBytes: 0, writeLagSeconds: null, flushLagSeconds: null, replayLagSeconds: null,
    replyTime: null, slotName: null, ...over,
  });
  const cases: Array<[string, Partial<SenderRow>, boolean]> = [
    ['a standby', {}, false],
    ['streaming with NULL replay_lsn', { replayLsn: null }, true],
    ['pg_receivewal by name', { applicationName: 'pg_receivewal' }, true],
    ['barman by name', { applicationName: 'barman_receive_wal' }, true],
    ['a standby still in catchup (replay_lsn NULL)', { replayLsn: null, state: 'catchup' }, false],
  ];
  for (const [what, over, want] of cases) test(`${what} → ${want}`, () => assert.equal(isWalStreamer(row(over)), want));

  test('the captured barman row is one', () => {
    const p = nodeFromFixture('primary', '15-primary', PORTS.primary);
    const byName = Object.fromEntries(p.sample!.senders.map((r) => [r.applicationName, isWalStreamer(r)]));
    assert.deepEqual(byName, { barman_receive_wal: true, standby1: false });
  });
});
