import { describe, expect, it } from 'vitest';
import { counterRate, PLAUSIBLE_FACTOR, type CounterObservation } from './counter.ts';

const T0 = 1_750_000_000_000;
const TOP32 = 2n ** 32n;
const TOP64 = 2n ** 64n;

function obs(value: bigint, atSeconds: number, extra: Partial<CounterObservation> = {}): CounterObservation {
  return { value, bits: 64, at: T0 + atSeconds * 1000, ...extra };
}

describe('counterRate', () => {
  it('gives no rate on the first poll', () => {
    expect(counterRate(undefined, obs(1000n, 0))).toEqual({ rate: undefined, reason: 'first-poll' });
  });

  it('divides the delta by the measured interval', () => {
    const r = counterRate(obs(1_000n, 0), obs(61_000n, 60));
    expect(r).toEqual({ rate: 1000, delta: 60_000n, wrapped: false });
  });

  it('gives zero for a counter that did not move', () => {
    expect(counterRate(obs(5n, 0), obs(5n, 60)).rate).toBe(0);
  });

  it('uses fractional seconds from the ms timestamps', () => {
    expect(counterRate(obs(0n, 0), obs(1_500n, 1.5)).rate).toBeCloseTo(1000, 9);
  });

  describe('32-bit wrap (RFC 2578 §7.1.6)', () => {
    it('adds 2^32 when the counter passed its top', () => {
      const prev = obs(TOP32 - 1_000n, 0, { bits: 32 });
      const cur = obs(500n, 10, { bits: 32 });
      expect(counterRate(prev, cur)).toEqual({ rate: 150, delta: 1_500n, wrapped: true });
    });

    it('accepts a wrap the interface speed allows', () => {
      // 1 Gbit/s = 125 MB/s; 2e9 octets in 60 s is 33 MB/s.
      const r = counterRate(obs(TOP32 - 1_000_000_000n, 0, { bits: 32 }), obs(1_000_000_000n, 60, { bits: 32 }), {
        maxPerSecond: 125_000_000,
      });
      expect(r).toMatchObject({ delta: 2_000_000_000n, wrapped: true });
      expect(r.rate).toBeCloseTo(2e9 / 60, 6);
    });

    it('calls a wrap that would exceed the interface speed a counter reset', () => {
      // 100 Mbit/s: a wrap from 100 to 50 would mean ~4.29e9 octets in 60 s = 572 Mbit/s.
      const r = counterRate(obs(100n, 0, { bits: 32 }), obs(50n, 60, { bits: 32 }), { maxPerSecond: 12_500_000 });
      expect(r).toEqual({ rate: undefined, reason: 'counter-reset' });
    });

    it('accepts any wrap when the speed is unknown or zero', () => {
      expect(counterRate(obs(100n, 0, { bits: 32 }), obs(50n, 60, { bits: 32 })).rate).toBeCloseTo(Number(TOP32 - 50n) / 60, 3);
      expect(counterRate(obs(100n, 0, { bits: 32 }), obs(50n, 60, { bits: 32 }), { maxPerSecond: 0 }).rate).toBeGreaterThan(0);
    });
  });

  describe('64-bit counters (RFC 2578 §7.1.10)', () => {
    it('handles a wrap from just below 2^64', () => {
      expect(counterRate(obs(TOP64 - 1_000n, 0), obs(500n, 10))).toEqual({ rate: 150, delta: 1_500n, wrapped: true });
    });

    it('handles a wrap the interface speed allows', () => {
      const r = counterRate(obs(TOP64 - 1_000_000_000n, 0), obs(1_000_000_000n, 60), { maxPerSecond: 1_250_000_000 });
      expect(r).toMatchObject({ delta: 2_000_000_000n, wrapped: true });
    });

    it('calls a decrease far from the top a counter reset, not a wrap', () => {
      expect(counterRate(obs(5_000_000_000_000n, 0), obs(1_000n, 60))).toEqual({ rate: undefined, reason: 'counter-reset' });
      expect(counterRate(obs(5_000_000_000_000n, 0), obs(1_000n, 60), { maxPerSecond: 1_250_000_000 })).toEqual({
        rate: undefined,
        reason: 'counter-reset',
      });
    });

    it('keeps full precision above 2^53', () => {
      const base = 2n ** 60n + 1n;
      expect(counterRate(obs(base, 0), obs(base + 3n, 1))).toEqual({ rate: 3, delta: 3n, wrapped: false });
    });
  });

  describe('reboot (sysUpTime went back, RFC 3418)', () => {
    it('gives no rate when sysUpTime went back', () => {
      const prev = obs(9_000_000n, 0, { uptimeCs: 8_640_000 });
      const cur = obs(1_000n, 60, { uptimeCs: 4_500 });
      expect(counterRate(prev, cur)).toEqual({ rate: undefined, reason: 'rebooted' });
    });

    it('gives no rate after a reboot even when the counter happens to be higher', () => {
      const prev = obs(1_000n, 0, { uptimeCs: 8_640_000 });
      const cur = obs(2_000n, 60, { uptimeCs: 6_000 });
      expect(counterRate(prev, cur).rate).toBeUndefined();
    });

    it('does not mistake the TimeTicks wrap after ~497 days for a reboot', () => {
      const prev = obs(1_000n, 0, { uptimeCs: 2 ** 32 - 3_000 });
      const cur = obs(61_000n, 60, { uptimeCs: 3_000 });
      expect(counterRate(prev, cur)).toEqual({ rate: 1000, delta: 60_000n, wrapped: false });
    });

    it('does see a reboot that happened near the TimeTicks wrap', () => {
      const prev = obs(1_000n, 0, { uptimeCs: 2 ** 32 - 3_000 });
      const cur = obs(61_000n, 60, { uptimeCs: 500_000 });
      expect(counterRate(prev, cur)).toEqual({ rate: undefined, reason: 'rebooted' });
    });

    it('skips the reboot test when the device has no sysUpTime', () => {
      expect(counterRate(obs(0n, 0), obs(600n, 60, { uptimeCs: 100 })).rate).toBe(10);
      expect(counterRate(obs(0n, 0, { uptimeCs: 100 }), obs(600n, 60)).rate).toBe(10);
    });
  });

  describe('ifCounterDiscontinuityTime (RFC 2863 ifXEntry.19)', () => {
    it('gives no rate when ifCounterDiscontinuityTime changed (RFC 2863)', () => {
      const prev = obs(0n, 0, { discontinuityCs: 0 });
      const cur = obs(600n, 60, { discontinuityCs: 12_345 });
      expect(counterRate(prev, cur)).toEqual({ rate: undefined, reason: 'discontinuity' });
      expect(counterRate(prev, obs(600n, 60, { discontinuityCs: 0 })).rate).toBe(10);
    });

    it('catches a module swap that left the counter higher than before, sysUpTime running on', () => {
      // A line card re-inserted: its counters restart, the agent does not, and traffic since makes the new
      // value exceed the old one. Only the discontinuity time tells; without it the rate would be garbage.
      const prev = obs(1_000n, 0, { uptimeCs: 500_000, discontinuityCs: 0 });
      const cur = obs(90_000_000n, 60, { uptimeCs: 506_000, discontinuityCs: 503_000 });
      expect(counterRate(prev, cur)).toEqual({ rate: undefined, reason: 'discontinuity' });
    });

    it('calls a 32-bit decrease with an unchanged discontinuity time a wrap', () => {
      const prev = obs(TOP32 - 1_000n, 0, { bits: 32, uptimeCs: 500_000, discontinuityCs: 4_200 });
      const cur = obs(500n, 10, { bits: 32, uptimeCs: 501_000, discontinuityCs: 4_200 });
      expect(counterRate(prev, cur)).toEqual({ rate: 150, delta: 1_500n, wrapped: true });
    });

    it('skips the test when either poll lacks the column (the device omits ifXTable or the row)', () => {
      expect(counterRate(obs(0n, 0, { discontinuityCs: 0 }), obs(600n, 60)).rate).toBe(10);
      expect(counterRate(obs(0n, 0), obs(600n, 60, { discontinuityCs: 9 })).rate).toBe(10);
    });

    it('reports a reboot as a reboot even when the discontinuity time changed too', () => {
      const prev = obs(9_000n, 0, { uptimeCs: 8_640_000, discontinuityCs: 0 });
      const cur = obs(100n, 60, { uptimeCs: 4_500, discontinuityCs: 300 });
      expect(counterRate(prev, cur)).toEqual({ rate: undefined, reason: 'rebooted' });
    });
  });

  it('measures the first interval after a reboot from the new readings on', () => {
    const rebooted = obs(1_000n, 60, { uptimeCs: 4_500 });
    expect(counterRate(obs(9_000_000n, 0, { uptimeCs: 8_640_000 }), rebooted).rate).toBeUndefined();
    expect(counterRate(rebooted, obs(61_000n, 120, { uptimeCs: 10_500 }))).toEqual({ rate: 1000, delta: 60_000n, wrapped: false });
  });

  describe('time', () => {
    it('gives no rate for a zero or negative interval', () => {
      expect(counterRate(obs(0n, 10), obs(100n, 10))).toEqual({ rate: undefined, reason: 'no-time-passed' });
      expect(counterRate(obs(0n, 10), obs(100n, 5))).toEqual({ rate: undefined, reason: 'no-time-passed' });
    });

    it('averages over a gap of missed polls', () => {
      // Device unreachable for an hour, then back with the same uptime line: the rate is the hour's average.
      const prev = obs(1_000_000n, 0, { uptimeCs: 100_000 });
      const cur = obs(1_000_000n + 3_600n * 5_000n, 3_600, { uptimeCs: 460_000 });
      expect(counterRate(prev, cur, { maxPerSecond: 12_500_000 })).toEqual({ rate: 5000, delta: 18_000_000n, wrapped: false });
    });

    it('sees a reboot during a gap', () => {
      const prev = obs(1_000_000n, 0, { uptimeCs: 100_000_000 });
      const cur = obs(2_000_000n, 3_600, { uptimeCs: 180_000 });
      expect(counterRate(prev, cur)).toEqual({ rate: undefined, reason: 'rebooted' });
    });
  });

  it('takes a plain increase as it is, even beyond the stated speed', () => {
    // net-snmp's snmpd says 10 Mbit/s for lo; 100 Mbit/s of real loopback traffic must still show.
    const r = counterRate(obs(0n, 0), obs(750_000_000n, 60), { maxPerSecond: 1_250_000 });
    expect(r).toEqual({ rate: 12_500_000, delta: 750_000_000n, wrapped: false });
  });

  it('allows timing noise up to PLAUSIBLE_FACTOR times the speed in a wrap', () => {
    const limit = 1_000_000;
    const within = BigInt(limit * 10 * PLAUSIBLE_FACTOR);
    const ok = counterRate(obs(TOP32 - within + 10n, 0, { bits: 32 }), obs(10n, 10, { bits: 32 }), { maxPerSecond: limit });
    expect(ok).toMatchObject({ rate: limit * PLAUSIBLE_FACTOR, wrapped: true });
    const beyond = counterRate(obs(TOP32 - within + 10n, 0, { bits: 32 }), obs(11n, 10, { bits: 32 }), { maxPerSecond: limit });
    expect(beyond).toEqual({ rate: undefined, reason: 'counter-reset' });
  });

  it('gives no rate when the counter width changed (ifHC columns appeared or went away)', () => {
    expect(counterRate(obs(0n, 0, { bits: 32 }), obs(600n, 60, { bits: 64 }))).toEqual({ rate: undefined, reason: 'width-changed' });
  });

  it('rejects values outside the counter range', () => {
    expect(counterRate(obs(0n, 0, { bits: 32 }), obs(TOP32, 60, { bits: 32 }))).toEqual({ rate: undefined, reason: 'out-of-range' });
    expect(counterRate(obs(-1n, 0), obs(5n, 60))).toEqual({ rate: undefined, reason: 'out-of-range' });
    expect(counterRate(undefined, obs(TOP64, 0))).toEqual({ rate: undefined, reason: 'out-of-range' });
  });
});
