import { DAILY_INTERNET_MAXIMA, DAILY_INTERNET_MEANS, DAILY_INTERNET_MEASUREMENT, DAILY_PING_MEASUREMENT, ROLLUPS, ROLLUP_POLICY } from '../../collector/storage/retention-cq.ts';
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
 * The daily rollups (collector/storage/retention-cq.ts), read only through sums and maxima:
 * - `ping_site_1d`, per school and UTC day: `sum("up")` reads `sum_mean_up` (the day's 5-minute windows'
 *   `mean_up` summed) and `sum("windows")` their count. `sum("sum_mean_up") / sum("windows")` over any days
 *   is exactly the mean of their 5-minute windows, at a 288th of the rows.
 * - `ping_internet_1d`, per internet link and UTC day: `sum("loss_pct")` reads `sum_mean_loss_pct` and
 *   `sum("windows_loss_pct")` its count (likewise `rtt_avg_ms`, `jitter_ms`); `max("loss_pct")` and
 *   `max("rtt_max_ms")` the day's maxima.
 * Anything else throws, so a panel cannot read a column these rollups never write.
 */
export const DAILY: Storage = {
  retentionPolicy: ROLLUP_POLICY,
  fieldName(measurement: Measurement, field: string, aggregate?: string): string {
    if (measurement === DAILY_PING_MEASUREMENT && aggregate === 'sum') {
      if (field === 'up') return 'sum_mean_up';
      if (field === 'windows') return 'windows';
    }
    if (measurement === DAILY_INTERNET_MEASUREMENT) {
      const means: readonly string[] = DAILY_INTERNET_MEANS;
      const maxima: readonly string[] = DAILY_INTERNET_MAXIMA;
      if (aggregate === 'sum' && means.includes(field)) return `sum_mean_${field}`;
      if (aggregate === 'sum' && field.startsWith('windows_') && means.includes(field.slice('windows_'.length))) return field;
      if (aggregate === 'max' && maxima.includes(field)) return `max_${field}`;
    }
    throw new Error(`${measurement}.${field} (${aggregate ?? 'bare'}) is not in the daily rollups: ping_site_1d holds sum("up") and sum("windows"); ping_internet_1d sums of ${DAILY_INTERNET_MEANS.join(', ')} and their windows_<field>, and max of ${DAILY_INTERNET_MAXIMA.join(', ')}`);
  },
};
