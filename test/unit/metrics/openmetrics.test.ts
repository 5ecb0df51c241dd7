// The exporter's /metrics body on the captured scenarios: the documented series with the store's
// values, absent data absent, and every body accepted by a strict OpenMetrics parser.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { escapeLabel, renderFamilies, renderMetrics } from '../../../src/metrics/openmetrics.ts';
import { parseOpenMetrics, type ParsedFamily } from '../../helpers/openmetrics.ts';
import { NOW, SCENARIOS } from '../../helpers/states.ts';

const render = (name: keyof typeof SCENARIOS) => renderMetrics({ ...SCENARIOS[name]().store.getState() }, NOW, '9.9.9');
const family = (fams: ParsedFamily[], name: string) => fams.find((f) => f.name === name);
const sample = (fams: ParsedFamily[], name: string, labels: Record<string, string>) =>
  fams.flatMap((f) => f.samples).find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));

describe('a strict OpenMetrics parser accepts every scenario', () => {
  for (const name of Object.keys(SCENARIOS) as Array<keyof typeof SCENARIOS>) {
    test(name, () => {
      const text = render(name);
      assert.ok(text.endsWith('# EOF\n'));
      const fams = parseOpenMetrics(text);
      assert.ok(fams.some((f) => f.name === 'pgtop_ha_build'));
      assert.deepEqual(family(fams, 'pgtop_ha_alerts')!.samples.map((s) => s.labels.severity), ['critical', 'warning'], 'alert counts always present');
    });
  }
  test('the parser is strict: it rejects a body without # EOF', () => {
    assert.throws(() => parseOpenMetrics(render('haLab').replace('# EOF\n', '')), /not valid OpenMetrics/);
  });
});

describe('series and values', () => {
  const lab = parseOpenMetrics(render('haLab'));
  const st = SCENARIOS.haLab().store.getState();

  test('nodes up and primary, with the cluster label', () => {
    assert.equal(sample(lab, 'pgtop_ha_node_up', { cluster: 'ha-lab', node: 'pgsql1' })!.value, 1);
    assert.equal(sample(lab, 'pgtop_ha_node_is_primary', { node: 'pgsql1' })!.value, 1);
    assert.equal(sample(lab, 'pgtop_ha_node_is_primary', { node: 'pgsql2' })!.value, 0);
  });

  test('lag per standby in bytes and seconds, with units', () => {
    assert.equal(family(lab, 'pgtop_ha_replication_lag_bytes')!.unit, 'bytes');
    assert.equal(family(lab, 'pgtop_ha_replication_lag_seconds')!.unit, 'seconds');
    const sender = st.nodes.pgsql1!.sample!.senders.find((r) => r.applicationName === 'pgsql3')!;
    assert.equal(sample(lab, 'pgtop_ha_replication_lag_bytes', { standby: 'pgsql3', upstream: 'pgsql1' })!.value, sender.replayLagBytes);
  });

  test('slots, archiver counters (_total), repmgrd, pgpool backends by node', () => {
    assert.equal(sample(lab, 'pgtop_ha_replication_slot_active', { node: 'pgsql1', slot: 'repmgr_slot_2' })!.value, 1);
    assert.equal(family(lab, 'pgtop_ha_archiver_archived')?.type ?? 'counter', 'counter');
    assert.equal(sample(lab, 'pgtop_ha_repmgrd_running', { node: 'pgsql2' })!.value, 1);
    assert.equal(sample(lab, 'pgtop_ha_pgpool_backend_up', { pgpool: 'pgpool1', node: 'pgsql3', role: 'standby' })!.value, 1);
    assert.equal(sample(lab, 'pgtop_ha_pgpool_up', { pgpool: 'pgpool1' })!.value, 1);
  });

  test('PG17 summaries and archiver on the demo captures', () => {
    const demo = parseOpenMetrics(render('healthy17'));
    assert.equal(sample(demo, 'pgtop_ha_wal_summary_files', { node: 'primary' })!.value, 8);
    assert.equal(sample(demo, 'pgtop_ha_wal_summarizer_running', { node: 'primary' })!.value, 1);
    assert.ok(sample(demo, 'pgtop_ha_archiver_failed_total', { node: 'primary' })!.value >= 1);
    assert.equal(sample(demo, 'pgtop_ha_alerts', { severity: 'critical' })!.value, 1);
    assert.ok(sample(demo, 'pgtop_ha_alert', { code: 'ARCHIVER_FAILING', subject: 'primary' }));
  });

  test('a node down is 0 and has no other series; pgpool down is 0', () => {
    const f = parseOpenMetrics(render('haFailover'));
    assert.equal(sample(f, 'pgtop_ha_node_up', { node: 'pgsql1' })!.value, 0);
    assert.equal(sample(f, 'pgtop_ha_node_is_primary', { node: 'pgsql1' }), undefined);
    assert.equal(sample(f, 'pgtop_ha_pgpool_up', { pgpool: 'pgpool2' })!.value, 0);
    assert.equal(sample(f, 'pgtop_ha_pgpool_backend_up', { pgpool: 'pgpool1', node: 'pgsql1' })!.value, 0);
  });

  test('before the first answer: no node series, only build info and alert counts', () => {
    const c = parseOpenMetrics(render('connecting'));
    assert.deepEqual(c.map((x) => x.name).sort(), ['pgtop_ha_alerts', 'pgtop_ha_build']);
  });
});

describe('text format details', () => {
  test('label values escape backslash, quote and newline; the parser reads them back', () => {
    assert.equal(escapeLabel('a\\b"c\nd'), 'a\\\\b\\"c\\nd');
    const text = renderFamilies([{ name: 'x_info', kind: 'gauge', help: 'h', samples: [{ labels: { v: 'a\\b"c\nd' }, value: 1 }] }]);
    assert.equal(parseOpenMetrics(text)[0]!.samples[0]!.labels.v, 'a\\b"c\nd');
  });
  test('families without samples are left out', () => {
    assert.equal(renderFamilies([{ name: 'empty', kind: 'gauge', help: 'h', samples: [] }]), '# EOF\n');
  });
});
