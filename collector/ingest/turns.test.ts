import { describe, expect, it } from 'vitest';
import { createTurns } from './turns.ts';

describe('createTurns', () => {
  it('lets I/O callbacks in between waiters, and keeps one agent\'s order', async () => {
    const turn = createTurns();
    const events: string[] = [];
    const waiters = [1, 2, 3].map((n) => turn('a', 100).then(() => events.push(`turn ${n}`)));
    // A timer due at once stands for I/O that arrived meanwhile: it must not wait for all three turns.
    setTimeout(() => events.push('timer'), 0);
    await Promise.all(waiters);
    expect(events.filter((e) => e.startsWith('turn'))).toEqual(['turn 1', 'turn 2', 'turn 3']);
    expect(events.indexOf('timer')).toBeLessThan(3);
  });

  it('serves a well-behaved agent after at most one message of each flooder, however many they queued', async () => {
    const turn = createTurns(64 * 1024);
    const order: string[] = [];
    const all: Promise<unknown>[] = [];
    for (let i = 0; i < 500; i++) all.push(turn('flood-1', 900).then(() => order.push('flood-1')));
    for (let i = 0; i < 500; i++) all.push(turn('flood-2', 900).then(() => order.push('flood-2')));
    // The well-behaved agent arrives last, behind 1,000 queued messages.
    all.push(turn('good', 5_000).then(() => order.push('good')));
    await Promise.all(all);
    // Before: a single queue in arrival order served it 1,001st.
    expect(order.indexOf('good')).toBeLessThanOrEqual(2);
    expect(order).toHaveLength(1_001);
  });

  it('shares by bytes: a flood of huge messages takes no more than its share of bytes', async () => {
    const quantum = 64 * 1024;
    const turn = createTurns(quantum);
    const served: Array<[string, number]> = [];
    const all: Promise<unknown>[] = [];
    for (let i = 0; i < 20; i++) all.push(turn('huge', 4 * 1024 * 1024).then(() => served.push(['huge', 4 * 1024 * 1024])));
    for (let i = 0; i < 300; i++) all.push(turn('small', 16 * 1024).then(() => served.push(['small', 16 * 1024])));
    await Promise.all(all);
    // While both were waiting, neither got more than its share of bytes plus one message.
    const firstHuge = served.findIndex(([k]) => k === 'huge');
    const smallBefore = served.slice(0, firstHuge).filter(([k]) => k === 'small').length;
    // 4 MiB at 64 KiB a round: the huge agent waits 63 rounds for its credit, in which the small one is served
    // at most once each (and skips a round whenever its own 16 KiB messages used up its credit).
    expect(smallBefore).toBeGreaterThanOrEqual(40);
    expect(smallBefore).toBeLessThanOrEqual(64);
    expect(served).toHaveLength(320);
  });

  it('serves a lone agent with huge messages without waiting for rounds that nobody else takes', async () => {
    const turn = createTurns(1_024);
    const started = performance.now();
    await Promise.all([turn('alone', 10 * 1024 * 1024), turn('alone', 10 * 1024 * 1024)]);
    expect(turn.waiting()).toBe(0);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
