// The backups pane (src/views/panes/backups-lines.ts) drawn as the console would draw it zoomed in
// an 80×24 and a 120×40 terminal, for states read by the real probes from fixtures:
//   healthy   barman 3.4, the real captures (two full backups, checks, status); show-backup was
//             captured for the latest backup only, so the other keeps its list-backups record
//             and the probe says which show-backup failed — a partial answer, as it would look
//   broken    barman 3.15, the constructed catalogue (three-level chain, orphan, FAILED in the
//             middle, a parent without summarize_wal)
//   basebackup  a pg_basebackup directory (real PG17 incremental chain, constructed plain chain,
//             an orphan, an incomplete backup)
//   failing   barman not reachable (unknown server: barman's own words) and no backups yet
//   empty     no backup source configured
// compared with test/golden/pane-backups-<case>-<size>.txt (UPDATE_GOLDEN=1 writes them).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildChains } from '../../../src/model/backup-chains.ts';
import type { BackupSourceState } from '../../../src/model/backups.ts';
import { probeBarman, type BarmanTarget } from '../../../src/probes/barman/barman-probe.ts';
import { probeBasebackupDir } from '../../../src/probes/basebackup/basebackup-probe.ts';
import { drawBox } from '../../../src/views/frame/box.ts';
import { lineText } from '../../../src/views/format/line.ts';
import { width } from '../../../src/views/format/text.ts';
import { backupsLines } from '../../../src/views/panes/backups-lines.ts';
import { barman315, barman34, barmanFixture as fx } from '../barman/fixtures.ts';
import { copyFixtureTree, LocalRunner } from '../basebackup/local-runner.ts';
import { FakeRunner, reply } from '../ssh/fake-runner.ts';
import { golden } from '../../helpers/golden.ts';

process.env.TZ = 'UTC';


const ssh = { host: 'backup1', port: 22, user: 'barman' };

interface Case {
  order: string[];
  sources: Record<string, BackupSourceState>;
  now: number;
}

async function cases(): Promise<Record<string, Case>> {
  const main: BarmanTarget = { ssh, server: 'main' };
  const pg17: BarmanTarget = { ssh, server: 'pg17' };
  const healthy = await probeBarman(new FakeRunner(barman34), main, null, { now: () => 0 });
  const broken = await probeBarman(new FakeRunner(barman315), pg17, null, { now: () => 0 });
  const dirPath = copyFixtureTree();
  const { notes, commands: _c, ...dir } = await probeBasebackupDir(new LocalRunner(), { ssh: { host: 'backup1', user: 'postgres' }, path: dirPath }, { now: () => 0 });
  const dirState: BackupSourceState = { ...dir, name: '/srv/backups/pg17', chains: buildChains(dir.backups), notes };
  const unknown = await probeBarman(new FakeRunner((argv) => reply(fx('lab-3.4-list-backups-unknown-server.json'), 1)), { ssh, server: 'nosuch' }, null, { now: () => 0 });
  return {
    // Times: a day after the newest backup of each set, so ages read like a morning check.
    healthy: { order: ['barman:main'], sources: { 'barman:main': healthy }, now: Date.UTC(2026, 10, 23, 6, 0, 0) },
    broken: { order: ['barman:pg17'], sources: { 'barman:pg17': broken }, now: Date.UTC(2026, 2, 13, 6, 0, 0) },
    basebackup: { order: ['dir:/srv/backups/pg17'], sources: { 'dir:/srv/backups/pg17': dirState }, now: Date.UTC(2026, 11, 5, 6, 0, 0) },
    failing: { order: ['barman:nosuch', 'dir:/srv/none'], sources: { 'barman:nosuch': unknown }, now: Date.UTC(2026, 10, 23, 6, 0, 0) },
    empty: { order: [], sources: {}, now: 0 },
  };
}

const SIZES: Array<[number, number]> = [[80, 24], [120, 40]];

describe('backups pane', async () => {
  const all = await cases();

  for (const [name, c] of Object.entries(all)) {
    for (const [cols, rows] of SIZES) {
      test(`${name} ${cols}x${rows}`, (t) => {
        const w = cols;
        const h = rows - 2;
        const lines = backupsLines(c.order, c.sources, { width: w - 2, height: h - 2, ascii: false }, c.now);
        const frame = drawBox({ title: 'Backups', focused: true, width: w, height: h, lines, ascii: false }).map(lineText);
        for (const l of frame) assert.ok(width(l) <= w, `line wider than ${w}: ${l}`);
        golden(t, `pane-backups-${name}-${cols}x${rows}`, frame.join('\n'));
      });
    }
  }

  test('healthy: two DONE fulls, one chain each, all checks OK, newest usable named', () => {
    const s = all.healthy!.sources['barman:main']!;
    assert.equal(s.reachable, true);
    assert.equal(s.backups.length, 2);
    assert.ok(s.chains.every((ch) => !ch.broken && ch.members.length === 1));
    const text = backupsLines(all.healthy!.order, all.healthy!.sources, { width: 118, height: 100, ascii: false }, all.healthy!.now).map(lineText);
    assert.match(text[0]!, /^barman main · barman@backup1(:22)? · last usable .* ago/);
  });

  test('broken: every broken link is flagged with its reason', () => {
    const text = backupsLines(all.broken!.order, all.broken!.sources, { width: 200, height: 100, ascii: false }, all.broken!.now).map(lineText);
    const flags = text.filter((l) => l.startsWith('!! chain'));
    assert.ok(flags.some((l) => /missing/.test(l)), flags.join('\n'));
    assert.ok(flags.some((l) => /FAILED/.test(l)), flags.join('\n'));
    assert.ok(flags.some((l) => /summarize_wal/.test(l)), flags.join('\n'));
  });

  test('WAL line: receive-wal streaming, running but not streaming, not running', () => {
    const c = all.healthy!;
    const s = c.sources['barman:main']!;
    const wal = (over: Partial<NonNullable<BackupSourceState['wal']>>) => {
      const src = { ...s, wal: { ...s.wal!, ...over } };
      return backupsLines(c.order, { 'barman:main': src }, { width: 200, height: 100, ascii: false }, c.now).map(lineText).find((l) => l.startsWith('  WAL: '))!;
    };
    assert.match(wal({ receiveWalRunning: true, walStreaming: true }), /^ {2}WAL: receive-wal streaming · /);
    assert.match(wal({ receiveWalRunning: true, walStreaming: false }), /^ {2}WAL: receive-wal running, not streaming · /);
    assert.match(wal({ receiveWalRunning: true, walStreaming: null }), /^ {2}WAL: receive-wal running · /);
    assert.match(wal({ receiveWalRunning: false, walStreaming: null }), /^ {2}WAL: receive-wal NOT running · /);
    // the lab's barman streams only (archiver = off): barman status has no archiver figures then
    assert.match(wal({ receiveWalRunning: true, walStreaming: true, lastArchivedWal: null, lastArchivedTime: null }), /^ {2}WAL: receive-wal streaming · archive_command not used · failed/);
  });

  test('failing: barman\'s own message, a source not read yet, and nothing else', () => {
    const text = backupsLines(all.failing!.order, all.failing!.sources, { width: 118, height: 100, ascii: false }, all.failing!.now).map(lineText);
    assert.match(text[0]!, /not read: .*Unknown server 'nosuch'/);
    assert.match(text[1]!, /^dir:\/srv\/none not read yet/);
  });
});
