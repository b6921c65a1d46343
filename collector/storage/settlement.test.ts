import { describe, expect, it } from 'vitest';
import { createSettlement } from './settlement.ts';

const state = async (p: Promise<unknown>) => Promise.race([p.then(() => 'resolved', () => 'rejected'), new Promise((r) => setTimeout(() => r('waiting'), 5))]);

describe('settlement', () => {
  it('settles writes in the order they were taken, even when a later one finishes first', async () => {
    const s = createSettlement(1_000);
    s.enqueue(300);
    const first = s.begin(100);
    const second = s.begin(200);
    const flushed = s.whenSettled(s.enqueued());
    const firstDone = s.whenSettled(100);
    s.end(second);
    expect(s.pending()).toBe(300);
    expect(await state(firstDone)).toBe('waiting');
    s.end(first);
    expect(s.pending()).toBe(0);
    expect(await state(firstDone)).toBe('resolved');
    expect(await state(flushed)).toBe('resolved');
    expect(s.inFlight()).toBe(0);
  });

  it('gives room only while pending points are within the bound', async () => {
    const s = createSettlement(1_000);
    s.enqueue(1_000);
    expect(s.room()).toBeUndefined();
    s.enqueue(1);
    const waiting = s.room()!;
    expect(await state(waiting)).toBe('waiting');
    s.end(s.begin(1));
    expect(await state(waiting)).toBe('resolved');
  });

  it('tells whoever waits when the writer stops with points not settled', async () => {
    const s = createSettlement(10);
    s.enqueue(20);
    const flushed = s.whenSettled(20);
    const room = s.room()!;
    s.abandon(new Error('stopped with 20 points not written'));
    await expect(flushed).rejects.toThrow('stopped with 20 points');
    await expect(room).rejects.toThrow('stopped with 20 points');
    expect(s.room()).toBeUndefined();
  });
});
