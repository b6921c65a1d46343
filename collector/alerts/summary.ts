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

/**
 * Every firing alert as one line, muted ones included with why: "critical  North Primary: ups-1 is on battery
 * (mains power lost)  [ups-on-battery, since 2026-12-06 09:14 UTC, muted: out-of-hours]". For summaries
 * (the demo's, a status command): a count alone lets a false alert hide; this lists each, worst first.
 */
export function everyFiringAlert(alerts: readonly Alert[]): string[] {
  const rank = { critical: 0, warning: 1, info: 2 } as const;
  return alerts
    .filter((a) => a.state === 'firing')
    .sort((a, b) => rank[a.severity] - rank[b.severity] || a.since - b.since || a.key.localeCompare(b.key))
    .map((a) => {
      const since = new Date(a.since).toISOString().slice(0, 16).replace('T', ' ');
      const notes = [a.rule, `since ${since} UTC`, ...(a.muted ? [`muted: ${a.muted}`] : []), ...(a.ackedBy ? [`acknowledged by ${a.ackedBy}`] : [])];
      return `${a.severity.padEnd(8)}  ${a.title}  [${notes.join(', ')}]`;
    });
}
