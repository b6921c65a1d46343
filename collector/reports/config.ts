import { z } from 'zod';

/** collector.yaml `reports:` — when monthly reports go out and who gets the provider's copy. */
export const reportsConfigSchema = z.strictObject({});

/** sites/<id>.yaml `report:` — the school's SLA target, service period and how unknown time counts. */
export const siteReportSchema = z.strictObject({});
