import { DateTime } from 'luxon';
import type { Interval } from '../../calendar/index.ts';
import type { CountAs, CountingPolicy } from '../config.ts';
import { GAP_FACTOR } from '../availability/observed.ts';
import type { Coverage, Outage, SiteAvailability } from '../availability/site.ts';
import type { DataSource, SupplyLevel, UpsReading } from '../data/influx-source.ts';
import { changeText, durationText, localTimeText, monthTitle, percentText } from './format.ts';
import { chartAxis, type ChartAxis } from './chart.ts';
import type { LinkQuality } from './link-quality.ts';
import { alertForOutage, responseTimes, type AlertRecord, type ResponseTimes } from './response.ts';

export interface ReportInput {
  site: { id: string; name: string; timezone: string };
  month: string;
  monthInterval: Interval;
  availability: SiteAvailability;
  /** The previous month's headline figures, when there was data. */
  previous: { internetPct: number | null; coreServicesPct: number | null } | undefined;
  sla: { internetPct: number; coreServicesPct: number };
  policy: CountingPolicy;
  /** Below this share of the month measured, no target is judged met or missed. */
  minCoveragePct: number;
  /** Every school's alerts around the month (the alert store), or undefined when there is no record. */
  alerts: readonly AlertRecord[] | undefined;
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
  /** null: not judged (no data, or too little of the month measured). */
  met: boolean | null;
  /** "target met", "target missed", "no data", or why it is not judged. */
  verdictText: string;
  /** Share of the month's counted period measured, in percent. */
  coveragePct: number | null;
  coverageText: string;
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
  /** Before its monitoring began (or, for a month in progress, nothing: the rest is not yet). */
  notMonitoredText: string;
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
  /** When the provider acknowledged the alert it raised, or why there is no such time. */
  acknowledgedText: string;
  /** When that alert was resolved. */
  resolvedText: string;
  /** Both in one phrase, for narrow layouts. */
  responseText: string;
}

export interface ResponseFigures {
  school: ResponseTimes;
  provider: ResponseTimes;
  /** Page-1 lines: this school's medians beside the provider's over all its schools. */
  lines: string[];
}

export interface ReportView {
  title: string;
  school: string;
  siteId: string;
  month: string;
  monthText: string;
  /** The month is over; else the report covers it to date. */
  complete: boolean;
  /** "Month to date" or "Whole month", with the covered period (page 1). */
  periodText: string;
  /** What the period leaves out: the part still to come, time before monitoring began (page 1). */
  periodNotes: string[];
  generatedText: string;
  provider: string;
  headline: HeadlineFigure[];
  devices: DeviceRow[];
  incidents: IncidentRow[];
  /** Incidents left out of the list (it shows the first ones). */
  moreIncidents: number;
  daily: { date: string; label: string; internetPct: number | null; coreServicesPct: number | null; future: boolean; partial: boolean }[];
  chart: ChartAxis;
  /** The lowest day, in words under the chart, so no low day goes unseen. */
  lowestDayText: string | undefined;
  /** Undefined when there is no alert record. */
  response: ResponseFigures | undefined;
  latency: { p50Text: string; p95Text: string; lossText: string; basis: string } | undefined;
  notes: string[];
  howWeCount: string[];
}

export const MAX_INCIDENTS = 40;

const COUNTS: Record<CountAs, string> = { down: 'counts as down', up: 'counts as up', excluded: 'is left out of the sum' };

/** A share in percent to one decimal, rounded down: "measured 99.9 %" is never said of 99.97 % less a second. */
const shareText = (pct: number) => `${(Math.floor(pct * 10) / 10).toFixed(1)} %`;

function headline(label: string, pct: number | null, target: number, previous: number | null | undefined, coverage: Coverage, o: { minCoveragePct: number; complete: boolean }): HeadlineFigure {
  const covered = coverage.pct ?? 0;
  const judged = pct !== null && covered >= o.minCoveragePct;
  const met = judged ? pct >= target : null;
  const measured = `${shareText(covered)} of the month measured`;
  const verdictText =
    pct === null
      ? 'no data'
      : !judged
        ? `not judged${o.complete ? '' : ' yet'}: ${measured}, ${o.minCoveragePct} % needed`
        : `${met ? 'target met' : 'target missed'}${o.complete ? '' : ' so far'}`;
  return {
    label,
    pct,
    pctText: percentText(pct),
    targetPct: target,
    targetText: `${target} %`,
    met,
    verdictText,
    coveragePct: coverage.pct,
    coverageText: measured,
    previousText: previous === undefined ? 'no report' : percentText(previous),
    changeText: pct === null || previous === undefined || previous === null ? undefined : changeText(pct - previous),
  };
}

function causeText(o: Outage): string {
  if (o.cause === 'site offline') return 'site offline (no data from the school\u2019s agent)';
  if (o.cause === 'parent') return `unreachable (${o.parent ?? 'the device it is reached through'} down)`;
  return 'down';
}

const MUTED: Record<string, string> = {
  maintenance: 'planned maintenance',
  inhibited: 'the device it is reached through was down',
  silenced: 'silenced',
  'out-of-hours': 'out of hours',
  flapping: 'flapping',
  'site-offline': 'site offline',
};

/** A response time: "under 1 min" rather than "0 min"; `none` when there was nothing to measure. */
function responseText(ms: number | null, none = 'none'): string {
  if (ms === null) return none;
  return ms < 30_000 ? 'under 1 min' : durationText(ms);
}

/** When the provider acknowledged the outage's alert, and when that alert was resolved. */
function incidentResponse(o: Outage, input: ReportInput): Pick<IncidentRow, 'acknowledgedText' | 'resolvedText' | 'responseText'> {
  if (input.alerts === undefined) return { acknowledgedText: 'no alert record', resolvedText: '\u2013', responseText: 'no alert record' };
  const zone = input.site.timezone;
  const a = alertForOutage(o, input.site.id, input.alerts);
  if (a === undefined) return { acknowledgedText: 'no alert raised', resolvedText: '\u2013', responseText: 'no alert raised' };
  const resolvedText = a.resolvedAt === undefined ? 'still open' : localTimeText(a.resolvedAt, zone);
  const resolved = a.resolvedAt === undefined ? 'alert still open' : `resolved ${resolvedText}`;
  if (!a.notified) {
    const acknowledgedText = `not paged (${MUTED[a.muted ?? ''] ?? a.muted ?? 'muted'})`;
    return { acknowledgedText, resolvedText, responseText: `${acknowledgedText}; ${resolved}` };
  }
  if (a.ackedAt === undefined) return { acknowledgedText: 'not acknowledged', resolvedText, responseText: `not acknowledged; ${resolved}` };
  const acknowledgedText = `${localTimeText(a.ackedAt, zone)} (${responseText(Math.max(0, a.ackedAt - a.firingAt!))} after the alert)`;
  return { acknowledgedText, resolvedText, responseText: `acknowledged ${acknowledgedText}; ${resolved}` };
}

function incidentRow(o: Outage, input: ReportInput, period: Interval, complete: boolean): IncidentRow {
  const zone = input.site.timezone;
  const start = o.startedBeforeMonth ? `${localTimeText(o.start, zone)} (before the month)` : localTimeText(o.start, zone);
  const still = complete ? 'still down at the end of the month' : 'still down when this report was made';
  const end = o.endedAfterMonth ? `${localTimeText(period.end, zone)} (${still})` : localTimeText(o.end, zone);
  return {
    ...incidentResponse(o, input),
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

function howWeCount(input: ReportInput, hours: number, responses: boolean): string[] {
  const { policy } = input;
  const zone = input.site.timezone;
  const { period, complete } = input.availability;
  const day = (ms: number) => DateTime.fromMillis(ms, { zone }).toFormat('d LLLL HH:mm');
  const lines = [
    'Availability = time up \u00f7 (time up + time down), measured in time, not in counted checks: each check result stands until the next one.',
    complete
      ? `Counted period: ${serviceText(input)}, ${day(period.start)} to ${day(period.end)} in ${zone} (${hours} hours this month).`
      : `Counted period: ${serviceText(input)}, ${day(period.start)} to ${day(period.end)} in ${zone}: the month to date, ${durationText(period.end - period.start)} of its ${hours} hours; the rest is still to come and not counted.`,
    `A target is judged met or missed only when at least ${input.minCoveragePct} % of the month\u2019s counted period was measured; time without data, before monitoring began, or still to come is not measured.`,
    'A broadband cut does not stop the checks: the school\u2019s agent keeps measuring, keeps the results in its spool and delivers them when the line is back. They count as measured, at the time they were measured, so a cut shows as \u201cinternet down\u201d, not as \u201cunknown\u201d.',
    'Planned maintenance windows are left out, also for devices reached through the device being worked on.',
    `A device that did not answer while the device it is reached through was down is \u201cunreachable\u201d and ${COUNTS[policy.unreachable]}.`,
    `Time without data (the school\u2019s agent itself not measuring, or more than ${GAP_FACTOR} checks missed) is \u201cunknown\u201d and ${COUNTS[policy.unknown]}.`,
    'Before a device\u2019s first check result it was not monitored: that time is neither up, down nor unknown, and does not count.',
    `Internet is up while any internet link is up; core services (${input.coreRoles.join(', ')}) are up only while all of them are up.`,
    input.source === 'raw'
      ? 'Figures from every check result.'
      : 'Figures from 5-minute rollups, as the check results themselves have aged out; latency from 5-minute averages.',
  ];
  if (responses)
    lines.push(
      'Time to acknowledge: from an alert paging our on-call staff to its acknowledgement. Time to fix: from the start of the problem to the alert\u2019s resolution. Medians over the alerts that paged someone in the period; muted alerts (planned maintenance, a parent device down) paged no one and are left out.',
    );
  return lines;
}

/** What the period leaves out, said on page 1: the part of the month still to come, time before monitoring. */
function periodNotes(input: ReportInput, hours: number): string[] {
  const zone = input.site.timezone;
  const { period, complete, monitoringStartedInMonth } = input.availability;
  const notes: string[] = [];
  if (!complete)
    notes.push(
      `The month is in progress: this report covers it to ${localTimeText(period.end, zone)}; the remaining ${durationText(input.monthInterval.end - period.end)} of its ${hours} hours are still to come and not counted. No target is judged until ${input.minCoveragePct} % of the month is measured.`,
    );
  if (monitoringStartedInMonth !== undefined)
    notes.push(
      `Monitoring of this school began ${localTimeText(monitoringStartedInMonth, zone)}: the ${durationText(monitoringStartedInMonth - input.monthInterval.start)} before it were not monitored and are not counted.`,
    );
  return notes;
}

/** "Lowest day: internet Tue 20 Oct 83.400 %; core services Wed 14 Oct 99.200 %." Undefined when every day is at 100 %. */
function lowestDay(daily: SiteAvailability['daily']): string | undefined {
  const parts: string[] = [];
  for (const [label, key] of [['internet', 'internetPct'], ['core services', 'coreServicesPct']] as const) {
    const measured = daily.filter((d) => d[key] !== null);
    if (measured.length === 0) continue;
    const low = measured.reduce((x, y) => (y[key]! < x[key]! ? y : x));
    if (low[key]! < 100) parts.push(`${label} ${DateTime.fromISO(low.date).toFormat('ccc d LLL')} ${percentText(low[key])}`);
  }
  return parts.length === 0 ? undefined : `Lowest day: ${parts.join('; ')}.`;
}

/** This school's medians beside the provider's over every school, for page 1. */
function responseFigures(input: ReportInput): ResponseFigures | undefined {
  if (input.alerts === undefined) return undefined;
  const { period } = input.availability;
  const school = responseTimes(input.alerts, period, input.site.id);
  const provider = responseTimes(input.alerts, period);
  const all = `across all our schools`;
  const lines =
    school.pages === 0
      ? [
          'No alert about this school paged our on-call staff in this period.',
          provider.pages === 0
            ? 'No alert paged our on-call staff about any of our schools in this period.'
            : `Across all our schools: time to acknowledge ${responseText(provider.medianAckMs, 'none acknowledged')}, time to fix ${responseText(provider.medianFixMs, 'none resolved yet')} (medians of ${provider.pages} ${provider.pages === 1 ? 'alert' : 'alerts'}, ${provider.sites} ${provider.sites === 1 ? 'school' : 'schools'}).`,
        ]
      : [
          `Time to acknowledge (median): ${responseText(school.medianAckMs, 'none acknowledged')} for this school, ${responseText(provider.medianAckMs, 'none acknowledged')} ${all}.`,
          `Time to fix (median): ${responseText(school.medianFixMs, 'none resolved yet')} for this school, ${responseText(provider.medianFixMs, 'none resolved yet')} ${all}.`,
          `From ${school.pages} ${school.pages === 1 ? 'alert' : 'alerts'} that paged our on-call staff about this school (${school.acknowledged} acknowledged, ${school.resolved} resolved); ${provider.pages} across ${provider.sites} ${provider.sites === 1 ? 'school' : 'schools'}.`,
        ];
  return { school, provider, lines };
}

/** The report's content for one school and month, ready for any renderer. Pure. */
export function buildReportView(input: ReportInput): ReportView {
  const zone = input.site.timezone;
  const a = input.availability;
  const month = input.monthInterval;
  const hours = (month.end - month.start) / 3_600_000;
  const { period, complete } = a;
  const response = responseFigures(input);
  const outages = [...a.siteOffline, ...a.devices.flatMap((d) => d.outages)].sort((x, y) => x.start - y.start || (x.device ?? '').localeCompare(y.device ?? ''));
  const notes = [
    ...input.supplies
      .filter((s) => s.levelPct <= input.lowSupplyPct)
      .map((s) => `Printer ${s.device}: ${s.supply} at ${Math.round(s.levelPct)} % (${localTimeText(s.time, zone)}).`),
    ...upsNotes(input.ups, zone),
  ];
  const ms = (v: number | undefined) => (v === undefined ? 'no data' : `${v.toFixed(1)} ms`);
  return {
    title: `Monthly uptime report \u2014 ${monthTitle(input.month)}${complete ? '' : ' (month to date)'}`,
    school: input.site.name,
    siteId: input.site.id,
    month: input.month,
    monthText: monthTitle(input.month),
    complete,
    periodText: complete
      ? `Whole month: ${localTimeText(period.start, zone)} to ${localTimeText(period.end, zone)} (${zone}), ${hours} hours`
      : `Month to date: ${localTimeText(period.start, zone)} to ${localTimeText(period.end, zone)} (${zone}), ${durationText(period.end - period.start)} of the month\u2019s ${hours} hours`,
    periodNotes: periodNotes(input, hours),
    generatedText: `${DateTime.fromMillis(input.generatedAt, { zone }).toFormat('d LLLL yyyy HH:mm')} (${zone})`,
    provider: input.providerName,
    headline: [
      headline('Internet', a.internet.availabilityPct, input.sla.internetPct, input.previous?.internetPct, a.internet.coverage, { minCoveragePct: input.minCoveragePct, complete }),
      headline('Core services', a.coreServices.availabilityPct, input.sla.coreServicesPct, input.previous?.coreServicesPct, a.coreServices.coverage, { minCoveragePct: input.minCoveragePct, complete }),
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
        notMonitoredText: durationText(d.tally.unmonitored),
        maintenanceText: durationText(d.tally.maintenance),
      };
    }),
    incidents: outages.slice(0, MAX_INCIDENTS).map((o) => incidentRow(o, input, period, complete)),
    moreIncidents: Math.max(0, outages.length - MAX_INCIDENTS),
    daily: a.daily.map((d) => ({ ...d, label: String(Number(d.date.slice(8))) })),
    chart: chartAxis(a.daily),
    lowestDayText: lowestDay(a.daily),
    response,
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
    howWeCount: howWeCount(input, hours, response !== undefined),
  };
}
