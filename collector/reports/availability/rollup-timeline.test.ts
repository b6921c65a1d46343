import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { observedTimeline, resultsFromRollups, ROLLUP_WINDOW_MS, timelineFromRollups } from './observed.ts';

/**
 * The report reads a month of rollups as a timeline straight away (timelineFromRollups) instead of
 * rebuilding ~45,000 check results per device first: it must be the very timeline the results gave.
 */
describe('timelineFromRollups', () => {
  const W = ROLLUP_WINDOW_MS;
  it('equals observedTimeline(resultsFromRollups(...)) for any windows, interval and range', () => {
    const window = fc.record({
      slot: fc.integer({ min: 0, max: 60 }),
      meanUp: fc.oneof(fc.constant(1), fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true })),
      samples: fc.oneof(fc.integer({ min: 0, max: 12 }), fc.double({ min: 0, max: 12, noNaN: true })),
      offset: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: W - 1 })),
    });
    fc.assert(
      fc.property(
        fc.array(window, { maxLength: 40 }),
        fc.constantFrom(10_000, 30_000, 60_000, 120_000, 300_000, 600_000),
        fc.integer({ min: -5, max: 30 }),
        fc.integer({ min: 1, max: 70 }),
        (ws, intervalMs, fromSlot, slots) => {
          const windows = ws.map((w) => ({ time: w.slot * W + w.offset, meanUp: w.meanUp, samples: w.samples }));
          const from = fromSlot * W;
          const to = from + slots * W;
          let expected;
          try {
            expected = observedTimeline(resultsFromRollups(windows, intervalMs), intervalMs, from, to);
          } catch {
            return; // resultsFromRollups itself cannot take it (no result before a window that rounds to none)
          }
          expect(timelineFromRollups(windows, intervalMs, from, to)).toEqual(expected);
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
