import { z } from 'zod';
import { deviceNameSchema } from '../../contract/index.ts';

/**
 * collector.yaml `web:` — the school status pages and the provider's overview, served by the collector.
 * Off unless given. Links and logins live in `<dataDir>/web.db` (see store.ts), made with the CLI.
 */
export const webConfigSchema = z.strictObject({
  /** Listen address; put a TLS proxy in front when it is not loopback. */
  host: z.string().min(1).default('127.0.0.1'),
  /** 0: any free port (tests). */
  port: z.int().min(0).max(65_535).default(8080),
  /** How schools and staff reach it, e.g. "https://status.provider.example": status links are made from it. */
  publicUrl: z
    .url({ protocol: /^https?$/, error: 'an http:// or https:// URL' })
    .refine((u) => !URL.canParse(u) || (new URL(u).search === '' && new URL(u).hash === ''), 'no query or fragment')
    .default('http://127.0.0.1:8080'),
  /** Pages ask for fresh content this often (seconds). A change shows within the agent's poll interval plus this. */
  refreshSeconds: z.int().min(1).max(600).default(15),
  /** Grafana's base URL: the technician page links each school's dashboard (uid hm-school). */
  grafanaUrl: z.url({ protocol: /^https?$/, error: 'an http:// or https:// URL' }).optional(),
  /** Staff sessions end after this many hours. */
  sessionHours: z.number().min(0.1).max(720).default(12),
  /** How often this month's availability is read again from InfluxDB (minutes). */
  availabilityMinutes: z.number().min(0.05).max(1_440).default(5),
});
export type WebConfig = z.infer<typeof webConfigSchema>;

/**
 * sites/<id>.yaml `status:` — what the school's page shows. Device names listed in `private` never appear on
 * it (the device is "a device"); `phones` lists the devices that make the school's phone system.
 */
export const siteStatusSchema = z.strictObject({
  private: z.array(deviceNameSchema).default([]),
  phones: z.array(deviceNameSchema).default([]),
});
export type SiteStatusConfig = z.infer<typeof siteStatusSchema>;
