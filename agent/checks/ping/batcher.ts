import type { PingCheckConfig } from '../../../contract/index.ts';
import { runFping } from './fping.ts';
import type { PingOutcome } from './parse.ts';

export interface PingBatcherOptions {
  /** The fping executable. */
  fping: string;
  /** Probes one target alone: used for a lone request and for any target fping did not report on. */
  single: (address: string, config: PingCheckConfig) => Promise<PingOutcome>;
  /**
   * How long the first request of a batch waits for others. The scheduler spreads the first runs of
   * the checks over 5 s and keeps each one's phase after that, so checks due "in the same tick" arrive
   * over a few hundred ms, not within the same millisecond; a ping check's interval is ≥ 1 s, so this
   * much delay costs nothing in truth (the sample is stamped when the check started).
   */
  windowMs?: number;
  /** Most targets in one fping process. */
  maxTargets?: number;
}

interface Waiter {
  resolve(outcome: PingOutcome): void;
  reject(error: unknown): void;
}

interface Batch {
  config: PingCheckConfig;
  waiters: Map<string, Waiter[]>;
}

export const DEFAULT_WINDOW_MS = 250;

/**
 * Coalesces ping checks that fall due close together into one fping process per batch (one process
 * per target costs ~6 ms CPU; fping sweeps 250 targets × 3 probes for ~40 ms). Requests batch together
 * only when their probe settings match; several devices with one address share its probes. Each caller
 * gets its own target's outcome.
 */
export class PingBatcher {
  private readonly batches = new Map<string, Batch>();
  readonly stats = { fpingRuns: 0, fpingFailures: 0, singleRuns: 0 };

  constructor(private readonly options: PingBatcherOptions) {}

  probe(address: string, config: PingCheckConfig): Promise<PingOutcome> {
    const key = `${config.probes}/${config.probeIntervalSeconds}/${config.timeoutSeconds}`;
    let batch = this.batches.get(key);
    if (batch === undefined) {
      const created: Batch = { config, waiters: new Map() };
      batch = created;
      this.batches.set(key, created);
      setTimeout(() => {
        this.batches.delete(key);
        void this.flush(created);
      }, this.options.windowMs ?? DEFAULT_WINDOW_MS);
    }
    const waiters = batch.waiters.get(address) ?? [];
    batch.waiters.set(address, waiters);
    return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
  }

  private async flush(batch: Batch): Promise<void> {
    const addresses = [...batch.waiters.keys()];
    const max = this.options.maxTargets ?? 1_000;
    const chunks: string[][] = [];
    for (let i = 0; i < addresses.length; i += max) chunks.push(addresses.slice(i, i + max));
    await Promise.all(chunks.map((chunk) => this.sweep(chunk, batch)));
  }

  private async sweep(addresses: readonly string[], batch: Batch): Promise<void> {
    let outcomes = new Map<string, PingOutcome>();
    if (addresses.length > 1) {
      this.stats.fpingRuns++;
      // If fping cannot run at all, every target is probed alone: slower, never wrong.
      outcomes = await runFping(this.options.fping, addresses, batch.config).catch(() => {
        this.stats.fpingFailures++;
        return new Map<string, PingOutcome>();
      });
    }
    await Promise.all(
      addresses.map(async (address) => {
        const waiters = batch.waiters.get(address) ?? [];
        try {
          let outcome = outcomes.get(address);
          if (outcome === undefined) {
            this.stats.singleRuns++;
            outcome = await this.options.single(address, batch.config);
          }
          for (const w of waiters) w.resolve(outcome);
        } catch (error) {
          for (const w of waiters) w.reject(error);
        }
      }),
    );
  }
}
