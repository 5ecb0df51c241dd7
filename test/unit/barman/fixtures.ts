// Reading test/fixtures/barman/* (see its README for where each file comes from).
import { readdirSync, readFileSync } from 'node:fs';
import { reply } from '../ssh/fake-runner.ts';

const DIR = new URL('../../fixtures/barman/', import.meta.url);

export function barmanFixture(name: string): string {
  return readFileSync(new URL(name, DIR), 'utf8');
}

export function barmanFixtures(re: RegExp): string[] {
  return readdirSync(DIR).filter((f) => re.test(f)).sort();
}

const fx = barmanFixture;
const asPg17 = (s: string) => s.replace(/"main"/g, '"pg17"');
const command = (argv: readonly string[]) => argv[argv.indexOf('json') + 1];

/** barman 3.4 on the lab, server main, as captured (for FakeRunner). */
export function barman34(argv: readonly string[]) {
  const cmd = command(argv);
  if (cmd === 'list-backups') return reply(fx('real-3.4-list-backups-json.json'));
  // Only the latest backup's show-backup was captured: the other keeps its list-backups record.
  if (cmd === 'show-backup') return argv.at(-1) === '20261122T034654' ? reply(fx('real-3.4-show-backup-latest-json.json')) : reply(fx('lab-3.4-show-backup-unknown-backup.json'), 1);
  if (cmd === 'check') return reply(fx('real-3.4-check-json.json'));
  if (cmd === 'status') return reply(fx('real-3.4-status-json.json'));
  if (cmd === 'replication-status') return reply(fx('real-3.4-replication-status-json.json'));
  return new Error(`unexpected ${argv.join(' ')}`);
}

/** barman 3.15 with the constructed catalogue, server pg17; check/status are the real 3.4 ones renamed. */
export function barman315(argv: readonly string[]) {
  const cmd = command(argv);
  if (cmd === 'list-backups') return reply(fx('constructed-3.15-list-backups.json'));
  if (cmd === 'show-backup') return reply(fx(`constructed-3.15-show-backup-${argv.at(-1)}.json`));
  if (cmd === 'check') return reply(asPg17(fx('real-3.4-check-json-after-switchback.json')), 1);
  if (cmd === 'status') return reply(asPg17(fx('real-3.4-status-json.json')));
  if (cmd === 'replication-status') return reply(asPg17(fx('real-3.4-replication-status-json-after-switchback.json')));
  return new Error(`unexpected ${argv.join(' ')}`);
}
