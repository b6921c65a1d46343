import { describe, expect, it } from 'vitest';
import { TrapGate } from './gate.ts';

describe('TrapGate', () => {
  it('lets through only listed addresses (IPv4-mapped IPv6 included), within each source’s bucket', () => {
    let now = 0;
    const gate = new TrapGate({ ratePerSecond: 2, burst: 3, now: () => now });
    gate.setSources(new Map([['10.1.1.2', 'core']]));
    expect(gate.admit('10.1.1.9')).toBe('unknown-source');
    expect([1, 2, 3, 4].map(() => gate.admit('::ffff:10.1.1.2'))).toEqual(['pass', 'pass', 'pass', 'rate-limited']);
    now += 500; // one token back
    expect(gate.admit('10.1.1.2')).toBe('pass');
    expect(gate.admit('10.1.1.2')).toBe('rate-limited');
    now += 10_000; // never more than the burst
    expect([1, 2, 3, 4].map(() => gate.admit('10.1.1.2'))).toEqual(['pass', 'pass', 'pass', 'rate-limited']);
    gate.setSources(new Map());
    expect(gate.admit('10.1.1.2')).toBe('unknown-source');
  });
});
