import { contains, normalise, type Interval } from './interval.ts';
import { localDateTime, localDays, rangeOnDay } from './local-time.ts';
import type { MaintenanceWindow, SchoolCalendar } from './schema.ts';

/**
 * When a rule or a report cares: always, or only while the school is open (school hours on term days
 * that are not closures).
 */
export type ServicePeriod = 'always' | 'school-hours';

const inRange = (date: string, ranges: readonly { start: string; end: string }[]) => ranges.some((r) => r.start <= date && date <= r.end);

/** A term day that is not a closure. With no terms listed, every day counts (the school gave no dates). */
function isSchoolDay(calendar: SchoolCalendar, date: string): boolean {
  const inTerm = calendar.terms.length === 0 || inRange(date, calendar.terms);
  return inTerm && !inRange(date, calendar.closures);
}

/** The school's open hours that overlap [from, to), clipped to it. */
export function schoolHours(calendar: SchoolCalendar, zone: string, from: number, to: number): Interval[] {
  const open: Interval[] = [];
  // A day earlier, so hours that started yesterday and run past midnight are seen.
  for (const { date, weekday } of localDays(from - 86_400_000, to, zone)) {
    const range = calendar.schoolHours[weekday];
    if (range === undefined || !isSchoolDay(calendar, date)) continue;
    open.push(rangeOnDay(date, range, zone));
  }
  return clip(open, from, to);
}

/** The service period as intervals within [from, to). */
export function serviceIntervals(period: ServicePeriod, calendar: SchoolCalendar, zone: string, from: number, to: number): Interval[] {
  return period === 'always' ? [{ start: from, end: to }] : schoolHours(calendar, zone, from, to);
}

export function isInService(period: ServicePeriod, calendar: SchoolCalendar, zone: string, at: number): boolean {
  return period === 'always' || contains(schoolHours(calendar, zone, at, at + 1), at);
}

/** Whether a window covers this device (a window without a device list covers the whole site). */
export function coversDevice(window: MaintenanceWindow, device: string | undefined): boolean {
  return window.devices === undefined || (device !== undefined && window.devices.includes(device));
}

/** When one window is in force within [from, to). */
export function windowIntervals(window: MaintenanceWindow, zone: string, from: number, to: number): Interval[] {
  if (window.weekly === undefined) return clip([{ start: localDateTime(window.start!, zone), end: localDateTime(window.end!, zone) }], from, to);
  const days = new Set(window.weekly.days);
  const spans = localDays(from - 86_400_000, to, zone)
    .filter((d) => days.has(d.weekday))
    .map((d) => rangeOnDay(d.date, window.weekly!.time, zone));
  return clip(spans, from, to);
}

/** The maintenance covering a device (or, with `device` undefined, the whole site) within [from, to). */
export function maintenanceIntervals(windows: readonly MaintenanceWindow[], zone: string, device: string | undefined, from: number, to: number): Interval[] {
  return normalise(windows.filter((w) => coversDevice(w, device)).flatMap((w) => windowIntervals(w, zone, from, to)));
}

/** The window in force for a device at an instant, if any (its name goes into the record). */
export function maintenanceAt(windows: readonly MaintenanceWindow[], zone: string, device: string | undefined, at: number): MaintenanceWindow | undefined {
  return windows.find((w) => coversDevice(w, device) && contains(windowIntervals(w, zone, at, at + 1), at));
}

function clip(intervals: readonly Interval[], from: number, to: number): Interval[] {
  return normalise(intervals.map((i) => ({ start: Math.max(i.start, from), end: Math.min(i.end, to) })));
}
