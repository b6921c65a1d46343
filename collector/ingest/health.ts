import type { SampleRejectReason } from './counters.ts';

/**
 * When an agent counts as misbehaving: this many refusals (samples, messages, and the broker's refused
 * publishes, subscribes and packets) within the window. A healthy agent's occasional reject (one sample with
 * an odd timestamp, one text InfluxDB cannot store) stays below it; a broken clock, a wrong schema or a flood
 * crosses it within minutes.
 */
export const MISBEHAVING = { refusals: 20, windowMs: 10 * 60_000 } as const;

export interface AgentIngestHealth {
  lastAt: number;
  samples: number;
  batches: number;
  reasons: Record<string, number>;
  /** The last time its refusals within MISBEHAVING.windowMs reached MISBEHAVING.refusals; undefined: never. */
  misbehavedAt?: number;
  /** Refusals per minute within the window: [minute, count], oldest first (at most window / 1 min entries). */
  recent: Array<[number, number]>;
}

/** What the alert rules need to know of one site's ingest (collector/alerts/rules/ingest.ts). */
export interface SiteIngestHealth {
  /** Per agent: its last refused samples or message, and counts per reason since the collector started. */
  agents: Map<string, AgentIngestHealth>;
  /** The last time a new series of this site was refused for its budget, and that budget. */
  budget?: { lastAt: number; limit: number; refused: number };
}

/**
 * Refusals by site, as the ingest sees them, for the alert rules. Process-wide (the alert engine and the ingest
 * run in one collector process, and a rule is a pure function of what it is given plus this view); bounded by
 * the sites and agents the collector knows.
 */
export class IngestHealth {
  private readonly sites = new Map<string, SiteIngestHealth>();

  private site(site: string): SiteIngestHealth {
    let h = this.sites.get(site);
    if (h === undefined) this.sites.set(site, (h = { agents: new Map() }));
    return h;
  }

  refused(site: string, agent: string, reason: SampleRejectReason | string, samples: number, batches: number, at: number): void {
    const agents = this.site(site).agents;
    let a = agents.get(agent);
    if (a === undefined) agents.set(agent, (a = { lastAt: at, samples: 0, batches: 0, reasons: {}, recent: [] }));
    a.lastAt = at;
    a.samples += samples;
    a.batches += batches;
    const n = Math.max(samples, batches);
    a.reasons[reason] = (a.reasons[reason] ?? 0) + n;
    // The rolling window, in minute buckets: bounded however many refusals come.
    const minute = Math.floor(at / 60_000);
    const last = a.recent[a.recent.length - 1];
    if (last !== undefined && last[0] === minute) last[1] += n;
    else a.recent.push([minute, n]);
    const oldest = minute - Math.ceil(MISBEHAVING.windowMs / 60_000) + 1;
    while (a.recent.length > 0 && a.recent[0]![0] < oldest) a.recent.shift();
    let inWindow = 0;
    for (const [, count] of a.recent) inWindow += count;
    if (inWindow >= MISBEHAVING.refusals) a.misbehavedAt = at;
  }

  overBudget(site: string, limit: number, refused: number, at: number): void {
    const h = this.site(site);
    h.budget = { lastAt: at, limit, refused: (h.budget?.refused ?? 0) + refused };
  }

  of(site: string): SiteIngestHealth | undefined {
    return this.sites.get(site);
  }

  /** Forgets every site: a test starting from a collector that has refused nothing yet. */
  clear(): void {
    this.sites.clear();
  }
}

export const ingestHealth = new IngestHealth();
