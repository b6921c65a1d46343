import { existsSync, writeFileSync } from 'node:fs';
import type { InfluxDB } from 'influx';
import type { Logger } from '../../contract/index.ts';
import { runStatement } from '../storage/retention.ts';
import { DAILY_INTERNET_MEASUREMENT, ROLLUP_POLICY, dailyInternetSelect, quoteIdent } from '../storage/retention-cq.ts';

const DAY_MS = 86_400_000;

/** The first row's time of a query's answer (ms), or undefined when it has none. */
async function firstTime(client: InfluxDB, database: string, q: string): Promise<number | undefined> {
  const t = (await runStatement(client, database, q, 'ms')).series?.[0]?.values?.[0]?.[0];
  return typeof t === 'number' ? t : undefined;
}

/**
 * The daily internet rollup (`ping_internet_1d`) for the days before it existed: an installation upgraded
 * from a version without it has months of 5-minute rollups of its internet links, and the overview's
 * 30- and 90-day internet panels read only the daily rows. Once, after the retention policies are set up:
 * every UTC day from the first internet link's 5-minute row to the first daily row (or today), a day per
 * statement fleet-wide (a day of every link is ~300,000 rows at 1,000 schools, a fraction of one school-hour's
 * raw rollup), then `marker` is written so later starts ask nothing. Days recomputed are written with the
 * same values, so a day the hourly rounds made meanwhile is not harmed. Returns the days filled.
 */
export async function fillDailyInternet(client: InfluxDB, database: string, marker: string, log: Logger, now = Date.now()): Promise<number> {
  if (existsSync(marker)) return 0;
  const rp = `${quoteIdent(database)}.${quoteIdent(ROLLUP_POLICY)}`;
  const firstRollup = await firstTime(client, database, `SELECT first("mean_loss_pct") FROM ${rp}."ping" WHERE "role" = 'internet'`);
  const firstDaily = await firstTime(client, database, `SELECT first("windows_loss_pct") FROM ${rp}.${quoteIdent(DAILY_INTERNET_MEASUREMENT)}`);
  let days = 0;
  if (firstRollup !== undefined) {
    const until = Math.min(firstDaily ?? now, now);
    for (let day = Math.floor(firstRollup / DAY_MS) * DAY_MS; day <= until; day += DAY_MS) {
      await runStatement(client, database, dailyInternetSelect(database, `time >= ${day}ms AND time < ${day + DAY_MS}ms`));
      days++;
    }
    if (days > 0) log.info({ database, days, from: new Date(firstRollup).toISOString().slice(0, 10) }, `daily internet rollup filled for ${days} day(s) of earlier 5-minute rollups`);
  }
  // 0600 like every file in the data folder (test/security/files-modes.test.ts).
  writeFileSync(marker, `${JSON.stringify({ v: 1, filledAt: new Date(now).toISOString(), days })}\n`, { mode: 0o600 });
  return days;
}
