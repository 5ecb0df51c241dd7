// `check`: the Nagios verdict, status line and perfdata from the captured scenarios' store state.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_THRESHOLDS } from '../../../src/config/schema.ts';
import { checkJson, checkReport, formatPerfdata, perfLabel } from '../../../src/model/check-report.ts';
import { SCENARIOS, NOW } from '../../helpers/states.ts';

const T = { ...DEFAULT_THRESHOLDS };
const report = (name: keyof typeof SCENARIOS) => {
  const s = SCENARIOS[name]().store.getState();
  return checkReport({ cluster: s.cluster, nodeOrder: s.nodeOrder, nodes: s.nodes, backupOrder: s.backupOrder, backups: s.backups, alerts: s.alerts }, T, NOW);
};

describe('check verdict', () => {
  const cases: Array<[keyof typeof SCENARIOS, string, number]> = [
    ['haLab', 'OK', 0],
    ['pg15', 'OK', 0],
    ['healthy17', 'CRITICAL', 2], // the demo captures' failing archive_command
    ['haFailover', 'CRITICAL', 2],
    ['connecting', 'UNKNOWN', 3], // nothing answered yet: nothing was checked
  ];
  for (const [name, status, code] of cases) {
    test(`${name} → ${status} (exit ${code})`, () => {
      const r = report(name);
      assert.equal(r.status, status);
      assert.equal(r.exitCode, code);
      assert.ok(r.line.startsWith(`PGTOP-HA ${status} - `), r.line);
      assert.equal(r.line.split('|').length, 2, 'exactly one | before the perfdata');
    });
  }

  test('a warning alone is WARNING; the first line names the alerts, the long output one line each', () => {
    const s = SCENARIOS.haLab().store.getState();
    const alerts = [{ code: 'REPLAY_PAUSED', severity: 'warning' as const, subject: 'pgsql3', message: 'WAL replay is paused on pgsql3 | x', evidence: [], key: 'REPLAY_PAUSED pgsql3', since: NOW, acked: false }];
    const r = checkReport({ cluster: 'lab', nodeOrder: s.nodeOrder, nodes: s.nodes, backupOrder: [], backups: {}, alerts }, T, NOW);
    assert.equal(r.status, 'WARNING');
    assert.match(r.line, /^PGTOP-HA WARNING - lab: 0 critical, 1 warning: REPLAY_PAUSED pgsql3 \| /);
    assert.deepEqual(r.details, ['WARNING REPLAY_PAUSED pgsql3: WAL replay is paused on pgsql3 / x'], 'a | in a message cannot start perfdata early');
  });

  test('OK names the nodes up', () => assert.match(report('haLab').line, /^PGTOP-HA OK - ha-lab: 3\/3 nodes up, no alerts \| /));
});

describe('perfdata', () => {
  test('lag per standby in B and s with the warn thresholds, slots, alert counts', () => {
    const p = report('haLab').perfdata.map((d) => `${d.label}=${d.value}${d.uom};${d.warn ?? ''}`);
    assert.ok(p.includes(`pgsql2 lag_bytes=0B;${T.lagBytesWarn}`), p.join(' '));
    assert.ok(p.some((x) => /^pgsql3 lag_seconds=[\d.]+s;30$/.test(x)), p.join(' '));
    assert.ok(p.some((x) => /^pgsql1\/repmgr_slot_2 retained=\d+B;$/.test(x)), 'an active slot has no warn level');
    assert.deepEqual(p.slice(-2), ['alerts_critical=0;', 'alerts_warning=0;1']);
  });

  test('labels: quoted when they hold spaces, = and quotes replaced', () => {
    assert.equal(perfLabel('alerts_critical'), 'alerts_critical');
    assert.equal(perfLabel('pgsql1/slot_a'), 'pgsql1/slot_a');
    assert.equal(perfLabel('pgsql2 lag_bytes'), "'pgsql2 lag_bytes'");
    assert.equal(perfLabel("a=b'c"), 'a_b_c');
  });

  test('format: value, unit, warn;crit;min with empty fields kept and trailing ones dropped', () => {
    assert.equal(formatPerfdata([
      { label: 'n1 lag_bytes', value: 1024, uom: 'B', warn: 16, crit: null, min: 0 },
      { label: 'n1 lag_seconds', value: 1.23456, uom: 's', warn: 30, crit: null, min: 0 },
      { label: 'alerts_warning', value: 0, uom: '', warn: null, crit: null, min: null },
    ]), "'n1 lag_bytes'=1024B;16;;0 'n1 lag_seconds'=1.235s;30;;0 alerts_warning=0");
  });
});

describe('check --json', () => {
  test('verdict, each alert with since as ISO time, acked and evidence, perfdata as numbers', () => {
    const s = SCENARIOS.haFailover().store.getState();
    const r = report('haFailover');
    const doc = JSON.parse(JSON.stringify(checkJson('ha-lab', r, s.alerts, NOW)));
    assert.equal(doc.status, 'CRITICAL');
    assert.equal(doc.exit_code, 2);
    assert.equal(doc.checked_at, new Date(NOW).toISOString());
    assert.equal(doc.alerts.length, s.alerts.length);
    const down = doc.alerts.find((a: { code: string }) => a.code === 'NODE_DOWN');
    assert.deepEqual(Object.keys(down), ['code', 'severity', 'subject', 'message', 'since', 'acked', 'evidence']);
    assert.equal(down.subject, 'pgsql1');
    assert.equal(down.acked, false);
    assert.ok(down.evidence.length > 0);
    assert.equal(down.since, new Date(s.alerts.find((a) => a.code === 'NODE_DOWN')!.since).toISOString());
    assert.deepEqual(Object.keys(doc.perfdata[0]), ['label', 'value', 'uom', 'warn', 'crit']);
    assert.deepEqual(doc.perfdata.at(-2), { label: 'alerts_critical', value: s.alerts.filter((a) => a.severity === 'critical').length, uom: '', warn: null, crit: 1 });
  });
});
