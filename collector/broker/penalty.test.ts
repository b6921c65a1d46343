import { describe, expect, it } from 'vitest';
import { createLoginPenalty } from './penalty.ts';

const config = { baseMs: 1_000, maxMs: 30_000, quietMs: 600_000 };

function setup() {
  let now = 1_000_000;
  const penalty = createLoginPenalty(config, () => now);
  return { penalty, advance: (ms: number) => (now += ms) };
}

describe('login penalty', () => {
  it('holds an address back 1 s after its first failure, doubling to 30 s', () => {
    const { penalty } = setup();
    expect(penalty.holdMs('10.0.0.9')).toBe(0);
    const holds = [];
    for (let i = 1; i <= 7; i++) {
      expect(penalty.failed('10.0.0.9')).toBe(i);
      holds.push(penalty.holdMs('10.0.0.9'));
    }
    expect(holds).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
    expect(penalty.holdMs('10.0.0.10')).toBe(0); // another address is not affected
  });

  it('lets the hold run out with time, keeps the count through the burst, and forgets after the quiet period', () => {
    const { penalty, advance } = setup();
    penalty.failed('a');
    penalty.failed('a');
    advance(1_500);
    expect(penalty.holdMs('a')).toBe(500);
    advance(500);
    expect(penalty.holdMs('a')).toBe(0);
    expect(penalty.failed('a')).toBe(3);
    expect(penalty.holdMs('a')).toBe(4_000);
    advance(600_000);
    expect(penalty.holdMs('a')).toBe(0);
    expect(penalty.failed('a')).toBe(1);
  });

  it('starts afresh after a successful login', () => {
    const { penalty } = setup();
    penalty.failed('a');
    penalty.failed('a');
    penalty.succeeded('a');
    expect(penalty.holdMs('a')).toBe(0);
    expect(penalty.failed('a')).toBe(1);
  });
});

describe('login penalty: keyed by address and username (issue 11 item 12)', () => {
  it('one agent\'s wrong password behind a NAT does not hold back the other agents at that address', () => {
    const { penalty } = setup();
    for (let i = 0; i < 5; i++) penalty.failed('203.0.113.7', 'north-1');
    expect(penalty.holdMs('203.0.113.7', 'north-1')).toBe(16_000);
    expect(penalty.holdMs('203.0.113.7', 'north-2')).toBe(0);
    expect(penalty.holdMs('198.51.100.1', 'north-1')).toBe(0); // nor the same agent elsewhere
  });

  it('an address that tries many usernames is held back as a whole', () => {
    const { penalty } = setup();
    for (const user of ['a', 'b', 'c']) penalty.failed('203.0.113.9', user);
    expect(penalty.holdMs('203.0.113.9', 'fresh')).toBe(0);
    penalty.failed('203.0.113.9', 'd');
    expect(penalty.holdMs('203.0.113.9', 'fresh')).toBe(1_000);
    penalty.failed('203.0.113.9', 'e');
    expect(penalty.holdMs('203.0.113.9', 'fresh')).toBe(2_000);
  });
});
