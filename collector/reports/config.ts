import { z } from 'zod';
import { deviceRoleSchema } from '../../contract/index.ts';
import { localTimeSchema } from '../calendar/schema.ts';
import { DEFAULT_QUICK_WRITE_MS, DEFAULT_SLOW_WRITE_MS } from './pace/width.ts';

/** How time that is neither plainly up nor plainly down counts: as down, as up, or left out of the sum. */
export const countAsSchema = z.enum(['down', 'up', 'excluded']);
export type CountAs = z.infer<typeof countAsSchema>;

/** When a month's report goes out, in each school's own time zone. */
export const reportScheduleSchema = z.strictObject({
  /** Day of the month; at most 28 so every month has it. */
  day: z.int().min(1).max(28).default(1),
  time: localTimeSchema.default('07:00'),
});
const SCHEDULE_DEFAULT = { day: 1, time: '07:00' };

const RETRY_DEFAULT = { attempts: 5, delayMinutes: 15 };
const PACE_DEFAULT = { enabled: true, slowWriteMs: DEFAULT_SLOW_WRITE_MS, quickWriteMs: DEFAULT_QUICK_WRITE_MS, everySeconds: 5 };

/** collector.yaml `reports:` — when monthly reports go out and who gets the provider's copy. */
export const reportsConfigSchema = z.strictObject({
  /** Mail reports on schedule (needs `smtp:`). The CLI makes reports either way. */
  enabled: z.boolean().default(true),
  schedule: reportScheduleSchema.default(SCHEDULE_DEFAULT),
  /** The provider's copy of every report (Cc), e.g. "reports@provider.example". */
  providerCopy: z.email().optional(),
  /** The provider's name as the report signs it. */
  providerName: z.string().min(1).max(200).default('Your IT support provider'),
  /** A collector that was down on the due day still sends the month's report within this many days. */
  catchUpDays: z.int().min(1).max(27).default(7),
  /** A failed send is tried again after delayMinutes, up to `attempts` tries in all, then reported. */
  retry: z
    .strictObject({ attempts: z.int().min(1).max(50).default(RETRY_DEFAULT.attempts), delayMinutes: z.number().min(0.01).max(1_440).default(RETRY_DEFAULT.delayMinutes) })
    .default(RETRY_DEFAULT),
  /** A printer supply at or below this level gets a note in the report. */
  lowSupplyPct: z.number().min(0).max(100).default(10),
  /** `report --all`: schools made at once, so one school's queries overlap another's rendering (docs/sizing.md, run 7). */
  concurrency: z.int().min(1).max(32).default(4),
  /**
   * `report --all` makes fewer schools at once while InfluxDB's mean write time (its /debug/vars, read every
   * `everySeconds`) is at or above `slowWriteMs`, and more again below `quickWriteMs` (pace/width.ts).
   */
  pace: z
    .strictObject({
      enabled: z.boolean().default(PACE_DEFAULT.enabled),
      slowWriteMs: z.int().min(10).max(60_000).default(PACE_DEFAULT.slowWriteMs),
      quickWriteMs: z.int().min(1).max(60_000).default(PACE_DEFAULT.quickWriteMs),
      everySeconds: z.number().min(0.1).max(300).default(PACE_DEFAULT.everySeconds),
    })
    .refine((p) => p.quickWriteMs < p.slowWriteMs, { message: 'quickWriteMs must be below slowWriteMs' })
    .default(PACE_DEFAULT),
  /** A TrueType font for the PDF (school names in any script); default DejaVu Sans where installed. */
  pdfFont: z.string().min(1).optional(),
});

const SLA_DEFAULT = { internetPct: 99.5, coreServicesPct: 99.9 };

/** sites/<id>.yaml `report:` — the school's SLA target, service period and how unknown time counts. */
export const siteReportSchema = z.strictObject({
  /** false: no monthly report is mailed for this school. */
  enabled: z.boolean().default(true),
  /** Availability targets in percent. */
  sla: z
    .strictObject({
      internetPct: z.number().min(0).max(100).default(SLA_DEFAULT.internetPct),
      coreServicesPct: z.number().min(0).max(100).default(SLA_DEFAULT.coreServicesPct),
    })
    .default(SLA_DEFAULT),
  /** always: 24×7; school-hours: school hours on term days (the site's `calendar:`). */
  servicePeriod: z.enum(['always', 'school-hours']).default('always'),
  /** A device that did not answer while a device it is reached through was down. */
  unreachable: countAsSchema.default('down'),
  /** No data: the agent was offline, or the device was not yet monitored. */
  unknown: countAsSchema.default('excluded'),
  /**
   * No "target met" or "target missed" when less than this share (percent) of the month's counted period
   * was measured: a month in progress, a school first monitored mid-month, an agent offline for days.
   */
  minCoveragePct: z.number().min(0).max(100).default(90),
  /** The roles whose devices make up "core services" (all must be up). */
  coreRoles: z.array(deviceRoleSchema).min(1).default(['firewall', 'core-switch', 'server']),
  /** Overrides collector.yaml's `reports.schedule` for this school. */
  schedule: reportScheduleSchema.optional(),
});

export type ReportsConfig = z.infer<typeof reportsConfigSchema>;
export type SiteReportConfig = z.infer<typeof siteReportSchema>;
export type ReportSchedule = z.infer<typeof reportScheduleSchema>;
/** The accounting rules one report used (printed in its "how we count" box). */
export type CountingPolicy = Pick<SiteReportConfig, 'servicePeriod' | 'unreachable' | 'unknown'>;
