import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKLOG_AGE_MS, batchLane } from './lane.ts';

const NOW = 1_800_000_000_000;
const AGE = DEFAULT_BACKLOG_AGE_MS;
const times = (...t: number[]) => t.map((time) => ({ time }));

describe('batchLane', () => {
  it('is live up to exactly the age, backlog one millisecond past it', () => {
    expect(batchLane({ sentAt: NOW - AGE, samples: times(NOW - AGE) }, NOW)).toBe('live');
    expect(batchLane({ sentAt: NOW - AGE - 1, samples: times(NOW - AGE - 1) }, NOW)).toBe('backlog');
  });

  it('counts a slow poll from when it was sent, and a replayed spool batch from its original sentAt', () => {
    // A poll of 40 s whose samples were measured 2.5 minutes ago but sent just now: live.
    expect(batchLane({ sentAt: NOW - 5_000, samples: times(NOW - 150_000) }, NOW)).toBe('live');
    // An hour offline: the spool replays the exact bytes, sentAt included.
    expect(batchLane({ sentAt: NOW - 3_600_000 + 500, samples: times(NOW - 3_600_000) }, NOW)).toBe('backlog');
  });

  it('takes the newest sample, so one fresh sample makes the batch live; an empty batch goes by sentAt', () => {
    expect(batchLane({ sentAt: NOW - 600_000, samples: times(NOW - 600_000, NOW - 1_000, NOW - 900_000) }, NOW)).toBe('live');
    expect(batchLane({ sentAt: NOW - 1_000, samples: [] }, NOW)).toBe('live');
    expect(batchLane({ sentAt: NOW - AGE - 1, samples: [] }, NOW)).toBe('backlog');
  });

  it('an agent clock ahead only looks fresher; one behind by less than the age stays live, by more goes to backlog', () => {
    expect(batchLane({ sentAt: NOW + 240_000, samples: times(NOW + 239_000) }, NOW)).toBe('live');
    expect(batchLane({ sentAt: NOW - 60_000, samples: times(NOW - 100_000) }, NOW)).toBe('live');
    expect(batchLane({ sentAt: NOW - 180_000, samples: times(NOW - 181_000) }, NOW)).toBe('backlog');
  });

  it('property: backlog exactly when the newest of sentAt and sample times is more than the age behind now', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -86_400_000, max: 86_400_000 }),
        fc.array(fc.integer({ min: -86_400_000, max: 86_400_000 }), { maxLength: 20 }),
        fc.integer({ min: 0, max: 3_600_000 }),
        (sentOffset, offsets, age) => {
          const batch = { sentAt: NOW + sentOffset, samples: times(...offsets.map((o) => NOW + o)) };
          const newest = Math.max(sentOffset, ...offsets);
          expect(batchLane(batch, NOW, age)).toBe(-newest > age ? 'backlog' : 'live');
          // Just under and just over the age, from the newest time.
          expect(batchLane({ sentAt: NOW - age, samples: [] }, NOW, age)).toBe('live');
          expect(batchLane({ sentAt: NOW - age - 1, samples: [] }, NOW, age)).toBe('backlog');
          // Order of samples does not matter.
          expect(batchLane({ ...batch, samples: [...batch.samples].reverse() }, NOW, age)).toBe(batchLane(batch, NOW, age));
        },
      ),
    );
  });
});
