import { z } from 'zod';

/** collector.yaml `alerts:` — rule defaults, on-call rota, escalation. Filled in by the alerting work. */
export const alertsConfigSchema = z.strictObject({});

/** sites/<id>.yaml `alerts:` — per-site and per-device overrides of the rule defaults. */
export const siteAlertsSchema = z.strictObject({});
