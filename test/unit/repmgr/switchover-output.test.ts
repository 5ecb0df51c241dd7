// `repmgr standby switchover` output: the dry run's checks and the real run's streamed phases,
// table-tested over real repmgr 5.3.3 captures (test/fixtures/repmgr/README.md, `real-5.3.3-
// switchover-*` from the project lab, `repmgr-standby-switchover-*` from the shared reference lab),
// plus a few runs written inline in repmgr's exact wording (repmgr-action-standby.c at v5.3.3) for
// what the lab cannot provoke safely (promotion failure, old primary not rejoining, walsenders).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  SwitchoverOutputParser, parseSwitchoverDryRun, parseSwitchoverOutput, splitLevel, switchoverOutcome,
  type SwitchoverEvent, type SwitchoverPhase,
} from '../../../src/probes/repmgr/switchover-output.ts';
import { fixture } from './fixture.ts';

const fx = (name: string) => ({ stdout: fixture(`${name}.txt`), stderr: fixture(`${name}.stderr.txt`) });

interface DryCase {
  name: string;
  /** exit code, from the README table */
  code: number;
  ok: boolean;
  error: RegExp | null;
  /** texts of the warn checks, in order */
  warn: string[];
  bad: number;
  /** a check that must be there, with its level */
  has?: Array<[level: 'ok' | 'info' | 'warn' | 'bad', text: RegExp, detail?: RegExp]>;
}

const DRY: DryCase[] = [
  {
    name: 'real-5.3.3-switchover-dry-run-siblings-follow', code: 0, ok: true, error: null, warn: [], bad: 0,
    has: [
      ['ok', /^SSH connection to host "127\.0\.0\.1" succeeded$/],
      ['ok', /^all sibling nodes are reachable via SSH$/],
      ['ok', /^2 walsenders required, 10 available$/],
      ['ok', /^replication lag on this standby is 0 seconds$/],
      ['info', /^would pause repmgrd on node "pgsql3" \(ID: 3\)$/],
      ['info', /^following shutdown command would be run on node "pgsql1":\n {2}"\/usr\/lib\/postgresql\/15\/bin\/pg_ctl -D \S+ -m fast -w -t 60 stop"$/],
      ['ok', /^prerequisites for executing STANDBY SWITCHOVER are met$/],
    ],
  },
  {
    name: 'real-5.3.3-switchover-dry-run-no-siblings-follow', code: 0, ok: true, error: null,
    warn: ['1 sibling nodes found, but option "--siblings-follow" not specified'], bad: 0,
    has: [['warn', /sibling nodes found/, /^these nodes will remain attached to the current primary:\n {2}pgsql3 \(node ID: 3\)$/]],
  },
  {
    name: 'real-5.3.3-switchover-dry-run-verbose', code: 0, ok: true, error: null, warn: [], bad: 0,
    has: [['info', /^using provided configuration file /], ['info', /^current primary node is 1$/], ['info', /^1 active sibling nodes found$/]],
  },
  {
    // repmgr does not refuse: a stopped repmgrd is only a NOTICE (it will be neither paused nor unpaused)
    name: 'real-5.3.3-switchover-dry-run-repmgrd-stopped-pgsql3', code: 0, ok: true, error: null,
    warn: ['repmgrd not running on node "pgsql3" (ID: 3), not pausing'], bad: 0,
  },
  {
    // replay paused on the target with 76 MB received but not replayed: only the lag in SECONDS is checked
    name: 'real-5.3.3-switchover-dry-run-replay-paused-target', code: 0, ok: true, error: null, warn: [], bad: 0,
    has: [['ok', /^replication lag on this standby is 8 seconds$/]],
  },
  {
    name: 'real-5.3.3-switchover-dry-run-replay-paused-target-lag-warning', code: 0, ok: true, error: null,
    warn: ['replication lag on this node is warning'], bad: 0,
    has: [['warn', /^replication lag on this node is warning$/, /^lag is 337 seconds \(warning threshold: 300\)$/]],
  },
  {
    name: 'real-5.3.3-switchover-dry-run-replay-paused-target-lag-critical', code: 18, ok: false,
    error: /^replication lag on this node is critical — lag is \d+ seconds \(critical threshold: 600\) — HINT: PostgreSQL on the demotion candidate will not shut down until pending WAL is flushed to the standby; use -F\/--force to continue anyway$/,
    warn: [], bad: 1,
  },
  {
    name: 'real-5.3.3-switchover-dry-run-target-is-primary', code: 18, ok: false,
    error: /^switchover must be executed from the standby node to be promoted — this node \(ID: 1\) is the primary$/, warn: [], bad: 1,
  },
  {
    name: 'real-5.3.3-switchover-dry-run-sibling-down-pgsql3', code: 18, ok: false,
    error: /^unable to connect to 1 of 3 node\(s\), unable to pause all repmgrd instances — following node\(s\) unreachable: unable to connect to node "pgsql3" \(ID: 3\): connection to server at "127\.0\.0\.1", port \d+ failed: Connection refused Is the server running on that host and accepting TCP\/IP connections\? — HINT: use -F\/--force to continue anyway$/,
    warn: [], bad: 1,
  },
  {
    name: 'repmgr-standby-switchover-dry-run-node2', code: 0, ok: true, error: null,
    warn: ['1 sibling nodes found, but option "--siblings-follow" not specified'], bad: 0,
  },
  { name: 'repmgr-standby-switchover-dry-run-siblings-follow-node2', code: 0, ok: true, error: null, warn: [], bad: 0 },
];

describe('parseSwitchoverDryRun over real captures', () => {
  for (const c of DRY) {
    test(`${c.name} (exit ${c.code})`, () => {
      const { stdout, stderr } = fx(c.name);
      assert.equal(stdout, '', 'a dry run prints nothing on stdout');
      const r = parseSwitchoverDryRun(stdout, stderr, c.code);
      assert.equal(r.ok, c.ok, JSON.stringify(r.error));
      if (c.error) assert.match(r.error ?? '', c.error);
      else assert.equal(r.error, null);
      if (r.error) assert.doesNotMatch(r.error, /\n/);
      assert.deepEqual(r.checks.filter((x) => x.level === 'warn').map((x) => x.text), c.warn);
      assert.equal(r.checks.filter((x) => x.level === 'bad').length, c.bad);
      for (const [level, text, detail] of c.has ?? []) {
        const hit = r.checks.find((x) => text.test(x.text));
        assert.ok(hit, `no check ${text}`);
        assert.equal(hit.level, level, hit.text);
        if (detail) assert.match(hit.detail ?? '', detail);
      }
      assert.equal(r.raw, stderr);
      // no check text keeps a "LEVEL: " prefix; every line of stderr is in some check
      for (const x of r.checks) assert.doesNotMatch(x.text, /^(INFO|NOTICE|WARNING|ERROR|DETAIL): /);
      const lines = stderr.split('\n').filter((l) => l.trim() !== '').length;
      const covered = r.checks.reduce((n, x) => n + x.text.split('\n').length + (x.detail ? x.detail.split('\n').length : 0), 0);
      assert.ok(covered >= lines - 2, `${covered} of ${lines} lines kept`); // blank lines inside a DETAIL are dropped
    });
  }

  test('a success with exit 0 but no "are met" line is not ok', () => {
    const { stderr } = fx('real-5.3.3-switchover-dry-run-siblings-follow');
    const cut = stderr.split('\n').filter((l) => !/are met/.test(l)).join('\n');
    const r = parseSwitchoverDryRun('', cut, 0);
    assert.equal(r.ok, false);
    assert.match(r.error!, /without saying "prerequisites for executing STANDBY SWITCHOVER are met"/);
  });

  test('exit 0 is not enough, an ERROR is not enough to hide a non-zero exit', () => {
    const { stderr } = fx('real-5.3.3-switchover-dry-run-siblings-follow');
    assert.equal(parseSwitchoverDryRun('', stderr, 1).ok, false);
    assert.equal(parseSwitchoverDryRun('', stderr, null).ok, false);
  });

  test('walsenders short: repmgr goes on to the end, then "*not* met" (exit 1); the specific error wins', () => {
    // repmgr-action-standby.c check_free_wal_senders / the dry run's end, v5.3.3
    const stderr = [
      'NOTICE: checking switchover on node "pgsql2" (ID: 2) in --dry-run mode',
      'INFO: SSH connection to host "127.0.0.1" succeeded',
      'ERROR: insufficient free walsenders on promotion candidate',
      'DETAIL: at least 2 walsenders required but only 1 free walsenders on promotion candidate',
      'HINT: increase parameter "max_wal_senders" or use -F/--force to proceed in any case',
      'INFO: 2 replication slots required, 10 available',
      'ERROR: prerequisites for executing STANDBY SWITCHOVER are *not* met',
      'HINT: see preceding error messages',
      '',
    ].join('\n');
    const r = parseSwitchoverDryRun('', stderr, 1);
    assert.equal(r.ok, false);
    assert.equal(r.error, 'insufficient free walsenders on promotion candidate — at least 2 walsenders required but only 1 free walsenders on promotion candidate — HINT: increase parameter "max_wal_senders" or use -F/--force to proceed in any case');
    assert.equal(r.checks.filter((c) => c.level === 'bad').length, 2);
    assert.equal(r.checks.find((c) => /not\* met/.test(c.text))!.detail, 'HINT: see preceding error messages');
  });

  test('not repmgr at all: the shell says why', () => {
    const r = parseSwitchoverDryRun('', 'bash: line 1: repmgr: command not found\n', 127);
    assert.deepEqual([r.ok, r.checks.length], [false, 0]);
    assert.equal(r.error, 'repmgr not found there: bash: line 1: repmgr: command not found');
    assert.match(parseSwitchoverDryRun('', 'something odd\n', 3).error!, /^repmgr standby switchover --dry-run exited with code 3: something odd$/);
  });

  test('CRLF line ends read the same', () => {
    const { stderr } = fx('real-5.3.3-switchover-dry-run-no-siblings-follow');
    assert.deepEqual(parseSwitchoverDryRun('', stderr.replace(/\n/g, '\r\n'), 0).checks, parseSwitchoverDryRun('', stderr, 0).checks);
  });
});

// ---------------------------------------------------------------------------------------------

const phases = (ev: SwitchoverEvent[]) => ev.filter((e) => e.phase).map((e) => e.phase);
const ALL_PHASES: SwitchoverPhase[] = ['checks', 'pause-repmgrd', 'shutdown', 'promote', 'rejoin', 'follow', 'unpause-repmgrd', 'done'];

function chunked(stdout: string, stderr: string, size: (i: number) => number): SwitchoverEvent[] {
  const out: SwitchoverEvent[] = [];
  const p = new SwitchoverOutputParser((e) => out.push(e));
  for (const [stream, text] of [['stderr', stderr], ['stdout', stdout]] as const) {
    for (let i = 0, k = 0; i < text.length; k++) {
      const n = size(k);
      p.push(stream, text.slice(i, i + n));
      i += n;
    }
  }
  p.end();
  return out;
}

describe('SwitchoverOutputParser over the real runs', () => {
  for (const name of ['real-5.3.3-switchover-verbose-to-pgsql2', 'real-5.3.3-switchover-to-pgsql1']) {
    test(`${name}: every phase in order, done, ok`, () => {
      const { stdout, stderr } = fx(name);
      const ev = parseSwitchoverOutput(stdout, stderr);
      assert.deepEqual(phases(ev), ALL_PHASES);
      assert.deepEqual(switchoverOutcome(ev), { ok: true, error: null });
      // the promote_command's pg_ctl talks on stdout
      assert.deepEqual(ev.filter((e) => e.level === 'other').map((e) => e.text), ['waiting for server to promote.... done', 'server promoted']);
      const at = (re: RegExp) => ev.find((e) => re.test(e.text))!;
      const demoted = name.endsWith('pgsql2') ? 'pgsql1' : 'pgsql2';
      assert.equal(at(/stopping current primary/).waitingOn, `primary "${demoted}" to stop`);
      assert.equal(at(/issuing CHECKPOINT/).waitingOn, `CHECKPOINT on "${demoted}"`);
      assert.match(at(/executing server command/).waitingOn!, /^server command \/usr\/lib\/postgresql\/15\/bin\/pg_ctl -D \S+ -m fast -w -t 60 stop$/);
      assert.equal(at(/checking for primary shutdown/).waitingOn, 'primary shutdown (attempt 1 of 60, shutdown_check_timeout)');
      assert.equal(at(/promote_check_timeout/).waitingOn, 'promotion (up to 60 s, promote_check_timeout)');
      assert.equal(at(/STANDBY PROMOTE successful/).waitingOn, `"${demoted}" to restart as a standby (repmgr node rejoin)`);
      assert.equal(at(/executing STANDBY FOLLOW/).waitingOn, 'STANDBY FOLLOW on 1 of 1 sibling(s)');
      assert.equal(at(/DETAIL: promoting server/).level, 'detail');
    });
  }

  test('chunks of any size give the same events (1 byte, 7 bytes, whole)', () => {
    const { stdout, stderr } = fx('real-5.3.3-switchover-verbose-to-pgsql2');
    const whole = parseSwitchoverOutput(stdout, stderr);
    assert.deepEqual(chunked(stdout, stderr, () => 1), whole);
    assert.deepEqual(chunked(stdout, stderr, (k) => 1 + ((k * 7) % 13)), whole);
  });

  test('an unterminated last line comes out at end()', () => {
    const out: SwitchoverEvent[] = [];
    const p = new SwitchoverOutputParser((e) => out.push(e));
    p.push('stderr', 'NOTICE: STANDBY SWITCHOVER has completed successfully');
    assert.equal(out.length, 0);
    p.end();
    assert.deepEqual(out, [{ text: 'NOTICE: STANDBY SWITCHOVER has completed successfully', level: 'notice', phase: 'done', waitingOn: null }]);
  });

  test('the shared reference lab\'s run (pg_promote(), no service_promote_command)', () => {
    // /work/shared/reference/captures/run-switchover.sh.log, repmgr 5.3.3 --verbose, node2 -> node1
    const stderr = [
      'NOTICE: using provided configuration file "/tmp/pgha-lab/node1/repmgr.conf"',
      'NOTICE: executing switchover on node "node1" (ID: 1)',
      'INFO: searching for primary node',
      'INFO: current primary node is 2',
      'INFO: SSH connection to host "127.0.0.1" succeeded',
      'INFO: 1 active sibling nodes found',
      'INFO: all sibling nodes are reachable via SSH',
      'INFO: 0 pending archive files',
      'INFO: replication lag on this standby is 0 seconds',
      'NOTICE: attempting to pause repmgrd on 3 nodes',
      'NOTICE: local node "node1" (ID: 1) will be promoted to primary; current primary "node2" (ID: 2) will be demoted to standby',
      'NOTICE: stopping current primary node "node2" (ID: 2)',
      'NOTICE: issuing CHECKPOINT on node "node2" (ID: 2) ',
      'DETAIL: executing server command "/usr/lib/postgresql/15/bin/pg_ctl -D /tmp/pgha-lab/node2/data -m fast -w -t 120 stop"',
      'INFO: checking for primary shutdown; 1 of 60 attempts ("shutdown_check_timeout")',
      'NOTICE: current primary has been cleanly shut down at location 0/1B000028',
      'NOTICE: promoting standby to primary',
      'DETAIL: promoting server "node1" (ID: 1) using pg_promote()',
      'NOTICE: waiting up to 60 seconds (parameter "promote_check_timeout") for promotion to complete',
      'INFO: standby promoted to primary after 4 second(s)',
      'NOTICE: STANDBY PROMOTE successful',
      'DETAIL: server "node1" (ID: 1) was successfully promoted to primary',
      'INFO: node "node2" (ID: 2) is pingable',
      'INFO: node "node2" (ID: 2) has attached to its upstream node',
      'NOTICE: node "node1" (ID: 1) promoted to primary, node "node2" (ID: 2) demoted to standby',
      'NOTICE: executing STANDBY FOLLOW on 1 of 1 siblings',
      'INFO: STANDBY FOLLOW successfully executed on all reachable sibling nodes',
      'INFO: slot "repmgr_slot_1" does not exist on node 2, nothing to remove',
      'NOTICE: switchover was successful',
      'DETAIL: node "node1" is now primary and node "node2" is attached as standby',
      'NOTICE: STANDBY SWITCHOVER has completed successfully',
      '',
    ].join('\n');
    const ev = parseSwitchoverOutput('', stderr);
    assert.deepEqual(phases(ev), ALL_PHASES);
    assert.equal(ev.find((e) => /PROMOTE successful/.test(e.text))!.waitingOn, '"node2" to restart as a standby (repmgr node rejoin)');
    assert.deepEqual(switchoverOutcome(ev), { ok: true, error: null });
  });
});

describe('switchoverOutcome and phases of failed runs', () => {
  test('refused at the repmgrd pause (a node down): failed before anything changed', () => {
    const { stderr } = fx('real-5.3.3-switchover-dry-run-sibling-down-pgsql3');
    const ev = parseSwitchoverOutput('', stderr);
    assert.deepEqual(phases(ev), ['checks', 'pause-repmgrd', 'failed']);
    const o = switchoverOutcome(ev);
    assert.equal(o.ok, false);
    assert.match(o.error!, /^unable to connect to 1 of 3 node\(s\), unable to pause all repmgrd instances — following node\(s\) unreachable: unable to connect to node "pgsql3"/);
    assert.doesNotMatch(o.error!, /already shut down/);
    // the libpq error lines under the DETAIL are detail too
    assert.equal(ev.find((e) => /Connection refused/.test(e.text))!.level, 'detail');
  });

  test('real run refused for lag (replay paused 656 s, critical 600): exit 18 before the pause, nothing changed', () => {
    const { stdout, stderr } = fx('real-5.3.3-switchover-verbose-refused-lag-critical');
    const ev = parseSwitchoverOutput(stdout, stderr);
    assert.deepEqual(phases(ev), ['checks', 'failed']);
    assert.deepEqual(switchoverOutcome(ev), {
      ok: false,
      error: 'replication lag on this node is critical — lag is 656 seconds (critical threshold: 600) — HINT: PostgreSQL on the demotion candidate will not shut down until pending WAL is flushed to the standby; use -F/--force to continue anyway',
    });
  });

  test('real run refused, a node down (--verbose adds libpq\'s own ERROR first): the verdict leads', () => {
    const { stdout, stderr } = fx('real-5.3.3-switchover-verbose-refused-sibling-down-pgsql3');
    const ev = parseSwitchoverOutput(stdout, stderr);
    assert.deepEqual(phases(ev), ['checks', 'pause-repmgrd', 'failed']);
    const o = switchoverOutcome(ev);
    assert.match(o.error!, /^unable to connect to 1 of 3 node\(s\), unable to pause all repmgrd instances — following node\(s\) unreachable: unable to connect to node "pgsql3" \(ID: 3\): connection to server at "127\.0\.0\.1", port \d+ failed: Connection refused Is the server running on that host and accepting TCP\/IP connections\? — HINT: use -F\/--force to continue anyway; connection to database failed — connection to server at/);
    assert.doesNotMatch(o.error!, /already shut down|\n/);
  });

  const head = [
    'NOTICE: executing switchover on node "pgsql2" (ID: 2)',
    'NOTICE: attempting to pause repmgrd on 3 nodes',
    'NOTICE: local node "pgsql2" (ID: 2) will be promoted to primary; current primary "pgsql1" (ID: 1) will be demoted to standby',
    'NOTICE: stopping current primary node "pgsql1" (ID: 1)',
    'NOTICE: issuing CHECKPOINT on node "pgsql1" (ID: 1) ',
    'DETAIL: executing server command "/usr/lib/postgresql/15/bin/pg_ctl -D /data -m fast -w -t 60 stop"',
    'INFO: checking for primary shutdown; 1 of 60 attempts ("shutdown_check_timeout")',
    'INFO: remote node is still shutting down',
    'INFO: checking for primary shutdown; 2 of 60 attempts ("shutdown_check_timeout")',
    'NOTICE: current primary has been cleanly shut down at location 0/9000028',
  ];

  test('behind the shut-down primary: aborted, the old primary stays down (repmgr-action-standby.c)', () => {
    const ev = parseSwitchoverOutput('', [
      ...head,
      'NOTICE: waiting up to 30 seconds (parameter "wal_receive_check_timeout") for received WAL to flush to disk',
      'INFO: sleeping 1 of maximum 30 seconds waiting for standby to flush received WAL to disk',
      'WARNING: local node "pgsql2" is behind shutdown primary "pgsql1"',
      'DETAIL: local node last receive LSN is 0/8FFFF00, primary shutdown checkpoint LSN is 0/9000028',
      'NOTICE: aborting switchover',
      'HINT: use --always-promote to force promotion of standby',
    ].join('\n'));
    assert.deepEqual(phases(ev), ['checks', 'pause-repmgrd', 'shutdown', 'failed']);
    assert.equal(ev.find((e) => /still shutting down/.test(e.text))!.waitingOn, 'primary shutdown (still shutting down)');
    assert.equal(ev.find((e) => /^NOTICE: waiting up to 30/.test(e.text))!.waitingOn, 'received WAL to be flushed to disk (up to 30 s, wal_receive_check_timeout)');
    assert.equal(ev.find((e) => /sleeping 1 of maximum/.test(e.text))!.waitingOn, 'received WAL to be flushed to disk (1 of 30 s, wal_receive_check_timeout)');
    const o = switchoverOutcome(ev);
    assert.equal(o.ok, false);
    assert.match(o.error!, /^local node "pgsql2" is behind shutdown primary "pgsql1" — local node last receive LSN is 0\/8FFFF00, primary shutdown checkpoint LSN is 0\/9000028 — the old primary was already shut down and no standby was promoted/);
  });

  test('promotion fails: exit 8, and the cluster has no primary', () => {
    const ev = parseSwitchoverOutput('', [
      ...head,
      'NOTICE: promoting standby to primary',
      'DETAIL: promoting server "pgsql2" (ID: 2) using pg_promote()',
      'NOTICE: waiting up to 60 seconds (parameter "promote_check_timeout") for promotion to complete',
      'ERROR: STANDBY PROMOTE failed, node is still a standby',
      'DETAIL: node still in recovery after 60 seconds',
      'HINT: the node may need more time to promote itself, check the PostgreSQL log for details',
    ].join('\n'));
    assert.deepEqual(phases(ev), ['checks', 'pause-repmgrd', 'shutdown', 'promote', 'failed']);
    assert.match(switchoverOutcome(ev).error!, /^STANDBY PROMOTE failed, node is still a standby — node still in recovery after 60 seconds — HINT: the node may need more time .* — the old primary was already shut down and no standby was promoted/);
  });

  test('promoted, but the old primary never attached: exit 22, "completed with issues"', () => {
    const ev = parseSwitchoverOutput('', [
      ...head,
      'NOTICE: promoting standby to primary',
      'NOTICE: STANDBY PROMOTE successful',
      'DETAIL: server "pgsql2" (ID: 2) was successfully promoted to primary',
      'INFO: waiting for node "pgsql1" (ID: 1) to respond to pings; 1 of max 60 attempts (parameter "node_rejoin_timeout")',
      'INFO: waiting for node "pgsql1" (ID: 1) to connect to new primary; 6 of max 60 attempts (parameter "node_rejoin_timeout")',
      'DETAIL: checking for record in node "pgsql2"\'s "pg_stat_replication" table where "application_name" is "pgsql1"',
      'ERROR: node "pgsql2" (ID: 2) promoted to primary, but demotion candidate "pgsql1" (ID: 1) did not connect to the new primary',
      'DETAIL: check the PostgreSQL log file on  demotion candidate "pgsql1" (ID: 1)',
      'NOTICE: executing STANDBY FOLLOW on 1 of 1 siblings',
      'WARNING: STANDBY FOLLOW failed on node "pgsql3"',
      'WARNING: execution of STANDBY FOLLOW failed on 1 sibling nodes',
      'INFO: sleeping 1 second; 1 of 60 attempts ("standby_reconnect_timeout") to reconnect to demoted primary',
      'NOTICE: switchover is incomplete',
      'DETAIL: node "pgsql2" is now primary but node "pgsql1" is not attached as standby',
      'WARNING: unable to unpause repmgrd on 1 node(s)',
      'DETAIL: errors encountered for following node(s):',
      '  unable to connect to node "pgsql1" (ID: 1):',
      'HINT: check node connection and status; unpause manually with "repmgr service unpause"',
      'NOTICE: STANDBY SWITCHOVER has completed with issues',
      'HINT: see preceding log message(s) for details',
    ].join('\n'));
    // the ERROR after the promotion does not end the run: no 'failed' until repmgr says so
    assert.deepEqual(phases(ev), ['checks', 'pause-repmgrd', 'shutdown', 'promote', 'rejoin', 'follow', 'unpause-repmgrd', 'failed']);
    const w = (re: RegExp) => ev.find((e) => re.test(e.text))!.waitingOn;
    assert.equal(w(/to respond to pings/), '"pgsql1" to respond to pings (attempt 1 of 60, node_rejoin_timeout)');
    assert.equal(w(/to connect to new primary/), '"pgsql1" to connect to the new primary (attempt 6 of 60, node_rejoin_timeout)');
    assert.equal(w(/standby_reconnect_timeout/), 'the demoted primary to accept connections (attempt 1 of 60, standby_reconnect_timeout)');
    assert.equal(ev.find((e) => /^ {2}unable to connect to node/.test(e.text))!.level, 'detail');
    const o = switchoverOutcome(ev);
    assert.equal(o.ok, false);
    assert.equal(o.error, 'node "pgsql2" (ID: 2) promoted to primary, but demotion candidate "pgsql1" (ID: 1) did not connect to the new primary — check the PostgreSQL log file on demotion candidate "pgsql1" (ID: 1)');
  });

  test('"completed successfully" with an ERROR before it is not ok; neither is a run that just stops', () => {
    const ok = parseSwitchoverOutput('', fx('real-5.3.3-switchover-to-pgsql1').stderr);
    const withError = [...ok.slice(0, 3), { text: 'ERROR: something', level: 'error' as const, phase: null, waitingOn: null }, ...ok.slice(3)];
    assert.deepEqual(switchoverOutcome(withError), { ok: false, error: 'something' });
    const cut = ok.slice(0, ok.findIndex((e) => /promoting standby/.test(e.text)));
    const o = switchoverOutcome(cut);
    assert.equal(o.ok, false);
    assert.match(o.error!, /^repmgr did not report "STANDBY SWITCHOVER has completed successfully" — the old primary was already shut down/);
    assert.deepEqual(switchoverOutcome([]), { ok: false, error: 'repmgr did not report "STANDBY SWITCHOVER has completed successfully"' });
  });

  test('-F: "did not shut down cleanly, continuing anyway" is an ERROR that does not fail the run', () => {
    const ev = parseSwitchoverOutput('', [...head.slice(0, 7), 'ERROR: current primary did not shut down cleanly, continuing anyway', 'NOTICE: promoting standby to primary'].join('\n'));
    assert.deepEqual(phases(ev), ['checks', 'pause-repmgrd', 'shutdown', 'promote']);
  });
});

test('splitLevel reads the bare and the timestamped forms', () => {
  assert.deepEqual(splitLevel('NOTICE: x y'), ['NOTICE', 'x y']);
  assert.deepEqual(splitLevel('[2026-11-22 08:56:57] [NOTICE] reconnected'), ['NOTICE', 'reconnected']);
  assert.equal(splitLevel('  "/usr/bin/pg_ctl stop"'), null);
  assert.equal(splitLevel('notice: lower case is not repmgr'), null);
});
