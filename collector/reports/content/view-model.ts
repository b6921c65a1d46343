import { DateTime } from 'luxon';
import type { Interval } from '../../calendar/index.ts';
import type { CountAs, CountingPolicy } from '../config.ts';
import { GAP_FACTOR } from '../availability/observed.ts';
import type { Outage, SiteAvailability } from '../availability/site.ts';
import type { DataSource, SupplyLevel, UpsReading } from '../data/influx-source.ts';
import { changeText, durationText, localTimeText, monthTitle, percentText } from './format.ts';
import type { LinkQuality } from './link-quality.ts';

export interface ReportInput {
  site: { id: string; name: string; timezone: string };
  month: string;
  monthInterval: Interval;
  availability: SiteAvailability;
  /** The previous month's headline figures, when there was data. */
  previous: { internetPct: number | null; coreServicesPct: number | null } | undefined;
  sla: { internetPct: number; coreServicesPct: number };
  policy: CountingPolicy;
  coreRoles: readonly string[];
  source: DataSource;
  link: LinkQuality;
  supplies: readonly SupplyLevel[];
  ups: ReadonlyMap<string, readonly UpsReading[]>;
  lowSupplyPct: number;
  providerName: string;
  generatedAt: number;
}

export interface HeadlineFigure {
  label: string;
  pct: number | null;
  pctText: string;
  targetPct: number;
  targetText: string;
  /** null: no data to judge. */
  met: boolean | null;
  previousText: string;
  changeText: string | undefined;
}

export interface DeviceRow {
  device: string;
  role: string;
  availabilityText: string;
  availabilityPct: number | null;
  downtimeText: string;
  downtimeMinutes: number;
  outages: number;
  longestText: string;
  mttrText: string;
  unknownText: string;
  maintenanceText: string;
}

export interface IncidentRow {
  device: string;
  startText: string;
  endText: string;
  durationText: string;
  durationMinutes: number;
  countedText: string;
  cause: string;
  inMaintenance: boolean;
}

export interface ReportView {
  title: string;
  school: string;
  siteId: string;
  month: string;
  monthText: string;
  periodText: string;
  generatedText: string;
  provider: string;
  headline: HeadlineFigure[];
  devices: DeviceRow[];
  incidents: IncidentRow[];
  /** Incidents left out of the list (it shows the first ones). */
  moreIncidents: number;
  daily: { date: string; label: string; internetPct: number | null; coreServicesPct: number | null }[];
  latency: { p50Text: string; p95Text: string; lossText: string; basis: string } | undefined;
  notes: string[];
  howWeCount: string[];
}

export const MAX_INCIDENTS = 40;

const COUNTS: Record<CountAs, string> = { down: 'counts as down', up: 'counts as up', excluded: 'is left out of the sum' };

function headline(label: string, pct: number | null, target: number, previous: number | null | undefined): HeadlineFigure {
  return {
    label,
    pct,
    pctText: percentText(pct),
    targetPct: target,
    targetText: `${target} %`,
    met: pct === null ? null : pct >= target,
    previousText: previous === undefined ? 'no report' : percentText(previous),
    changeText: pct === null || previous === undefined || previous === null ? undefined : changeText(pct - previous),
  };
}

function causeText(o: Outage): string {
  if (o.cause === 'site offline') return 'site offline (no data from the school\u2019s agent)';
  if (o.cause === 'parent') return `unreachable (${o.parent ?? 'the device it is reached through'} down)`;
  return 'down';
}

function incidentRow(o: Outage, zone: string, month: Interval): IncidentRow {
  const start = o.startedBeforeMonth ? `${localTimeText(o.start, zone)} (before the month)` : localTimeText(o.start, zone);
  const end = o.endedAfterMonth ? `${localTimeText(month.end, zone)} (still down at the end of the month)` : localTimeText(o.end, zone);
  return {
    device: o.device ?? 'whole site',
    startText: start,
    endText: end,
    durationText: durationText(o.durationMs),
    durationMinutes: Math.round(o.durationMs / 60_000),
    countedText: durationText(o.countedMs),
    cause: causeText(o),
    inMaintenance: o.inMaintenance,
  };
}

function upsNotes(ups: ReadonlyMap<string, readonly UpsReading[]>, zone: string): string[] {
  const notes: string[] = [];
  for (const [device, readings] of ups) {
    const sorted = [...readings].sort((a, b) => a.time - b.time);
    let events = 0;
    let totalMs = 0;
    let since: number | undefined;
    let first: number | undefined;
    for (const r of sorted) {
      if (r.onBattery === true && since === undefined) {
        since = r.time;
        events++;
        first ??= r.time;
      } else if (r.onBattery === false && since !== undefined) {
        totalMs += r.time - since;
        since = undefined;
      }
    }
    if (events > 0) notes.push(`UPS ${device} ran on battery ${events === 1 ? 'once' : `${events} times`} (first ${localTimeText(first!, zone)}, about ${durationText(totalMs)} in all).`);
    if (sorted.some((r) => r.replaceBattery)) notes.push(`UPS ${device} reports that its battery needs replacing.`);
    const bad = sorted.filter((r) => r.batteryStatus === 'low' || r.batteryStatus === 'fault' || r.batteryStatus === 'depleted').at(-1);
    if (bad !== undefined) notes.push(`UPS ${device} reported battery ${bad.batteryStatus} (${localTimeText(bad.time, zone)}).`);
  }
  return notes;
}

function serviceText(input: ReportInput): string {
  return input.policy.servicePeriod === 'always' ? '24 hours a day, every day of the month' : 'school hours on term days (closures and holidays left out)';
}

function howWeCount(input: ReportInput, hours: number): string[] {
  const { policy } = input;
  const lines = [
    'Availability = time up \u00f7 (time up + time down), measured in time, not in counted checks: each check result stands until the next one.',
    `Counted period: ${serviceText(input)}, ${DateTime.fromMillis(input.monthInterval.start, { zone: input.site.timezone }).toFormat('d LLLL')} 00:00 to ${DateTime.fromMillis(input.monthInterval.end, { zone: input.site.timezone }).toFormat('d LLLL')} 00:00 in ${input.site.timezone} (${hours} hours this month).`,
    'Planned maintenance windows are left out, also for devices reached through the device being worked on.',
    `A device that did not answer while the device it is reached through was down is \u201cunreachable\u201d and ${COUNTS[policy.unreachable]}.`,
    `Time without data (the school\u2019s agent offline, a device not yet monitored, or more than ${GAP_FACTOR} checks missed) is \u201cunknown\u201d and ${COUNTS[policy.unknown]}.`,
    `Internet is up while any internet link is up; core services (${input.coreRoles.join(', ')}) are up only while all of them are up.`,
    input.source === 'raw'
      ? 'Figures from every check result.'
      : 'Figures from 5-minute rollups, as the check results themselves have aged out; latency from 5-minute averages.',
  ];
  return lines;
}

/** The report's content for one school and month, ready for any renderer. Pure. */
export function buildReportView(input: ReportInput): ReportView {
  const zone = input.site.timezone;
  const a = input.availability;
  const month = input.monthInterval;
  const hours = (month.end - month.start) / 3_600_000;
  const outages = [...a.siteOffline, ...a.devices.flatMap((d) => d.outages)].sort((x, y) => x.start - y.start || (x.device ?? '').localeCompare(y.device ?? ''));
  const notes = [
    ...input.supplies
      .filter((s) => s.levelPct <= input.lowSupplyPct)
      .map((s) => `Printer ${s.device}: ${s.supply} at ${Math.round(s.levelPct)} % (${localTimeText(s.time, zone)}).`),
    ...upsNotes(input.ups, zone),
  ];
  const ms = (v: number | undefined) => (v === undefined ? 'no data' : `${v.toFixed(1)} ms`);
  return {
    title: `Monthly uptime report \u2014 ${monthTitle(input.month)}`,
    school: input.site.name,
    siteId: input.site.id,
    month: input.month,
    monthText: monthTitle(input.month),
    periodText: `${localTimeText(month.start, zone)} to ${localTimeText(month.end, zone)} (${zone})`,
    generatedText: `${DateTime.fromMillis(input.generatedAt, { zone }).toFormat('d LLLL yyyy HH:mm')} (${zone})`,
    provider: input.providerName,
    headline: [
      headline('Internet', a.internet.availabilityPct, input.sla.internetPct, input.previous?.internetPct),
      headline('Core services', a.coreServices.availabilityPct, input.sla.coreServicesPct, input.previous?.coreServicesPct),
    ],
    devices: a.devices.map((d) => {
      const counting = d.outages.filter((o) => o.countedMs > 0);
      return {
        device: d.name,
        role: d.role,
        availabilityText: percentText(d.availabilityPct),
        availabilityPct: d.availabilityPct,
        downtimeText: durationText(d.downtimeMs),
        downtimeMinutes: Math.round(d.downtimeMs / 60_000),
        outages: counting.length,
        longestText: counting.length === 0 ? '\u2013' : durationText(d.longestOutageMs),
        mttrText: d.mttrMs === null ? '\u2013' : durationText(d.mttrMs),
        unknownText: durationText(d.tally.unknown),
        maintenanceText: durationText(d.tally.maintenance),
      };
    }),
    incidents: outages.slice(0, MAX_INCIDENTS).map((o) => incidentRow(o, zone, month)),
    moreIncidents: Math.max(0, outages.length - MAX_INCIDENTS),
    daily: a.daily.map((d) => ({ ...d, label: String(Number(d.date.slice(8))) })),
    latency:
      input.link.readings === 0
        ? undefined
        : {
            p50Text: ms(input.link.p50Ms),
            p95Text: ms(input.link.p95Ms),
            lossText: input.link.lossPct === undefined ? 'no data' : `${input.link.lossPct.toFixed(2)} %`,
            basis: input.source === 'raw' ? 'every check of the internet link' : '5-minute averages of the internet link',
          },
    notes,
    howWeCount: howWeCount(input, hours),
  };
}
