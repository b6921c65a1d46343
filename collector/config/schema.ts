import { z } from 'zod';
import { deviceListSchema, idSchema, isTimeZone } from '../../contract/index.ts';

const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info');

const RAW_DAYS_DEFAULT = 45;
const ROLLUP_DAYS_DEFAULT = 800;
const days = () => z.int({ error: 'a whole number of days' }).max(36_500, 'at most 36500 (100 years)');

/**
 * How long InfluxDB keeps data. Raw samples feed the monthly report, so they must outlive a full month
 * plus the days it takes to send it; 5-minute rollups feed year-on-year views.
 */
export const retentionSchema = z.strictObject({
  rawDays: days().min(40, 'at least 40 (a full monthly report plus margin)').default(RAW_DAYS_DEFAULT),
  rollupDays: days().min(730, 'at least 730 (two years of rollups, for year-on-year reports)').default(ROLLUP_DAYS_DEFAULT),
});

/** collector.yaml. Relative paths are resolved against the file's own folder. */
export const collectorConfigSchema = z.strictObject({
  broker: z
    .strictObject({
      host: z.string().min(1).default('0.0.0.0'),
      port: z.int().min(0).max(65_535).default(1883),
    })
    .default({ host: '0.0.0.0', port: 1883 }),
  influx: z.strictObject({
    url: z.url({ protocol: /^https?$/ }),
    database: z.string().regex(/^[A-Za-z0-9_-]+$/, 'a database name: letters, digits, "-" or "_"').default('hallmonitor'),
    username: z.string().optional(),
    password: z.string().optional(),
    /** A write goes out when this many points are waiting... */
    batchSize: z.int().min(1).max(100_000).default(5_000),
    /** ...or when the oldest waiting point is this old. */
    flushIntervalMs: z.int().min(10).max(60_000).default(1_000),
    /** Writes sent at once: InfluxDB parses one while the next is on its way. */
    maxWritesInFlight: z.int().min(1).max(8).default(2),
    /** Above this many points waiting, acknowledgements wait: agents slow down and keep the data in their spool. */
    maxPendingPoints: z.int().min(1_000).max(10_000_000).default(200_000),
  }),
  retention: retentionSchema.default({ rawDays: RAW_DAYS_DEFAULT, rollupDays: ROLLUP_DAYS_DEFAULT }),
  sitesDir: z.string().default('sites'),
  agentsFile: z.string().default('agents.yaml'),
  logLevel,
});

export const contactSchema = z.strictObject({
  name: z.string().min(1),
  email: z.email().optional(),
  phone: z.string().optional(),
  /** technical: the school's IT contact; report: gets the monthly report; on-call: provider staff. */
  roles: z.array(z.enum(['technical', 'report', 'on-call'])).default(['technical']),
});

/** sites/<id>.yaml: one school. */
export const siteFileSchema = z.strictObject({
  id: idSchema,
  name: z.string().min(1).max(200),
  timezone: z.string().refine(isTimeZone, 'an IANA time zone such as "Europe/London"').default('Europe/London'),
  contacts: z.array(contactSchema).default([]),
  devices: deviceListSchema.default([]),
});

export type CollectorConfig = z.infer<typeof collectorConfigSchema>;
export type RetentionConfig = z.infer<typeof retentionSchema>;
export type SiteFile = z.infer<typeof siteFileSchema>;
export type Contact = z.infer<typeof contactSchema>;
