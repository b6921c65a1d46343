import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lossPercent, noReplyReason, parsePingSummary } from './parse.ts';

/** Output captured from iputils ping 20221126 on Debian 12 (see testdata/). */
const captured = (name: string) => readFileSync(new URL(`testdata/${name}`, import.meta.url), 'utf8');

describe('parsePingSummary on captured iputils output', () => {
  it('reads a clean run to loopback', () => {
    const s = parsePingSummary(captured('loopback-3.txt'));
    expect(s).toEqual({ sent: 3, received: 3, errors: 0, rtt: { minMs: 0.028, avgMs: 0.037, maxMs: 0.044, mdevMs: 0.006 } });
    expect(lossPercent(s!)).toBe(0);
  });

  it('reads a single probe (mdev 0) and a fast run', () => {
    expect(parsePingSummary(captured('loopback-1.txt'))).toEqual({
      sent: 1,
      received: 1,
      errors: 0,
      rtt: { minMs: 0.02, avgMs: 0.02, maxMs: 0.02, mdevMs: 0 },
    });
    expect(parsePingSummary(captured('loopback-5-fast.txt'))?.rtt).toEqual({ minMs: 0.004, avgMs: 0.077, maxMs: 0.366, mdevMs: 0.144 });
  });

  it('reads IPv6 output', () => {
    expect(parsePingSummary(captured('loopback6-2.txt'))).toMatchObject({ sent: 2, received: 2, rtt: { avgMs: 0.041 } });
  });

  it('reads partial loss: 6 of 10 answered', () => {
    const s = parsePingSummary(captured('partial-loss-10.txt'))!;
    expect(s).toEqual({ sent: 10, received: 6, errors: 0, rtt: { minMs: 0.036, avgMs: 0.088, maxMs: 0.169, mdevMs: 0.052 } });
    expect(lossPercent(s)).toBe(40);
  });

  it('reads a host that does not answer: no rtt line', () => {
    const text = captured('no-answer-3.txt');
    const s = parsePingSummary(text)!;
    expect(s).toEqual({ sent: 3, received: 0, errors: 0 });
    expect(lossPercent(s)).toBe(100);
    expect(noReplyReason(text, s)).toBe('no reply');
  });

  it('reads ICMP errors ("+3 errors") and names them', () => {
    const text = captured('host-unreachable-6.txt');
    const s = parsePingSummary(text)!;
    expect(s).toEqual({ sent: 6, received: 0, errors: 3 });
    expect(noReplyReason(text, s)).toBe('destination host unreachable');
  });
});

describe('parsePingSummary on other shapes', () => {
  it('returns undefined when ping printed no summary, and the reason is its complaint', () => {
    const text = 'ping: nosuch.example: Name or service not known\n';
    expect(parsePingSummary(text)).toBeUndefined();
    expect(noReplyReason(text, undefined)).toBe('nosuch.example: Name or service not known');
    expect(noReplyReason('', undefined)).toBe('ping printed nothing');
  });

  it('reads duplicates without counting them as replies', () => {
    const text = '4 packets transmitted, 4 received, +2 duplicates, 0% packet loss, time 3004ms\nrtt min/avg/max/mdev = 1.0/2.0/3.0/0.5 ms\n';
    expect(parsePingSummary(text)).toMatchObject({ sent: 4, received: 4, errors: 0 });
  });

  it('reads the BSD and busybox forms', () => {
    const bsd = '3 packets transmitted, 2 packets received, 33.3% packet loss\nround-trip min/avg/max/stddev = 1.1/2.2/3.3/0.4 ms\n';
    expect(parsePingSummary(bsd)).toEqual({ sent: 3, received: 2, errors: 0, rtt: { minMs: 1.1, avgMs: 2.2, maxMs: 3.3, mdevMs: 0.4 } });
    const busybox = '3 packets transmitted, 3 packets received, 0% packet loss\nround-trip min/avg/max = 0.1/0.2/0.3 ms\n';
    expect(parsePingSummary(busybox)?.rtt).toEqual({ minMs: 0.1, avgMs: 0.2, maxMs: 0.3, mdevMs: undefined });
  });

  it('computes loss from the counts, not the rounded percentage', () => {
    expect(lossPercent({ sent: 3, received: 2, errors: 0 })).toBeCloseTo(100 / 3, 9);
    expect(lossPercent({ sent: 0, received: 0, errors: 0 })).toBe(100);
  });
});
