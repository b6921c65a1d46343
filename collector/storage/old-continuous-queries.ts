/**
 * The continuous queries earlier versions made (influxd's fleet-wide rollups): only tests use this, to make
 * the CQs that ensureRetention drops on upgrade (retention.ts). Production makes the rollups per school
 * (collector/rollups/scheduler.ts).
 */
import { CQ_PREFIX, DAILY_PING_MEASUREMENT, ROLLUPS, dailyPingSelect, quoteIdent, rollupSelect } from './retention-cq.ts';

/** How often each of the old CQs ran and how far back each run recomputed (RESAMPLE EVERY … FOR …). */
export interface RollupSchedule {
  everySeconds: number;
  forSeconds: number;
}

/**
 * Before the collector rolled up each school itself (collector/rollups/scheduler.ts), influxd's CQs ran
 * hourly over the whole fleet, recomputing the last 2 hours. One computation of all rollups costs influxd
 * ~35 µs of CPU per raw point (`bench/support/rollup-cost.ts`); at 1,000 schools (14.3 M raw points an
 * hour) one fleet-wide statement passed influxd's 60 s query-timeout and left the rollups empty, and
 * without the timeout it took influxd to 17 GB (docs/sizing.md, "Rollups"). Kept here, beside the tests, only
 * to make the CQs that ensureRetention drops on upgrade.
 */
export const DEFAULT_ROLLUP_SCHEDULE: RollupSchedule = { everySeconds: 3_600, forSeconds: 2 * 3_600 };

/** A duration literal in the largest whole unit, as InfluxDB prints it back (its FormatDuration). */
export function influxDuration(seconds: number): string {
  if (!Number.isInteger(seconds) || seconds <= 0) throw new Error(`duration: expected a positive whole number of seconds, got ${seconds}`);
  const units: [string, number][] = [['w', 604_800], ['d', 86_400], ['h', 3_600], ['m', 60], ['s', 1]];
  const [unit, size] = units.find(([, size]) => seconds % size === 0)!;
  return `${seconds / size}${unit}`;
}

/** The old daily CQ's schedule: hourly, recomputing today and yesterday. */
export const DAILY_PING_SCHEDULE: RollupSchedule = { everySeconds: 3_600, forSeconds: 2 * 86_400 };

export interface ContinuousQuery {
  name: string;
  /** The full CREATE CONTINUOUS QUERY statement. */
  create: string;
}

/**
 * The CQs earlier versions created, one per measurement: what ensureRetention now drops (retention.ts),
 * kept so its test can make them. `GROUP BY *` keeps every tag, so a rollup series matches its raw series.
 */
export function rollupQueries(database: string, schedule: RollupSchedule = DEFAULT_ROLLUP_SCHEDULE): ContinuousQuery[] {
  const resample = (s: RollupSchedule) => `RESAMPLE EVERY ${influxDuration(s.everySeconds)} FOR ${influxDuration(s.forSeconds)}`;
  const daily = `${CQ_PREFIX}${DAILY_PING_MEASUREMENT}`;
  return [
    ...ROLLUPS.map((rollup) => {
      const name = `${CQ_PREFIX}${rollup.measurement}`;
      const create = `CREATE CONTINUOUS QUERY ${quoteIdent(name)} ON ${quoteIdent(database)} ${resample(schedule)} BEGIN ${rollupSelect(database, rollup)} END`;
      return { name, create };
    }),
    { name: daily, create: `CREATE CONTINUOUS QUERY ${quoteIdent(daily)} ON ${quoteIdent(database)} ${resample(DAILY_PING_SCHEDULE)} BEGIN ${dailyPingSelect(database)} END` },
  ];
}

/**
 * InfluxDB stores a CQ re-printed by its parser (quotes only where needed), so compare without quotes,
 * case or spacing. A mismatch only costs a drop and re-create.
 */
export function sameQuery(a: string, b: string): boolean {
  const norm = (q: string) => q.replace(/"/g, '').replace(/\s+/g, ' ').trim().toLowerCase();
  return norm(a) === norm(b);
}
