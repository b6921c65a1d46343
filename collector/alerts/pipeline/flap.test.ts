import { describe, expect, it } from 'vitest';
import { isFlapping, recordChange, type FlapHistory } from './flap.ts';

const settings = { windowMs: 600_000, changes: 3, quietMs: 300_000 };
const MIN = 60_000;

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

  it('item 2: still flapping when the first change leaves the window, as long as no state was held for quiet', () => {
    // Down 5 min, up 50 s, down again: the third change makes it flapping; at 10 min the first change leaves
    // the window, but the last change was only 4 min 10 s ago.
    const h: FlapHistory = new Map();
    const at = (t: number, active: boolean) => recordChange(h, 'k', active, t, settings);
    at(0, true);
    for (let t = 10_000; t < 5 * MIN; t += 10_000) at(t, true);
    at(5 * MIN, false);
    at(5 * MIN + 50_000, true);
    for (let t = 5 * MIN + 60_000; t < 10 * MIN + 50_000; t += 10_000) {
      at(t, true);
      expect(isFlapping(h, 'k', t, settings), `at ${t / 1000} s`).toBe(true);
    }
    // Held down for quiet (5 min after the last change): no longer flapping.
    at(10 * MIN + 50_000, true);
    expect(isFlapping(h, 'k', 10 * MIN + 50_000, settings)).toBe(false);
  });

  it('a slow flap (every 4 min, under quiet) stays flapping however long it goes on, with bounded memory', () => {
    const h: FlapHistory = new Map();
    for (let i = 0; i < 200; i++) recordChange(h, 'k', i % 2 === 0, i * 4 * MIN, settings);
    expect(isFlapping(h, 'k', 199 * 4 * MIN + MIN, settings)).toBe(true);
    expect(h.get('k')!.changes.length).toBeLessThanOrEqual(settings.changes);
  });

  it('after a quiet spell, old changes do not count towards new flapping', () => {
    const h: FlapHistory = new Map();
    recordChange(h, 'k', true, 0, settings);
    recordChange(h, 'k', false, MIN, settings);
    recordChange(h, 'k', true, 2 * MIN, settings); // flapping
    recordChange(h, 'k', false, 8 * MIN, settings); // 6 min later: quiet held, a new run starts
    expect(isFlapping(h, 'k', 8 * MIN, settings)).toBe(false);
    recordChange(h, 'k', true, 9 * MIN, settings);
    expect(isFlapping(h, 'k', 9 * MIN, settings)).toBe(false);
  });
});
