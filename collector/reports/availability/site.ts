import { intersect, normalise, rangeOnDay, localDays, totalMs, type Interval } from '../../calendar/index.ts';
import type { CountAs, CountingPolicy } from '../config.ts';
import { observedTimeline, type CheckResult } from './observed.ts';
import { combine, fromIntervals, runs, stateAt, tally, type State, type Tally, type Timeline } from './timeline.ts';

export interface DeviceInput {
  name: string;
  role: string;
  parent?: string | undefined;
  intervalMs: number;
  results: readonly CheckResult[];
  /** Its results as a timeline over the input's range, when the source made it already (observed.ts timelineFromRollups); then `results` is not read. */
  observed?: Timeline | undefined;
  /** Maintenance windows covering this device (its own and the site's). */
  maintenance: readonly Interval[];
  /**
   * Its first check result ever (from the data, not the config): before it the device is "unmonitored".
   * Absent: monitored all along. Infinity: never monitored.
   */
  monitoredFrom?: number | undefined;
}

export interface SiteInput {
  /** The month being reported, in the school's zone. */
  month: Interval;
  /**
   * When the report is made. A month still in progress is reported up to here ("month to date"); the rest
   * of it is neither up, down nor unknown, only not yet measured. Absent: the month is over.
   */
  asOf?: number | undefined;
  /** The data around it: a little before, so an outage already running at midnight is seen whole. */
  range: Interval;
  zone: string;
  devices: readonly DeviceInput[];
  /** The service period within `range` (all of it for 24×7). */
  service: readonly Interval[];
  /** When the school's agent reported itself offline (agent_status). */
  agentOffline: readonly Interval[];
  policy: CountingPolicy;
  coreRoles: readonly string[];
}

export type OutageCause = 'device down' | 'parent' | 'site offline';

export interface Outage {
  device: string | undefined;
  start: number;
  end: number;
  /** The part inside the month. */
  durationMs: number;
  /** The part that counts against availability (in service, outside maintenance, per the policy). */
  countedMs: number;
  cause: OutageCause;
  /** For cause "parent": the device that was down. */
  parent?: string | undefined;
  /** Any part inside a maintenance window. */
  inMaintenance: boolean;
  startedBeforeMonth: boolean;
  /** Still going when the month ended. */
  endedAfterMonth: boolean;
}

export interface DeviceAvailability {
  name: string;
  role: string;
  tally: Tally;
  /** Percent, or null when no time counted. */
  availabilityPct: number | null;
  coverage: Coverage;
  /** Time counted as down. */
  downtimeMs: number;
  outages: Outage[];
  /** Of the outages that counted. */
  longestOutageMs: number;
  /** Mean time to repair: mean length (within the month) of the outages that counted. */
  mttrMs: number | null;
  timeline: Timeline;
}

/**
 * How much of the month's counted period (in service, outside maintenance) was measured: checks said up,
 * down or unreachable. The rest is unknown (no data), unmonitored (before monitoring started) or not yet
 * (the part of a month in progress still to come).
 */
export interface Coverage {
  measuredMs: number;
  unknownMs: number;
  unmonitoredMs: number;
  notYetMs: number;
  /** measured ÷ (measured + unknown + unmonitored + not yet), in percent; null when the month has no counted period. */
  pct: number | null;
}

export interface GroupAvailability {
  devices: string[];
  tally: Tally;
  availabilityPct: number | null;
  coverage: Coverage;
  timeline: Timeline;
}

export interface DailyAvailability {
  date: string;
  internetPct: number | null;
  coreServicesPct: number | null;
  /** The day had not begun when the report was made. */
  future: boolean;
  /** The report was made during this day: its figures cover the part up to then. */
  partial: boolean;
}

export interface SiteAvailability {
  /** The part of the month reported: all of it, or up to `asOf` for a month in progress. */
  period: Interval;
  /** The month is over (period = month). */
  complete: boolean;
  /** When monitoring of the site began (its first check result of any device), when that was inside the month. */
  monitoringStartedInMonth: number | undefined;
  devices: DeviceAvailability[];
  internet: GroupAvailability;
  coreServices: GroupAvailability;
  siteOffline: Outage[];
  daily: DailyAvailability[];
}

const bad = (s: State) => s === 'down' || s === 'unreachable';

/** The time that counts as up and as down under the policy. */
export function countedTimes(t: Tally, policy: Pick<CountingPolicy, 'unreachable' | 'unknown'>): { up: number; down: number } {
  let up = t.up;
  let down = t.down;
  const add = (how: CountAs, ms: number) => {
    if (how === 'up') up += ms;
    else if (how === 'down') down += ms;
  };
  add(policy.unreachable, t.unreachable);
  add(policy.unknown, t.unknown);
  return { up, down };
}

/** Coverage of `period` by a counted timeline, with the time from the period's end to the month's end as "not yet". */
export function coverageOf(counted: Timeline, period: Interval, month: Interval): Coverage {
  const t = tally(counted, period);
  const rest = tally(counted, { start: period.end, end: month.end });
  const measuredMs = t.up + t.down + t.unreachable;
  const notYetMs = rest.up + rest.down + rest.unreachable + rest.unknown + rest.unmonitored;
  const all = measuredMs + t.unknown + t.unmonitored + notYetMs;
  return { measuredMs, unknownMs: t.unknown, unmonitoredMs: t.unmonitored, notYetMs, pct: all === 0 ? null : (100 * measuredMs) / all };
}

/** Availability = up / (up + down) in percent after the policy; null when nothing counted. */
export function availabilityPct(t: Tally, policy: Pick<CountingPolicy, 'unreachable' | 'unknown'>): number | null {
  const { up, down } = countedTimes(t, policy);
  return up + down === 0 ? null : (100 * up) / (up + down);
}

/**
 * Each device's timeline, parents first: down while a device it is reached through is down (or itself
 * unreachable) is unreachable; unreachable while that device is in maintenance is maintenance too (the
 * planned work took it off); then its own maintenance, then time outside the service period.
 */
function deviceTimelines(input: SiteInput): Map<string, { reach: Timeline; counted: Timeline }> {
  const { range } = input;
  const byName = new Map(input.devices.map((d) => [d.name, d]));
  const done = new Map<string, { reach: Timeline; counted: Timeline }>();
  const serviceTl = fromIntervals(range.start, range.end, input.service, 'up', 'outside');
  const build = (d: DeviceInput): { reach: Timeline; counted: Timeline } => {
    const ready = done.get(d.name);
    if (ready !== undefined) return ready;
    const seen = d.observed ?? observedTimeline(d.results, d.intervalMs, range.start, range.end);
    const observed =
      d.monitoredFrom === undefined
        ? seen
        : combine([seen, fromIntervals(range.start, range.end, [{ start: range.start, end: d.monitoredFrom }], 'unmonitored', 'up')], ([own, before]) =>
            before === 'unmonitored' ? 'unmonitored' : own!,
          );
    const parentInput = d.parent === undefined ? undefined : byName.get(d.parent);
    const parent = parentInput === undefined ? undefined : build(parentInput);
    const reach = parent === undefined ? observed : combine([observed, parent.reach], ([own, up]) => (own === 'down' && bad(up!) ? 'unreachable' : own!));
    const own = fromIntervals(range.start, range.end, d.maintenance, 'maintenance', 'up');
    const parts = parent === undefined ? [reach, own, serviceTl] : [reach, own, serviceTl, parent.counted];
    const counted = combine(parts, ([state, maintenance, service, parentState]) => {
      if (service === 'outside') return 'outside';
      if (state === 'unmonitored') return 'unmonitored';
      if (maintenance === 'maintenance') return 'maintenance';
      if (state === 'unreachable' && parentState === 'maintenance') return 'maintenance';
      return state!;
    });
    const result = { reach, counted };
    done.set(d.name, result);
    return result;
  };
  for (const d of input.devices) build(d);
  return done;
}

function clipMs(i: Interval, to: Interval): number {
  return Math.max(0, Math.min(i.end, to.end) - Math.max(i.start, to.start));
}

function countedMsIn(counted: Timeline, span: Interval, policy: CountingPolicy): number {
  const inSpan = tally(counted, span);
  return countedTimes({ ...inSpan, up: 0 }, policy).down;
}

/** The device down at the start of a child's outage, walking up the parent chain. */
function rootCause(name: string, at: number, input: SiteInput, timelines: Map<string, { reach: Timeline }>): string | undefined {
  const byName = new Map(input.devices.map((d) => [d.name, d]));
  let parent = byName.get(name)?.parent;
  while (parent !== undefined) {
    if (stateAt(timelines.get(parent)!.reach, at) === 'down') return parent;
    parent = byName.get(parent)?.parent;
  }
  return byName.get(name)?.parent;
}

function deviceOutages(d: DeviceInput, input: SiteInput, timelines: Map<string, { reach: Timeline; counted: Timeline }>): Outage[] {
  const { reach, counted } = timelines.get(d.name)!;
  const month = periodOf(input);
  return runs(reach, bad)
    .filter((span) => clipMs(span, month) > 0)
    .map((span) => {
      const inMonth = { start: Math.max(span.start, month.start), end: Math.min(span.end, month.end) };
      const t = tally(reach, span);
      const byParent = t.unreachable >= t.down;
      return {
        device: d.name,
        start: span.start,
        end: span.end,
        durationMs: inMonth.end - inMonth.start,
        countedMs: countedMsIn(counted, inMonth, input.policy),
        cause: byParent ? 'parent' : 'device down',
        parent: byParent ? rootCause(d.name, span.start, input, timelines) : undefined,
        inMaintenance: tally(counted, inMonth).maintenance > 0,
        startedBeforeMonth: span.start < month.start,
        endedAfterMonth: span.end >= month.end,
      } satisfies Outage;
    });
}

/** Several devices as one service: the internet is up while any link is up, core services while all are. */
function groupTimeline(members: readonly Timeline[], range: Interval, mode: 'any' | 'all'): Timeline {
  // No device of the kind at this site: nothing was monitored (not "unknown", which a policy may count as down).
  if (members.length === 0) return [{ start: range.start, end: range.end, state: 'unmonitored' }];
  return combine(members, (states) => {
    if (states.includes('outside')) return 'outside';
    // A device not monitored yet neither helps nor hurts the group; the group is unmonitored only when all are.
    const order: State[] = mode === 'any' ? ['up', 'maintenance', 'down', 'unreachable', 'unknown', 'unmonitored'] : ['down', 'unreachable', 'maintenance', 'unknown', 'up', 'unmonitored'];
    return order.find((s) => states.includes(s)) ?? 'unknown';
  });
}

function group(devices: readonly DeviceAvailability[], input: SiteInput, mode: 'any' | 'all'): GroupAvailability {
  const timeline = groupTimeline(
    devices.map((d) => d.timeline),
    input.range,
    mode,
  );
  const period = periodOf(input);
  const t = tally(timeline, period);
  return { devices: devices.map((d) => d.name), tally: t, availabilityPct: availabilityPct(t, input.policy), coverage: coverageOf(timeline, period, input.month), timeline };
}

/** Periods without data from any device while the agent said it was offline. */
function siteOffline(input: SiteInput, reach: readonly Timeline[]): Outage[] {
  if (reach.length === 0) return [];
  const noData = runs(
    combine(reach, (states) => (states.every((s) => s === 'unknown') ? 'unknown' : 'up')),
    (s) => s === 'unknown',
  );
  const month = periodOf(input);
  return intersect(noData, normalise(input.agentOffline))
    .filter((span) => clipMs(span, month) > 0)
    .map((span) => {
      const inMonth = { start: Math.max(span.start, month.start), end: Math.min(span.end, month.end) };
      const service = totalMs(intersect([inMonth], input.service));
      return {
        device: undefined,
        start: span.start,
        end: span.end,
        durationMs: inMonth.end - inMonth.start,
        countedMs: input.policy.unknown === 'down' ? service : 0,
        cause: 'site offline',
        inMaintenance: false,
        startedBeforeMonth: span.start < month.start,
        endedAfterMonth: span.end >= month.end,
      } satisfies Outage;
    });
}

/** The part of the month reported: up to `asOf` while the month is in progress. */
export function periodOf(input: Pick<SiteInput, 'month' | 'asOf'>): Interval {
  const { month, asOf } = input;
  return asOf === undefined || asOf >= month.end ? month : { start: month.start, end: Math.max(month.start, asOf) };
}

/** Everything the report says about availability, for one school and month. Pure. */
export function siteAvailability(input: SiteInput): SiteAvailability {
  const timelines = deviceTimelines(input);
  const period = periodOf(input);
  const devices: DeviceAvailability[] = input.devices.map((d) => {
    const { counted } = timelines.get(d.name)!;
    const t = tally(counted, period);
    const outages = deviceOutages(d, input, timelines);
    const counting = outages.filter((o) => o.countedMs > 0);
    return {
      name: d.name,
      role: d.role,
      tally: t,
      availabilityPct: availabilityPct(t, input.policy),
      coverage: coverageOf(counted, period, input.month),
      downtimeMs: countedTimes(t, input.policy).down,
      outages,
      longestOutageMs: Math.max(0, ...counting.map((o) => o.durationMs)),
      mttrMs: counting.length === 0 ? null : counting.reduce((s, o) => s + o.durationMs, 0) / counting.length,
      timeline: counted,
    };
  });
  const internet = group(devices.filter((d) => d.role === 'internet'), input, 'any');
  const coreServices = group(devices.filter((d) => input.coreRoles.includes(d.role)), input, 'all');
  const daily = localDays(input.month.start, input.month.end, input.zone).map(({ date }) => {
    const whole = rangeOnDay(date, '00:00-24:00', input.zone);
    const day = { start: whole.start, end: Math.min(whole.end, period.end) };
    const future = whole.start >= period.end;
    return {
      date,
      internetPct: future ? null : availabilityPct(tally(internet.timeline, day), input.policy),
      coreServicesPct: future ? null : availabilityPct(tally(coreServices.timeline, day), input.policy),
      future,
      partial: !future && day.end < whole.end,
    };
  });
  const started = Math.min(...input.devices.map((d) => d.monitoredFrom ?? Number.NEGATIVE_INFINITY));
  return {
    period,
    complete: period.end >= input.month.end,
    monitoringStartedInMonth: started > input.month.start && started < period.end ? started : undefined,
    devices,
    internet,
    coreServices,
    siteOffline: siteOffline(input, [...timelines.values()].map((t) => t.reach)),
    daily,
  };
}
