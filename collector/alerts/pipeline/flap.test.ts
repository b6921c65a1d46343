import { describe, expect, it } from 'vitest';
import { isFlapping, recordChange, type FlapHistory } from './flap.ts';

const settings = { windowMs: 600_000, changes: 3, quietMs: 300_000 };

describe('flap damping', () => {
  it('three changes within the window make it flapping until it holds one state for the quiet time', () => {
    const h: FlapHistory = new Map();
    recordChange(h, 'k', true, 0, settings);
    recordChange(h, 'k', false, 30_000, settings);
    expect(isFlapping(h, 'k', 30_000, settings)).toBe(false);
    recordChange(h, 'k', true, 60_000, settings);
    expect(isFlapping(h, 'k', 60_000, settings)).toBe(true);
    recordChange(h, 'k', true, 200_000, settings);
    expect(isFlapping(h, 'k', 359_000, settings)).toBe(true);
    expect(isFlapping(h, 'k', 360_000, settings)).toBe(false);
  });

  it('the same state again is no change; a clear subject with no recent change is forgotten', () => {
    const h: FlapHistory = new Map();
    recordChange(h, 'k', false, 0, settings);
    expect(h.size).toBe(0);
    recordChange(h, 'k', true, 0, settings);
    recordChange(h, 'k', false, 1, settings);
    recordChange(h, 'k', false, 700_000, settings);
    expect(h.size).toBe(0);
  });
});
