import type { SampleRejectReason } from './counters.ts';

/** What the alert rules need to know of one site's ingest (collector/alerts/rules/ingest.ts). */
export interface SiteIngestHealth {
  /** Per agent: its last refused samples or message, and counts per reason since the collector started. */
  agents: Map<string, { lastAt: number; samples: number; batches: number; reasons: Record<string, number> }>;
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
    if (a === undefined) agents.set(agent, (a = { lastAt: at, samples: 0, batches: 0, reasons: {} }));
    a.lastAt = at;
    a.samples += samples;
    a.batches += batches;
    a.reasons[reason] = (a.reasons[reason] ?? 0) + Math.max(samples, batches);
  }

  overBudget(site: string, limit: number, refused: number, at: number): void {
    const h = this.site(site);
    h.budget = { lastAt: at, limit, refused: (h.budget?.refused ?? 0) + refused };
  }

  of(site: string): SiteIngestHealth | undefined {
    return this.sites.get(site);
  }
}

export const ingestHealth = new IngestHealth();
