import type { InfluxDB } from 'influx';
import type { Logger } from '../../contract/index.ts';
import type { RetentionConfig } from '../config/schema.ts';
import { CQ_PREFIX, RAW_POLICY, ROLLUPS, ROLLUP_POLICY, dailyInternetSelect, dailyPingSelect, quoteIdent, quoteTagValue, rollupSelect } from './retention-cq.ts';

interface StatementResult {
  error?: string;
  series?: { name?: string; columns: string[]; values?: unknown[][] }[];
}

/** Runs one InfluxQL statement; InfluxDB reports a failed statement inside a 200 answer, so look there. */
export async function runStatement(client: InfluxDB, database: string, q: string, precision?: 'ms'): Promise<StatementResult> {
  const readOnly = /^\s*(show|select)\b/i.test(q) && !/\binto\b/i.test(q);
  // InfluxDB 1.x refuses statements that change anything over GET.
  const body = (await client.queryRaw(q, { database, method: readOnly ? 'GET' : 'POST', ...(precision === undefined ? {} : { precision }) })) as { results?: StatementResult[]; error?: string };
  const result = body.results?.[0];
  const error = body.error ?? result?.error;
  if (error !== undefined) throw new Error(`InfluxDB refused ${JSON.stringify(q)}: ${error}`);
  return result ?? {};
}

/** Rows of the first series as objects keyed by column. */
function rows(result: StatementResult, seriesName?: string): Record<string, unknown>[] {
  const series = seriesName === undefined ? result.series?.[0] : result.series?.find((s) => s.name === seriesName);
  return (series?.values ?? []).map((v) => Object.fromEntries(series!.columns.map((c, i) => [c, v[i]])));
}

/** Go's time.Duration text as SHOW RETENTION POLICIES prints it ("1080h0m0s"; "0s" = forever), in seconds. */
export function goDurationSeconds(text: string): number {
  const size: Record<string, number> = { h: 3_600, m: 60, s: 1, ms: 1e-3, us: 1e-6, µs: 1e-6, ns: 1e-9 };
  let total = 0;
  for (const [, n, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/g)) total += Number(n) * size[unit!]!;
  return total;
}

interface PolicyRow {
  name: string;
  durationSeconds: number;
  isDefault: boolean;
}

/**
 * Makes the database's retention policies what the config says; changes nothing when
 * they already are, so it runs on every start. Returns what it changed, one line each.
 *
 * - `raw` (rawDays) is made the DEFAULT policy: the writer sends no `rp`, so its points land there.
 *   A policy of our own rather than the `autogen` InfluxDB makes with the database: its name says what it
 *   holds, queries can name it beside `rollup_5m`, and it exists even where `retention-autocreate` is off.
 * - `rollup_5m` (rollupDays) receives the 5-minute rollups, which the collector computes per school every
 *   hour (collector/rollups/scheduler.ts; statements in retention-cq.ts).
 * - The continuous queries `rollup_5m_*` of earlier versions are dropped; other CQs are left alone.
 */
export async function ensureRetention(
  client: InfluxDB,
  database: string,
  policy: RetentionConfig,
  log: Logger,
): Promise<string[]> {
  const changes: string[] = [];
  const note = (message: string, fields: Record<string, unknown>) => {
    changes.push(message);
    log.info({ database, ...fields }, message);
  };

  const policies: PolicyRow[] = rows(await runStatement(client, database, `SHOW RETENTION POLICIES ON ${quoteIdent(database)}`)).map((r) => ({
    name: String(r.name),
    durationSeconds: goDurationSeconds(String(r.duration)),
    isDefault: r.default === true,
  }));
  const previousDefault = policies.find((p) => p.isDefault)?.name;

  const ensurePolicy = async (name: string, days: number, makeDefault: boolean) => {
    const existing = policies.find((p) => p.name === name);
    const on = `${quoteIdent(name)} ON ${quoteIdent(database)}`;
    const setDefault = makeDefault ? ' DEFAULT' : '';
    if (existing === undefined) {
      await runStatement(client, database, `CREATE RETENTION POLICY ${on} DURATION ${days}d REPLICATION 1${setDefault}`);
      note(`created retention policy ${name} (${days} days)${setDefault ? ', the default' : ''}`, { policy: name, days });
      return;
    }
    const durationChanged = existing.durationSeconds !== days * 86_400;
    const defaultChanged = makeDefault && !existing.isDefault;
    if (!durationChanged && !defaultChanged) return;
    await runStatement(client, database, `ALTER RETENTION POLICY ${on}${durationChanged ? ` DURATION ${days}d` : ''}${defaultChanged ? ' DEFAULT' : ''}`);
    const was = existing.durationSeconds === 0 ? 'forever' : `${existing.durationSeconds / 86_400} days`;
    if (durationChanged) note(`retention policy ${name}: ${was} -> ${days} days`, { policy: name, days });
    if (defaultChanged) note(`retention policy ${name} made the default`, { policy: name });
    if (durationChanged && existing.durationSeconds !== 0 && existing.durationSeconds > days * 86_400) {
      log.warn({ database, policy: name, days }, `retention policy ${name} shortened: at its next retention check (every 30 min by default) InfluxDB deletes the data older than ${days} days`);
    }
  };
  await ensurePolicy(RAW_POLICY, policy.rawDays, true);
  await ensurePolicy(ROLLUP_POLICY, policy.rollupDays, false);
  if (previousDefault !== undefined && previousDefault !== RAW_POLICY) await warnAboutOldDefault(client, database, previousDefault, log);

  await dropOldContinuousQueries(client, database, note);
  return changes;
}

/**
 * Before the collector rolled up each school itself, influxd's continuous queries `rollup_5m_<measurement>`
 * did it fleet-wide, and from a few hundred schools they passed influxd's query-timeout and left the
 * rollups empty (docs/sizing.md, "Rollups"). They would now compute every rollup twice: drop them.
 * Other CQs on the database are the operator's and stay.
 */
async function dropOldContinuousQueries(client: InfluxDB, database: string, note: (message: string, fields: Record<string, unknown>) => void): Promise<void> {
  // SHOW CONTINUOUS QUERIES lists every database, one series each.
  const existing = rows(await runStatement(client, database, 'SHOW CONTINUOUS QUERIES'), database).map((r) => String(r.name));
  for (const name of existing) {
    if (!name.startsWith(CQ_PREFIX)) continue;
    await runStatement(client, database, `DROP CONTINUOUS QUERY ${quoteIdent(name)} ON ${quoteIdent(database)}`);
    note(`dropped continuous query ${name} (the collector rolls up each school itself now)`, { cq: name });
  }
}

/**
 * Points written before `raw` became the default stay in the old default policy, where queries that name
 * no policy no longer look. Say so once, with the statement that copies them over.
 */
async function warnAboutOldDefault(client: InfluxDB, database: string, old: string, log: Logger): Promise<void> {
  let hasData: boolean;
  try {
    hasData = rows(await runStatement(client, database, 'SHOW SHARDS'), database).some((r) => r.retention_policy === old);
  } catch {
    return; // SHOW SHARDS needs admin rights; without them there is nothing useful to say.
  }
  if (!hasData) return;
  const db = quoteIdent(database);
  log.warn(
    { database, policy: old },
    `data written before this version is in retention policy ${old}, which is no longer the default; to keep it in view, copy it with: ` +
      `SELECT * INTO ${db}.${quoteIdent(RAW_POLICY)}.:MEASUREMENT FROM ${db}.${quoteIdent(old)}./.*/ GROUP BY *`,
  );
}

const WINDOW_MS = 5 * 60_000;
const DAY_MS = 86_400_000;

/** Runs several statements in one request; InfluxDB answers each separately, so each is checked. */
async function runAll(client: InfluxDB, database: string, statements: readonly string[]): Promise<void> {
  const body = (await client.queryRaw(statements.join('; '), { database, method: 'POST' })) as { results?: StatementResult[]; error?: string };
  if (body.error !== undefined) throw new Error(`InfluxDB refused the rollup statements: ${body.error}`);
  const results = body.results ?? [];
  // After a failed or killed statement the rest say "not executed": name the first real error.
  const failed = results.findIndex((r) => r.error !== undefined && r.error !== 'not executed');
  const first = failed >= 0 ? failed : results.findIndex((r) => r.error !== undefined);
  if (first >= 0) throw new Error(`InfluxDB refused ${JSON.stringify(statements[first])}: ${results[first]!.error}`);
  // A statement that failed stops the ones after it without an answer of their own.
  if (results.length < statements.length) throw new Error(`InfluxDB answered ${results.length} of ${statements.length} rollup statements`);
}

/**
 * One statement per request for fleet-wide statements (no site): each may need most of influxd's
 * query-timeout at a few hundred schools, and in one request a killed statement leaves the rest "not
 * executed" (seen with rollup-cost.ts at 50 schools on a loaded box).
 */
async function runEach(client: InfluxDB, database: string, statements: readonly string[]): Promise<void> {
  for (const q of statements) await runStatement(client, database, q);
}

/**
 * Recomputes the rollups for [from, to) (ms, widened to whole 5-minute windows) from raw data: the 5-minute
 * rollup of every measurement, then the daily ping and internet rollups of each UTC day touched, a day per request (each
 * request's statements `;`-separated, so a school-hour is one HTTP round trip). With `site`, only that
 * school's series: what the collector's hourly scheduler (collector/rollups/scheduler.ts) and the late
 * backlog run, each costing in proportion to one school's points. Without it, every school's (benches).
 */
export async function backfillRollups(client: InfluxDB, database: string, range: { from: number; to: number; site?: string }): Promise<void> {
  const from = Math.floor(range.from / WINDOW_MS) * WINDOW_MS;
  const to = Math.ceil(range.to / WINDOW_MS) * WINDOW_MS;
  const site = range.site === undefined ? '' : `"site" = ${quoteTagValue(range.site)} AND `;
  for (let start = from; start < to; ) {
    const day = Math.floor(start / DAY_MS) * DAY_MS;
    const end = Math.min(day + DAY_MS, to);
    await (range.site === undefined ? runEach : runAll)(client, database, [
      ...ROLLUPS.map((rollup) => rollupSelect(database, rollup, `${site}time >= ${start}ms AND time < ${end}ms`)),
      // The whole UTC day, from the 5-minute rollup the statements before have just written.
      dailyPingSelect(database, `${site}time >= ${day}ms AND time < ${day + DAY_MS}ms`),
      dailyInternetSelect(database, `${site}time >= ${day}ms AND time < ${day + DAY_MS}ms`),
    ]);
    start = end;
  }
}
