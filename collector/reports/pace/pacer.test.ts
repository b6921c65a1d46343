import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../contract/index.ts';
import { eachBounded } from '../pool.ts';
import { startPacer } from './pacer.ts';
import type { WriteCounters } from './width.ts';

const log = createLogger('test', 'silent');
const limits = { slowMs: 2_000, quickMs: 500 };

/** InfluxDB's counters advancing by one write per reading, each write taking the next of `writeMs`. */
function scripted(writeMs: number[]): () => Promise<WriteCounters> {
  let i = 0;
  const c: WriteCounters = { requests: 0, durationNs: 0, active: 0 };
  return async () => {
    const ms = writeMs[Math.min(i, writeMs.length - 1)]!;
    if (i > 0) c.requests += 1;
    if (i > 0) c.durationNs += ms * 1e6;
    i++;
    return { ...c };
  };
}

describe('startPacer', () => {
  it('narrows to one school while writes are slow, and the pool keeps to it', async () => {
    // Slow for the first readings, then quick again.
    const pacer = await startPacer({ ...limits, max: 4, intervalMs: 5, read: scripted([0, 5_000, 5_000, 5_000, 5_000, 5_000, 5_000, 5_000, 5_000, 5_000, 5_000, 10]), log });
    const seen: { width: number; inFlight: number }[] = [];
    let inFlight = 0;
    await eachBounded(
      Array.from({ length: 60 }, (_, i) => i),
      4,
      async () => {
        inFlight++;
        seen.push({ width: pacer.width(), inFlight });
        await sleep(3);
        inFlight--;
      },
      pacer,
    );
    pacer.stop();
    const s = pacer.summary();
    expect(s.pacing).toBe(true);
    expect(s.narrowest).toBe(1);
    expect(s.slowIntervals).toBeGreaterThanOrEqual(3);
    // Once narrowed to one, no second school started until it widened.
    const narrowed = seen.findIndex((x) => x.width === 1 && x.inFlight === 1);
    expect(narrowed).toBeGreaterThanOrEqual(0);
    expect(Math.max(...seen.filter((x) => x.width === 1).map((x) => x.inFlight))).toBe(1);
  });

  it('quick writes keep the full width', async () => {
    const pacer = await startPacer({ ...limits, max: 4, intervalMs: 2, read: scripted([20]), log });
    let inFlight = 0;
    let most = 0;
    await eachBounded(Array.from({ length: 40 }, (_, i) => i), 4, async () => {
      most = Math.max(most, ++inFlight);
      await sleep(2);
      inFlight--;
    }, pacer);
    pacer.stop();
    expect(most).toBe(4);
    expect(pacer.summary()).toMatchObject({ narrowest: 4, slowIntervals: 0, pacing: true });
  });

  it('counters that cannot be read at the start: no pacing, the full width, a warning', async () => {
    const lines: string[] = [];
    const sink = { write: (l: string) => void lines.push(l) } as unknown as NodeJS.WritableStream;
    const pacer = await startPacer({ ...limits, max: 3, intervalMs: 1, read: () => Promise.reject(new Error('HTTP 401')), log: createLogger('test', 'info', sink) });
    await sleep(10);
    expect(pacer.width()).toBe(3);
    expect(pacer.summary()).toMatchObject({ pacing: false, intervals: 0 });
    expect(lines.join('')).toContain('without pacing');
    pacer.stop();
  });

  it('a reading that fails mid-run counts as slow writes', async () => {
    let n = 0;
    const read = async (): Promise<WriteCounters> => {
      if (n++ === 0) return { requests: 0, durationNs: 0, active: 0 };
      throw new Error('timeout');
    };
    const pacer = await startPacer({ ...limits, max: 4, intervalMs: 1, read, log });
    for (let i = 0; i < 50 && pacer.width() > 1; i++) await sleep(2);
    pacer.stop();
    expect(pacer.width()).toBe(1);
    expect(pacer.summary().slowIntervals).toBeGreaterThanOrEqual(2);
  });
});
