import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fpingLinesAbout, fpingOtherLines, parseFpingCounts, summaryFromProbes } from './fping-output.ts';
import { fpingOptions } from './fping.ts';
import { pingCheckSchema } from '../../../contract/index.ts';

/** Output captured from fping 5.1 on Debian 12 (see testdata/): `fping -C N -p P -t T -i 1 -q targets…` stderr. */
const captured = (name: string) => readFileSync(new URL(`testdata/${name}`, import.meta.url), 'utf8');

describe('parseFpingCounts on captured fping output', () => {
  it('reads live and dead targets in one sweep, names as given', () => {
    const counts = parseFpingCounts(captured('fping-C3-mixed.txt'));
    expect([...counts.keys()]).toEqual(['127.0.0.1', '198.19.55.1', '127.0.0.2', '198.19.55.2', '127.0.0.3']);
    expect(counts.get('127.0.0.1')).toEqual([0.03, 0.045, 0.048]);
    expect(counts.get('198.19.55.1')).toEqual([undefined, undefined, undefined]);
  });

  it('reads IPv6 targets', () => {
    expect(parseFpingCounts(captured('fping-C5-ipv6.txt')).get('::1')).toEqual([0.053, 0.033, 0.025, 0.023, 0.021]);
  });

  it('reads lost probes among replies (20 ms delay, 5 % loss responder)', () => {
    const counts = parseFpingCounts(captured('fping-C20-delay20-loss5.txt'));
    const s = summaryFromProbes(counts.get('198.18.222.10')!);
    expect(s).toMatchObject({ sent: 20, received: 19, errors: 0 });
    expect(s.rtt!.minMs).toBe(20.2);
    expect(s.rtt!.maxMs).toBe(23.3);
    expect(s.rtt!.avgMs).toBe(20.463);
  });

  it('shows that fping calls a reply slower than its timeout lost', () => {
    // The responder answers after 20 ms; with -p 15 -t 15 every probe reads "-" though every one was answered.
    expect(parseFpingCounts(captured('fping-C5-reply-slower-than-timeout.txt')).get('198.18.222.10')).toEqual(Array(5).fill(undefined));
  });

  it('ignores lines that are not per-target reports', () => {
    const text = 'ICMP Host Unreachable from 198.18.0.1 for ICMP Echo sent to 198.18.0.9\nnope.invalid: Name or service not known\n';
    expect(parseFpingCounts(text).size).toBe(0);
    const others = fpingOtherLines(`${text}127.0.0.1 : 0.1 0.2\n`);
    expect(others).toHaveLength(2);
    expect(fpingLinesAbout(others, '198.18.0.9')).toHaveLength(1);
    expect(fpingLinesAbout(others, 'nope.invalid')).toEqual(['nope.invalid: Name or service not known']);
  });
});

describe('summaryFromProbes', () => {
  it('computes jitter as iputils mdev does', () => {
    // iputils printed mdev 0.006 for 0.028/0.040/0.044 (testdata/loopback-3.txt), from times in µs; from the
    // three printed figures the same formula gives 0.0066.
    expect(summaryFromProbes([0.028, 0.04, 0.044]).rtt).toEqual({ minMs: 0.028, avgMs: 0.037, maxMs: 0.044, mdevMs: 0.007 });
    expect(summaryFromProbes([5]).rtt?.mdevMs).toBe(0);
  });

  it('has no rtt when nothing answered', () => {
    expect(summaryFromProbes([undefined, undefined])).toEqual({ sent: 2, received: 0, errors: 0 });
  });
});

describe('fpingOptions', () => {
  it('uses a period no shorter than the timeout, so a reply within the timeout counts', () => {
    const config = pingCheckSchema.parse({ probes: 3, probeIntervalSeconds: 0.2, timeoutSeconds: 1 });
    expect(fpingOptions(config)).toEqual(['-C', '3', '-p', '1000', '-t', '1000', '-i', '1', '-q']);
    expect(fpingOptions({ ...config, timeoutSeconds: 0.2 })).toEqual(['-C', '3', '-p', '200', '-t', '200', '-i', '1', '-q']);
    expect(fpingOptions({ ...config, probeIntervalSeconds: 0.5, timeoutSeconds: 0.1 })).toContain('500');
  });
});
