import { describe, expect, it } from 'vitest';
import { backoffDelay, sleep } from './backoff.ts';

describe('backoffDelay', () => {
  const options = { initialMs: 100, maxMs: 5_000 };

  it('doubles from the initial delay, with jitter between half and all of it', () => {
    expect([0, 1, 2, 3].map((a) => backoffDelay(a, options, () => 1))).toEqual([100, 200, 400, 800]);
    expect([0, 1, 2, 3].map((a) => backoffDelay(a, options, () => 0))).toEqual([50, 100, 200, 400]);
  });

  it('never exceeds the ceiling, even after very many attempts', () => {
    expect(backoffDelay(10, options, () => 1)).toBe(5_000);
    expect(backoffDelay(10_000, options, () => 1)).toBe(5_000);
  });
});

describe('sleep', () => {
  it('ends early when aborted', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 20);
    await sleep(10_000, controller.signal);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
