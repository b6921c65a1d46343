import type { PingCheckConfig } from '../../../contract/index.ts';
import { runFping } from './fping.ts';
import type { PingOutcome } from './parse.ts';

export interface PingBatcherOptions {
  /** The fping executable. */
  fping: string;
  /** Probes one target alone: used for a lone request and for any target fping did not report on. */
  single: (address: string, config: PingCheckConfig) => Promise<PingOutcome>;
  /**
   * A batch is swept once no new request joined it for `quietMs`, or `windowMs` after its first request,
   * whichever comes first. Checks due in the same tick arrive within a millisecond or two and go out after
   * the quiet gap. The scheduler spreads first runs over 5 s and keeps each job's phase after that, so
   * 250 devices arrive ~20 ms apart on average: a 50 ms gap lets ~90 % of them join the batch before
   * (one process per ~12 targets, not one per target), and fewer devices cost little either way. A ping
   * check's interval is ≥ 1 s and its sample is stamped when the check started, so the wait costs
   * nothing in truth.
   */
  quietMs?: number;
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
  firstAt: number;
  timer: NodeJS.Timeout | undefined;
}

export const DEFAULT_QUIET_MS = 50;
export const DEFAULT_WINDOW_MS = 300;

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
      batch = { config, waiters: new Map(), firstAt: performance.now(), timer: undefined };
      this.batches.set(key, batch);
    }
    const created = batch;
    // Every request pushes the sweep back by the quiet gap, never past the window.
    clearTimeout(created.timer);
    const windowLeft = created.firstAt + (this.options.windowMs ?? DEFAULT_WINDOW_MS) - performance.now();
    created.timer = setTimeout(() => {
      this.batches.delete(key);
      void this.flush(created);
    }, Math.max(0, Math.min(this.options.quietMs ?? DEFAULT_QUIET_MS, windowLeft)));
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
