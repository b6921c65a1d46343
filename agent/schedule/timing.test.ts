import { describe, expect, it } from 'vitest';
import { firstRunDelay, nextRun } from './timing.ts';

describe('schedule timing', () => {
  it('spreads first runs over the interval, capped', () => {
    expect(firstRunDelay(60_000, 5_000, () => 0.5)).toBe(2_500);
    expect(firstRunDelay(1_000, 5_000, () => 0.999)).toBe(999);
    expect(firstRunDelay(60_000, 5_000, () => 0)).toBe(0);
  });
  it('keeps a fixed rate from the planned time', () => {
    expect(nextRun(10_000, 1_000, 10_300)).toEqual({ at: 11_000, skipped: 0 });
  });
  it('skips whole intervals missed during a stall instead of bursting', () => {
    expect(nextRun(10_000, 1_000, 13_500)).toEqual({ at: 14_000, skipped: 3 });
    expect(nextRun(10_000, 1_000, 11_000)).toEqual({ at: 12_000, skipped: 1 });
  });
});
