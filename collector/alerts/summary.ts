import type { Alert } from './pipeline/alert.ts';

/** What Grafana's "firing alerts" panels read: per site, the alerts in force now. */
export interface SiteAlertSummary {
  firing: number;
  critical: number;
  acknowledged: number;
  /** Firing, but silenced, inhibited, in maintenance or outside school hours: nobody is paged. */
  muted: number;
}

/** Counts per site; every site in `sites` gets a row, so a site whose last alert resolved drops to 0. */
export function summariseBySite(alerts: readonly Alert[], sites: Iterable<string>): Map<string, SiteAlertSummary> {
  const out = new Map<string, SiteAlertSummary>();
  for (const site of sites) out.set(site, { firing: 0, critical: 0, acknowledged: 0, muted: 0 });
  for (const a of alerts) {
    const row = out.get(a.site);
    if (row === undefined || a.state !== 'firing') continue;
    row.firing++;
    if (a.severity === 'critical') row.critical++;
    if (a.ackedAt !== undefined) row.acknowledged++;
    if (a.muted !== undefined) row.muted++;
  }
  return out;
}

export const sameSummary = (a: SiteAlertSummary | undefined, b: SiteAlertSummary): boolean =>
  a !== undefined && a.firing === b.firing && a.critical === b.critical && a.acknowledged === b.acknowledged && a.muted === b.muted;
