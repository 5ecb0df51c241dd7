// Alerts over time: first seen, acknowledged, cleared, back again; the order the pane shows.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Alert } from '../../../src/model/alerts/rules.ts';
import { acknowledge, alertCounts, sameAlerts, trackAlerts, worstOpen } from '../../../src/model/alerts/tracker.ts';

const A = (code: string, subject: string, severity: Alert['severity'] = 'warning', message = `${code} on ${subject}`): Alert => ({ code, severity, subject, message, evidence: [] });

describe('trackAlerts', () => {
  test('a new alert is raised with the time it was first seen; it keeps that time while it lasts', () => {
    const one = trackAlerts([], [A('LAG_BYTES', 's1')], 1000);
    assert.deepEqual(one.changes.map((c) => [c.kind, c.alert.code, c.at]), [['raised', 'LAG_BYTES', 1000]]);
    assert.equal(one.alerts[0]!.since, 1000);
    const two = trackAlerts(one.alerts, [A('LAG_BYTES', 's1', 'warning', 'now 40 MiB')], 3000);
    assert.deepEqual(two.changes, []);
    assert.equal(two.alerts[0]!.since, 1000);
    assert.equal(two.alerts[0]!.message, 'now 40 MiB', 'the message follows the latest evaluation');
  });

  test('the same code on another subject is another alert', () => {
    const r = trackAlerts([], [A('NODE_DOWN', 'n1'), A('NODE_DOWN', 'n2')], 0);
    assert.equal(r.alerts.length, 2);
    assert.equal(r.changes.length, 2);
  });

  test('an acknowledged alert stays until it clears, and comes back unacknowledged with a new since', () => {
    let r = trackAlerts([], [A('NODE_DOWN', 'n1', 'critical')], 1000);
    const acked = acknowledge(r.alerts, 'NODE_DOWN n1');
    assert.equal(acked[0]!.acked, true);
    r = trackAlerts(acked, [A('NODE_DOWN', 'n1', 'critical')], 2000);
    assert.equal(r.alerts[0]!.acked, true, 'still acknowledged while it lasts');
    r = trackAlerts(r.alerts, [], 3000);
    assert.deepEqual(r.alerts, []);
    assert.deepEqual(r.changes.map((c) => [c.kind, c.alert.code, c.at]), [['cleared', 'NODE_DOWN', 3000]]);
    assert.ok(!('acked' in r.changes[0]!.alert), 'a change carries the alert, not its tracking');
    r = trackAlerts(r.alerts, [A('NODE_DOWN', 'n1', 'critical')], 4000);
    assert.deepEqual([r.alerts[0]!.acked, r.alerts[0]!.since], [false, 4000]);
  });

  test('order: unacknowledged first, then critical before warning, then oldest first', () => {
    let r = trackAlerts([], [A('LAG_BYTES', 's1'), A('NODE_DOWN', 'n9', 'critical')], 1000);
    r = trackAlerts(r.alerts, [A('LAG_BYTES', 's1'), A('NODE_DOWN', 'n9', 'critical'), A('NODE_DOWN', 'n1', 'critical'), A('REPLAY_PAUSED', 's2')], 2000);
    assert.deepEqual(r.alerts.map((a) => a.key), ['NODE_DOWN n9', 'NODE_DOWN n1', 'LAG_BYTES s1', 'REPLAY_PAUSED s2']);
    assert.deepEqual(acknowledge(r.alerts, 'NODE_DOWN n9').map((a) => a.key), ['NODE_DOWN n1', 'LAG_BYTES s1', 'REPLAY_PAUSED s2', 'NODE_DOWN n9']);
  });

  test('a rule listing the same alert twice yields one', () => {
    assert.equal(trackAlerts([], [A('X', 'a'), A('X', 'a')], 0).alerts.length, 1);
  });
});

describe('worstOpen, alertCounts, sameAlerts', () => {
  const r = trackAlerts([], [A('LAG_BYTES', 's1'), A('NODE_DOWN', 'n1', 'critical')], 0).alerts;
  test('the worst unacknowledged severity', () => {
    assert.equal(worstOpen([]), null);
    assert.equal(worstOpen(r), 'critical');
    assert.equal(worstOpen(acknowledge(r, 'NODE_DOWN n1')), 'warning');
    assert.equal(worstOpen(acknowledge(acknowledge(r, 'NODE_DOWN n1'), 'LAG_BYTES s1')), null);
  });
  test('counts per severity, acknowledged apart', () => {
    assert.deepEqual(alertCounts(r), { critical: 1, warning: 1, acked: 0 });
    assert.deepEqual(alertCounts(acknowledge(r, 'NODE_DOWN n1')), { critical: 0, warning: 1, acked: 1 });
  });
  test('same alerts means nothing to redraw; an ack or a new message is a change', () => {
    assert.ok(sameAlerts(r, trackAlerts(r, [A('LAG_BYTES', 's1'), A('NODE_DOWN', 'n1', 'critical')], 5).alerts));
    assert.ok(!sameAlerts(r, acknowledge(r, 'LAG_BYTES s1')));
    assert.ok(!sameAlerts(r, trackAlerts(r, [A('LAG_BYTES', 's1', 'warning', 'other'), A('NODE_DOWN', 'n1', 'critical')], 5).alerts));
  });
});
