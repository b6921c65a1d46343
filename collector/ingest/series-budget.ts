import type { SeriesMemory } from './learned.ts';

/**
 * Distinct series per site, against a budget (InfluxDB 1.x has one series limit per database: a site that
 * creates series without end would lock every other school's new devices out). A series is known by a 53-bit
 * hash of its key, so memory per site is bounded by its budget (about 40 bytes a series), whatever the keys'
 * length. A collision lets a new series pass for a known one; the seed is random per process, so an agent
 * cannot aim for collisions to slip series past the budget.
 *
 * With a memory (learned.ts) the series and the seed outlive a restart: a site does not get a fresh budget
 * each time the collector starts. Without one, counting starts again at each start.
 */
export class SeriesBudgets {
  private readonly sites: Map<string, Set<number>>;
  private readonly seed: number;
  constructor(
    private readonly budgetOf: (site: string) => number,
    private readonly memory?: SeriesMemory,
  ) {
    this.sites = memory?.sites ?? new Map();
    this.seed = memory?.seed ?? Math.floor(Math.random() * 0x7fffffff);
  }

  /** True if the series is known or fits the site's budget (and is then remembered). */
  admit(site: string, seriesKey: string, end = seriesKey.length): boolean {
    let known = this.sites.get(site);
    if (known === undefined) {
      known = new Set();
      this.sites.set(site, known);
    }
    const h = hash53(seriesKey, this.seed, end);
    if (known.has(h)) return true;
    if (known.size >= this.budgetOf(site)) return false;
    known.add(h);
    this.memory?.remember(site, h);
    return true;
  }

  limit(site: string): number {
    return this.budgetOf(site);
  }

  used(site: string): number {
    return this.sites.get(site)?.size ?? 0;
  }
}

/** cyrb53 (public domain, bryc): a fast 53-bit string hash; not cryptographic, only for counting. */
export function hash53(s: string, seed = 0, end = s.length): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
