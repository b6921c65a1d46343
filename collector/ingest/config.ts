import { z } from 'zod';
import { deviceRoleSchema, idSchema } from '../../contract/index.ts';

/**
 * Series each device may bring, by role: an interface per port (a stack of 48-port switches, its VLANs),
 * storage areas, supplies, access points behind a controller. Generous: the budget is there to stop a
 * runaway or hostile agent (25,000 series in seconds), not to meter a real school.
 */
export const SERIES_PER_DEVICE_DEFAULTS = {
  internet: 50,
  firewall: 500,
  'core-switch': 1_000,
  switch: 1_000,
  'access-point': 100,
  'wireless-controller': 5_000,
  server: 500,
  printer: 100,
  ups: 50,
  other: 200,
} as const satisfies Record<z.infer<typeof deviceRoleSchema>, number>;

/** For the agent's own measurements (agent_health, agent_host…) and devices it polls from a local list. */
export const SERIES_BASE_DEFAULT = 2_000;

const count = () => z.int().min(1).max(10_000_000);

/** `ingest:` in collector.yaml: what the collector accepts from agents beyond the wire format (docs/data-integrity.md). */
export const ingestConfigSchema = z.strictObject({
  /** How far in the future a sample's time may lie (agents' clocks run a little fast). */
  maxClockSkewSeconds: z.int().min(0).max(86_400).default(300),
  /**
   * How old a sample may be. Default: the raw retention (retention.rawDays), since InfluxDB refuses older points
   * anyway; it covers the agent spool's 14-day default maximum age.
   */
  maxSampleAgeHours: z.int().min(1).max(24 * 36_500).optional(),
  /** New series each site may create while the collector runs: base + per device of the site's list, by role. */
  seriesBudget: z
    .strictObject({
      base: count().default(SERIES_BASE_DEFAULT),
      perDevice: z.partialRecord(deviceRoleSchema, count()).default({}),
      /** A fixed budget for a site, instead of the computed one. */
      sites: z.record(idSchema, count()).default({}),
    })
    .default({ base: SERIES_BASE_DEFAULT, perDevice: {}, sites: {} }),
  /** How often the accepted/rejected counts go to InfluxDB (`collector_ingest`) and the log. */
  reportIntervalSeconds: z.int().min(5).max(3_600).default(60),
  /** A batch whose newest time (samples, sentAt) is more than this behind the collector's clock is backlog (storage/lane.ts). */
  backlogAgeSeconds: z.int().min(10).max(86_400).default(120),
});

export type IngestConfig = z.infer<typeof ingestConfigSchema>;

/** A site's series budget from its device list. */
export function siteSeriesBudget(config: IngestConfig['seriesBudget'], site: { id: string; devices: readonly { role: z.infer<typeof deviceRoleSchema> }[] }): number {
  const fixed = config.sites[site.id];
  if (fixed !== undefined) return fixed;
  let total = config.base;
  for (const device of site.devices) total += config.perDevice[device.role] ?? SERIES_PER_DEVICE_DEFAULTS[device.role];
  return total;
}
