// Fixed-size history for sparklines and graphs: memory stays flat however long the console runs.
export class Ring {
  private readonly buf: Float64Array;
  private start = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.buf = new Float64Array(capacity);
  }

  push(value: number): void {
    const end = (this.start + this.count) % this.capacity;
    this.buf[end] = value;
    if (this.count < this.capacity) this.count++;
    else this.start = (this.start + 1) % this.capacity;
  }

  /** An independent copy: replay keeps the history as it was at a checkpoint while the live rings move on. */
  clone(): Ring {
    const r = new Ring(this.capacity);
    r.buf.set(this.buf);
    r.start = this.start;
    r.count = this.count;
    return r;
  }

  get length(): number {
    return this.count;
  }

  /** The newest `n` values, oldest first (NaN marks a gap such as a missed sample). */
  last(n = this.count): number[] {
    const take = Math.min(n, this.count);
    const out = new Array<number>(take);
    for (let i = 0; i < take; i++) out[i] = this.buf[(this.start + this.count - take + i) % this.capacity]!;
    return out;
  }

  latest(): number | undefined {
    return this.count === 0 ? undefined : this.buf[(this.start + this.count - 1) % this.capacity];
  }
}
