// The store re-evaluates the alert rules on every probe write, stamps them with the write's time,
// keeps acknowledgements, and records what changed for the timeline.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OBSERVED_MAX } from '../../../src/model/timeline.ts';
import { SCENARIOS, NOW } from '../../helpers/states.ts';

const T = NOW + 10_000;

function labWithDownStandby() {
  const s = SCENARIOS.haLab();
  const st = s.store.getState();
  assert.deepEqual(st.alerts, [], 'the healthy lab raises nothing');
  st.applyBatch([{ name: 'pgsql3', health: { kind: 'down', reason: 'connection refused', since: T, retryAt: T + 2000 } }], T);
  return s;
}

describe('alerts in the store', () => {
  test('a node going down raises NODE_DOWN at the write\'s time, and the timeline has both facts', () => {
    const s = labWithDownStandby();
    const st = s.store.getState();
    // pgpool still routes to it: the layers disagree too, as the real lab shows in the first seconds
    assert.deepEqual(st.alerts.map((a) => [a.key, a.since, a.acked]), [['LAYERS_DISAGREE pgsql3', T, false], ['NODE_DOWN pgsql3', T, false]]);
    const last = st.observed.slice(-3).map((e) => `${e.source} ${e.event} ${e.at}`);
    assert.deepEqual(last, [`postgres stopped answering ${T}`, `alert LAYERS_DISAGREE raised ${T}`, `alert NODE_DOWN raised ${T}`]);
  });

  test('a write that changes nothing about the alerts keeps the same array (no redraw)', () => {
    const s = labWithDownStandby();
    const before = s.store.getState().alerts;
    s.store.getState().applyBatch([{ layer: 'vip', state: { ...s.store.getState().vip!, at: T + 1 } }], T + 1);
    assert.equal(s.store.getState().alerts, before);
  });

  test('a acknowledges the selected alert (the first when none is selected); it clears when fixed', () => {
    const s = labWithDownStandby();
    s.store.getState().acknowledgeAlert();
    assert.deepEqual(s.store.getState().alerts.map((a) => [a.key, a.acked]), [['NODE_DOWN pgsql3', false], ['LAYERS_DISAGREE pgsql3', true]], 'acknowledged ones go last');
    assert.equal(s.store.getState().alertCursor, 'NODE_DOWN pgsql3', 'the selection moves on to the next one not acknowledged');
    assert.equal(s.store.getState().observed.at(-1)!.event, 'LAYERS_DISAGREE acknowledged', 'the acknowledgement is on the timeline');
    s.store.getState().acknowledgeAlert();
    assert.ok(s.store.getState().alerts.every((a) => a.acked), 'a second a acknowledges the next');
    const sample = SCENARIOS.haLab().store.getState().nodes.pgsql3!.sample!;
    s.store.getState().applyBatch([{ name: 'pgsql3', sample }], T + 4000);
    const st = s.store.getState();
    assert.deepEqual(st.alerts, []);
    assert.deepEqual(st.observed.slice(-3).map((e) => e.event), ['answers again', 'LAYERS_DISAGREE cleared', 'NODE_DOWN cleared']);
  });

  test('the cursor moves within the list and stops at its ends', () => {
    const s = labWithDownStandby();
    s.store.getState().applyBatch([{ name: 'pgsql2', health: { kind: 'down', reason: 'timeout', since: T, retryAt: T } }], T + 1);
    const keys = s.store.getState().alerts.map((a) => a.key);
    assert.ok(keys.length >= 2);
    const st = () => s.store.getState();
    st().moveAlertCursor(1);
    assert.equal(st().alertCursor, keys[1]);
    st().moveAlertCursor(10);
    assert.equal(st().alertCursor, keys.at(-1));
    st().moveAlertCursor(-10);
    assert.equal(st().alertCursor, keys[0]);
    st().acknowledgeAlert(keys[0]);
    st().acknowledgeAlert(keys[0]);
    assert.equal(st().alerts.filter((a) => a.acked).length, 1, 'acknowledging twice is harmless');
  });

  test('the observed timeline is bounded', () => {
    const s = labWithDownStandby();
    const down = { kind: 'down' as const, reason: 'x', since: T, retryAt: T };
    const up = SCENARIOS.haLab().store.getState().nodes.pgsql3!.sample!;
    for (let i = 0; i < OBSERVED_MAX; i++) s.store.getState().applyBatch([{ name: 'pgsql3', ...(i % 2 ? { health: down } : { sample: up }) }], T + i * 1000);
    const o = s.store.getState().observed;
    assert.equal(o.length, OBSERVED_MAX);
    assert.equal(o.at(-1)!.at, T + (OBSERVED_MAX - 1) * 1000, 'the newest kept');
  });
});
