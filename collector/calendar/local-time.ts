import { DateTime } from 'luxon';
import { WEEKDAYS, type Weekday } from './schema.ts';
import type { Interval } from './interval.ts';

/**
 * Wall-clock arithmetic in a site's time zone. Everything else in the calendar works in epoch
 * milliseconds; only this file knows about zones, so DST is handled in one place (luxon): a day is
 * 23 or 25 hours at the changes, and a wall time that does not exist (01:30 on the spring-forward
 * night in London) moves forward by the gap.
 */

/** The local calendar days that overlap [from, to), as ISO dates, with their weekday. */
export function localDays(from: number, to: number, zone: string): { date: string; weekday: Weekday }[] {
  const days: { date: string; weekday: Weekday }[] = [];
  let day = DateTime.fromMillis(from, { zone }).startOf('day');
  while (day.toMillis() < to) {
    days.push({ date: day.toISODate()!, weekday: WEEKDAYS[day.weekday - 1]! });
    day = day.plus({ days: 1 }).startOf('day');
  }
  return days;
}

/** Epoch ms of a wall-clock time on a local date ("24:00" is the next midnight). */
export function localInstant(date: string, time: string, zone: string): number {
  const day = DateTime.fromISO(date, { zone });
  if (time === '24:00') return day.plus({ days: 1 }).startOf('day').toMillis();
  const [hour, minute] = time.split(':').map(Number) as [number, number];
  return day.set({ hour, minute, second: 0, millisecond: 0 }).toMillis();
}

/** A local date-time "2026-11-24T22:00" as epoch ms. */
export function localDateTime(text: string, zone: string): number {
  return DateTime.fromISO(text, { zone }).toMillis();
}

/**
 * A time range on a local date as an interval; one whose end is at or before its start ends on the next
 * day ("22:00-02:00").
 */
export function rangeOnDay(date: string, range: string, zone: string): Interval {
  const [from, to] = range.split('-') as [string, string];
  const start = localInstant(date, from, zone);
  const endDate = to <= from && to !== '24:00' ? DateTime.fromISO(date).plus({ days: 1 }).toISODate()! : date;
  return { start, end: localInstant(endDate, to, zone) };
}

/** A month "2026-10" in the site's zone: from its first local midnight to the next month's. */
export function monthInterval(month: string, zone: string): Interval {
  const start = DateTime.fromISO(`${month}-01`, { zone });
  if (!start.isValid || !/^\d{4}-\d{2}$/.test(month)) throw new RangeError(`month: expected "YYYY-MM", got "${month}"`);
  return { start: start.toMillis(), end: start.plus({ months: 1 }).toMillis() };
}

/** The previous month's "YYYY-MM". */
export function previousMonth(month: string): string {
  return DateTime.fromISO(`${month}-01`).minus({ months: 1 }).toFormat('yyyy-MM');
}
