// Whole lines per stream from chunks cut anywhere.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Stream, StreamLines } from '../../../src/transport/stream-lines.ts';

class Collect extends StreamLines {
  readonly out: string[] = [];
  protected line(stream: Stream, line: string): void {
    this.out.push(`${stream}:${line}`);
  }
}

function run(chunks: Array<[Stream, string]>, end = true): string[] {
  const s = new Collect();
  for (const [stream, c] of chunks) s.push(stream, c);
  if (end) s.end();
  return s.out;
}

const cases: Array<[string, Array<[Stream, string]>, string[], boolean?]> = [
  ['one chunk, two lines', [['stdout', 'a\nb\n']], ['stdout:a', 'stdout:b']],
  ['a line across chunks', [['stdout', 'INFO: sw'], ['stdout', 'itching\n']], ['stdout:INFO: switching']],
  ['streams keep their own partial lines', [['stdout', 'out-'], ['stderr', 'err-'], ['stderr', '1\n'], ['stdout', '1\n']], ['stderr:err-1', 'stdout:out-1']],
  ['the unterminated tail at the end, stdout first', [['stderr', 'last err'], ['stdout', 'last out']], ['stdout:last out', 'stderr:last err']],
  ['no tail without end()', [['stdout', 'a\npartial']], ['stdout:a'], false],
  ['empty lines are lines; \\r stays for the parser', [['stdout', '\nx\r\n']], ['stdout:', 'stdout:x\r']],
];
for (const [name, chunks, want, end] of cases) test(name, () => assert.deepEqual(run(chunks, end ?? true), want));

test('end() twice emits the tail once', () => {
  const s = new Collect();
  s.push('stdout', 'tail');
  s.end();
  s.end();
  assert.deepEqual(s.out, ['stdout:tail']);
});
