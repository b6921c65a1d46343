import { z } from 'zod';
import { deviceNameSchema } from '../../contract/index.ts';

/** A date as the school writes it, in the site's own time zone: "2026-09-03". */
export const localDateSchema = z.iso.date({ error: 'a date such as "2026-09-03"' });
/** A wall-clock time in the site's time zone: "08:00", "16:30"; "24:00" ends a day. */
export const localTimeSchema = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'a time such as "08:30" (24-hour)');

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export const weekdaySchema = z.enum(WEEKDAYS);
export type Weekday = z.infer<typeof weekdaySchema>;

/** "08:00-16:30": a range of wall-clock time in one day; a range that ends at or before it starts runs past midnight. */
export const timeRangeSchema = z
  .string()
  .regex(/^\d\d:\d\d-\d\d:\d\d$/, 'a time range such as "08:00-16:30"')
  .refine((r) => r.split('-').every((t) => localTimeSchema.safeParse(t).success), 'times between 00:00 and 24:00');

const dateRange = z
  .strictObject({ start: localDateSchema, end: localDateSchema, name: z.string().max(200).optional() })
  .refine((r) => r.start <= r.end, { path: ['end'], message: 'on or after start' });

/**
 * When the school is open. Terms are inclusive date ranges; closures (half-term days, INSET days, bank
 * holidays) are taken out of them. School hours are per weekday; a day without hours is closed.
 */
export const schoolCalendarSchema = z.strictObject({
  schoolHours: z.strictObject(Object.fromEntries(WEEKDAYS.map((d) => [d, timeRangeSchema.optional()])) as Record<Weekday, z.ZodOptional<typeof timeRangeSchema>>).default({ mon: '08:00-16:30', tue: '08:00-16:30', wed: '08:00-16:30', thu: '08:00-16:30', fri: '08:00-16:30' }),
  terms: z.array(dateRange).default([]),
  closures: z.array(dateRange).default([]),
});

/**
 * Planned work during which outages neither page anyone nor count against availability. Either one-off
 * (`start`/`end`, local date-times) or recurring (`weekly`: days and a time range). Without `devices`
 * it covers the whole site.
 */
export const maintenanceWindowSchema = z
  .strictObject({
    name: z.string().min(1).max(200),
    devices: z.array(deviceNameSchema).min(1).optional(),
    start: z.iso.datetime({ local: true, error: 'a local date-time such as "2026-11-24T22:00"' }).optional(),
    end: z.iso.datetime({ local: true, error: 'a local date-time such as "2026-11-25T01:00"' }).optional(),
    weekly: z.strictObject({ days: z.array(weekdaySchema).min(1), time: timeRangeSchema }).optional(),
  })
  .superRefine((w, ctx) => {
    const oneOff = w.start !== undefined || w.end !== undefined;
    if (oneOff && w.weekly !== undefined) ctx.addIssue({ code: 'custom', path: ['weekly'], message: 'either start/end or weekly, not both' });
    else if (!oneOff && w.weekly === undefined) ctx.addIssue({ code: 'custom', path: [], message: 'needs start and end, or weekly' });
    else if (oneOff && (w.start === undefined || w.end === undefined)) ctx.addIssue({ code: 'custom', path: [w.start === undefined ? 'start' : 'end'], message: 'start and end go together' });
    else if (oneOff && w.start! >= w.end!) ctx.addIssue({ code: 'custom', path: ['end'], message: 'after start' });
  });

export type SchoolCalendar = z.infer<typeof schoolCalendarSchema>;
export type MaintenanceWindow = z.infer<typeof maintenanceWindowSchema>;
