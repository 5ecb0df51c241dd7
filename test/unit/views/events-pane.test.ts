// The repmgr events pane formatter (src/views/panes/events-lines.ts): golden text of the pane as
// the console would draw it zoomed in an 80×24 and a 120×40 terminal (box 80×22 / 120×38, the
// header and footer take a row each), compared with test/golden/pane-events-<case>-<size>.txt.
//
//   UPDATE_GOLDEN=1 node --import tsx --test test/unit/views/events-pane.test.ts   writes them
//
// Without UPDATE_GOLDEN a missing or different file fails, as in golden.test.tsx.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { mergeRepmgrEvents, repmgrEventsUnavailable } from '../../../src/model/repmgr-events.ts';
import type { NodeSample, NodeState, RepmgrEvent } from '../../../src/model/types.ts';
import { parseProbeResults, type ProbeResult } from '../../../src/probes/pg/parse-probe.ts';
import { drawBox } from '../../../src/views/frame/box.ts';
import { type Line, lineText } from '../../../src/views/format/line.ts';
import { width } from '../../../src/views/format/text.ts';
import { eventTone, eventsLines } from '../../../src/views/panes/events-lines.ts';
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
  events: RepmgrEvent[];
  now: number;
  empty?: string;
}

const CASES: Record<string, () => Case> = {
  // The real lab's history as both nodes returned it (fixtures), merged: 11 setup events.
  lab: () => {
    const nodes = [nodeState('pgsql1', fixtureSample('15-repmgr-primary.json')), nodeState('pgsql2', fixtureSample('15-repmgr-standby.json'))];
    return { events: mergeRepmgrEvents(nodes), now: Date.UTC(2026, 10, 22, 6, 40, 0) };
  },
  failover: () => ({ events: FAILOVER, now: NOW }),
  notRead: () => {
    const s = fixtureSample('15-repmgr-standby.json');
    const r = s.repmgr!;
    assert.ok(r.available);
    const { events: _e, ...rest } = r;
    const nodes = [nodeState('pgsql2', { ...s, repmgr: rest })];
    return { events: mergeRepmgrEvents(nodes), now: NOW, empty: repmgrEventsUnavailable(nodes) ?? undefined };
  },
};

// The pane zoomed in a terminal of that size: the box between header and footer.
const SIZES: Array<[cols: number, rows: number]> = [[80, 24], [120, 40]];

function render(c: Case, cols: number, rows: number): { lines: Line[]; frame: string } {
  const box = { width: cols, height: rows - 2 };
  const lines = eventsLines(c.events, { width: box.width - 2, height: box.height - 2, ascii: false }, c.now, c.empty);
  const frame = drawBox({ title: 'repmgr events', focused: true, ...box, lines, ascii: false }).map(lineText).join('\n');
  return { lines, frame };
}

describe('events pane: golden text', () => {
  for (const [name, make] of Object.entries(CASES)) {
    for (const [cols, rows] of SIZES) {
      const file = `pane-events-${name}-${cols}x${rows}`;
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

describe('events pane: content', () => {
  const size = { width: 118, height: 36, ascii: false };

  test('one line per event under the header, newest first, and nothing cut by height', () => {
    const lines = eventsLines(FAILOVER, { ...size, height: 5 }, NOW);
    assert.equal(lines.length, FAILOVER.length + 1);
    assert.match(lineText(lines[0]!), /^TIME\s+AGO NODE\s+EVENT\s+OK\s+DETAILS\s*$/);
    assert.match(lineText(lines[1]!), /^11:59:56\s+4\.0 s pgsql1 child_node_reconnect\s+ok\s+standby node "pgsql3"/);
  });

  test('times: local HH:MM:SS and the age, days old too', () => {
    const [, row] = eventsLines([ev(86_400 * 2 + 3_661, 1, 'repmgrd_start', null)], size, NOW);
    assert.match(lineText(row!), /^10:58:59 +2d01h /);
  });

  test('a failed event and failover events are toned; details on one line', () => {
    const lines = eventsLines(FAILOVER, size, NOW);
    const find = (event: string) => lines.find((l) => l.some((s) => s.text.trim() === event))!;
    const toneOf = (l: Line, text: string) => l.find((s) => s.text.trim() === text)?.tone;
    const failed = find('repmgrd_promote_error');
    assert.deepEqual([toneOf(failed, 'repmgrd_promote_error'), toneOf(failed, 'FAILED')], ['bad', 'bad']);
    assert.match(lineText(failed), /unable to promote: "pg_ctl promote" returned 1/);
    const promote = find('repmgrd_failover_promote');
    assert.deepEqual([toneOf(promote, 'repmgrd_failover_promote'), toneOf(promote, 'ok')], ['warn', 'ok']);
    assert.equal(toneOf(find('primary_register'), 'primary_register'), undefined);
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

  test('narrow panes drop AGO for details, then details, and keep time, node, event and result', () => {
    const header = (w: number) => lineText(eventsLines(FAILOVER, { ...size, width: w }, NOW)[0]!).trim().split(/\s+/);
    assert.deepEqual(header(72), ['TIME', 'AGO', 'NODE', 'EVENT', 'OK', 'DETAILS']);
    assert.deepEqual(header(66), ['TIME', 'NODE', 'EVENT', 'OK', 'DETAILS']);
    assert.deepEqual(header(60), ['TIME', 'AGO', 'NODE', 'EVENT', 'OK'], 'too narrow for useful details: the age comes back');
    assert.deepEqual(header(40), ['TIME', 'EVENT', 'OK']);
    for (const w of [72, 66, 60, 40, 20]) {
      for (const l of eventsLines(FAILOVER, { ...size, width: w }, NOW)) assert.ok(width(lineText(l)) <= Math.max(w, 8 + 1 + 12 + 1 + 6), `${w}: ${lineText(l)}`);
    }
  });

  test('no events: the reason, dim', () => {
    const lines = eventsLines([], size, NOW, 'repmgr.events not read: the probing role needs SELECT on repmgr.events');
    assert.equal(lines.length, 2);
    assert.equal(lines[1]![0]!.tone, 'dim');
    assert.match(lineText(lines[1]!), /^repmgr\.events not read/);
    assert.match(lineText(eventsLines([], size, NOW)[1]!), /^no repmgr events/);
  });
});
