import type { Interval } from '../../calendar/index.ts';

/**
 * What the report reads of one alert (collector/alerts' `Alert`, read-only): when its problem began, when
 * it paged, when the provider acknowledged it and when it was resolved.
 */
export interface AlertRecord {
  id: string;
  site: string;
  rule: string;
  device?: string | undefined;
  /** When the condition began. */
  since: number;
  firingAt?: number | undefined;
  resolvedAt?: number | undefined;
  ackedAt?: number | undefined;
  /** A message went out to the provider's on-call staff. */
  notified: boolean;
  /** Why it paged no one (maintenance, inhibited by its parent, silenced, ...). */
  muted?: string | undefined;
}

/** The rules whose alerts are about the outages a report lists: a device not answering, or the whole site. */
const OUTAGE_RULES: ReadonlySet<string> = new Set(['device-down', 'snmp-not-answering', 'site-offline']);

/**
 * The alert raised for an outage: same site and device (none for "whole site"), an outage rule, that
 * fired, and whose problem overlapped the outage. The earliest such, when there are several.
 */
export function alertForOutage(outage: { device: string | undefined; start: number; end: number }, site: string, alerts: readonly AlertRecord[]): AlertRecord | undefined {
  return alerts
    .filter(
      (a) =>
        a.site === site &&
        OUTAGE_RULES.has(a.rule) &&
        (outage.device === undefined ? a.rule === 'site-offline' : a.device === outage.device && a.rule !== 'site-offline') &&
        a.firingAt !== undefined &&
        a.since < outage.end &&
        (a.resolvedAt ?? Number.POSITIVE_INFINITY) > outage.start,
    )
    .sort((x, y) => x.since - y.since)[0];
}

/** Median of numbers (mean of the middle two for an even count); null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface ResponseTimes {
  /** Alerts that paged the on-call staff and fired within the period. */
  pages: number;
  /** Schools they came from. */
  sites: number;
  /** From the page (firing) to the acknowledgement, over the acknowledged pages. */
  acknowledged: number;
  medianAckMs: number | null;
  /** From the start of the problem to its resolution, over the resolved pages. */
  resolved: number;
  medianFixMs: number | null;
}

/**
 * Time to acknowledge and time to fix over the alerts that paged someone and fired within `period`:
 * of one school (`site`), or of every school (the provider's own figure, for comparison). Muted alerts
 * paged no one, so no one could acknowledge them; they are left out of both.
 */
export function responseTimes(alerts: readonly AlertRecord[], period: Interval, site?: string): ResponseTimes {
  const pages = alerts.filter((a) => a.notified && a.firingAt !== undefined && a.firingAt >= period.start && a.firingAt < period.end && (site === undefined || a.site === site));
  const acks = pages.flatMap((a) => (a.ackedAt === undefined ? [] : [Math.max(0, a.ackedAt - a.firingAt!)]));
  const fixes = pages.flatMap((a) => (a.resolvedAt === undefined ? [] : [Math.max(0, a.resolvedAt - a.since)]));
  return {
    pages: pages.length,
    sites: new Set(pages.map((a) => a.site)).size,
    acknowledged: acks.length,
    medianAckMs: median(acks),
    resolved: fixes.length,
    medianFixMs: median(fixes),
  };
}
