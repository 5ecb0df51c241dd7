// `snapshot` (text): the panes as plain text with the alerts written out in full, golden per
// scenario (test/golden/snapshot-*.txt).
//   UPDATE_GOLDEN=1 node --import tsx --test test/unit/views/snapshot-text.test.ts   rewrites them
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TrackedAlert } from '../../../src/model/alerts/tracker.ts';
import { alertsText, snapshotText } from '../../../src/views/snapshot-text.ts';
import { golden } from '../../helpers/golden.ts';
import { SCENARIOS, NOW, type ScenarioName } from '../../helpers/states.ts';

const text = (name: ScenarioName, width = 120) => {
  const sc = SCENARIOS[name]();
  return snapshotText(sc.store.getState(), sc.cluster.name, sc.cluster.thresholds, NOW, width);
};

const alert = (over: Partial<TrackedAlert>): TrackedAlert => ({
  code: 'NODE_DOWN', severity: 'critical', subject: 'n2', message: 'n2 does not answer', evidence: [], key: 'NODE_DOWN n2', since: NOW, acked: false, ...over,
});

describe('snapshot text', () => {
  for (const name of ['healthy17', 'haLab', 'haFailover'] as const) {
    test(`golden: ${name}`, (t) => golden(t, `snapshot-${name}`, text(name).trimEnd()));
  }

  test('every scenario: alerts right after the topology; no lag or timeline pane (one poll has neither)', () => {
    for (const name of ['healthy17', 'haLab', 'haFailover', 'splitBrain', 'pg13', 'connecting'] as const) {
      const heads = text(name).split('\n').filter((l) => l.startsWith('== '));
      assert.deepEqual(heads.slice(0, 2), ['== Topology ==', '== Alerts =='], name);
      assert.ok(!heads.includes('== Replication lag ==') && !heads.some((h) => /timeline/i.test(h)), `${name}: ${heads.join(' ')}`);
    }
  });

  test('a long alert message is not cut, and every alert shows its evidence', () => {
    const long = 'x'.repeat(300);
    const out = snapshotText({ ...SCENARIOS.haLab().store.getState(), alerts: [alert({ message: long, evidence: ['e1'] }), alert({ key: 'k2', severity: 'warning', code: 'LAG_BYTES', evidence: ['e2'] })] }, 'lab', SCENARIOS.haLab().cluster.thresholds, NOW);
    assert.match(out, new RegExp(`\\n== Alerts ==\\n1 critical, 1 warning\\nCRIT NODE_DOWN n2: ${long}\\n {5}e1\\nWARN LAG_BYTES n2: n2 does not answer\\n {5}e2\\n`));
  });
});

describe('alertsText', () => {
  const cases: Array<[string, TrackedAlert[], string[]]> = [
    ['none', [], ['no open alerts']],
    ['one critical with evidence', [alert({ evidence: ['connection refused'] })], ['1 critical, 0 warning', 'CRIT NODE_DOWN n2: n2 does not answer', '     connection refused']],
    ['acknowledged stays listed, marked', [alert({ severity: 'warning', code: 'REPLAY_PAUSED', message: 'paused', acked: true })], ['0 critical, 1 warning', 'WARN REPLAY_PAUSED n2: (ack) paused']],
  ];
  for (const [name, alerts, want] of cases) test(name, () => assert.deepEqual(alertsText(alerts), want));
});
