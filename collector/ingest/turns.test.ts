import { describe, expect, it } from 'vitest';
import { createTurns } from './turns.ts';

describe('createTurns', () => {
  it('lets I/O callbacks in between waiters, and keeps their order', async () => {
    const turn = createTurns();
    const events: string[] = [];
    const waiters = [1, 2, 3].map((n) => turn().then(() => events.push(`turn ${n}`)));
    // A timer due at once stands for I/O that arrived meanwhile: it must not wait for all three turns.
    setTimeout(() => events.push('timer'), 0);
    await Promise.all(waiters);
    expect(events.filter((e) => e.startsWith('turn'))).toEqual(['turn 1', 'turn 2', 'turn 3']);
    expect(events.indexOf('timer')).toBeLessThan(3);
  });
});
