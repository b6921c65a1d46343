import { describe, expect, it } from 'vitest';
import { createAdmission, defaultMaxConnections } from './admission.ts';

const limits = { maxConnections: 10, maxUnauthenticated: 3, maxUnauthenticatedPerAddress: 2, connectBurst: 4, connectPerSecond: 1 };

describe('connection admission', () => {
  it('caps connections before login per address, and asks to evict the oldest when the pool is full', () => {
    let now = 0;
    const a = createAdmission(limits, () => now);
    expect(a.admit('a')).toEqual({ admitted: true, evictOldest: false });
    expect(a.admit('a')).toEqual({ admitted: true, evictOldest: false });
    expect(a.admit('a')).toEqual({ admitted: false, reason: 'too many connections before login from this address' });
    expect(a.admit('b')).toEqual({ admitted: true, evictOldest: false });
    expect(a.admit('c')).toEqual({ admitted: true, evictOldest: true });
    expect(a.counts()).toEqual({ total: 4, unauthenticated: 4 });
    a.closed('a', false); // the evicted one
    expect(a.counts()).toEqual({ total: 3, unauthenticated: 3 });
  });

  it('limits the connect rate of an address, gives the token back on login, refills with time', () => {
    let now = 0;
    const a = createAdmission({ ...limits, maxUnauthenticatedPerAddress: 100, maxUnauthenticated: 100 }, () => now);
    for (let i = 0; i < 4; i++) expect(a.admit('x').admitted).toBe(true);
    expect(a.admit('x')).toEqual({ admitted: false, reason: 'connecting too often' });
    expect(a.admit('y').admitted).toBe(true); // another address is not affected
    a.loggedIn('x');
    expect(a.admit('x').admitted).toBe(true);
    now += 1_000;
    expect(a.admit('x').admitted).toBe(true);
  });

  it('never admits past maxConnections while the pool has room; logged-in agents count toward it', () => {
    const a = createAdmission({ ...limits, maxConnections: 2, maxUnauthenticated: 5, maxUnauthenticatedPerAddress: 5 }, () => 0);
    a.admit('a');
    a.loggedIn('a');
    a.admit('b');
    expect(a.admit('c')).toEqual({ admitted: false, reason: 'connection limit' });
  });

  it('keeps a tenth of the descriptor limit, at least 256, for everything else', () => {
    expect(defaultMaxConnections(20_000)).toBe(18_000);
    expect(defaultMaxConnections(1_024)).toBe(768);
  });
});
