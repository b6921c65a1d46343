/** The report build as it was before batched reads (a query per device, both months, every device): the oracle of site-reader.test.ts. */
import type { InfluxDB } from 'influx';
import { maintenanceIntervals, monthInterval, previousMonth, serviceIntervals, type Interval } from '../../collector/calendar/index.ts';
import type { SiteFile } from '../../collector/config/schema.ts';
import { siteAvailability, type SiteInput } from '../../collector/reports/availability/site.ts';
import type { ReportsConfig } from '../../collector/reports/config.ts';
import { linkQuality } from '../../collector/reports/content/link-quality.ts';
import { buildReportView, type ReportView } from '../../collector/reports/content/view-model.ts';
import type { AlertHistory } from '../../collector/reports/data/alert-source.ts';
import { checkOf, type ReportSources } from '../../collector/reports/build.ts';
import { chooseSource, loadAgentOffline, loadDeviceData, loadFirstSeen, loadSupplyLevels, loadUpsReadings, type DataSource, type DeviceData } from '../../collector/reports/data/influx-source.ts';

/** Data read before the month, so an outage already running at its first midnight is seen from its start. */
const LOOK_BACK_MS = 86_400_000;

async function loadDevices(sources: ReportSources, site: SiteFile, range: Interval, source: DataSource): Promise<Map<string, DeviceData>> {
  const out = new Map<string, DeviceData>();
  for (const device of site.devices) {
    const check = checkOf(device);
    if (check === undefined) continue;
    const o = { site: site.id, device: device.name, range, source, ...check, readings: device.role === 'internet' };
    out.set(device.name, await loadDeviceData(sources.client, sources.database, o));
  }
  return out;
}

/** The availability model's input for one site and month, read from InfluxDB. */
async function availabilityFor(sources: ReportSources, site: SiteFile, month: string) {
  const zone = site.timezone;
  const monthRange = monthInterval(month, zone);
  const range = { start: monthRange.start - LOOK_BACK_MS, end: monthRange.end };
  const source = sources.source ?? chooseSource(range, sources.now, sources.rawDays);
  const data = await loadDevices(sources, site, range, source);
  const firstSeen = await loadFirstSeen(sources.client, sources.database, { site: site.id, before: Math.min(monthRange.end, sources.now) });
  const input: SiteInput = {
    month: monthRange,
    asOf: sources.now,
    range,
    zone,
    devices: site.devices.flatMap((d) => {
      const check = checkOf(d);
      if (check === undefined) return [];
      return [
        {
          name: d.name,
          role: d.role,
          parent: d.parent,
          intervalMs: check.intervalMs,
          results: data.get(d.name)?.results ?? [],
          observed: data.get(d.name)?.observed,
          maintenance: maintenanceIntervals(site.maintenance, zone, d.name, range.start, range.end),
          monitoredFrom: firstSeen.get(d.name) ?? Number.POSITIVE_INFINITY,
        },
      ];
    }),
    service: serviceIntervals(site.report.servicePeriod, site.calendar, zone, range.start, range.end),
    agentOffline: await loadAgentOffline(sources.client, sources.database, { site: site.id, range, source }),
    policy: site.report,
    coreRoles: site.report.coreRoles,
  };
  return { input, availability: siteAvailability(input), source, data, monthRange };
}

/** Reads one school's month (and the month before, for the comparison) and builds the report's content. */
export async function buildSiteReportPerDevice(sources: ReportSources, site: SiteFile, month: string, reports: ReportsConfig): Promise<ReportView> {
  const current = await availabilityFor(sources, site, month);
  const before = await availabilityFor(sources, site, previousMonth(month));
  const hadData = before.availability.devices.some((d) => d.tally.up + d.tally.down + d.tally.unreachable > 0);
  const internetDevices = site.devices.filter((d) => d.role === 'internet').map((d) => d.name);
  const readings = internetDevices.flatMap((d) => current.data.get(d)?.readings ?? []);
  const window = current.monthRange;
  return buildReportView({
    site: { id: site.id, name: site.name, timezone: site.timezone },
    month,
    monthInterval: window,
    availability: current.availability,
    previous: hadData ? { internetPct: before.availability.internet.availabilityPct, coreServicesPct: before.availability.coreServices.availabilityPct } : undefined,
    sla: site.report.sla,
    policy: site.report,
    minCoveragePct: site.report.minCoveragePct,
    alerts: sources.alerts?.(current.availability.period),
    coreRoles: site.report.coreRoles,
    source: current.source,
    link: linkQuality(readings, window),
    supplies: await loadSupplyLevels(sources.client, sources.database, { site: site.id, range: window }),
    ups: await loadUpsReadings(sources.client, sources.database, { site: site.id, range: window }),
    lowSupplyPct: reports.lowSupplyPct,
    providerName: reports.providerName,
    generatedAt: sources.now,
  });
}
