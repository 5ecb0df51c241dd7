// The timeline pane formatter (src/views/panes/timeline-lines.ts) over buildTimeline's merge:
// golden text of the pane as the console would draw it zoomed in an 80×24 and a 120×40 terminal
// (box 80×22 / 120×38, the header and footer take a row each), compared with
// test/golden/pane-timeline-<case>-<size>.txt.
//
//   UPDATE_GOLDEN=1 node --import tsx --test test/unit/views/timeline-pane.test.ts   writes them
//
// Without UPDATE_GOLDEN a missing or different file fails, as in golden.test.tsx.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { eventTone, repmgrEventsUnavailable } from '../../../src/model/repmgr-events.ts';
import { buildTimeline, type TimelineEntry } from '../../../src/model/timeline.ts';
import type { NodeSample, NodeState, RepmgrEvent } from '../../../src/model/types.ts';
import { parseProbeResults, type ProbeResult } from '../../../src/probes/pg/parse-probe.ts';
import { drawBox } from '../../../src/views/frame/box.ts';
import { type Line, lineText } from '../../../src/views/format/line.ts';
import { width } from '../../../src/views/format/text.ts';
import { timelineLines } from '../../../src/views/panes/timeline-lines.ts';
import { golden } from '../../helpers/golden.ts';

// HH:MM:SS is local time; the golden files are in UTC whatever the machine's zone
// (scripts/run-tests.mjs sets TZ=UTC too; node applies a changed TZ at once).
process.env.TZ = 'UTC';

const HERE = dirname(fileURLToPath(import.meta.url));


// ---- cases --------------------------------------------------------------------------------

function fixtureSample(file: string): NodeSample {
  const fx = JSON.parse(readFileSync(join(HERE, '../../fixtures/pg', file), 'utf8')) as { sections: string[]; results: ProbeResult[] };
  return parseProbeResults(fx.results, fx.sections, { takenAt: 1, roundTripMs: 2 });
}

const nodeState = (name: string, sample: NodeSample | null): NodeState =>
  ({ name, target: name, endpoint: null, health: { kind: 'ok' }, sample, lastOkAt: 1 });

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);
const at = (secondsAgo: number): string => new Date(NOW - secondsAgo * 1000).toISOString();
const ev = (secondsAgo: number, nodeId: number, event: string, details: string | null, more: Partial<RepmgrEvent> = {}): RepmgrEvent =>
  ({ nodeId, nodeName: `pgsql${nodeId}`, event, successful: true, timestamp: at(secondsAgo), details, ...more });

/** An automatic failover from pgsql1 to pgsql2, then pgsql1 rejoined; 25 events, more than fit at 80×24. */
const FAILOVER: RepmgrEvent[] = [
  ev(4, 1, 'child_node_reconnect', 'standby node "pgsql3" (ID: 3) has reconnected'),
  ev(12, 1, 'node_rejoin', 'node 1 is now attached to node 2'),
  ev(14, 2, 'child_node_new_connect', 'new standby "pgsql1" (ID: 1) has connected'),
  ev(75, 3, 'repmgrd_failover_follow', 'node 3 now following new upstream node 2'),
  ev(76, 3, 'standby_follow', 'standby attached to upstream node "pgsql2" (ID: 2)'),
  ev(78, 2, 'repmgrd_failover_promote', 'node 2 promoted to primary; old primary 1 marked as failed'),
  ev(79, 2, 'standby_promote', 'server "pgsql2" (ID: 2) was successfully promoted to primary'),
  ev(95, 3, 'repmgrd_upstream_disconnect', 'unable to connect to upstream node "pgsql1" (ID: 1)'),
  ev(96, 2, 'repmgrd_upstream_disconnect', 'unable to connect to upstream node "pgsql1" (ID: 1)'),
  ev(97, 2, 'repmgrd_promote_error', 'unable to promote:\n  "pg_ctl promote" returned 1', { successful: false }),
  ev(3_600, 4, 'standby_unregister', 'node 4 unregistered', { nodeName: null }),
  ev(3_700, 4, 'repmgrd_shutdown', null, { nodeName: null }),
  ev(7_200, 3, 'standby_clone', 'cloned from host "10.0.0.11", port 5432; backup method: pg_basebackup; --force: Y', { successful: false }),
  ev(86_400 * 2, 1, 'repmgrd_start', 'monitoring cluster primary "pgsql1" (ID: 1)'),
  ev(86_400 * 2 + 1, 2, 'repmgrd_start', 'monitoring connection to upstream node "pgsql1" (ID: 1)'),
  ev(86_400 * 2 + 2, 3, 'repmgrd_start', 'monitoring connection to upstream node "pgsql1" (ID: 1)'),
  ev(86_400 * 3, 3, 'standby_register_sync', 'node record synchronised after 0 seconds'),
  ev(86_400 * 3 + 1, 3, 'standby_register', 'standby registration succeeded; upstream node ID is 1'),
  ev(86_400 * 3 + 30, 3, 'standby_clone', 'cloned from host "10.0.0.11", port 5432; backup method: pg_basebackup; --force: N'),
  ev(86_400 * 3 + 60, 2, 'standby_register_sync', 'node record synchronised after 1 seconds'),
  ev(86_400 * 3 + 61, 2, 'standby_register', 'standby registration succeeded; upstream node ID is 1'),
  ev(86_400 * 3 + 90, 2, 'standby_clone', 'cloned from host "10.0.0.11", port 5432; backup method: pg_basebackup; --force: N'),
  ev(86_400 * 3 + 120, 1, 'primary_register', ''),
  ev(86_400 * 3 + 121, 1, 'cluster_created', null),
  ev(86_400 * 30, 1, 'witness_register', 'a very old event with a very long detail text that no terminal this narrow can show whole, cut with an ellipsis'),
];

interface Case {
  entries: TimelineEntry[];
  now: number;
  note?: string;
}

/** The nodes of a cluster whose repmgr.events hold `events` (the lab primary's sample, events replaced). */
function withEvents(events: RepmgrEvent[]): NodeState[] {
  const s = fixtureSample('15-repmgr-primary.json');
  assert.ok(s.repmgr?.available);
  return [nodeState('pgsql2', { ...s, repmgr: { ...s.repmgr, events } })];
}

const layers = (nodes: NodeState[]) => ({ nodeOrder: nodes.map((n) => n.name), nodes: Object.fromEntries(nodes.map((n) => [n.name, n])), pgpoolOrder: [], pgpools: {}, vip: null, backupOrder: [], backups: {} });

/** What pgtop-ha itself saw during the failover: the old primary going away and the alerts. */
const SEEN: TimelineEntry[] = [
  { at: NOW - 99_000, source: 'postgres', subject: 'pgsql1', event: 'stopped answering', details: 'connection refused (is PostgreSQL running on 10.0.0.11:5432?)', tone: 'bad', observed: true },
  { at: NOW - 99_000, source: 'alert', subject: 'pgsql1', event: 'NODE_DOWN raised', details: 'pgsql1 does not answer: connection refused', tone: 'bad', observed: true },
  { at: NOW - 77_000, source: 'postgres', subject: 'pgsql2', event: 'became primary', details: 'was standby', tone: 'warn', observed: true },
  { at: NOW - 77_000, source: 'postgres', subject: 'pgsql2', event: 'timeline switch', details: 'timeline 1 → 2', tone: 'warn', observed: true },
  { at: NOW - 13_000, source: 'postgres', subject: 'pgsql1', event: 'answers again', details: 'standby', tone: 'ok', observed: true },
  { at: NOW - 13_000, source: 'alert', subject: 'pgsql1', event: 'NODE_DOWN cleared', details: 'pgsql1 does not answer: connection refused', tone: 'ok', observed: true },
];

const CASES: Record<string, () => Case> = {
  // The real lab's history as both nodes returned it (fixtures), merged: 11 setup events.
  lab: () => {
    const nodes = [nodeState('pgsql1', fixtureSample('15-repmgr-primary.json')), nodeState('pgsql2', fixtureSample('15-repmgr-standby.json'))];
    return { entries: buildTimeline([], layers(nodes)), now: Date.UTC(2026, 10, 22, 6, 40, 0) };
  },
  failover: () => ({ entries: buildTimeline(SEEN, layers(withEvents(FAILOVER))), now: NOW }),
  notRead: () => {
    const s = fixtureSample('15-repmgr-standby.json');
    const r = s.repmgr!;
    assert.ok(r.available);
    const { events: _e, ...rest } = r;
    const nodes = [nodeState('pgsql2', { ...s, repmgr: rest })];
    return { entries: buildTimeline([], layers(nodes)), now: NOW, note: repmgrEventsUnavailable(nodes) ?? undefined };
  },
};

// The pane zoomed in a terminal of that size: the box between header and footer.
const SIZES: Array<[cols: number, rows: number]> = [[80, 24], [120, 40]];

function render(c: Case, cols: number, rows: number): { lines: Line[]; frame: string } {
  const box = { width: cols, height: rows - 2 };
  const lines = timelineLines(c.entries, { width: box.width - 2, height: box.height - 2, ascii: false }, c.now, c.note);
  const frame = drawBox({ title: 'Timeline', focused: true, ...box, lines, ascii: false }).map(lineText).join('\n');
  return { lines, frame };
}

describe('timeline pane: golden text', () => {
  for (const [name, make] of Object.entries(CASES)) {
    for (const [cols, rows] of SIZES) {
      const file = `pane-timeline-${name}-${cols}x${rows}`;
      test(file, (t) => {
        const { lines, frame } = render(make(), cols, rows);
        for (const l of lines) assert.ok(width(lineText(l)) <= cols - 2, `line wider than the body: ${JSON.stringify(lineText(l))}`);
        const out = frame.split('\n');
        assert.equal(out.length, rows - 2);
        assert.ok(out.every((l) => width(l) === cols), 'every row exactly as wide as the box');
        golden(t, file, frame);
      });
    }
  }
});

describe('timeline pane: content', () => {
  const size = { width: 118, height: 36, ascii: false };
  const failover = () => buildTimeline(SEEN, layers(withEvents(FAILOVER)));

  test('one line per entry under the header, newest first, repmgr events and what pgtop-ha saw merged, nothing cut by height', () => {
    const entries = failover();
    const lines = timelineLines(entries, { ...size, height: 5 }, NOW);
    assert.equal(lines.length, FAILOVER.length + SEEN.length + 1);
    assert.match(lineText(lines[0]!), /^TIME\s+AGO SOURCE SUBJECT\s+EVENT\s+DETAILS\s*$/);
    assert.match(lineText(lines[1]!), /^11:59:56\s+4\.0 s repmgr pgsql1\s+child_node_reconnect\s+standby node "pgsql3"/);
    const texts = lines.map(lineText);
    const at = (re: RegExp) => texts.findIndex((l) => re.test(l));
    assert.ok(at(/node_rejoin/) < at(/NODE_DOWN cleared/) && at(/NODE_DOWN cleared/) < at(/pgsql2\s+became primary/) && at(/became primary/) < at(/NODE_DOWN raised/), 'interleaved by time');
  });

  test('times: local HH:MM:SS and the age, days old too', () => {
    const [, row] = timelineLines(buildTimeline([], layers(withEvents([ev(86_400 * 2 + 3_661, 1, 'repmgrd_start', null)]))), size, NOW);
    assert.match(lineText(row!), /^10:58:59 +2d01h /);
  });

  test('a failed event and failover events are toned; details on one line', () => {
    const lines = timelineLines(failover(), size, NOW);
    const find = (event: string) => lines.find((l) => l.some((s) => s.text.trim() === event))!;
    const toneOf = (l: Line, text: string) => l.find((s) => s.text.trim() === text)?.tone;
    const failed = find('repmgrd_promote_error');
    assert.equal(toneOf(failed, 'repmgrd_promote_error'), 'bad');
    assert.match(lineText(failed), /FAILED: unable to promote: "pg_ctl promote" returned 1/);
    assert.equal(toneOf(find('repmgrd_failover_promote'), 'repmgrd_failover_promote'), 'warn');
    assert.equal(toneOf(find('primary_register'), 'primary_register'), undefined);
    assert.equal(toneOf(find('NODE_DOWN raised'), 'NODE_DOWN raised'), 'bad');
    assert.equal(toneOf(find('NODE_DOWN cleared'), 'NODE_DOWN cleared'), 'ok');
    assert.match(lineText(find('repmgrd_shutdown')), / node 4 +repmgrd_shutdown /, 'an unregistered node shows its id');
  });

  const tones: Array<[string, boolean, string | undefined]> = [
    ['standby_register', true, undefined],
    ['standby_register', false, 'bad'],
    ['standby_failure', true, 'bad'],
    ['repmgrd_failover_promote', true, 'warn'],
    ['standby_promote', true, 'warn'],
    ['standby_switchover', true, 'warn'],
    ['repmgrd_upstream_disconnect', true, 'warn'],
    ['child_node_disconnect', true, 'warn'],
    ['repmgrd_upstream_reconnect', true, 'ok'],
  ];
  for (const [event, successful, want] of tones) {
    test(`tone: ${event}${successful ? '' : ' (failed)'} → ${want ?? 'plain'}`, () => {
      assert.equal(eventTone(ev(0, 1, event, null, { successful })), want);
    });
  }

  test('narrow panes drop the age, then the source, then details, and keep time, subject and event', () => {
    const entries = failover();
    const header = (w: number) => lineText(timelineLines(entries, { ...size, width: w }, NOW)[0]!).trim().split(/\s+/);
    assert.deepEqual(header(72), ['TIME', 'AGO', 'SOURCE', 'SUBJECT', 'EVENT', 'DETAILS']);
    assert.deepEqual(header(66), ['TIME', 'SOURCE', 'SUBJECT', 'EVENT', 'DETAILS']);
    assert.deepEqual(header(60), ['TIME', 'SUBJECT', 'EVENT', 'DETAILS'], 'the source goes before the details');
    assert.deepEqual(header(50), ['TIME', 'SUBJECT', 'EVENT'], 'the subject outlives the details');
    assert.deepEqual(header(40), ['TIME', 'EVENT']);
    for (const w of [90, 80, 66, 60, 40, 20]) {
      for (const l of timelineLines(entries, { ...size, width: w }, NOW)) assert.ok(width(lineText(l)) <= Math.max(w, 8 + 1 + 8 + 1 + 12), `${w}: ${lineText(l)}`);
    }
  });

  test('nothing yet, and the reason repmgr events are missing, dim', () => {
    const lines = timelineLines([], size, NOW, 'repmgr.events not read: the probing role needs SELECT on repmgr.events');
    assert.equal(lines.length, 3);
    assert.match(lineText(lines[1]!), /^nothing happened yet/);
    assert.equal(lines[2]![0]!.tone, 'dim');
    assert.match(lineText(lines[2]!), /^repmgr\.events not read/);
  });
});
