import { z } from 'zod';
import { deviceNameSchema, deviceRoleSchema, isTimeZone } from '../../contract/index.ts';
import { RULE_IDS, type RuleId } from './rules/ids.ts';
import { readThreshold } from './rules/kinds.ts';

/** "90s", "5m", "4h", "1d" (or "0s"): how people write durations in alert rules (as Prometheus does). */
export const durationSchema = z.string().regex(/^\d+(?:ms|s|m|h|d)$/, 'a duration such as "30s", "5m", "4h" or "1d"');
export type Duration = z.infer<typeof durationSchema>;

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** A checked duration as milliseconds. */
export function durationMs(text: Duration): number {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(text);
  if (match === null) throw new Error(`not a duration: "${text}"`);
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

export const ruleIdSchema = z.enum(RULE_IDS);
export const severitySchema = z.enum(['critical', 'warning', 'info']);

/**
 * One rule's settings; every key is optional because each layer (built-in default, role, provider, site,
 * device) overrides only what it names.
 */
export const ruleSettingsSchema = z.strictObject({
  enabled: z.boolean().optional(),
  /** How long the condition must hold before the alert fires (pending time). */
  for: durationSchema.optional(),
  /**
   * The pending time instead when a trap newer than the last poll states the fault (collector/traps/overlay.ts):
   * the device said so itself. Default 0s: at once.
   */
  trapFor: durationSchema.optional(),
  severity: severitySchema.optional(),
  /** always, or only while the school is open (school hours on term days, see the site's calendar). */
  period: z.enum(['always', 'school-hours']).optional(),
  /**
   * The limit of a threshold rule, in the rule's unit (90 or "90%", "250ms", "10min"); checked against the
   * rule's unit and range below. A condition rule (ups-on-battery, interface-down...) has none.
   */
  threshold: z.union([z.number(), z.string()]).optional(),
});
export type RuleSettingsInput = Omit<z.input<typeof ruleSettingsSchema>, 'threshold'> & { threshold?: number };

/**
 * Per rule id, its settings. A threshold is checked against the rule it belongs to, so a silent default
 * can never stand in for a missing or mistaken one: a threshold on a condition rule, in another unit or
 * out of range is an error naming its path (file and path are added by the loader).
 */
const rulesMapSchema = z
  .partialRecord(ruleIdSchema, ruleSettingsSchema)
  .superRefine((rules, ctx) => {
    for (const [rule, settings] of Object.entries(rules)) {
      if (settings?.threshold === undefined) continue;
      const read = readThreshold(rule as RuleId, settings.threshold);
      if (!read.ok) ctx.addIssue({ code: 'custom', path: [rule, 'threshold'], message: read.reason });
    }
  })
  .transform((rules) => {
    const out: Partial<Record<RuleId, RuleSettingsInput>> = {};
    for (const [rule, settings] of Object.entries(rules) as [RuleId, z.output<typeof ruleSettingsSchema>][]) {
      const { threshold, ...rest } = settings;
      const read = threshold === undefined ? undefined : readThreshold(rule, threshold);
      out[rule] = { ...rest, ...(read?.ok ? { threshold: read.value } : {}) };
    }
    return out;
  });
export type RulesOverride = z.infer<typeof rulesMapSchema>;

export const contactSchema = z.strictObject({
  name: z.string().min(1).max(200),
  email: z.email().optional(),
});

/** "mon 08:00": a weekday and a wall-clock time, in the provider's time zone. */
const handOverSchema = z
  .string()
  .regex(/^(mon|tue|wed|thu|fri|sat|sun) (?:[01]\d|2[0-3]):[0-5]\d$/, 'a weekday and time such as "mon 08:00"');

/**
 * A shift of the weekly on-call rota: from this hand-over until the next one, `order` is who is called,
 * first to last (each next one after `escalateAfter` without an acknowledgement).
 */
const shiftSchema = z.strictObject({ from: handOverSchema, order: z.array(z.string().min(1)).min(1) });

const DEFAULTS = {
  timezone: 'Europe/London',
  evaluateEvery: '5s',
  repeatInterval: '4h',
  escalateAfter: '30m',
  heartbeatTimeout: '3m',
  staleAfterIntervals: 3,
  flap: { window: '10m', changes: 3, quiet: '5m' },
} as const;

const flapSchema = z.strictObject({
  /** Changes of one alert's condition counted over this window... */
  window: durationSchema.default(DEFAULTS.flap.window),
  /** ...make it flapping at this many: new incidents of it page no one... */
  changes: z.int().min(2).max(100).default(DEFAULTS.flap.changes),
  /** ...until it has held one state this long. */
  quiet: durationSchema.default(DEFAULTS.flap.quiet),
});

/** collector.yaml `alerts:` — rule defaults, the on-call rota, repeat and escalation. */
export const alertsConfigSchema = z
  .strictObject({
    /** The provider's time zone: rota hand-overs are read in it. */
    timezone: z.string().refine(isTimeZone, 'an IANA time zone such as "Europe/London"').default(DEFAULTS.timezone),
    /** How often the rules are evaluated (and pending times, repeats and escalations checked). */
    evaluateEvery: durationSchema.default(DEFAULTS.evaluateEvery),
    /** A firing alert nobody acknowledged is sent again this often. */
    repeatInterval: durationSchema.default(DEFAULTS.repeatInterval),
    /** Unacknowledged this long after the last contact was told, the next contact in the rota is. */
    escalateAfter: durationSchema.default(DEFAULTS.escalateAfter),
    /** An agent neither heard (status or samples) nor said goodbye for this long: its site is offline. */
    heartbeatTimeout: durationSchema.default(DEFAULTS.heartbeatTimeout),
    /** A device without a sample for this many of its check intervals is in state unknown. */
    staleAfterIntervals: z.int().min(1).max(100).default(DEFAULTS.staleAfterIntervals),
    flap: flapSchema.default(flapSchema.parse({})),
    /** Channel ids from `notify.channels` that alerts go out on; without it, every one of them. */
    channels: z.array(z.string().min(1)).min(1).optional(),
    /** The provider's on-call staff. */
    contacts: z.array(contactSchema).default([]),
    rota: z.array(shiftSchema).default([]),
    /** Provider-wide overrides of the built-in rule defaults... */
    rules: rulesMapSchema.default({}),
    /** ...and per device role. */
    roles: z.partialRecord(deviceRoleSchema, rulesMapSchema).default({}),
  })
  .superRefine((c, ctx) => {
    const names = new Set(c.contacts.map((p) => p.name));
    c.rota.forEach((shift, i) =>
      shift.order.forEach((name, j) => {
        if (!names.has(name)) ctx.addIssue({ code: 'custom', path: ['rota', i, 'order', j], message: `expected the name of one of alerts.contacts, got "${name}"` });
      }),
    );
    const starts = c.rota.map((s) => s.from);
    starts.forEach((from, i) => {
      if (starts.indexOf(from) !== i) ctx.addIssue({ code: 'custom', path: ['rota', i, 'from'], message: `two shifts start at "${from}"` });
    });
  });

/** sites/<id>.yaml `alerts:` — this school's overrides of the rule defaults, per site and per device. */
export const siteAlertsSchema = z.strictObject({
  rules: rulesMapSchema.default({}),
  devices: z.record(deviceNameSchema, rulesMapSchema).default({}),
  /** Interfaces (ifName as in the `interface` tag) whose link going down is an alert, per device. */
  uplinks: z.record(deviceNameSchema, z.array(z.string().min(1)).min(1)).default({}),
});

export type AlertsConfig = z.infer<typeof alertsConfigSchema>;
export type SiteAlerts = z.infer<typeof siteAlertsSchema>;
export type AlertContact = z.infer<typeof contactSchema>;
export type RotaShift = z.infer<typeof shiftSchema>;
