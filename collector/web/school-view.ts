import { DateTime } from 'luxon';
import { coversDevice, schoolHours, windowIntervals, type MaintenanceWindow } from '../calendar/index.ts';
import type { Alert } from '../alerts/pipeline/alert.ts';
import type { DeviceState } from '../alerts/state/device-state.ts';
import type { SiteState } from '../alerts/state/site-state.ts';
import type { SiteFile } from '../config/schema.ts';
import { isoText, pctText, whenText } from './format.ts';
import { SERVICES, SERVICE_WORDS, nextSince, serviceOf, serviceState, type MemberState, type ServiceId, type ServiceState, type SinceRecord } from './services.ts';
import type { PublicNote } from './store.ts';

/** Per service, availability in percent under the report's rules (null: nothing counted). */
export interface ServiceAvailability {
  service: ServiceId;
  thisMonthPct: number | null;
  lastMonthPct: number | null;
}

export interface SchoolInput {
  site: SiteFile;
  now: number;
  siteState: { state: SiteState; since?: number | undefined };
  devices: ReadonlyMap<string, DeviceState>;
  /** The engine's open alerts (any site: only this one's are used). */
  alerts: readonly Alert[];
  notes: ReadonlyMap<string, PublicNote>;
  since: SinceRecord;
  availability?: readonly ServiceAvailability[] | undefined;
  /** Report PDFs the page links to, newest first. */
  reports: readonly { month: string; href: string }[];
}

export interface ServiceRow {
  id: ServiceId;
  label: string;
  state: ServiceState;
  word: string;
  sinceText: string | undefined;
  sinceIso: string | undefined;
  /** "office-printer", "2 of 6 access points" — never a private device's name. */
  detail: string | undefined;
}

export interface IncidentRow {
  what: string;
  sinceText: string;
  sinceIso: string;
  acknowledgedBy: string | undefined;
  acknowledgedText: string | undefined;
  note: string | undefined;
  planned: boolean;
}

export interface SchoolView {
  school: string;
  updatedText: string;
  updatedIso: string;
  /** The agent is offline: what the page cannot know, said plainly. */
  offline: { sinceText: string | undefined } | undefined;
  hours: { openNow: boolean; text: string };
  services: ServiceRow[];
  overall: ServiceState;
  incidents: IncidentRow[];
  maintenance: { name: string; whenText: string; scope: string; now: boolean }[];
  availability: { label: string; thisMonth: string; lastMonth: string }[];
  reports: { label: string; href: string }[];
  /** What to remember for the next view (when each service's state began). */
  since: Map<string, { state: ServiceState; since: number | undefined }>;
}

const UPCOMING_MS = 14 * 86_400_000;
/** UPS alerts that mean the school's power is not working, whatever the UPS's own reachability. */
const POWER_RULES = new Set<string>(['ups-on-battery', 'ups-battery-low', 'ups-runtime-low']);

/** A device's name as the school may see it: a private one is only "a device". */
export const shownName = (site: SiteFile, device: string | undefined): string => (device === undefined || site.status.private.includes(device) ? 'a device' : device);

function affectedText(site: SiteFile, affected: readonly MemberState[], total: number): string | undefined {
  if (affected.length === 0) return undefined;
  const names = affected.filter((m) => !site.status.private.includes(m.name)).map((m) => m.name);
  const hidden = affected.length - names.length;
  const list = [...names, ...(hidden > 0 ? [`${hidden} other device${hidden > 1 ? 's' : ''}`] : [])].join(', ');
  return total > 1 ? `${affected.length} of ${total}: ${list}` : list;
}

/** The school's day in plain words, from its calendar (term dates, closures, school hours). */
function hoursText(site: SiteFile, now: number): { openNow: boolean; text: string } {
  const zone = site.timezone;
  const local = DateTime.fromMillis(now, { zone });
  const date = local.toISODate()!;
  const dayStart = local.startOf('day').toMillis();
  const today = schoolHours(site.calendar, zone, dayStart, local.endOf('day').toMillis() + 1).filter((i) => i.start >= dayStart);
  const openNow = today.some((i) => i.start <= now && now < i.end);
  const hm = (ms: number) => DateTime.fromMillis(ms, { zone }).toFormat('HH:mm');
  if (openNow) return { openNow, text: `School is open now, until ${hm(today.find((i) => i.start <= now && now < i.end)!.end)}.` };
  const closure = site.calendar.closures.find((c) => c.start <= date && date <= c.end);
  const outOfTerm = site.calendar.terms.length > 0 && !site.calendar.terms.some((t) => t.start <= date && date <= t.end);
  let next: { start: number } | undefined;
  // Day by day: usually tomorrow, and fourteen days of zone arithmetic at once cost more than the page.
  for (let day = 0; day < 14 && next === undefined; day++) {
    next = schoolHours(site.calendar, zone, now + day * 86_400_000, now + (day + 1) * 86_400_000).find((i) => i.start > now);
  }
  const reason = closure ? `Closed today${closure.name ? ` (${closure.name})` : ''}.` : outOfTerm ? 'School holiday.' : today.length > 0 && today[0]!.start > now ? 'Not open yet today.' : 'Closed now.';
  return { openNow, text: `${reason}${next ? ` Next open ${whenText(next.start, now, zone)}.` : ''}` };
}

/** What the school sees of an alert; rules about the provider's own machinery are not shown. */
function incidentWhat(site: SiteFile, a: Alert): string | undefined {
  const name = shownName(site, a.device);
  switch (a.rule) {
    case 'site-offline':
      return 'We cannot see your school\'s network (often the internet connection is down)';
    case 'device-down':
      return `${name} is not working`;
    case 'high-loss':
    case 'high-latency':
      return `${name} is slow`;
    case 'interface-down':
      return `A network link on ${name} is down`;
    case 'printer-supply-low':
      return `${name} is running low on a supply`;
    case 'ups-on-battery':
      return `${name} is running on battery (mains power lost)`;
    case 'ups-battery-low':
    case 'ups-runtime-low':
      return `${name} has little battery left`;
    case 'storage-full':
      return `Storage on ${name} is nearly full`;
    default:
      return undefined;
  }
}

/**
 * What the calendar says this minute: the school's day, the planned windows, which windows are in force. Time-zone
 * arithmetic is the costly part of a page (tens of ms a school), and none of it changes within a minute, so it is
 * kept per site object and minute: same inputs, same answer.
 */
interface CalendarFacts {
  hours: { openNow: boolean; text: string };
  maintenance: SchoolView['maintenance'];
  inForce: MaintenanceWindow[];
}
const calendarMemo = new WeakMap<SiteFile, { minute: number; windows: SiteFile['maintenance']; facts: CalendarFacts }>();

function calendarFacts(site: SiteFile, now: number): CalendarFacts {
  const minute = Math.floor(now / 60_000);
  const memo = calendarMemo.get(site);
  // A window added through the API replaces the site's list (start.ts): a new list, new facts.
  if (memo !== undefined && memo.minute === minute && memo.windows === site.maintenance) return memo.facts;
  const zone = site.timezone;
  const windows = site.maintenance
    .flatMap((w) => {
      // From two days back, so a window already running shows its real start.
      const next = windowIntervals(w, zone, now - 2 * 86_400_000, now + UPCOMING_MS).find((i) => i.end > now);
      if (next === undefined) return [];
      const scope = w.devices === undefined ? 'Whole school' : w.devices.map((d) => shownName(site, d)).join(', ');
      return [{ name: w.name, start: next.start, whenText: `${whenText(next.start, now, zone)} to ${whenText(next.end, now, zone)}`, scope, now: next.start <= now, window: w }];
    })
    .sort((a, b) => a.start - b.start);
  const facts: CalendarFacts = {
    hours: hoursText(site, now),
    maintenance: windows.map(({ start: _s, window: _w, ...rest }) => rest),
    inForce: windows.filter((m) => m.now).map((m) => m.window),
  };
  calendarMemo.set(site, { minute, windows: site.maintenance, facts });
  return facts;
}

const monthLabel = (month: string) => DateTime.fromISO(`${month}-01`).toFormat('LLLL yyyy');

/** The school's status page, as data. Pure: the same state gives the same page. */
export function schoolView(input: SchoolInput): SchoolView {
  const { site, now } = input;
  const zone = site.timezone;
  const offline = input.siteState.state === 'offline';
  const alerts = input.alerts.filter((a) => a.site === site.id && a.state === 'firing');
  const since = new Map<string, { state: ServiceState; since: number | undefined }>();
  const services: ServiceRow[] = [];
  const calendar = calendarFacts(site, now);
  for (const service of SERVICES) {
    const devices = site.devices.filter((d) => serviceOf(d, site.status.phones) === service.id);
    if (devices.length === 0) continue;
    const members: MemberState[] = devices.map((d) => ({
      name: d.name,
      state: offline ? 'unknown' : (input.devices.get(d.name) ?? 'unknown'),
      maintenance: calendar.inForce.some((w) => coversDevice(w, d.name)),
    }));
    const reach = serviceState(service.mode, members);
    // Answering is not the same as working: a UPS on battery means the school's mains power is off.
    const power = alerts.filter((a) => POWER_RULES.has(a.rule) && a.maintenance === undefined && members.some((m) => m.name === a.device && !m.maintenance));
    const { state, affected } =
      power.length > 0 && (reach.state === 'working' || reach.state === 'slow')
        ? { state: 'not-working' as const, affected: members.filter((m) => power.some((a) => a.device === m.name)) }
        : reach;
    const names = new Set(affected.map((m) => m.name));
    const starts = alerts.filter((a) => a.device !== undefined && names.has(a.device) && (a.rule === 'device-down' || a.rule === 'high-loss' || a.rule === 'high-latency' || POWER_RULES.has(a.rule))).map((a) => a.since);
    const known = state === 'not-working' || state === 'slow' ? (starts.length > 0 ? Math.min(...starts) : undefined) : undefined;
    const key = `${site.id}/${service.id}`;
    const record = nextSince(input.since, key, state, now, known);
    since.set(key, record);
    services.push({
      id: service.id,
      label: service.label,
      state,
      word: SERVICE_WORDS[state],
      sinceText: record.since === undefined ? undefined : whenText(record.since, now, zone),
      sinceIso: record.since === undefined ? undefined : isoText(record.since, zone),
      detail: affectedText(site, affected, members.length),
    });
  }
  const overall = services.reduce<ServiceState>((w, s) => (rank(s.state) < rank(w) ? s.state : w), services.length === 0 ? 'unknown' : 'working');
  const incidents = alerts
    .flatMap((a): IncidentRow[] => {
      const what = incidentWhat(site, a);
      if (what === undefined) return [];
      const note = input.notes.get(a.id);
      return [
        {
          what,
          sinceText: whenText(a.since, now, zone),
          sinceIso: isoText(a.since, zone),
          acknowledgedBy: a.ackedBy,
          acknowledgedText: a.ackedAt === undefined ? undefined : whenText(a.ackedAt, now, zone),
          note: note?.text,
          planned: a.maintenance !== undefined,
        },
      ];
    })
    .sort((x, y) => (x.sinceIso < y.sinceIso ? 1 : -1));
  const availability = (input.availability ?? []).flatMap((a) => {
    const label = SERVICES.find((s) => s.id === a.service)?.label;
    return label === undefined ? [] : [{ label, thisMonth: pctText(a.thisMonthPct), lastMonth: pctText(a.lastMonthPct) }];
  });
  return {
    school: site.name,
    updatedText: whenText(now, now, zone),
    updatedIso: isoText(now, zone),
    offline: offline ? { sinceText: input.siteState.since === undefined ? undefined : whenText(input.siteState.since, now, zone) } : undefined,
    hours: calendar.hours,
    services,
    overall,
    incidents,
    maintenance: calendar.maintenance,
    availability,
    reports: input.reports.map((r) => ({ label: `Report for ${monthLabel(r.month)} (PDF)`, href: r.href })),
    since,
  };
}

const rank = (s: ServiceState) => ({ 'not-working': 0, slow: 1, unknown: 2, maintenance: 3, working: 4 })[s];
