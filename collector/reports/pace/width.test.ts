import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextWidth, writeHealth, type WriteCounters } from './width.ts';

const limits = { slowMs: 2_000, quickMs: 500, max: 4 };
const counters = (requests: number, durationMs: number, active = 0): WriteCounters => ({ requests, durationNs: durationMs * 1e6, active });

describe('writeHealth', () => {
  it('is slow at the threshold and not just under it', () => {
    expect(writeHealth(counters(10, 0), counters(12, 4_000), limits)).toEqual({ state: 'slow', meanMs: 2_000 });
    expect(writeHealth(counters(10, 0), counters(12, 3_998), limits).state).toBe('between');
  });

  it('is quick just under quickMs and between at it', () => {
    expect(writeHealth(counters(0, 0), counters(4, 1_996), limits).state).toBe('quick');
    expect(writeHealth(counters(0, 0), counters(4, 2_000), limits).state).toBe('between');
  });

  it('no write finished while some are in progress is slow; no write at all is idle', () => {
    expect(writeHealth(counters(5, 100), counters(5, 100, 2), limits)).toEqual({ state: 'slow' });
    expect(writeHealth(counters(5, 100), counters(5, 100, 0), limits)).toEqual({ state: 'idle' });
  });

  it('counters that went back (influxd restarted) say nothing: idle', () => {
    expect(writeHealth(counters(500, 9_000), counters(3, 10), limits)).toEqual({ state: 'idle' });
    expect(writeHealth(counters(5, 9_000), counters(6, 10), limits)).toEqual({ state: 'idle' });
  });
});

describe('nextWidth', () => {
  it('halves on slow writes, grows by one on quick or idle ones, holds in between', () => {
    expect(nextWidth(4, { state: 'slow' }, limits)).toBe(2);
    expect(nextWidth(3, { state: 'slow' }, limits)).toBe(1);
    expect(nextWidth(1, { state: 'slow' }, limits)).toBe(1);
    expect(nextWidth(1, { state: 'quick' }, limits)).toBe(2);
    expect(nextWidth(2, { state: 'idle' }, limits)).toBe(3);
    expect(nextWidth(2, { state: 'between' }, limits)).toBe(2);
    expect(nextWidth(4, { state: 'quick' }, limits)).toBe(4);
  });

  it('stays within 1 … max whatever the writes do', () => {
    const state = fc.constantFrom('quick', 'slow', 'between', 'idle' as const);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 32 }), fc.array(state, { maxLength: 200 }), (max, states) => {
        let w = max;
        for (const s of states) {
          w = nextWidth(w, { state: s }, { max });
          if (!Number.isInteger(w) || w < 1 || w > max) return false;
        }
        return true;
      }),
    );
  });

  it('recovers the full width after slow writes end, one school per interval', () => {
    let w = 8;
    for (let i = 0; i < 5; i++) w = nextWidth(w, { state: 'slow' }, { max: 8 });
    expect(w).toBe(1);
    const steps: number[] = [];
    for (let i = 0; i < 9; i++) steps.push((w = nextWidth(w, { state: 'quick' }, { max: 8 })));
    expect(steps).toEqual([2, 3, 4, 5, 6, 7, 8, 8, 8]);
  });
});
