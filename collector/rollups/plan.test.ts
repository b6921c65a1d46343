import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HOUR_MS, closedUntil, dueTasks, retryDelay, roundStarts } from './plan.ts';

const H = HOUR_MS;
const BASE = Date.UTC(2026, 11, 7, 0, 0, 0);
const SETTLE = 5 * 60_000;
const RAW = 45 * 86_400_000;

describe('which hours are due', () => {
  it('an hour is due once closed and settled, not a millisecond before', () => {
    const sites = ['north'];
    const rolledUntil = new Map([['north', BASE]]);
    expect(dueTasks({ sites, rolledUntil, now: BASE + H + SETTLE - 1, settleMs: SETTLE, rawMs: RAW })).toEqual([]);
    expect(dueTasks({ sites, rolledUntil, now: BASE + H + SETTLE, settleMs: SETTLE, rawMs: RAW })).toEqual([{ site: 'north', from: BASE, to: BASE + H }]);
    // The current hour is never due.
    expect(closedUntil(BASE + 30 * 60_000, SETTLE)).toBe(BASE);
  });

  it('a school with no record starts at the last closed hour; one far behind no earlier than raw retention', () => {
    const now = BASE + 100 * H + 10 * 60_000;
    const tasks = dueTasks({ sites: ['new', 'old'], rolledUntil: new Map([['old', BASE - 400 * H]]), now, settleMs: SETTLE, rawMs: 48 * H });
    expect(tasks).toEqual([
      { site: 'new', from: BASE + 99 * H, to: BASE + 100 * H },
      { site: 'old', from: BASE + 53 * H, to: BASE + 100 * H },
    ]);
  });

  it('a school in its backoff waits; an unknown watermark of a removed school is ignored', () => {
    const now = BASE + 2 * H + SETTLE;
    const rolledUntil = new Map([['a', BASE], ['b', BASE], ['gone', BASE]]);
    const tasks = dueTasks({ sites: ['b', 'a'], rolledUntil, retryAt: new Map([['a', now + 1]]), now, settleMs: SETTLE, rawMs: RAW });
    expect(tasks).toEqual([{ site: 'b', from: BASE, to: BASE + 2 * H }]);
  });

  it('every (school, hour) is rolled exactly once, in order, whatever the times the planner is asked and failures (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { minLength: 1 }),
        // Times the scheduler looks (minutes after BASE), and which tasks fail.
        fc.array(fc.integer({ min: 1, max: 24 * 60 }), { minLength: 1, maxLength: 40 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 64 }),
        (sites, minutes, failing) => {
          const rolledUntil = new Map<string, number>();
          const hours = new Map<string, number[]>(sites.map((s) => [s, []]));
          let f = 0;
          const times = [...minutes].sort((x, y) => x - y).map((m) => BASE + m * 60_000);
          // Then a last look with no failures, long after.
          const last = times[times.length - 1]! + 2 * H;
          for (const now of [...times, last]) {
            for (const t of dueTasks({ sites, rolledUntil, now, settleMs: SETTLE, rawMs: RAW })) {
              expect(t.from).toBeLessThan(t.to);
              // As the scheduler does: a school's first task fixes where it starts.
              if (!rolledUntil.has(t.site)) rolledUntil.set(t.site, t.from);
              if (now !== last && failing[f++ % failing.length]) continue;
              for (let h = t.from; h < t.to; h += H) hours.get(t.site)!.push(h);
              rolledUntil.set(t.site, t.to);
            }
          }
          const end = closedUntil(last, SETTLE);
          for (const s of sites) {
            const rolled = hours.get(s)!;
            // Contiguous, ascending, no hour twice, ending at the last closed hour.
            for (let i = 1; i < rolled.length; i++) expect(rolled[i]).toBe(rolled[i - 1]! + H);
            expect(rolled[rolled.length - 1]).toBe(end - H);
            expect(rolled[0]).toBe(closedUntil(times[0]!, SETTLE) - H);
          }
        },
      ),
    );
  });
});

describe('a round spread over its window', () => {
  it('starts the first at once and every one inside the spread, evenly, in order (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2_000 }), fc.integer({ min: 0, max: 50 * 60_000 }), (count, spread) => {
        const starts = roundStarts(count, BASE, spread);
        expect(starts).toHaveLength(count);
        if (count === 0) return;
        expect(starts[0]).toBe(BASE);
        for (let i = 1; i < count; i++) {
          expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(Math.floor(spread / count) - 1);
          expect(starts[i]! - starts[i - 1]!).toBeLessThanOrEqual(Math.ceil(spread / count) + 1);
        }
        expect(starts[count - 1]!).toBeLessThanOrEqual(BASE + spread);
      }),
    );
  });

  it('a failed school backs off doubling, up to its ceiling', () => {
    expect([1, 2, 3, 4, 10, 100].map((n) => retryDelay(n, 30_000, 15 * 60_000))).toEqual([30_000, 60_000, 120_000, 240_000, 900_000, 900_000]);
  });
});
