import { z } from 'zod';
import { deviceListSchema, deviceNameSchema } from './device.ts';
import { idSchema } from './ids.ts';
import { WIRE_VERSION } from './version.ts';

const version = z.literal(WIRE_VERSION);
/** Milliseconds since the Unix epoch. Bounded so a garbage number cannot become a point in year 50,000. */
const epochMs = z.int().min(946_684_800_000, 'a time after 2000-01-01').max(4_102_444_800_000, 'a time before 2100-01-01');

const nameLike = /^[a-z][a-z0-9_]{0,62}$/;
/**
 * Names that are keys of every JavaScript object: a table looked up by them would find Object.prototype's
 * members, and JSON.parse makes `__proto__` an own key that zod's records skip (see decode.ts).
 */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
const notForbidden = (k: string) => !FORBIDDEN_KEYS.has(k);
export const measurementSchema = z
  .string()
  .regex(nameLike, 'a measurement name: lower-case letters, digits, "_"')
  .refine(notForbidden, '"__proto__", "constructor" and "prototype" are reserved');
// `time` is InfluxDB's own column: a tag or field of that name is refused by the server.
const notTime = (k: string) => k !== 'time';
const tagKey = z
  .string()
  .regex(nameLike, 'a tag key: lower-case letters, digits, "_"')
  .refine(notTime, '"time" is reserved')
  .refine(notForbidden, '"__proto__", "constructor" and "prototype" are reserved');
const fieldKey = z
  .string()
  .regex(nameLike, 'a field key: lower-case letters, digits, "_"')
  .refine(notTime, '"time" is reserved')
  .refine(notForbidden, '"__proto__", "constructor" and "prototype" are reserved');
/**
 * What InfluxDB 1.x line protocol can carry in a tag value and give back unchanged (docs/data-integrity.md):
 * no control characters (a newline ends the line and cannot be escaped); no backslash before ",", "=", " "
 * or at the end (influxd's scanner takes "\" as escaping whatever byte follows, while its unescaper only
 * undoes "\,", "\=" and "\ ", so such a backslash either shifts the line's structure or is lost); well-formed
 * UTF-16 (a lone surrogate cannot be encoded as UTF-8, so it would be stored as U+FFFD). No `u` flag: the
 * pattern walks UTF-16 code units and lets a surrogate through only as a pair.
 */
export const TAG_VALUE_PATTERN = /^(?:[^\u0000-\u001f\u007f\\\ud800-\udfff]|\\(?![,= ]|$)|[\ud800-\udbff][\udc00-\udfff])+$/;
export const MAX_TAG_VALUE_LENGTH = 256;
const tagValue = z
  .string()
  .min(1)
  .max(MAX_TAG_VALUE_LENGTH)
  .regex(TAG_VALUE_PATTERN, 'a tag value without control characters or a trailing backslash (nor a backslash before ",", "=", " ", nor a lone surrogate)');
/** Any text, as long as it is well-formed UTF-16 (a lone surrogate would be stored as U+FFFD, not as sent). */
export const WELL_FORMED_PATTERN = /^(?:[^\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])*$/;
export const MAX_STRING_FIELD_LENGTH = 4096;
// z.number() refuses NaN and ±Infinity itself.
const fieldValue = z.union([z.number(), z.string().max(MAX_STRING_FIELD_LENGTH).regex(WELL_FORMED_PATTERN, 'text without lone surrogates'), z.boolean()]);
/** Bounds on one sample's size: its series key (measurement and tags) must stay well under InfluxDB's 64 KB. */
export const MAX_TAGS_PER_SAMPLE = 32;
export const MAX_FIELDS_PER_SAMPLE = 256;

/** One measurement of one thing at one time. `time` is when it was measured, not when it was sent. */
export const sampleSchema = z.strictObject({
  measurement: measurementSchema,
  tags: z.record(tagKey, tagValue).refine((t) => Object.keys(t).length <= MAX_TAGS_PER_SAMPLE, `at most ${MAX_TAGS_PER_SAMPLE} tags`),
  fields: z
    .record(fieldKey, fieldValue)
    .refine((f) => Object.keys(f).length > 0, 'at least one field')
    .refine((f) => Object.keys(f).length <= MAX_FIELDS_PER_SAMPLE, `at most ${MAX_FIELDS_PER_SAMPLE} fields`),
  time: epochMs,
});

/** Upper bound on samples per message; the agent splits larger batches. */
export const MAX_SAMPLES_PER_BATCH = 5_000;

/**
 * A batch of samples from one agent. `seq` grows by one per batch, per agent, across restarts. `sentAt` is
 * set once, when the batch is made: a replay carries the original, which lets the collector tell a replay
 * from an agent that lost its sequence.
 */
export const samplesBatchSchema = z.strictObject({
  v: version,
  agent: idSchema,
  site: idSchema,
  seq: z.int().min(0),
  sentAt: epochMs,
  samples: z.array(sampleSchema).min(1).max(MAX_SAMPLES_PER_BATCH),
});

/** Retained per agent; the MQTT will publishes the offline form when the connection dies. */
export const agentStatusSchema = z.strictObject({
  v: version,
  agent: idSchema,
  site: idSchema,
  state: z.enum(['online', 'offline']),
  version: z.string().max(64),
  startedAt: epochMs,
  /** When this status was written (for a will: when the connection it guards was opened). */
  at: epochMs,
  uptimeSeconds: z.number().min(0),
  /** Which site config the agent is polling with, if any. */
  configRevision: z.string().max(128).optional(),
  /** The agent's disk spool: what waits to be sent, and what its bounds have dropped since it was created. */
  spool: z
    .strictObject({
      batches: z.int().min(0),
      samples: z.int().min(0),
      bytes: z.int().min(0),
      /** When the oldest waiting batch was made. */
      oldestAt: epochMs.optional(),
      droppedBatches: z.int().min(0),
      droppedSamples: z.int().min(0),
    })
    .optional(),
});

/**
 * On `.../events`, at once when a check finds a device's reachability changed (down, or back up), so alerts
 * need not wait for the next batch. Not spooled: the samples batch that follows carries the same result.
 */
export const deviceEventSchema = z.strictObject({
  v: version,
  agent: idSchema,
  site: idSchema,
  device: deviceNameSchema,
  check: z.enum(['ping', 'snmp']),
  state: z.enum(['up', 'down']),
  /** When the check measured it. */
  at: epochMs,
});

/** Retained, from the collector: what the site's agent should poll. */
export const siteConfigMessageSchema = z.strictObject({
  v: version,
  site: idSchema,
  name: z.string().min(1).max(200),
  timezone: z.string().min(1).max(64),
  /** Content hash: lets the agent tell a real change from a re-publish. */
  revision: z.string().min(1).max(128),
  publishedAt: epochMs,
  devices: deviceListSchema,
});

export type Sample = z.infer<typeof sampleSchema>;
export type SamplesBatch = z.infer<typeof samplesBatchSchema>;
export type AgentStatus = z.infer<typeof agentStatusSchema>;
export type SiteConfigMessage = z.infer<typeof siteConfigMessageSchema>;
export type DeviceEvent = z.infer<typeof deviceEventSchema>;
export type FieldValue = z.infer<typeof fieldValue>;

/**
 * Makes text from a device (ifDescr, ifAlias, ...) into a valid tag value: devices answer garbage, and one
 * bad name must not cost the whole batch it travels in. Lone surrogates become U+FFFD, control characters
 * become spaces, a backslash that line protocol cannot carry (see TAG_VALUE_PATTERN) becomes "/" before ",", "="
 * or " " and goes at the end, the length is capped; empty text becomes `fallback`.
 */
export function toTagValue(text: string, fallback: string): string {
  const cleaned = toFieldText(text)
    .replace(/[\u0000-\u001f\u007f]/g, ' ')
    .trim()
    .slice(0, MAX_TAG_VALUE_LENGTH)
    .replace(/[\ud800-\udbff]$/, '')
    .replace(/\\(?=[,= ])/g, '/')
    .replace(/[\s\\]+$/, '')
    .trim();
  return cleaned === '' ? fallback : cleaned;
}

/** Makes device text into a valid string field: lone surrogates become U+FFFD, the length is capped. */
export function toFieldText(text: string): string {
  const whole = WELL_FORMED_PATTERN.test(text) ? text : text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
  if (whole.length <= MAX_STRING_FIELD_LENGTH) return whole;
  // Not through the middle of a surrogate pair.
  const cut = whole.slice(0, MAX_STRING_FIELD_LENGTH);
  return /[\ud800-\udbff]$/.test(cut) ? cut.slice(0, -1) : cut;
}
