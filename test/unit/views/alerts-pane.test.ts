// The alerts pane formatter: worst first with first-seen time and age, the selection mark,
// acknowledged alerts dimmed and labelled, a quiet cluster in one line. Golden frames of the
// pane per scenario are in golden.test.tsx (pane-alerts-*).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Alert } from '../../../src/model/alerts/rules.ts';
import { acknowledge, trackAlerts } from '../../../src/model/alerts/tracker.ts';
import { headerLine } from '../../../src/views/frame/header.ts';
import { lineText } from '../../../src/views/format/line.ts';
import { width } from '../../../src/views/format/text.ts';
import { alertsLines } from '../../../src/views/panes/alerts-lines.ts';

process.env.TZ = 'UTC';
const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);
const A = (code: string, subject: string, severity: Alert['severity'], message: string): Alert => ({ code, severity, subject, message, evidence: code === 'NODE_DOWN' ? ['connection refused (is PostgreSQL running on 10.0.0.2:5432?)'] : ['replay_lsn 0/3000000'] });
const open = () => {
  const first = trackAlerts([], [A('LAG_BYTES', 'pgsql3', 'warning', 'pgsql3 replays 40.0 MiB behind (threshold 16.0 MiB)')], NOW - 600_000).alerts;
  return trackAlerts(first, [A('LAG_BYTES', 'pgsql3', 'warning', 'pgsql3 replays 40.0 MiB behind (threshold 16.0 MiB)'), A('NODE_DOWN', 'pgsql2', 'critical', 'pgsql2 does not answer: connection refused')], NOW - 5_000).alerts;
};
const size = { width: 100, height: 10, ascii: false };

describe('alerts pane', () => {
  test('header, then critical first with since and age; the first is selected when nothing is', () => {
    const lines = alertsLines(open(), null, size, NOW, true).map(lineText);
    assert.match(lines[0]!, /^ {2}SEV {2}SINCE {7}FOR CODE\s+SUBJECT MESSAGE/);
    assert.match(lines[1]!, /^› CRIT 11:59:55 {2}5\.0 s NODE_DOWN pgsql2 {2}pgsql2 does not answer/);
    assert.equal(lines[2]!.trimEnd(), '    connection refused (is PostgreSQL running on 10.0.0.2:5432?)', 'the selected one shows its evidence');
    assert.match(lines[3]!, /^ {2}WARN 11:50:00 10m00s LAG_BYTES pgsql3 {2}pgsql3 replays 40\.0 MiB/);
    assert.equal(lines.length, 4, 'only the selected one');
    for (const l of lines) assert.ok(width(l) <= size.width);
  });

  test('the selection follows the cursor; an acknowledged alert is dimmed, labelled and last', () => {
    const acked = acknowledge(open(), 'NODE_DOWN pgsql2');
    const lines = alertsLines(acked, 'NODE_DOWN pgsql2', size, NOW, true);
    assert.match(lineText(lines[1]!), /^ {2}WARN .* LAG_BYTES/);
    assert.match(lineText(lines[2]!), /^› CRIT .* NODE_DOWN pgsql2 +\(ack\) pgsql2 does not answer/);
    assert.match(lineText(lines[3]!), /^ {4}connection refused/);
    assert.ok(lines[2]!.filter((s) => s.text.trim() && s.text.trim() !== '›').every((s) => s.tone === 'dim'), 'dimmed');
  });

  test('quiet: one line, and nothing claimed before the first poll', () => {
    assert.deepEqual(alertsLines([], null, size, NOW, true).map(lineText).map((l) => l.trimEnd()), ['✓ no open alerts']);
    assert.deepEqual(alertsLines([], null, { ...size, ascii: true }, NOW, true).map(lineText).map((l) => l.trimEnd()), ['ok no open alerts']);
    assert.deepEqual(alertsLines([], null, size, NOW, false).map(lineText).map((l) => l.trimEnd()), ['waiting for the first poll']);
  });

  test('narrow: the message goes before the code and subject', () => {
    for (const w of [30, 40, 60, 80]) for (const l of alertsLines(open(), null, { ...size, width: w }, NOW, true)) assert.ok(width(lineText(l)) <= w, `${w}: ${lineText(l)}`);
    assert.match(lineText(alertsLines(open(), null, { ...size, width: 40 }, NOW, true)[1]!), /CRIT .*NODE_DOWN +pgsql2/);
  });
});

describe('header: the worst news right after the primary', () => {
  const base = { cluster: 'c', paused: false, readOnly: false, intervalMs: 2000, lastRefreshAt: NOW, up: 3, total: 3, primaries: ['p'], answered: true };
  const cases: Array<[string, { critical: number; warning: number; acked: number }, string]> = [
    ['quiet', { critical: 0, warning: 0, acked: 0 }, 'pgtop-ha c 3/3 up primary p · no alerts · refreshed'],
    ['critical and warning', { critical: 2, warning: 1, acked: 0 }, 'pgtop-ha c 3/3 up primary p · 2 CRIT 1 WARN · refreshed'],
    ['only acknowledged left', { critical: 0, warning: 0, acked: 1 }, 'pgtop-ha c 3/3 up primary p · 1 acked · refreshed'],
  ];
  for (const [name, alerts, want] of cases) {
    test(name, () => assert.ok(lineText(headerLine({ ...base, alerts }, NOW, 200)).startsWith(want), lineText(headerLine({ ...base, alerts }, NOW, 200))));
  }
  test('critical is bad and bold, warning warn', () => {
    const l = headerLine({ ...base, alerts: { critical: 1, warning: 1, acked: 0 } }, NOW, 200);
    assert.deepEqual(l.filter((s) => /CRIT|WARN/.test(s.text)).map((s) => [s.text.trim(), s.tone, s.bold]), [['1 CRIT', 'bad', true], ['1 WARN', 'warn', true]]);
  });
  test('before the first answer nothing is claimed', () => {
    assert.doesNotMatch(lineText(headerLine({ ...base, answered: false, alerts: { critical: 0, warning: 0, acked: 0 } }, NOW, 200)), /alerts/);
  });
});
