import { z } from 'zod';
import { MAX_PAYLOAD_BYTES, deviceListSchema, idSchema, isTimeZone } from '../../contract/index.ts';
import { LOGIN_BACKOFF_DEFAULTS } from '../broker/penalty.ts';
import { alertsConfigSchema, siteAlertsSchema } from '../alerts/config.ts';
import { ingestConfigSchema } from '../ingest/config.ts';
import { DEFAULT_MAX_PENDING_POINTS, DEFAULT_WRITES_IN_FLIGHT } from '../storage/write-schedule.ts';
import { maintenanceWindowSchema, schoolCalendarSchema } from '../calendar/schema.ts';
import { notifyConfigSchema } from '../notify/config.ts';
import { reportsConfigSchema, siteReportSchema } from '../reports/config.ts';
import { siteStatusSchema, webConfigSchema } from '../web/config.ts';

const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info');

/**
 * The collector's hourly rollups (collector/rollups/scheduler.ts): after each hour closes and settles,
 * every school's hour is rolled up by itself, the schools spread evenly over `spreadMinutes`.
 */
export const rollupsSchema = z.strictObject({
  /** Minutes after an hour closes before it is rolled up: polls measured at its end may still be on their way. */
  settleMinutes: z.number().min(0).max(30).default(5),
  /** Minutes over which a round's schools are spread; keep it well inside the hour. */
  spreadMinutes: z.number().min(0).max(50).default(45),
});

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

const BROKER_DEFAULTS = {
  mode: 'embedded' as const,
  host: '0.0.0.0',
  port: 1883,
  plain: true,
  allowPlainMqtt: false,
  loginBackoff: LOGIN_BACKOFF_DEFAULTS,
  revocationCheckMs: 5_000,
  maxMessageBytes: MAX_PAYLOAD_BYTES,
};
const ms = () => z.int({ error: 'a whole number of milliseconds' });

/**
 * External mode: the collector is one MQTT 3.1.1 client of a broker the provider runs (Mosquitto, EMQX, HiveMQ,
 * VerneMQ), in a shared subscription group with the other collectors (see collector/broker/external.ts).
 */
export const externalBrokerSchema = z.strictObject({
  url: z
    .url({ protocol: /^mqtts?$/, error: 'an mqtt:// or mqtts:// URL' })
    // The URL is logged; a secret in it would be too.
    .refine((u) => !URL.canParse(u) || (new URL(u).username === '' && new URL(u).password === ''), 'no user or password in the URL: use username and password'),
  /** Each collector its own user: Mosquitto's use_username_as_clientid makes it the client id too. */
  username: idSchema.default('hallmonitor-collector'),
  password: z.string().min(1),
  /** The persistent session's id: keep it stable, or what the broker queued for this collector is lost. Default: the username. */
  clientId: z.string().regex(/^[A-Za-z0-9_-]{1,23}$/, '1 to 23 letters, digits, "-" or "_" (MQTT 3.1.1 §3.1.3.1)').optional(),
  /** The shared subscription group ($share/<group>/...): collectors in one group split the messages. */
  group: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, "-" or "_"').default('hallmonitor'),
  /** PEM file of the CA that signed the broker's certificate (mqtts://), relative to this file. */
  ca: z.string().min(1).optional(),
  keepaliveSeconds: z.int().min(5).max(3_600).default(30),
});

/** The embedded broker's listeners and its defences (see collector/broker/), or an external broker. */
const brokerSchema = z
  .strictObject({
    /** embedded: the collector is the broker (the keys below); external: it subscribes to `external`. */
    mode: z.enum(['embedded', 'external']).default('embedded'),
    external: externalBrokerSchema.optional(),
    host: z.string().min(1).default(BROKER_DEFAULTS.host),
    /** The plain TCP listener. */
    port: z.int().min(0).max(65_535).default(BROKER_DEFAULTS.port),
    /** false: no plain listener, agents connect over TLS only (needs `tls`). */
    plain: z.boolean().default(true),
    /** A plain listener on a non-loopback host is refused unless this is true (passwords would travel in clear). */
    allowPlainMqtt: z.boolean().default(false),
    /** A TLS listener; PEM files, relative to this file. */
    tls: z
      .strictObject({
        port: z.int().min(0).max(65_535).default(8883),
        cert: z.string().min(1),
        key: z.string().min(1),
        /** Intermediate CA certificates to send with the server certificate, if the chain needs them. */
        ca: z.string().min(1).optional(),
      })
      .optional(),
    /** Failed logins from one address hold that address's next logins back: baseMs, doubling up to maxMs. */
    loginBackoff: z
      .strictObject({
        baseMs: ms().min(0).max(60_000).default(LOGIN_BACKOFF_DEFAULTS.baseMs),
        maxMs: ms().min(0).max(120_000).default(LOGIN_BACKOFF_DEFAULTS.maxMs),
        /** An address without failures for this long starts afresh. */
        quietMs: ms().min(1_000).max(86_400_000).default(LOGIN_BACKOFF_DEFAULTS.quietMs),
      })
      .default(LOGIN_BACKOFF_DEFAULTS),
    /** How often the agents file is checked, so a revoked agent that is connected is disconnected. */
    revocationCheckMs: ms().min(100).max(600_000).default(BROKER_DEFAULTS.revocationCheckMs),
    /** Largest message passed on to the ingest; a bigger one is acknowledged, counted and dropped. Default 4 MiB, the most the wire contract allows. */
    maxMessageBytes: z.int().min(1_024).max(MAX_PAYLOAD_BYTES).default(BROKER_DEFAULTS.maxMessageBytes),
  })
  .refine((b) => b.plain || b.tls !== undefined, { path: ['plain'], message: 'plain: false needs a tls listener' })
  .refine((b) => b.mode !== 'external' || b.external !== undefined, { path: ['external'], message: 'mode: external needs an external section (url, password)' })
  .refine((b) => b.mode === 'external' || b.external === undefined, { path: ['mode'], message: 'an external section is given: set mode: external' });

const WAL_MAX_BYTES_DEFAULT = 1 << 30;

/**
 * The write-ahead log keeps every acknowledged message until InfluxDB stored it. At maxBytes (line protocol
 * not yet in InfluxDB) acknowledgements wait: agents slow down and keep the data in their spool.
 */
export const walSchema = z.strictObject({
  maxBytes: z.int().min(1 << 20, 'at least 1048576 (1 MiB)').max(2 ** 40).default(WAL_MAX_BYTES_DEFAULT),
});

/**
 * The provider's mail server, used for alert emails and monthly reports. The password may come from the
 * environment (`passwordEnv`) so collector.yaml can be shared without it.
 */
export const smtpSchema = z
  .strictObject({
    host: z.string().min(1),
    port: z.int().min(1).max(65_535).default(587),
    /** true: TLS from the first byte (port 465); false: STARTTLS when the server offers it. */
    secure: z.boolean().default(false),
    username: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    passwordEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name').optional(),
    /** The From address, e.g. "Hallmonitor <noc@provider.example>". */
    from: z.string().min(3),
    /** Accept a self-signed certificate (a lab or an internal relay). */
    allowSelfSigned: z.boolean().default(false),
  })
  .refine((s) => s.password === undefined || s.passwordEnv === undefined, { path: ['passwordEnv'], message: 'either password or passwordEnv, not both' });

/** collector.yaml. Relative paths are resolved against the file's own folder. */
export const collectorConfigSchema = z.strictObject({
  broker: brokerSchema.default(BROKER_DEFAULTS),
  influx: z.strictObject({
    url: z.url({ protocol: /^https?$/ }),
    database: z.string().regex(/^[A-Za-z0-9_-]+$/, 'a database name: letters, digits, "-" or "_"').default('hallmonitor'),
    username: z.string().optional(),
    password: z.string().optional(),
    /** A write goes out when this many points are waiting... */
    batchSize: z.int().min(1).max(100_000).default(5_000),
    /** ...or when the oldest waiting point is this old. */
    flushIntervalMs: z.int().min(10).max(60_000).default(1_000),
    /** Writes sent at once: InfluxDB parses one while the next is on its way (3 since run 15: storage/influx-writer.ts). */
    maxWritesInFlight: z.int().min(1).max(8).default(DEFAULT_WRITES_IN_FLIGHT),
    /** Above this many points waiting, acknowledgements wait: agents slow down and keep the data in their spool (50,000 since run 15: storage/influx-writer.ts). */
    maxPendingPoints: z.int().min(1_000).max(10_000_000).default(DEFAULT_MAX_PENDING_POINTS),
    /** The live lane's own bound (storage/lane.ts); default min(maxPendingPoints, 50,000). */
    maxLivePendingPoints: z.int().min(1_000).max(10_000_000).optional(),
  }),
  retention: retentionSchema.default({ rawDays: RAW_DAYS_DEFAULT, rollupDays: ROLLUP_DAYS_DEFAULT }),
  rollups: rollupsSchema.default({ settleMinutes: 5, spreadMinutes: 45 }),
  sitesDir: z.string().default('sites'),
  agentsFile: z.string().default('agents.yaml'),
  /** The collector's own state: its write-ahead log (`wal.db`). */
  dataDir: z.string().default('data'),
  wal: walSchema.default({ maxBytes: WAL_MAX_BYTES_DEFAULT }),
  /** What the collector accepts from agents: sample times, series per site, counters (docs/data-integrity.md). */
  ingest: ingestConfigSchema.default(ingestConfigSchema.parse({})),
  /** Outgoing mail for alerts and reports; without it neither is emailed. */
  smtp: smtpSchema.optional(),
  alerts: alertsConfigSchema.default(alertsConfigSchema.parse({})),
  notify: notifyConfigSchema.default(notifyConfigSchema.parse({})),
  reports: reportsConfigSchema.default(reportsConfigSchema.parse({})),
  /** School status pages and the provider's overview (collector/web/); off without it. */
  web: webConfigSchema.optional(),
  logLevel,
}).superRefine((c, ctx) => {
  const ids = new Set(c.notify.channels.map((ch) => ch.id));
  c.alerts.channels?.forEach((id, i) => {
    if (!ids.has(id)) ctx.addIssue({ code: 'custom', path: ['alerts', 'channels', i], message: `expected the id of one of notify.channels, got "${id}"` });
  });
});

export const contactSchema = z.strictObject({
  name: z.string().min(1),
  email: z.email().optional(),
  phone: z.string().optional(),
  /** technical: the school's IT contact; report: gets the monthly report; on-call: provider staff. */
  roles: z.array(z.enum(['technical', 'report', 'on-call'])).default(['technical']),
});

/** sites/<id>.yaml: one school. */
export const siteFileSchema = z
  .strictObject({
    id: idSchema,
    name: z.string().min(1).max(200),
    timezone: z.string().refine(isTimeZone, 'an IANA time zone such as "Europe/London"').default('Europe/London'),
    contacts: z.array(contactSchema).default([]),
    devices: deviceListSchema.default([]),
    /** Term dates, closures and school hours, in the site's time zone (see collector/calendar/). */
    calendar: schoolCalendarSchema.default(schoolCalendarSchema.parse({})),
    /** Planned work: no pages, and not counted against availability. */
    maintenance: z.array(maintenanceWindowSchema).default([]),
    /** Overrides of the alert rules' defaults for this school and its devices. */
    alerts: siteAlertsSchema.default(siteAlertsSchema.parse({})),
    /** The school's monthly report: SLA target, service period, how unknown time counts. */
    report: siteReportSchema.default(siteReportSchema.parse({})),
    /** What the school's status page shows (collector/web/): private device names, the phone system. */
    status: siteStatusSchema.default(siteStatusSchema.parse({})),
  })
  .superRefine((site, ctx) => {
    const names = new Set(site.devices.map((d) => d.name));
    site.maintenance.forEach((w, i) =>
      w.devices?.forEach((d, j) => {
        if (!names.has(d)) ctx.addIssue({ code: 'custom', path: ['maintenance', i, 'devices', j], message: `expected the name of a device in this site, got "${d}"` });
      }),
    );
    for (const part of ['private', 'phones'] as const) {
      site.status[part].forEach((d, i) => {
        if (!names.has(d)) ctx.addIssue({ code: 'custom', path: ['status', part, i], message: `expected the name of a device in this site, got "${d}"` });
      });
    }
    for (const part of ['devices', 'uplinks'] as const) {
      for (const d of Object.keys(site.alerts[part])) {
        if (!names.has(d)) ctx.addIssue({ code: 'custom', path: ['alerts', part, d], message: `expected the name of a device in this site, got "${d}"` });
      }
    }
  });

export type CollectorConfig = z.infer<typeof collectorConfigSchema>;
export type ExternalBrokerConfig = z.infer<typeof externalBrokerSchema>;
export type RetentionConfig = z.infer<typeof retentionSchema>;
export type SiteFile = z.infer<typeof siteFileSchema>;
export type Contact = z.infer<typeof contactSchema>;
export type SmtpConfig = z.infer<typeof smtpSchema>;
