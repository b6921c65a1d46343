import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../contract/index.ts';
import { connectionHeadroom, createAdmission, defaultMaxConnections } from './admission.ts';

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

  it('never admits past maxConnections; logged-in agents count toward it; at the cap one not logged in gives way', () => {
    const a = createAdmission({ ...limits, maxConnections: 2, maxUnauthenticated: 5, maxUnauthenticatedPerAddress: 5 }, () => 0);
    a.admit('a');
    a.loggedIn('a');
    a.admit('b');
    // Before: refused, so a stranger's idle socket held the slot a registered agent needed.
    expect(a.admit('c')).toEqual({ admitted: true, evictOldest: true });
    a.closed('b', false); // the evicted one
    expect(a.counts()).toEqual({ total: 2, unauthenticated: 1 });
    a.loggedIn('c');
    // Only logged-in agents left: nobody gives way, the cap holds.
    expect(a.admit('d')).toEqual({ admitted: false, reason: 'connection limit' });
    expect(a.counts()).toEqual({ total: 2, unauthenticated: 0 });
  });

  it('at start: the cap must hold every registered agent with a margin, below the descriptor limit', () => {
    expect(connectionHeadroom({ registered: 300, limit: 20_000 })).toBe(18_000);
    expect(connectionHeadroom({ registered: 680, limit: 1_024 })).toBe(768);
    // 1,024 descriptors leave 768 connections: 740 agents + 74 margin + 16 before login do not fit.
    expect(() => connectionHeadroom({ registered: 740, limit: 1_024 })).toThrow(ConfigError);
    expect(() => connectionHeadroom({ registered: 740, limit: 1_024 })).toThrow(/^broker: 768 connections \(descriptor limit 1024\) cannot hold 740 registered agents.*LimitNOFILE/);
    expect(() => connectionHeadroom({ registered: 10, limit: 1_024, maxConnections: 1_000 })).toThrow(/lower broker.maxConnections/);
    expect(connectionHeadroom({ registered: 10, limit: 1_024, maxConnections: 200 })).toBe(200);
    expect(() => connectionHeadroom({ registered: 190, limit: 1_024, maxConnections: 200 })).toThrow(/cannot hold 190 registered agents/);
  });

  it('keeps a tenth of the descriptor limit, at least 256, for everything else', () => {
    expect(defaultMaxConnections(20_000)).toBe(18_000);
    expect(defaultMaxConnections(1_024)).toBe(768);
  });
});
