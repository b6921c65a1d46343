import { DAILY_PING_MEASUREMENT, ROLLUPS, ROLLUP_POLICY } from '../../collector/storage/retention-cq.ts';
import type { Measurement, Storage } from './influxql.ts';

/**
 * The 5-minute rollups the collector writes per school every hour (collector/rollups/, statements in
 * collector/storage/retention-cq.ts), kept
 * 800 days by default where the raw samples are kept 45. Each rolled-up field is stored once per aggregate
 * as `<aggregate>_<field>`, so the name depends on the function that reads it: `max("rtt_max_ms")` reads
 * `max_rtt_max_ms`, `mean("rtt_avg_ms")` reads `mean_rtt_avg_ms`. A function the rollup has no column for
 * (`last`, `sum`, or `mean` of a field kept only as max) reads the field's one aggregate; where there are
 * several, or the field is not rolled up at all, rendering throws, so `npm run dashboards` cannot emit a
 * long-range panel that would read a column the rollups never write.
 */
export const ROLLUP: Storage = {
  retentionPolicy: ROLLUP_POLICY,
  fieldName(measurement: Measurement, field: string, aggregate?: string): string {
    const rollup = ROLLUPS.find((r) => r.measurement === measurement);
    const aggregates = rollup?.fields[field];
    if (rollup === undefined || aggregates === undefined) {
      throw new Error(`${measurement}.${field} is not rolled up: add it to ROLLUPS in collector/storage/retention-cq.ts or read it raw`);
    }
    const chosen = aggregates.find((a) => a === aggregate) ?? (aggregates.length === 1 ? aggregates[0] : undefined);
    if (chosen === undefined) {
      throw new Error(`${measurement}.${field} is rolled up as ${aggregates.join(', ')}: read it with one of those, not ${aggregate ?? 'bare'}`);
    }
    return `${chosen}_${field}`;
  },
};

/**
 * The daily ping rollup: per school and UTC day, `sum_mean_up` (the day's 5-minute windows' `mean_up`
 * summed) and `windows` (how many). `sum("sum_mean_up") / sum("windows")` over any days is exactly the mean
 * of their 5-minute windows, at a 288th of the rows. Only those two columns exist; anything else throws.
 */
export const DAILY: Storage = {
  retentionPolicy: ROLLUP_POLICY,
  fieldName(measurement: Measurement, field: string, aggregate?: string): string {
    if (measurement === DAILY_PING_MEASUREMENT && aggregate === 'sum') {
      if (field === 'up') return 'sum_mean_up';
      if (field === 'windows') return 'windows';
    }
    throw new Error(`${measurement}.${field} (${aggregate ?? 'bare'}) is not in the daily rollup: it holds sum("sum_mean_up") and sum("windows") of ping_site_1d`);
  },
};
