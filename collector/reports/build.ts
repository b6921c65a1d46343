import type { InfluxDB } from 'influx';
import { maintenanceIntervals, monthInterval, previousMonth, serviceIntervals, type Interval } from '../calendar/index.ts';
import type { SiteFile } from '../config/schema.ts';
import { siteAvailability, type DeviceInput, type SiteAvailability, type SiteInput } from './availability/site.ts';
import type { ReportsConfig } from './config.ts';
import { linkQuality } from './content/link-quality.ts';
import { buildReportView, type ReportView } from './content/view-model.ts';
import type { AlertHistory } from './data/alert-source.ts';
import { chooseSource, firstSeenBefore, loadAgentOffline, loadFirstSeen, loadSiteDevices, loadSupplyLevels, loadUpsReadings, type DataSource } from './data/influx-source.ts';

/** Data read before the month, so an outage already running at its first midnight is seen from its start. */
const LOOK_BACK_MS = 86_400_000;

export interface ReportSources {
  client: InfluxDB;
  database: string;
  /** Raw retention in days: older months are read from the rollups. */
  rawDays: number;
  /** When the report is made: a month not over by then is reported to date. */
  now: number;
  /** Every school's alerts (for acknowledgement and fix times); absent: no alert record. */
  alerts?: AlertHistory | undefined;
  /** Forces a source (tests compare the two). */
  source?: DataSource;
}

/** The device's availability check: ping where it has one, else SNMP. */
export function checkOf(device: SiteFile['devices'][number]): { measurement: 'ping' | 'snmp'; intervalMs: number } | undefined {
  if (device.checks.ping !== undefined) return { measurement: 'ping', intervalMs: device.checks.ping.intervalSeconds * 1_000 };
  if (device.checks.snmp !== undefined) return { measurement: 'snmp', intervalMs: device.checks.snmp.intervalSeconds * 1_000 };
  return undefined;
}

/**
 * The devices the month-before comparison needs: the internet links and core-service devices, with every
 * device they are reached through (a parent's outage makes its children unreachable). Their timelines
 * are the same as with every device read; the others only add their own.
 */
export function comparisonDevices(devices: readonly Pick<DeviceInput, 'name' | 'role' | 'parent'>[], coreRoles: readonly string[]): Set<string> {
  const byName = new Map(devices.map((d) => [d.name, d]));
  const out = new Set<string>();
  for (const d of devices) {
    if (d.role !== 'internet' && !coreRoles.includes(d.role)) continue;
    for (let at: typeof d | undefined = d; at !== undefined && !out.has(at.name); at = at.parent === undefined ? undefined : byName.get(at.parent)) out.add(at.name);
  }
  return out;
}

interface MonthOptions {
  /** Each device's first result ever, before the month's end (or now): asked while the month is read. */
  firstSeen: Promise<ReadonlyMap<string, number>>;
  /** Read only these devices (the comparison's); absent: all. */
  only?: ReadonlySet<string>;
  /** Read when the agent was offline (only the month reported shows "site offline"). */
  agentOffline: boolean;
}

/** The availability model's input for one site and month, read from InfluxDB. */
async function availabilityFor(sources: ReportSources, site: SiteFile, month: string, o: MonthOptions) {
  const zone = site.timezone;
  const monthRange = monthInterval(month, zone);
  const range = { start: monthRange.start - LOOK_BACK_MS, end: monthRange.end };
  const source = sources.source ?? chooseSource(range, sources.now, sources.rawDays);
  const checked = site.devices.flatMap((d) => {
    const check = checkOf(d);
    return check === undefined || (o.only !== undefined && !o.only.has(d.name)) ? [] : [{ device: d, check }];
  });
  const [data, agentOffline, firstSeen] = await Promise.all([
    loadSiteDevices(sources.client, sources.database, {
      site: site.id,
      range,
      source,
      devices: checked.map(({ device, check }) => ({ name: device.name, ...check, readings: device.role === 'internet' })),
    }),
    o.agentOffline ? loadAgentOffline(sources.client, sources.database, { site: site.id, range, source }) : [],
    o.firstSeen,
  ]);
  const input: SiteInput = {
    month: monthRange,
    asOf: sources.now,
    range,
    zone,
    devices: checked.map(({ device: d, check }) => ({
      name: d.name,
      role: d.role,
      parent: d.parent,
      intervalMs: check.intervalMs,
      results: data.get(d.name)?.results ?? [],
      observed: data.get(d.name)?.observed,
      maintenance: maintenanceIntervals(site.maintenance, zone, d.name, range.start, range.end),
      monitoredFrom: firstSeen.get(d.name) ?? Number.POSITIVE_INFINITY,
    })),
    service: serviceIntervals(site.report.servicePeriod, site.calendar, zone, range.start, range.end),
    agentOffline,
    policy: site.report,
    coreRoles: site.report.coreRoles,
  };
  return { input, availability: siteAvailability(input), source, data, monthRange };
}

/** Whether any device had a result counted in the month. */
const hadData = (a: SiteAvailability) => a.devices.some((d) => d.tally.up + d.tally.down + d.tally.unreachable > 0);

/** Reads one school's month (and the month before, for the comparison) and builds the report's content. */
export async function buildSiteReport(sources: ReportSources, site: SiteFile, month: string, reports: ReportsConfig): Promise<ReportView> {
  const window = monthInterval(month, site.timezone);
  const earlier = previousMonth(month);
  const earlierEnd = monthInterval(earlier, site.timezone).end;
  // The small answers asked while the month's device data (the large ones) is read, a batch at a time.
  const seen = loadFirstSeen(sources.client, sources.database, { site: site.id, before: Math.min(window.end, sources.now) });
  const [current, supplies, ups] = await Promise.all([
    availabilityFor(sources, site, month, { firstSeen: seen, agentOffline: true }),
    loadSupplyLevels(sources.client, sources.database, { site: site.id, range: window }),
    loadUpsReadings(sources.client, sources.database, { site: site.id, range: window }),
  ]);
  // The month before gives two figures (internet, core services): read only the devices they rest on, and
  // every device only when those had no data, since "no data last month" looks at all of them.
  const firstSeen = seen.then((s) => firstSeenBefore(s, Math.min(earlierEnd, sources.now)));
  const only = comparisonDevices(current.input.devices, site.report.coreRoles);
  let before = await availabilityFor(sources, site, earlier, { firstSeen, only, agentOffline: false });
  if (!hadData(before.availability) && only.size < current.input.devices.length) before = await availabilityFor(sources, site, earlier, { firstSeen, agentOffline: false });
  const compare = hadData(before.availability);
  const internetDevices = site.devices.filter((d) => d.role === 'internet').map((d) => d.name);
  const readings = internetDevices.flatMap((d) => current.data.get(d)?.readings ?? []);
  return buildReportView({
    site: { id: site.id, name: site.name, timezone: site.timezone },
    month,
    monthInterval: window,
    availability: current.availability,
    previous: compare ? { internetPct: before.availability.internet.availabilityPct, coreServicesPct: before.availability.coreServices.availabilityPct } : undefined,
    sla: site.report.sla,
    policy: site.report,
    minCoveragePct: site.report.minCoveragePct,
    alerts: sources.alerts?.(current.availability.period),
    coreRoles: site.report.coreRoles,
    source: current.source,
    link: linkQuality(readings, window),
    supplies,
    ups,
    lowSupplyPct: reports.lowSupplyPct,
    providerName: reports.providerName,
    generatedAt: sources.now,
  });
}
