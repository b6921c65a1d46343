import { uptimeRestarted } from './uptime.ts';

/** Counter32 (RFC 2578 §7.1.6) or Counter64 (RFC 2578 §7.1.10). */
export type CounterBits = 32 | 64;

/** One reading of one counter. */
export interface CounterObservation {
  value: bigint;
  bits: CounterBits;
  /** sysUpTime (RFC 3418, TimeTicks = centiseconds) read in the same poll; undefined if the device has none. */
  uptimeCs?: number | undefined;
  /** ifCounterDiscontinuityTime (RFC 2863) read in the same poll; undefined if the device has none. */
  discontinuityCs?: number | undefined;
  /** When it was measured, ms since the Unix epoch. */
  at: number;
}

export interface RateLimits {
  /** Most the counter can grow per second (for octets: interface speed / 8); used to judge wraps. */
  maxPerSecond?: number | undefined;
}

/** Why no rate could be given for this pair of readings. */
export type NoRateReason =
  | 'first-poll'
  | 'no-time-passed'
  | 'rebooted'
  | 'discontinuity'
  | 'width-changed'
  | 'out-of-range'
  | 'counter-reset';

export type RateResult =
  | { rate: number; delta: bigint; wrapped: boolean }
  | { rate: undefined; reason: NoRateReason };

/**
 * Readings are taken by an agent over a network, so the measured interval can be off by the time a walk
 * takes; a wrap implying up to this multiple of the limit is accepted as timing noise.
 */
export const PLAUSIBLE_FACTOR = 2;

/**
 * A Counter64 wraps no sooner than 2^64 / rate: 46 years at 100 Gbit/s of octets, which is why RFC 2863
 * §3.1.6 requires 64-bit counters on fast interfaces. Without a known limit, a decrease is accepted as a
 * wrap only if the counter stood within this distance of the top; otherwise it was reset.
 */
const MAX_UNBOUNDED_WRAP_64 = 2n ** 32n;

/** 2^bits, computed once: every counter of every interface is checked against it on every poll. */
const MODULUS: Record<CounterBits, bigint> = { 32: 2n ** 32n, 64: 2n ** 64n };

/**
 * Rate per second between two readings of the same counter.
 * RFC 2578 §7.1.6/§7.1.10: a counter's absolute value means nothing, only the delta between readings
 * does; it wraps to zero after 2^n - 1; discontinuities happen at re-initialisation of the agent
 * (sysUpTime goes back) and, for IF-MIB counters, whenever ifCounterDiscontinuityTime changes (RFC 2863).
 */
export function counterRate(prev: CounterObservation | undefined, cur: CounterObservation, limits: RateLimits = {}): RateResult {
  if (!inRange(cur)) return none('out-of-range');
  if (prev === undefined) return none('first-poll');
  if (!inRange(prev)) return none('out-of-range');
  if (prev.bits !== cur.bits) return none('width-changed');
  const elapsedMs = cur.at - prev.at;
  if (!(elapsedMs > 0)) return none('no-time-passed');
  if (prev.uptimeCs !== undefined && cur.uptimeCs !== undefined && uptimeRestarted(prev.uptimeCs, cur.uptimeCs, elapsedMs)) {
    return none('rebooted');
  }
  if (prev.discontinuityCs !== undefined && cur.discontinuityCs !== undefined && prev.discontinuityCs !== cur.discontinuityCs) {
    return none('discontinuity');
  }

  const seconds = elapsedMs / 1000;
  const ceiling = limits.maxPerSecond !== undefined && limits.maxPerSecond > 0 ? limits.maxPerSecond * PLAUSIBLE_FACTOR : undefined;
  const wrapped = cur.value < prev.value;
  const delta = wrapped ? MODULUS[cur.bits] - prev.value + cur.value : cur.value - prev.value;
  const rate = Number(delta) / seconds;

  // Only a wrap is judged against the speed: a "wrap" faster than the line allows is really a counter that
  // restarted from zero. A plain increase is taken as it is, because stated speeds are often wrong (net-snmp
  // reports 10 Mbit/s for lo and many virtual interfaces) while a counter that went up did count something.
  if (wrapped) {
    if (ceiling !== undefined && rate > ceiling) return none('counter-reset');
    if (cur.bits === 64 && ceiling === undefined && delta > MAX_UNBOUNDED_WRAP_64) return none('counter-reset');
  }
  return { rate, delta, wrapped };
}

function inRange(o: CounterObservation): boolean {
  return o.value >= 0n && o.value < MODULUS[o.bits];
}

function none(reason: NoRateReason): RateResult {
  return { rate: undefined, reason };
}
