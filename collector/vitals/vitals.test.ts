import { describe, expect, it } from 'vitest';
import { createLogger } from '../../contract/index.ts';
import { DEFAULT_VITALS_LIMITS, startVitals, vitalsWarnings, type Vitals } from './vitals.ts';

const calm: Vitals = { eventLoopDelayMs: { p50: 10, p99: 20, max: 40 }, rssMiB: 400, heapUsedMiB: 200, heapLimitMiB: 640, pendingPoints: 0, walMiB: 0 };

describe('collector vitals', () => {
  it('warns of a stalled loop at the limit and not just under it', () => {
    const stall = DEFAULT_VITALS_LIMITS.eventLoopStallMs;
    expect(vitalsWarnings({ ...calm, eventLoopDelayMs: { ...calm.eventLoopDelayMs, max: stall } })).toEqual(['event loop stalled 10 s']);
    expect(vitalsWarnings({ ...calm, eventLoopDelayMs: { ...calm.eventLoopDelayMs, max: stall - 1 } })).toEqual([]);
  });

  it('warns of a heap near its limit, not of a calm one or an unknown limit', () => {
    expect(vitalsWarnings({ ...calm, heapUsedMiB: 576 })).toEqual(['heap at 576 of 640 MiB']);
    expect(vitalsWarnings({ ...calm, heapUsedMiB: 575 })).toEqual([]);
    expect(vitalsWarnings({ ...calm, heapUsedMiB: 900, heapLimitMiB: 0 })).toEqual([]);
    expect(vitalsWarnings(calm)).toEqual([]);
  });

  it('samples this process: a blocked loop shows in the max, and the sources are read', async () => {
    const vitals = startVitals({ pendingPoints: () => 7, walBytes: () => 3 * 1024 * 1024 }, createLogger('test', 'silent'), 60_000);
    const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    try {
      await tick(50);
      const until = Date.now() + 150;
      while (Date.now() < until);
      await tick(50);
      const v = vitals.sample();
      expect(v.eventLoopDelayMs.max).toBeGreaterThanOrEqual(100);
      expect(v.pendingPoints).toBe(7);
      expect(v.walMiB).toBe(3);
      expect(v.rssMiB).toBeGreaterThan(0);
      expect(v.heapLimitMiB).toBeGreaterThan(0);
    } finally {
      vitals.stop();
    }
  });
});
