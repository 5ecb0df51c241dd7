// The exporter's HTTP side on an ephemeral loopback port: which exposition each Accept header
// gets, what / and other paths answer, --listen parsing and which addresses count as loopback.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { isLoopback, metricsServer, negotiate, OPENMETRICS_TYPE, parseListen, TEXT_TYPE } from '../../../src/metrics/http-server.ts';
import { renderMetrics } from '../../../src/metrics/openmetrics.ts';
import { parseOpenMetrics, parsePrometheusText } from '../../helpers/openmetrics.ts';
import { NOW, SCENARIOS } from '../../helpers/states.ts';

// What scrapers send, as seen in their sources / on the wire.
const PROMETHEUS_2 = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
const PROMETHEUS_3 = 'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.5,text/plain;version=0.0.4;q=0.4,*/*;q=0.1';
const PROMETHEUS_PROTOBUF_FIRST = 'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.3,*/*;q=0.1';
const PROMETHEUS_TEXT_ONLY = 'text/plain;version=0.0.4;q=1,*/*;q=0.1';

describe('negotiate', () => {
  const cases: Array<[string | undefined, 'openmetrics' | 'text']> = [
    [PROMETHEUS_2, 'openmetrics'],
    [PROMETHEUS_3, 'openmetrics'],
    [PROMETHEUS_PROTOBUF_FIRST, 'openmetrics'],
    [PROMETHEUS_TEXT_ONLY, 'text'],
    ['application/openmetrics-text', 'openmetrics'],
    ['Application/OpenMetrics-Text; Version=1.0.0', 'openmetrics'],
    ['text/plain;q=0.9, application/openmetrics-text;q=0.5', 'text'],
    ['application/openmetrics-text;q=0', 'text'],
    ['*/*', 'text'], // curl, browsers
    [undefined, 'text'],
    ['', 'text'],
  ];
  for (const [accept, want] of cases) test(`${accept ?? '(no Accept)'} → ${want}`, () => assert.equal(negotiate(accept), want));
});

describe('parseListen and isLoopback', () => {
  const ok: Array<[string, string, number]> = [
    ['127.0.0.1:9780', '127.0.0.1', 9780],
    [':9781', '127.0.0.1', 9781],
    ['[::1]:9780', '::1', 9780],
    ['0.0.0.0:9780', '0.0.0.0', 9780],
    ['localhost:1', 'localhost', 1],
  ];
  for (const [s, host, port] of ok) test(`${s}`, () => assert.deepEqual(parseListen(s), { host, port }));
  for (const bad of ['9780', '127.0.0.1', '127.0.0.1:0', '127.0.0.1:70000', '::1:9780', 'a:b']) {
    test(`${bad} is refused with a reason`, () => assert.match(parseListen(bad) as string, /^--listen /));
  }
  test('loopback or not', () => {
    for (const h of ['127.0.0.1', '127.8.9.10', '::1', 'localhost', '::ffff:127.0.0.1']) assert.equal(isLoopback(h), true, h);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', '192.168.1.127', 'db.example']) assert.equal(isLoopback(h), false, h);
  });
});

describe('metricsServer', () => {
  const state = SCENARIOS.haLab().store.getState();
  let renders = 0;
  const server = metricsServer((format) => {
    renders++;
    return renderMetrics(state, NOW, '9.9.9', format);
  });
  let base = '';
  before(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  test('Prometheus gets strict OpenMetrics', async () => {
    const r = await fetch(`${base}/metrics`, { headers: { Accept: PROMETHEUS_3 } });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), OPENMETRICS_TYPE);
    assert.equal(r.headers.get('vary'), 'Accept');
    assert.ok(parseOpenMetrics(await r.text()).some((f) => f.name === 'pgtop_ha_node_up'));
  });

  test('curl (*/*) gets the 0.0.4 text format', async () => {
    const r = await fetch(`${base}/metrics`, { headers: { Accept: '*/*' } });
    assert.equal(r.headers.get('content-type'), TEXT_TYPE);
    const body = await r.text();
    assert.doesNotMatch(body, /# EOF/);
    assert.ok(parsePrometheusText(body).some((f) => f.name === 'pgtop_ha_node_up'));
  });

  test('each scrape renders anew; HEAD has the headers and no body', async () => {
    const n = renders;
    const r = await fetch(`${base}/metrics?x=1`, { method: 'HEAD', headers: { Accept: PROMETHEUS_2 } });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), OPENMETRICS_TYPE);
    assert.ok(Number(r.headers.get('content-length')) > 100);
    assert.equal(await r.text(), '');
    assert.equal(renders, n + 1);
  });

  test('/ links to /metrics; other paths 404; other methods 405', async () => {
    const home = await fetch(`${base}/`);
    assert.equal(home.status, 200);
    assert.match(await home.text(), /<a href="\/metrics">/);
    const missing = await fetch(`${base}/metrics/extra`);
    assert.equal(missing.status, 404);
    assert.match(await missing.text(), /\/metrics/);
    const post = await fetch(`${base}/metrics`, { method: 'POST', body: 'x' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
  });

  test('a renderer that throws is a 500 with one line, and the server keeps serving', async () => {
    const broken = metricsServer(() => {
      throw new Error('boom');
    });
    broken.listen(0, '127.0.0.1');
    await once(broken, 'listening');
    try {
      const r = await fetch(`http://127.0.0.1:${(broken.address() as AddressInfo).port}/metrics`);
      assert.equal(r.status, 500);
      assert.equal(await r.text(), 'pgtop-ha: could not render metrics: boom\n');
    } finally {
      broken.close();
    }
    assert.equal((await fetch(`${base}/metrics`)).status, 200);
  });
});
