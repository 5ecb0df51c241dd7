import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lineText } from '../../../src/views/format/line.ts';
import { headerLine } from '../../../src/views/frame/header.ts';

const base = { cluster: 'prod', paused: false, readOnly: false, intervalMs: 2000, lastRefreshAt: 1_000_000 as number | null, up: 3, total: 3, primaries: ['db1'], answered: true };
const text = (over: Partial<typeof base>, now: number) => lineText(headerLine({ ...base, ...over }, now, 120)).trimEnd();
const toneOfAge = (over: Partial<typeof base>, now: number) =>
  headerLine({ ...base, ...over }, now, 120).find((s) => s.text.includes('ago'))?.tone;

test('fresh data shows the refresh clock; stale data counts its age up, in red', () => {
  assert.doesNotMatch(text({}, 1_003_000), /ago/);
  assert.match(text({}, 1_010_000), /refreshed 10 s ago/);
  assert.equal(toneOfAge({}, 1_010_000), 'bad');
});

test('paused data is old on purpose: PAUSED, and no stale alarm', () => {
  assert.match(text({ paused: true }, 1_010_000), /PAUSED/);
  assert.equal(toneOfAge({ paused: true }, 1_010_000), undefined);
});

test('before any node answered the primary is "?", after it is NONE in red when there is none', () => {
  assert.match(text({ answered: false, primaries: [], lastRefreshAt: null }, 1_000_000), /primary \? · refreshed never/);
  assert.match(text({ primaries: [] }, 1_001_000), /primary NONE/);
  assert.match(text({ primaries: ['a', 'b'] }, 1_001_000), /primary a\+b/);
});
