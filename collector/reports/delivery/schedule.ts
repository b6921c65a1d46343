import { DateTime } from 'luxon';
import { localInstant } from '../../calendar/index.ts';
import type { ReportSchedule } from '../config.ts';

export interface DueReport {
  /** The month reported on, "YYYY-MM". */
  month: string;
  dueAt: number;
}

/**
 * The report due now for a school, if any: the last month's, from its day and time (in the school's zone)
 * until catchUpDays later, so a collector that was down on the day still sends it, and an old month is
 * never sent on a first start.
 */
export function dueReport(zone: string, schedule: ReportSchedule, catchUpDays: number, now: number): DueReport | undefined {
  const here = DateTime.fromMillis(now, { zone }).startOf('month');
  for (const sendMonth of [here, here.minus({ months: 1 })]) {
    const date = sendMonth.set({ day: schedule.day }).toISODate()!;
    const dueAt = localInstant(date, schedule.time, zone);
    if (dueAt <= now && now < dueAt + catchUpDays * 86_400_000) {
      return { month: sendMonth.minus({ months: 1 }).toFormat('yyyy-MM'), dueAt };
    }
  }
  return undefined;
}
