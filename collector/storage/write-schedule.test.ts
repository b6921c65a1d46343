import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChunkQueue, pointsIn } from './chunk-queue.ts';
import { shouldWrite, type WriteScheduleState } from './write-schedule.ts';

const base: WriteScheduleState = { queued: 0, limit: 5_000, inFlight: 0, maxInFlight: 2, due: false, outage: false };

describe('shouldWrite', () => {
  it('sends a full batch into any free slot, due or not', () => {
    expect(shouldWrite({ ...base, queued: 5_000 })).toBe(true);
    expect(shouldWrite({ ...base, queued: 12_000, inFlight: 1 })).toBe(true);
    expect(shouldWrite({ ...base, queued: 12_000, inFlight: 2 })).toBe(false);
  });

  it('sends a partial batch only when it is due and nothing is in flight', () => {
    expect(shouldWrite({ ...base, queued: 4_999, due: true })).toBe(true);
    expect(shouldWrite({ ...base, queued: 4_999, due: false })).toBe(false);
    expect(shouldWrite({ ...base, queued: 4_999, due: true, inFlight: 1 })).toBe(false);
    expect(shouldWrite({ ...base, queued: 1, due: true })).toBe(true);
  });

  it('sends nothing when nothing is queued, and one write at a time during an outage', () => {
    expect(shouldWrite({ ...base, queued: 0, due: true })).toBe(false);
    expect(shouldWrite({ ...base, queued: 9_000, outage: true })).toBe(true);
    expect(shouldWrite({ ...base, queued: 9_000, outage: true, inFlight: 1 })).toBe(false);
  });
});

/**
 * The writer's loop (influx-writer.ts schedule()) run against a model InfluxDB whose answers come back in any
 * order: chunks of random sizes arrive, flushes are asked for, writes are answered. Whatever the order, every
 * point is sent exactly once, in order, never more than maxInFlight writes at once, no write larger than the
 * limit unless it is one chunk, no partial write beside another in flight, and a flush with nothing else left
 * to do sends everything.
 */
describe('coalescing, as the writer runs it', () => {
  type Step = { kind: 'chunk'; points: number } | { kind: 'answer'; which: number } | { kind: 'due' };
  const step: fc.Arbitrary<Step> = fc.oneof(
    { weight: 5, arbitrary: fc.integer({ min: 1, max: 3_000 }).map((points) => ({ kind: 'chunk' as const, points })) },
    { weight: 3, arbitrary: fc.nat(7).map((which) => ({ kind: 'answer' as const, which })) },
    { weight: 1, arbitrary: fc.constant({ kind: 'due' as const }) },
  );

  it('sends every point exactly once, in order, within the bounds', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 200 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 100, max: 10_000 }), (steps, maxInFlight, limit) => {
        const queue = new ChunkQueue();
        const inFlight: { first: number; points: number }[] = [];
        const sent: number[] = [];
        let enqueued = 0;
        let taken = 0;
        let forceTo = 0;
        let next = 0;
        const schedule = () => {
          for (;;) {
            const state = { queued: queue.length, limit, inFlight: inFlight.length, maxInFlight, due: forceTo > taken, outage: false };
            if (!shouldWrite(state)) return;
            const partial = queue.length < limit;
            if (partial) expect(inFlight.length).toBe(0);
            const chunks = queue.take(limit);
            const points = pointsIn(chunks);
            if (chunks.length > 1) expect(points).toBeLessThanOrEqual(limit);
            for (const c of chunks) sent.push(Number(c.text));
            taken += points;
            inFlight.push({ first: Number(chunks[0]!.text), points });
            expect(inFlight.length).toBeLessThanOrEqual(maxInFlight);
          }
        };
        for (const s of steps) {
          if (s.kind === 'chunk') {
            queue.push({ text: String(next++), points: s.points });
            enqueued += s.points;
          } else if (s.kind === 'due') forceTo = enqueued;
          else if (inFlight.length > 0) {
            const [done] = inFlight.splice(s.which % inFlight.length, 1);
            if (done!.points >= limit) forceTo = Math.max(forceTo, enqueued);
          }
          schedule();
        }
        // flush(): everything due; answer whatever is in flight until nothing is left.
        forceTo = enqueued;
        schedule();
        while (inFlight.length > 0) {
          inFlight.shift();
          schedule();
        }
        expect(queue.length).toBe(0);
        expect(taken).toBe(enqueued);
        expect(sent).toEqual(Array.from({ length: next }, (_, i) => i));
      }),
      { numRuns: 300 },
    );
  });

  it('under a backlog, a write that comes back full sends the rest at once (no wait for the flush tick)', () => {
    const queue = new ChunkQueue();
    for (let i = 0; i < 7; i++) queue.push({ text: String(i), points: 1_000 });
    const limit = 5_000;
    // One full write (5,000) is on its way; 2,000 wait. Not due: a partial write does not go beside it.
    const first = queue.take(limit);
    expect(pointsIn(first)).toBe(5_000);
    expect(shouldWrite({ ...base, queued: queue.length, inFlight: 1, limit })).toBe(false);
    // It came back full: the writer marks what is queued as due, and it goes now.
    expect(shouldWrite({ ...base, queued: queue.length, inFlight: 0, limit, due: true })).toBe(true);
  });
});
