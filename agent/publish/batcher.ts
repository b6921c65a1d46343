import type { Sample } from '../../contract/index.ts';
import type { Clock } from '../../contract/clock.ts';

/**
 * Gathers samples from all checks into batches: a batch leaves when it is full or when its first sample
 * has waited `maxDelayMs`, so one message carries many samples without holding any of them long.
 */
export class Batcher {
  private pending: Sample[] = [];
  private timer: unknown;

  constructor(
    private readonly clock: Clock,
    private readonly limits: { maxSamples: number; maxDelayMs: number },
    private readonly emit: (samples: Sample[]) => void,
  ) {}

  add(samples: readonly Sample[]): void {
    if (samples.length === 0) return;
    this.pending.push(...samples);
    while (this.pending.length >= this.limits.maxSamples) {
      this.emit(this.pending.splice(0, this.limits.maxSamples));
    }
    if (this.pending.length === 0) {
      this.clock.clearTimeout(this.timer);
      this.timer = undefined;
    } else if (this.timer === undefined) {
      this.timer = this.clock.setTimeout(() => this.flush(), this.limits.maxDelayMs);
    }
  }

  get size(): number {
    return this.pending.length;
  }

  flush(): void {
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length > 0) this.emit(this.pending.splice(0));
  }
}
