import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { eachBounded, type Gate } from './pool.ts';

/** A gate of a fixed width, recording the most admitted at once. */
function fixedGate(width: number): Gate & { most: number } {
  let running = 0;
  const waiters: (() => void)[] = [];
  const gate = {
    most: 0,
    async acquire() {
      while (running >= width) await new Promise<void>((r) => waiters.push(r));
      running++;
      gate.most = Math.max(gate.most, running);
    },
    release() {
      running--;
      waiters.shift()?.();
    },
  };
  return gate;
}

describe('eachBounded', () => {
  it('keeps to a gate narrower than the bound, and makes every item once in order', async () => {
    const gate = fixedGate(2);
    let inFlight = 0;
    let most = 0;
    const items = Array.from({ length: 23 }, (_, i) => i);
    const out = await eachBounded(
      items,
      6,
      async (i) => {
        most = Math.max(most, ++inFlight);
        await sleep(i % 3);
        inFlight--;
        if (i === 7) throw new Error('seven');
        return i * 2;
      },
      gate,
    );
    expect(most).toBeLessThanOrEqual(2);
    expect(gate.most).toBe(2);
    expect(out.map((o) => o.item)).toEqual(items);
    expect(out.filter((o) => !o.ok).map((o) => o.item)).toEqual([7]);
    expect(out.filter((o) => o.ok).map((o) => (o as { value: number }).value)).toEqual(items.filter((i) => i !== 7).map((i) => i * 2));
  });

  it('without a gate, as before: at most the bound at once', async () => {
    let inFlight = 0;
    let most = 0;
    await eachBounded(Array.from({ length: 10 }, (_, i) => i), 3, async () => {
      most = Math.max(most, ++inFlight);
      await sleep(1);
      inFlight--;
    });
    expect(most).toBe(3);
  });

  it('a worker that waited at the gate past the last item gives its place back', async () => {
    const gate = fixedGate(1);
    const out = await eachBounded([1, 2], 4, async (i) => i, gate);
    expect(out.map((o) => o.ok)).toEqual([true, true]);
    await gate.acquire(); // would hang if a release were missing
    gate.release();
  });
});
