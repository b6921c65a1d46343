import { describe, expect, it } from 'vitest';
import type { Sample } from '../../contract/index.ts';
import { ManualClock } from '../../contract/manual-clock.ts';
import { Batcher } from './batcher.ts';

const sample = (i: number): Sample => ({ measurement: 'ping', tags: { device: `d${i}` }, fields: { up: 1 }, time: 1_800_000_000_000 + i });

describe('Batcher', () => {
  it('emits full batches at once and the rest after the delay', async () => {
    const clock = new ManualClock();
    const out: number[] = [];
    const b = new Batcher(clock, { maxSamples: 3, maxDelayMs: 100 }, (s) => out.push(s.length));
    b.add([0, 1, 2, 3, 4, 5, 6].map(sample));
    expect(out).toEqual([3, 3]);
    await clock.advance(99);
    expect(out).toEqual([3, 3]);
    await clock.advance(1);
    expect(out).toEqual([3, 3, 1]);
  });
  it('the delay counts from the first waiting sample', async () => {
    const clock = new ManualClock();
    const out: Sample[][] = [];
    const b = new Batcher(clock, { maxSamples: 100, maxDelayMs: 100 }, (s) => out.push(s));
    b.add([sample(1)]);
    await clock.advance(60);
    b.add([sample(2)]);
    await clock.advance(40);
    expect(out.map((s) => s.length)).toEqual([2]);
    b.flush();
    expect(out.length).toBe(1);
  });
});
