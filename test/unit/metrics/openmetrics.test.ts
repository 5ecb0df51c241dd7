// The exporter's /metrics body on the captured scenarios: the documented series with the store's
// values, absent data absent, every body accepted by a strict OpenMetrics parser, and the same
// samples in the Prometheus 0.0.4 form served to scrapers that do not ask for OpenMetrics.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { escapeLabel, renderFamilies, renderMetrics, type MetricsInput } from '../../../src/metrics/openmetrics.ts';
import { probeBarman } from '../../../src/probes/barman/barman-probe.ts';
import { parseOpenMetrics, parsePrometheusText, type ParsedFamily } from '../../helpers/openmetrics.ts';
import { NOW, SCENARIOS, type ScenarioName } from '../../helpers/states.ts';
import { barman34, barmanFixture } from '../barman/fixtures.ts';
import { FakeRunner, reply } from '../ssh/fake-runner.ts';

const input = (name: ScenarioName): MetricsInput => ({ ...SCENARIOS[name]().store.getState() });
const render = (name: ScenarioName, format: 'openmetrics' | 'text' = 'openmetrics') => renderMetrics(input(name), NOW, '9.9.9', format);
const family = (fams: ParsedFamily[], name: string) => fams.find((f) => f.name === name);
const samples = (fams: ParsedFamily[], name: string, labels: Record<string, string> = {}) =>
  fams.flatMap((f) => f.samples).filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
const sample = (fams: ParsedFamily[], name: string, labels: Record<string, string>) => samples(fams, name, labels)[0];
/** One sample's value; fails the test when the series is absent or not unique. */
const value = (fams: ParsedFamily[], name: string, labels: Record<string, string>) => {
  const found = samples(fams, name, labels);
  assert.equal(found.length, 1, `${name}${JSON.stringify(labels)}: ${found.length} series`);
  return found[0]!.value;
};
const flat = (fams: ParsedFamily[]) => fams.flatMap((f) => f.samples.map((s) => JSON.stringify([s.name, Object.entries(s.labels).sort(), s.value]))).sort();

describe('every scenario, in both expositions', () => {
  for (const name of Object.keys(SCENARIOS) as ScenarioName[]) {
    test(name, () => {
      const text = render(name);
      assert.ok(text.endsWith('\n# EOF\n'));
      const fams = parseOpenMetrics(text);
      assert.ok(family(fams, 'pgtop_ha_build'));
      assert.deepEqual(family(fams, 'pgtop_ha_alerts')!.samples.map((s) => s.labels.severity), ['critical', 'warning'], 'alert counts always present');
      const cluster = SCENARIOS[name]().store.getState().cluster;
      for (const s of fams.flatMap((f) => f.samples)) assert.equal(s.labels.cluster, cluster, `${s.name} has cluster="${cluster}"`);
      for (const f of fams) assert.ok(f.samples.length > 0, `${f.name} has samples`);

      const legacy = render(name, 'text');
      assert.doesNotMatch(legacy, /^# (EOF|UNIT)/m);
      assert.deepEqual(flat(parsePrometheusText(legacy)), flat(fams), 'same samples as the OpenMetrics body');
    });
  }
  test('the parsers are strict enough to catch what matters', () => {
    assert.throws(() => parseOpenMetrics(render('haLab').replace('# EOF\n', '')), /not valid OpenMetrics/);
    assert.throws(() => parseOpenMetrics(render('haLab').replace('# UNIT pgtop_ha_replication_lag_bytes bytes', '# UNIT pgtop_ha_replication_lag_bytes seconds')), /not valid OpenMetrics/);
    assert.throws(() => parseOpenMetrics(render('haLab').replace('pgtop_ha_archiver_archived_total{', 'pgtop_ha_archiver_archived{')), /not valid OpenMetrics/);
    assert.throws(() => parsePrometheusText(render('haLab')), /pgtop_ha_build is info/, 'an info family is not 0.0.4');
    assert.throws(() => parsePrometheusText(render('haLab', 'text').replace('# TYPE pgtop_ha_node_up gauge\n', '')), /pgtop_ha_node_up is unknown/);
  });
});

describe('series and values', () => {
  const lab = parseOpenMetrics(render('haLab'));
  const st = SCENARIOS.haLab().store.getState();

  test('build info and the poll time', () => {
    assert.equal(value(lab, 'pgtop_ha_build_info', { cluster: 'ha-lab', version: '9.9.9' }), 1);
    assert.equal(value(lab, 'pgtop_ha_last_poll_timestamp_seconds', {}), st.lastRefreshAt! / 1000);
    assert.equal(family(lab, 'pgtop_ha_last_poll_timestamp_seconds')!.unit, 'seconds');
  });

  test('nodes up and primary, probe round trip in seconds', () => {
    assert.equal(value(lab, 'pgtop_ha_node_up', { cluster: 'ha-lab', node: 'pgsql1' }), 1);
    assert.equal(value(lab, 'pgtop_ha_node_is_primary', { node: 'pgsql1' }), 1);
    assert.equal(value(lab, 'pgtop_ha_node_is_primary', { node: 'pgsql2' }), 0);
    const rtt = st.nodes.pgsql2!.sample!.roundTripMs;
    assert.ok(Math.abs(value(lab, 'pgtop_ha_node_probe_round_trip_seconds', { node: 'pgsql2' }) - rtt / 1000) < 1e-6);
  });

  test('lag per standby in bytes and seconds, from the upstream', () => {
    assert.equal(family(lab, 'pgtop_ha_replication_lag_bytes')!.unit, 'bytes');
    assert.equal(family(lab, 'pgtop_ha_replication_lag_seconds')!.unit, 'seconds');
    const sender = st.nodes.pgsql1!.sample!.senders.find((r) => r.applicationName === 'pgsql3')!;
    assert.equal(value(lab, 'pgtop_ha_replication_lag_bytes', { standby: 'pgsql3', upstream: 'pgsql1' }), sender.replayLagBytes);
  });

  test('healthy17: a cascade is measured from its own upstream; a caught-up idle standby is 0 s', () => {
    const h = parseOpenMetrics(render('healthy17'));
    const s = SCENARIOS.healthy17().store.getState();
    const viaStandby1 = s.nodes.standby1!.sample!.senders.find((r) => r.applicationName === 'standby3')!;
    assert.equal(value(h, 'pgtop_ha_replication_lag_bytes', { standby: 'standby3', upstream: 'standby1' }), viaStandby1.replayLagBytes);
    assert.equal(value(h, 'pgtop_ha_replication_lag_seconds', { standby: 'standby3' }), viaStandby1.replayLagSeconds);
    const paused = s.nodes.primary!.sample!.senders.find((r) => r.applicationName === 'standby2')!;
    assert.equal(value(h, 'pgtop_ha_replication_lag_bytes', { standby: 'standby2', upstream: 'primary' }), paused.replayLagBytes);
    assert.equal(s.nodes.primary!.sample!.senders.find((r) => r.applicationName === 'standby1')!.replayLagSeconds, null);
    assert.equal(value(h, 'pgtop_ha_replication_lag_bytes', { standby: 'standby1' }), 0);
    assert.equal(value(h, 'pgtop_ha_replication_lag_seconds', { standby: 'standby1' }), 0, 'PostgreSQL cleared replay_lag with 0 bytes behind');
  });

  test('behind in bytes while PostgreSQL has no replay_lag yet: the seconds series is absent', () => {
    const m = input('healthy17');
    const primary = m.nodes.primary!;
    const senders = primary.sample!.senders.map((r) => (r.applicationName === 'standby1' ? { ...r, replayLagBytes: 4096, replayLagSeconds: null } : r));
    const fams = parseOpenMetrics(renderMetrics({ ...m, nodes: { ...m.nodes, primary: { ...primary, sample: { ...primary.sample!, senders } } } }, NOW, '9.9.9'));
    assert.equal(value(fams, 'pgtop_ha_replication_lag_bytes', { standby: 'standby1' }), 4096);
    assert.equal(sample(fams, 'pgtop_ha_replication_lag_seconds', { standby: 'standby1' }), undefined);
  });

  test('slots: active and retained bytes per node', () => {
    const h = parseOpenMetrics(render('healthy17'));
    assert.equal(value(h, 'pgtop_ha_replication_slot_active', { node: 'primary', slot: 'old_standby', slot_type: 'physical' }), 0);
    assert.equal(value(h, 'pgtop_ha_replication_slot_retained_bytes', { node: 'primary', slot: 'old_standby' }), 62166288);
    assert.equal(value(h, 'pgtop_ha_replication_slot_active', { node: 'standby1', slot: 'cascade' }), 1);
    assert.equal(value(lab, 'pgtop_ha_replication_slot_active', { node: 'pgsql1', slot: 'repmgr_slot_2' }), 1);
  });

  test('PG17 summaries, archiver counters (_total) and last archive age', () => {
    const h = parseOpenMetrics(render('healthy17'));
    const p = SCENARIOS.healthy17().store.getState().nodes.primary!.sample!;
    assert.equal(value(h, 'pgtop_ha_wal_summary_files', { node: 'primary' }), 8);
    assert.equal(value(h, 'pgtop_ha_wal_summarizer_running', { node: 'primary' }), 1);
    assert.equal(value(h, 'pgtop_ha_wal_summarizer_behind_bytes', { node: 'primary' }), p.walSummary!.behindBytes);
    assert.equal(value(h, 'pgtop_ha_wal_summarizer_running', { node: 'standby3' }), 0);
    assert.equal(sample(h, 'pgtop_ha_wal_summary_files', { node: 'standby3' }), undefined, 'summarize_wal off: no file count');
    assert.equal(family(h, 'pgtop_ha_archiver_archived')!.type, 'counter');
    assert.equal(value(h, 'pgtop_ha_archiver_archived_total', { node: 'primary' }), p.archiver.archivedCount);
    assert.equal(value(h, 'pgtop_ha_archiver_failed_total', { node: 'primary' }), p.archiver.failedCount);
    assert.equal(value(h, 'pgtop_ha_archiver_last_archive_age_seconds', { node: 'primary' }), (NOW - Date.parse(p.archiver.lastArchivedTime!)) / 1000);
    assert.equal(sample(h, 'pgtop_ha_archiver_archived_total', { node: 'standby1' }), undefined, 'a standby does not archive');
  });

  test('before PostgreSQL 17 there are no summary series at all', () => {
    for (const name of ['pg13', 'pg15'] as const) {
      const names = parseOpenMetrics(render(name)).map((f) => f.name);
      assert.ok(!names.some((n) => n.startsWith('pgtop_ha_wal_summ')), `${name}: ${names.join(' ')}`);
    }
  });

  test('repmgrd and pgpool backends by node, with their role', () => {
    assert.equal(value(lab, 'pgtop_ha_repmgrd_running', { node: 'pgsql2' }), 1);
    assert.equal(value(lab, 'pgtop_ha_repmgrd_paused', { node: 'pgsql2' }), 0);
    assert.equal(value(lab, 'pgtop_ha_pgpool_backend_up', { pgpool: 'pgpool1', node: 'pgsql3', role: 'standby', backend_id: '2' }), 1);
    assert.equal(value(lab, 'pgtop_ha_pgpool_backend_up', { pgpool: 'pgpool1', node: 'pgsql1', role: 'primary' }), 1);
    assert.equal(value(lab, 'pgtop_ha_pgpool_up', { pgpool: 'pgpool1' }), 1);
    assert.equal(family(parseOpenMetrics(render('healthy17')), 'pgtop_ha_repmgrd_running'), undefined, 'no repmgr: no series');
  });

  test('standbyDown: the node is 0 with nothing else, its slot inactive, NODE_DOWN counted', () => {
    const d = parseOpenMetrics(render('standbyDown'));
    assert.equal(value(d, 'pgtop_ha_node_up', { node: 'standby2' }), 0);
    assert.equal(value(d, 'pgtop_ha_node_up', { node: 'standby1' }), 1);
    for (const f of ['pgtop_ha_node_is_primary', 'pgtop_ha_node_probe_round_trip_seconds', 'pgtop_ha_wal_summarizer_running']) {
      assert.equal(sample(d, f, { node: 'standby2' }), undefined, f);
    }
    assert.equal(sample(d, 'pgtop_ha_replication_lag_bytes', { standby: 'standby2' }), undefined);
    assert.equal(value(d, 'pgtop_ha_replication_slot_active', { node: 'primary', slot: 'standby2' }), 0);
    assert.equal(value(d, 'pgtop_ha_alert', { code: 'NODE_DOWN', subject: 'standby2', severity: 'critical' }), 1);
    const open = SCENARIOS.standbyDown().store.getState().alerts;
    assert.equal(value(d, 'pgtop_ha_alerts', { severity: 'critical' }), open.filter((a) => a.severity === 'critical').length);
    assert.equal(value(d, 'pgtop_ha_alerts', { severity: 'warning' }), open.filter((a) => a.severity === 'warning').length);
    assert.ok(value(d, 'pgtop_ha_alerts', { severity: 'critical' }) >= 1);
  });

  test('haFailover: a node down is 0 and has no other series; pgpool down is 0', () => {
    const f = parseOpenMetrics(render('haFailover'));
    assert.equal(value(f, 'pgtop_ha_node_up', { node: 'pgsql1' }), 0);
    assert.equal(sample(f, 'pgtop_ha_node_is_primary', { node: 'pgsql1' }), undefined);
    assert.equal(value(f, 'pgtop_ha_node_is_primary', { node: 'pgsql2' }), 1);
    assert.equal(value(f, 'pgtop_ha_pgpool_up', { pgpool: 'pgpool2' }), 0);
    assert.equal(samples(f, 'pgtop_ha_pgpool_backend_up', { pgpool: 'pgpool2' }).length, 0);
    assert.equal(value(f, 'pgtop_ha_pgpool_backend_up', { pgpool: 'pgpool1', node: 'pgsql1' }), 0);
  });

  test('before the first answer: no node series, only build info and alert counts (zero)', () => {
    const c = parseOpenMetrics(render('connecting'));
    assert.deepEqual(c.map((x) => x.name).sort(), ['pgtop_ha_alerts', 'pgtop_ha_build']);
    assert.deepEqual(c.find((x) => x.name === 'pgtop_ha_alerts')!.samples.map((s) => s.value), [0, 0]);
  });
});

describe('backups', async () => {
  const ssh = { host: 'backup1', port: 22, user: 'barman' };
  const main = await probeBarman(new FakeRunner(barman34), { ssh, server: 'main' }, null, { now: () => 0 });
  const unknown = await probeBarman(new FakeRunner(() => reply(barmanFixture('lab-3.4-list-backups-unknown-server.json'), 1)), { ssh, server: 'nosuch' }, null, { now: () => 0 });
  const now = Date.UTC(2026, 10, 23, 6, 0, 0);
  const m: MetricsInput = { ...input('haLab'), backupOrder: ['barman:main', 'barman:nosuch', 'dir:/srv/none'], backups: { 'barman:main': main, 'barman:nosuch': unknown } };
  const fams = parseOpenMetrics(renderMetrics(m, now, '9.9.9'));
  // barman 3.4 as captured: two full backups DONE, the newer ended 2026-11-22T03:46:59.103Z
  const newest = { source: 'barman:main', backup_id: '20261122T034654', type: 'full' };

  test('the newest usable backup: age, size, duration and type', () => {
    assert.equal(value(fams, 'pgtop_ha_backup_last_age_seconds', newest), (now - Date.parse('2026-11-22T03:46:59.103Z')) / 1000);
    assert.equal(value(fams, 'pgtop_ha_backup_last_size_bytes', newest), 38405345);
    assert.equal(value(fams, 'pgtop_ha_backup_last_duration_seconds', newest), 4.452);
    assert.equal(samples(fams, 'pgtop_ha_backup_last_age_seconds').length, 1, 'one per source');
    assert.equal(value(fams, 'pgtop_ha_backups', { source: 'barman:main', status: 'DONE' }), 2);
  });

  test('a source that does not answer is 0 and has no backup series; one never read is absent', () => {
    assert.equal(value(fams, 'pgtop_ha_backup_source_up', { source: 'barman:main' }), 1);
    assert.equal(value(fams, 'pgtop_ha_backup_source_up', { source: 'barman:nosuch' }), 0);
    assert.equal(sample(fams, 'pgtop_ha_backup_source_up', { source: 'dir:/srv/none' }), undefined);
    assert.equal(samples(fams, 'pgtop_ha_backups', { source: 'barman:nosuch' }).length, 0);
  });

  test('the same in the 0.0.4 form', () => {
    assert.deepEqual(flat(parsePrometheusText(renderMetrics(m, now, '9.9.9', 'text'))), flat(fams));
  });
});

describe('text format details', () => {
  test('label values escape backslash, quote and newline; both parsers read them back', () => {
    assert.equal(escapeLabel('a\\b"c\nd'), 'a\\\\b\\"c\\nd');
    const fams = [{ name: 'x', kind: 'gauge' as const, help: 'h', samples: [{ labels: { v: 'a\\b"c\nd' }, value: 1 }] }];
    assert.equal(parseOpenMetrics(renderFamilies(fams))[0]!.samples[0]!.labels.v, 'a\\b"c\nd');
    assert.equal(parsePrometheusText(renderFamilies(fams, 'text'))[0]!.samples[0]!.labels.v, 'a\\b"c\nd');
  });
  test('HELP escapes per format: OpenMetrics also escapes the double quote', () => {
    const fams = [{ name: 'x', kind: 'gauge' as const, help: 'say "hi"\\now\nnext', samples: [{ labels: {}, value: 1 }] }];
    assert.match(renderFamilies(fams), /^# HELP x say \\"hi\\"\\\\now\\nnext$/m);
    assert.match(renderFamilies(fams, 'text'), /^# HELP x say "hi"\\\\now\\nnext$/m);
  });
  test('0.0.4: a counter family is named with _total, an info is a gauge, no UNIT and no # EOF', () => {
    const text = renderFamilies([
      { name: 'c', kind: 'counter', help: 'h', unit: 'bytes', samples: [{ labels: {}, value: 3 }] },
      { name: 'b', kind: 'info', help: 'h', samples: [{ labels: { version: '1' }, value: 1 }] },
    ], 'text');
    assert.equal(text, '# HELP c_total h\n# TYPE c_total counter\nc_total 3\n# HELP b_info h\n# TYPE b_info gauge\nb_info{version="1"} 1\n');
  });
  test('families without samples are left out', () => {
    assert.equal(renderFamilies([{ name: 'empty', kind: 'gauge', help: 'h', samples: [] }]), '# EOF\n');
    assert.equal(renderFamilies([{ name: 'empty', kind: 'gauge', help: 'h', samples: [] }], 'text'), '');
  });
});
