/**
 * How many schools' reports may be made at once, from how InfluxDB's writes are doing. A month's reports
 * are queries, and InfluxDB runs them on the same cores as the collector's live writes: at 1,000 schools
 * four reports at once took influxd past 1.2 cores and live writes timed out (docs/sizing.md, run 17). So
 * the width is halved while writes are slow and grows back one school at a time while they are quick
 * (additive increase, multiplicative decrease, as TCP does with its window). It never goes below one
 * school: the month's reports always make progress.
 */

/** InfluxDB's own running totals of write requests (its `/debug/vars`, `httpd`). */
export interface WriteCounters {
  /** Write requests completed. */
  requests: number;
  /** Their total time, in nanoseconds. */
  durationNs: number;
  /** Write requests in progress right now. */
  active: number;
}

export interface PaceLimits {
  /** The most schools at once (`--concurrency`). */
  max: number;
  /** A mean write slower than this halves the width. */
  slowMs: number;
  /** A mean write quicker than this lets the width grow by one. */
  quickMs: number;
}

/** 2 s: live writes of a 1,000-school fleet take tens of ms; at 2 s the collector's queue is already filling. */
export const DEFAULT_SLOW_WRITE_MS = 2_000;
export const DEFAULT_QUICK_WRITE_MS = 500;

export type WriteHealth = { state: 'quick' | 'slow' | 'between' | 'idle'; meanMs?: number };

/**
 * The writes between two readings of the counters. No write finished but some are in progress: slow (they
 * are stuck behind something). No write at all: idle (no collector writing, e.g. reports made on their own).
 */
export function writeHealth(before: WriteCounters, after: WriteCounters, limits: Pick<PaceLimits, 'slowMs' | 'quickMs'>): WriteHealth {
  const requests = after.requests - before.requests;
  // Counters that went back mean influxd restarted between the readings: nothing can be said of the interval.
  if (requests < 0 || after.durationNs < before.durationNs) return { state: 'idle' };
  if (requests === 0) return after.active > 0 ? { state: 'slow' } : { state: 'idle' };
  const meanMs = (after.durationNs - before.durationNs) / requests / 1e6;
  const state = meanMs >= limits.slowMs ? 'slow' : meanMs < limits.quickMs ? 'quick' : 'between';
  return { state, meanMs };
}

/** The next width after one interval's write health. */
export function nextWidth(width: number, health: WriteHealth, limits: Pick<PaceLimits, 'max'>): number {
  const max = Math.max(1, Math.floor(limits.max));
  switch (health.state) {
    case 'slow':
      return Math.max(1, Math.floor(width / 2));
    case 'quick':
    case 'idle':
      return Math.min(max, width + 1);
    case 'between':
      return Math.min(max, Math.max(1, width));
  }
}
