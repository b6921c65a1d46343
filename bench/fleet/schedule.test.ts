import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { defaultAgentProcesses, pollOffsetMs, slices } from './schedule.ts';
import { school } from './schools.ts';

describe('the fleet bench schedule', () => {
  it('deals every school to exactly one of K processes, whatever N and K', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1500 }), fc.integer({ min: 1, max: 16 }), (n, k) => {
        const all = Array.from({ length: n }, (_, i) => i);
        const parts = slices(all, k);
        expect(parts.length).toBe(k);
        expect(parts.flat().sort((a, b) => a - b)).toEqual(all);
        // Even: no process holds more than one school above another.
        const sizes = parts.map((p) => p.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('gives each process the fleet\'s mix of primaries and secondaries (1,000 schools, 4 processes)', () => {
    for (const p of slices(Array.from({ length: 1000 }, (_, i) => i), 4)) {
      expect(p.length).toBe(250);
      expect(p.filter((i) => school(i).kind === 'secondary').length).toBe(75);
    }
  });

  it('keeps each school\'s offset inside the spread and the same every time', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 1, max: 600_000 }), (i, spread) => {
        const o = pollOffsetMs(i, spread);
        expect(o).toBeGreaterThanOrEqual(0);
        expect(o).toBeLessThan(spread);
        expect(Number.isInteger(o)).toBe(true);
        expect(pollOffsetMs(i, spread)).toBe(o);
      }),
    );
  });

  it('spreads the fleet\'s polls over the minute: no second holds more than twice its share', () => {
    for (const n of [50, 300, 1000]) {
      const perSecond = new Array<number>(48).fill(0);
      for (let i = 0; i < n; i++) perSecond[Math.floor(pollOffsetMs(i, 48_000) / 1000)]!++;
      expect(Math.max(...perSecond)).toBeLessThanOrEqual(Math.ceil((2 * n) / 48));
      if (n >= 300) expect(Math.min(...perSecond)).toBeGreaterThanOrEqual(Math.floor(n / 48 / 2));
    }
    // And within one process's slice too (its schools are every Kth index).
    for (const p of slices(Array.from({ length: 1000 }, (_, i) => i), 4)) {
      expect(p.length).toBe(250);
      const perSecond = new Array<number>(48).fill(0);
      for (const i of p) perSecond[Math.floor(pollOffsetMs(i, 48_000) / 1000)]!++;
      expect(Math.max(...perSecond)).toBeLessThanOrEqual(Math.ceil((2 * p.length) / 48));
    }
  });

  it('uses one process for a small fleet and four from 500 schools', () => {
    expect(defaultAgentProcesses(50)).toBe(1);
    expect(defaultAgentProcesses(300)).toBe(2);
    expect(defaultAgentProcesses(500)).toBe(4);
    expect(defaultAgentProcesses(1000)).toBe(4);
  });
});
