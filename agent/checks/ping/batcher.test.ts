import { describe, expect, it } from 'vitest';
import { pingCheckSchema } from '../../../contract/index.ts';
import { PingBatcher } from './batcher.ts';
import { findFping } from './fping.ts';
import type { PingOutcome } from './parse.ts';

const fping = findFping();
const config = pingCheckSchema.parse({ probes: 2, probeIntervalSeconds: 0.05, timeoutSeconds: 0.2 });
const alone = (address: string): PingOutcome => ({ summary: { sent: 9, received: 9, errors: 0 }, noReply: `alone ${address}` });

describe('findFping', () => {
  it('finds nothing on an empty PATH', () => {
    expect(findFping('')).toBeUndefined();
    expect(findFping('/nonexistent-dir')).toBeUndefined();
  });
});

describe.runIf(fping !== undefined)('PingBatcher with the real fping', () => {
  it('sweeps checks due together with one fping and gives each its own outcome', async () => {
    const singles: string[] = [];
    const batcher = new PingBatcher({ fping: fping!, windowMs: 50, single: async (a) => (singles.push(a), alone(a)) });
    const addresses = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4'];
    const outcomes = await Promise.all(addresses.map((a) => batcher.probe(a, config)));
    expect(batcher.stats).toEqual({ fpingRuns: 1, fpingFailures: 0, singleRuns: 0 });
    expect(singles).toEqual([]);
    for (const o of outcomes) expect(o.summary).toMatchObject({ sent: 2, received: 2 });
  });

  it('shares one target between devices with the same address', async () => {
    const batcher = new PingBatcher({ fping: fping!, windowMs: 50, single: async (a) => alone(a) });
    const [a, b, c] = await Promise.all([batcher.probe('127.0.0.1', config), batcher.probe('127.0.0.1', config), batcher.probe('127.0.0.2', config)]);
    expect(a).toBe(b);
    expect(c?.summary?.received).toBe(2);
    expect(batcher.stats.fpingRuns).toBe(1);
  });

  it('keeps checks with different probe settings in separate sweeps', async () => {
    const batcher = new PingBatcher({ fping: fping!, windowMs: 50, single: async (a) => alone(a) });
    const three = { ...config, probes: 3 };
    const out = await Promise.all([
      batcher.probe('127.0.0.1', config),
      batcher.probe('127.0.0.2', config),
      batcher.probe('127.0.0.3', three),
      batcher.probe('127.0.0.4', three),
    ]);
    expect(out.map((o) => o.summary?.sent)).toEqual([2, 2, 3, 3]);
    expect(batcher.stats.fpingRuns).toBe(2);
  });

  it('probes a lone check the single way (the ping package path)', async () => {
    const batcher = new PingBatcher({ fping: fping!, windowMs: 10, single: async (a) => alone(a) });
    expect((await batcher.probe('127.0.0.1', config)).noReply).toBe('alone 127.0.0.1');
    expect(batcher.stats).toEqual({ fpingRuns: 0, fpingFailures: 0, singleRuns: 1 });
  });

  it('falls back to single probes when fping cannot run', async () => {
    const batcher = new PingBatcher({ fping: '/nonexistent/fping', windowMs: 10, single: async (a) => alone(a) });
    const out = await Promise.all([batcher.probe('127.0.0.1', config), batcher.probe('127.0.0.2', config)]);
    expect(out.map((o) => o.noReply)).toEqual(['alone 127.0.0.1', 'alone 127.0.0.2']);
    expect(batcher.stats).toEqual({ fpingRuns: 1, fpingFailures: 1, singleRuns: 2 });
  });

  it('passes a failure of the single path to its callers only', async () => {
    const batcher = new PingBatcher({
      fping: '/nonexistent/fping',
      windowMs: 10,
      single: async (a) => {
        if (a === '127.0.0.2') throw new Error('ping binary missing');
        return alone(a);
      },
    });
    const [ok, bad] = await Promise.allSettled([batcher.probe('127.0.0.1', config), batcher.probe('127.0.0.2', config)]);
    expect(ok.status).toBe('fulfilled');
    expect(bad).toMatchObject({ status: 'rejected', reason: { message: 'ping binary missing' } });
  });
});

describe.runIf(fping !== undefined)('PingBatcher timing', () => {
  it('gathers checks that arrive a little apart, up to the window', async () => {
    const batcher = new PingBatcher({ fping: fping!, quietMs: 40, windowMs: 1_000, single: async (a) => alone(a) });
    const pending: Promise<PingOutcome>[] = [];
    for (const a of ['127.0.0.1', '127.0.0.2', '127.0.0.3']) {
      pending.push(batcher.probe(a, config));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await Promise.all(pending);
    expect(batcher.stats).toMatchObject({ fpingRuns: 1, singleRuns: 0 });
  });

  it('sweeps at the window even while checks keep arriving', async () => {
    const batcher = new PingBatcher({ fping: fping!, quietMs: 40, windowMs: 60, single: async (a) => alone(a) });
    const pending: Promise<PingOutcome>[] = [];
    for (let i = 1; i <= 8; i++) {
      pending.push(batcher.probe(`127.0.0.${i}`, config));
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
    await Promise.all(pending);
    expect(batcher.stats.fpingRuns).toBeGreaterThanOrEqual(2);
  });
});
