// A command's output arrives in chunks that cut lines anywhere; parsers want whole lines, per
// stream, in order, and the unterminated tail once the command has ended.
export type Stream = 'stdout' | 'stderr';

/** A subclass gets every whole line in `line()`; its callers feed it with `push()` and `end()`. */
export abstract class StreamLines {
  private readonly pending: Record<Stream, string> = { stdout: '', stderr: '' };

  push(stream: Stream, chunk: string): void {
    const lines = (this.pending[stream] + chunk).split('\n');
    this.pending[stream] = lines.pop()!;
    for (const l of lines) this.line(stream, l);
  }

  /** The unterminated tails, stdout first, once the command has ended. */
  end(): void {
    for (const s of ['stdout', 'stderr'] as const) {
      if (this.pending[s] !== '') this.line(s, this.pending[s]);
      this.pending[s] = '';
    }
  }

  protected abstract line(stream: Stream, line: string): void;
}
