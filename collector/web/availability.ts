import type { InfluxDB } from 'influx';
import { DateTime } from 'luxon';
import { maintenanceIntervals, monthInterval, previousMonth, serviceIntervals, type Interval } from '../calendar/index.ts';
import type { SiteFile } from '../config/schema.ts';
import { availabilityPct, siteAvailability, type SiteAvailability, type SiteInput } from '../reports/availability/site.ts';
import { tally, type Tally } from '../reports/availability/timeline.ts';
import { chooseSource, loadAgentOffline, loadDeviceData } from '../reports/data/influx-source.ts';
import type { ServiceAvailability } from './school-view.ts';
import { SERVICES, serviceOf } from './services.ts';

/** As the report reads it: a day before the month, so an outage running at its first midnight is seen whole. */
const LOOK_BACK_MS = 86_400_000;

const checkOf = (d: SiteFile['devices'][number]) =>
  d.checks.ping !== undefined ? { measurement: 'ping' as const, intervalMs: d.checks.ping.intervalSeconds * 1_000 } : d.checks.snmp !== undefined ? { measurement: 'snmp' as const, intervalMs: d.checks.snmp.intervalSeconds * 1_000 } : undefined;

/**
 * Per service, from the report's availability model. Internet is the report's own Internet figure (up while any
 * link is up) where the school has internet links, so the page and the PDF agree; every other service is its
 * devices' time up over their time counted, summed (a school with ten access points and one down for an hour
 * lost a tenth of an hour of Wi-Fi), with the report's rules for maintenance, service period and unknown time.
 */
export function servicesAvailability(site: SiteFile, a: SiteAvailability): Map<string, number | null> {
  const out = new Map<string, number | null>();
  for (const service of SERVICES) {
    const members = a.devices.filter((d) => serviceOf({ name: d.name, role: d.role as SiteFile['devices'][number]['role'] }, site.status.phones) === service.id);
    if (members.length === 0) continue;
    if (service.id === 'internet' && a.internet.devices.length > 0) {
      out.set(service.id, a.internet.availabilityPct);
      continue;
    }
    const sum = members.reduce<Tally>((t, d) => {
      for (const k of Object.keys(t) as (keyof Tally)[]) t[k] += d.tally[k];
      return t;
    }, tally([], { start: 0, end: 0 }));
    out.set(service.id, availabilityPct(sum, site.report));
  }
  return out;
}

/** The report model's input for one site over `window` (a whole month, or this month up to now), from InfluxDB. */
async function modelFor(client: InfluxDB, database: string, rawDays: number, site: SiteFile, window: Interval, now: number): Promise<SiteAvailability> {
  const zone = site.timezone;
  const range = { start: window.start - LOOK_BACK_MS, end: window.end };
  const source = chooseSource(range, now, rawDays);
  const devices: SiteInput['devices'][number][] = [];
  for (const d of site.devices) {
    const check = checkOf(d);
    if (check === undefined) continue;
    const data = await loadDeviceData(client, database, { site: site.id, device: d.name, range, source, ...check, readings: false });
    devices.push({ name: d.name, role: d.role, parent: d.parent, intervalMs: check.intervalMs, results: data.results, maintenance: maintenanceIntervals(site.maintenance, zone, d.name, range.start, range.end) });
  }
  return siteAvailability({
    month: window,
    range,
    zone,
    devices,
    service: serviceIntervals(site.report.servicePeriod, site.calendar, zone, range.start, range.end),
    agentOffline: await loadAgentOffline(client, database, { site: site.id, range, source }),
    policy: site.report,
    coreRoles: site.report.coreRoles,
  });
}

/** This month so far and last month, per service, for the school page and the overview. */
export async function loadServiceAvailability(o: { client: InfluxDB; database: string; rawDays: number; now: number }, site: SiteFile): Promise<ServiceAvailability[]> {
  const month = DateTime.fromMillis(o.now, { zone: site.timezone }).toFormat('yyyy-LL');
  const current = monthInterval(month, site.timezone);
  const last = monthInterval(previousMonth(month), site.timezone);
  const [thisMonth, lastMonth] = [
    await modelFor(o.client, o.database, o.rawDays, site, { start: current.start, end: Math.max(current.start + 1, o.now) }, o.now),
    await modelFor(o.client, o.database, o.rawDays, site, last, o.now),
  ];
  const a = servicesAvailability(site, thisMonth);
  const b = servicesAvailability(site, lastMonth);
  return [...a.keys()].map((service) => ({ service: service as ServiceAvailability['service'], thisMonthPct: a.get(service) ?? null, lastMonthPct: b.get(service) ?? null }));
}
