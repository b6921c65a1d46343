import { describe, expect, it } from 'vitest';
import { createLogger } from '../../contract/index.ts';
import { ManualClock } from '../../contract/manual-clock.ts';
import { Scheduler } from './scheduler.ts';

const log = createLogger('test', 'silent');

describe('Scheduler', () => {
  it('runs each job on its own interval, from a spread start', async () => {
    const clock = new ManualClock(0);
    const s = new Scheduler(clock, log, { maxStartSpreadMs: 1_000, random: () => 0.5 });
    const runs: Record<string, number[]> = { a: [], b: [] };
    s.set([
      { key: 'a', intervalMs: 1_000, run: async () => void runs.a!.push(clock.now()) },
      { key: 'b', intervalMs: 3_000, run: async () => void runs.b!.push(clock.now()) },
    ]);
    await clock.advance(6_000);
    expect(runs.a).toEqual([500, 1_500, 2_500, 3_500, 4_500, 5_500]);
    expect(runs.b).toEqual([500, 3_500]);
  });

  it('a slow job never overlaps itself and never delays another', async () => {
    const clock = new ManualClock(0);
    const s = new Scheduler(clock, log, { maxStartSpreadMs: 0 });
    let release!: () => void;
    const slow = new Promise<void>((r) => (release = r));
    const fast: number[] = [];
    let slowStarts = 0;
    s.set([
      { key: 'slow', intervalMs: 1_000, run: () => (slowStarts++, slow) },
      { key: 'fast', intervalMs: 1_000, run: async () => void fast.push(clock.now()) },
    ]);
    await clock.advance(3_500);
    expect(slowStarts).toBe(1);
    expect(fast).toEqual([0, 1_000, 2_000, 3_000]);
    expect(s.stats.overlapsSkipped).toBe(3);
    release();
    await clock.advance(1_000);
    expect(slowStarts).toBe(2);
  });

  it('a job that throws is counted and keeps its schedule', async () => {
    const clock = new ManualClock(0);
    const s = new Scheduler(clock, log, { maxStartSpreadMs: 0 });
    s.set([{ key: 'bad', intervalMs: 1_000, run: async () => Promise.reject(new Error('bug')) }]);
    await clock.advance(2_500);
    expect(s.stats.failures).toBe(3);
  });

  it('keeps the phase of unchanged jobs across set(), drops removed ones', async () => {
    const clock = new ManualClock(0);
    let r = 0.2;
    const s = new Scheduler(clock, log, { maxStartSpreadMs: 1_000, random: () => r });
    const a: number[] = [];
    const job = { key: 'a', intervalMs: 1_000, run: async () => void a.push(clock.now()) };
    s.set([job, { key: 'b', intervalMs: 1_000, run: async () => {} }]);
    await clock.advance(1_000);
    r = 0.9;
    s.set([job]);
    expect(s.size).toBe(1);
    await clock.advance(2_000);
    expect(a).toEqual([200, 1_200, 2_200]);
  });
});
