import type { IPoint } from 'influx';

/**
 * FIFO of points kept as the arrays they were written in, so that taking a batch off the front of a
 * large backlog (InfluxDB down for an hour) does not copy the whole backlog each time.
 */
export class PointQueue {
  private readonly chunks: IPoint[][] = [];
  /** Chunks before this index are spent; they are cut off now and then rather than one by one. */
  private head = 0;
  /** Points of chunks[head] already taken off. */
  private offset = 0;
  private count = 0;

  get length(): number {
    return this.count;
  }

  push(points: IPoint[]): void {
    if (points.length === 0) return;
    this.chunks.push(points);
    this.count += points.length;
  }

  /** Up to `n` points from the front, left in the queue. */
  peek(n: number): IPoint[] {
    const out: IPoint[] = [];
    let offset = this.offset;
    for (let c = this.head; c < this.chunks.length && out.length < n; c++) {
      const chunk = this.chunks[c]!;
      const take = Math.min(n - out.length, chunk.length - offset);
      for (let i = 0; i < take; i++) out.push(chunk[offset + i]!);
      offset = 0;
    }
    return out;
  }

  /** Removes `n` points from the front. */
  drop(n: number): void {
    let left = Math.min(n, this.count);
    this.count -= left;
    while (left > 0) {
      const chunk = this.chunks[this.head]!;
      const inChunk = chunk.length - this.offset;
      if (left < inChunk) {
        this.offset += left;
        break;
      }
      left -= inChunk;
      this.head += 1;
      this.offset = 0;
    }
    if (this.head >= 1024 || this.head === this.chunks.length) {
      this.chunks.splice(0, this.head);
      this.head = 0;
    }
  }
}
