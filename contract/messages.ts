import { z } from 'zod';
import { deviceListSchema, deviceNameSchema } from './device.ts';
import { idSchema } from './ids.ts';
import { WIRE_VERSION } from './version.ts';

const version = z.literal(WIRE_VERSION);
/** Milliseconds since the Unix epoch. Bounded so a garbage number cannot become a point in year 50,000. */
const epochMs = z.int().min(946_684_800_000, 'a time after 2000-01-01').max(4_102_444_800_000, 'a time before 2100-01-01');

const nameLike = /^[a-z][a-z0-9_]{0,62}$/;
export const measurementSchema = z.string().regex(nameLike, 'a measurement name: lower-case letters, digits, "_"');
// `time` is InfluxDB's own column: a tag or field of that name is refused by the server.
const notTime = (k: string) => k !== 'time';
const tagKey = z.string().regex(nameLike, 'a tag key: lower-case letters, digits, "_"').refine(notTime, '"time" is reserved');
const fieldKey = z.string().regex(nameLike, 'a field key: lower-case letters, digits, "_"').refine(notTime, '"time" is reserved');
// Line protocol cannot carry a control character in a tag, nor a trailing backslash (it escapes the separator).
const tagValue = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[^\u0000-\u001f\u007f]*[^\u0000-\u001f\u007f\\]$/, 'a tag value without control characters or a trailing backslash');
// z.number() refuses NaN and ±Infinity itself.
const fieldValue = z.union([z.number(), z.string().max(4096), z.boolean()]);

/** One measurement of one thing at one time. `time` is when it was measured, not when it was sent. */
export const sampleSchema = z.strictObject({
  measurement: measurementSchema,
  tags: z.record(tagKey, tagValue),
  fields: z.record(fieldKey, fieldValue).refine((f) => Object.keys(f).length > 0, 'at least one field'),
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
 * bad name must not cost the whole batch it travels in. Control characters become spaces, trailing
 * backslashes go, the length is capped; empty text becomes `fallback`.
 */
export function toTagValue(text: string, fallback: string): string {
  const cleaned = text
    .replace(/[\u0000-\u001f\u007f]/g, ' ')
    .trim()
    .slice(0, 256)
    .replace(/\\+$/, '')
    .trim();
  return cleaned === '' ? fallback : cleaned;
}
