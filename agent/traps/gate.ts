/**
 * What the receiver lets through, decided before a datagram is decoded: only addresses of the site's own
 * devices, and from each at most `ratePerSecond` on average with bursts up to `burst` (a token bucket), so
 * a flapping port or a trap storm costs the agent little and cannot crowd out polling or other devices.
 */
export interface GateOptions {
  ratePerSecond: number;
  burst: number;
  now(): number;
}

export type GateVerdict = 'pass' | 'unknown-source' | 'rate-limited';

interface Bucket {
  tokens: number;
  at: number;
}

export class TrapGate {
  private readonly buckets = new Map<string, Bucket>();
  private known = new Map<string, string>();

  constructor(private readonly o: GateOptions) {}

  /** Address → device name; a bucket of an address no longer listed goes with it. */
  setSources(sources: ReadonlyMap<string, string>): void {
    this.known = new Map(sources);
    for (const address of this.buckets.keys()) if (!this.known.has(address)) this.buckets.delete(address);
  }

  device(address: string): string | undefined {
    return this.known.get(normaliseAddress(address));
  }

  admit(address: string): GateVerdict {
    const key = normaliseAddress(address);
    if (!this.known.has(key)) return 'unknown-source';
    const now = this.o.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.o.burst, at: now };
    bucket.tokens = Math.min(this.o.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.o.ratePerSecond);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) return 'rate-limited';
    bucket.tokens -= 1;
    return 'pass';
  }
}

/** An IPv4 address received on a dual-stack socket arrives as ::ffff:a.b.c.d. */
export function normaliseAddress(address: string): string {
  const lower = address.toLowerCase();
  return lower.startsWith('::ffff:') && lower.includes('.') ? lower.slice(7) : lower;
}
