// `snapshot --format md`: the daily check report, golden per scenario (test/golden/report-*.md.txt).
//   UPDATE_GOLDEN=1 node --import tsx --test test/unit/model/report-md.test.ts   rewrites them
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { snapshotMarkdown } from '../../../src/model/report-md.ts';
import { buildSnapshot } from '../../../src/model/snapshot.ts';
import { golden } from '../../helpers/golden.ts';
import { SCENARIOS, NOW } from '../../helpers/states.ts';

const md = (name: keyof typeof SCENARIOS) => {
  const s = SCENARIOS[name]().store.getState();
  return snapshotMarkdown(JSON.parse(JSON.stringify(buildSnapshot(s.cluster, s.nodeOrder, s.nodes, NOW, s))));
};

describe('snapshot --format md', () => {
  for (const name of ['healthy17', 'haLab', 'haFailover'] as const) {
    test(`golden: ${name}`, (t) => golden(t, `report-${name}.md`, md(name).trimEnd()));
  }

  test('every table row has as many cells as its header', () => {
    for (const name of ['healthy17', 'haLab', 'haFailover', 'splitBrain', 'pg13'] as const) {
      let cols = 0;
      for (const line of md(name).split('\n')) {
        if (!line.startsWith('|')) {
          cols = 0;
          continue;
        }
        const n = line.replace(/\\\|/g, '').split('|').length - 2;
        if (cols === 0) cols = n;
        else assert.equal(n, cols, `${name}: ${line}`);
      }
    }
  });

  test('alerts first, worst first; a quiet cluster says so', () => {
    const text = md('haFailover');
    assert.ok(text.indexOf('## Alerts') < text.indexOf('## Nodes'));
    assert.match(text, /\| critical \| `NODE_DOWN` \| pgsql1 \|/);
    assert.match(md('haLab'), /## Alerts\n\nNo open alerts\./);
  });

  test('nothing answered: every node DOWN, no empty tables', () => {
    const text = md('connecting');
    assert.match(text, /## WAL archiving\n\nNo node answered\.\n/);
    assert.match(text, /## Replication slots\n\nNone\.\n/);
    assert.doesNotMatch(text, /\|---\|[^\n]*\n\n/, 'a header row without rows');
  });

  test('versions: PostgreSQL and repmgr per node, pgpool per instance', () => {
    const text = md('haLab');
    assert.match(text, /\| pgsql1 \| primary \| 15\.\d+ \(Debian [^|]*\) \| 5\.3 \|/);
    assert.match(text, /## pgpool-II pgpool1 \(4\.3\.5\)/);
  });
});
