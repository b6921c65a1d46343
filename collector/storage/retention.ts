import type { InfluxDB } from 'influx';
import type { Logger } from '../../contract/index.ts';
import type { RetentionConfig } from '../config/schema.ts';
import {
  CQ_PREFIX,
  DEFAULT_ROLLUP_SCHEDULE,
  RAW_POLICY,
  ROLLUPS,
  ROLLUP_POLICY,
  dailyPingSelect,
  quoteIdent,
  quoteTagValue,
  rollupQueries,
  rollupSelect,
  sameQuery,
  type RollupSchedule,
} from './retention-cq.ts';

export interface RetentionOptions {
  /** Only tests change this, to see a scheduled run within seconds. */
  schedule?: RollupSchedule;
}

interface StatementResult {
  error?: string;
  series?: { name?: string; columns: string[]; values?: unknown[][] }[];
}

/** Runs one InfluxQL statement; InfluxDB reports a failed statement inside a 200 answer, so look there. */
async function run(client: InfluxDB, database: string, q: string): Promise<StatementResult> {
  const readOnly = /^\s*(show|select)\b/i.test(q) && !/\binto\b/i.test(q);
  // InfluxDB 1.x refuses statements that change anything over GET.
  const body = (await client.queryRaw(q, { database, method: readOnly ? 'GET' : 'POST' })) as { results?: StatementResult[]; error?: string };
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
 * Makes the database's retention policies and rollup CQs what the config says; changes nothing when
 * they already are, so it runs on every start. Returns what it changed, one line each.
 *
 * - `raw` (rawDays) is made the DEFAULT policy: the writer sends no `rp`, so its points land there.
 *   A policy of our own rather than the `autogen` InfluxDB makes with the database: its name says what it
 *   holds, queries can name it beside `rollup_5m`, and it exists even where `retention-autocreate` is off.
 * - `rollup_5m` (rollupDays) receives the continuous queries' 5-minute rollups (see retention-cq.ts).
 * - CQs named `rollup_5m_<measurement>`: missing ones are created, changed ones dropped and re-created,
 *   ones for measurements no longer rolled up dropped. Other CQs are left alone.
 */
export async function ensureRetention(
  client: InfluxDB,
  database: string,
  policy: RetentionConfig,
  log: Logger,
  options: RetentionOptions = {},
): Promise<string[]> {
  const changes: string[] = [];
  const note = (message: string, fields: Record<string, unknown>) => {
    changes.push(message);
    log.info({ database, ...fields }, message);
  };

  const policies: PolicyRow[] = rows(await run(client, database, `SHOW RETENTION POLICIES ON ${quoteIdent(database)}`)).map((r) => ({
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
      await run(client, database, `CREATE RETENTION POLICY ${on} DURATION ${days}d REPLICATION 1${setDefault}`);
      note(`created retention policy ${name} (${days} days)${setDefault ? ', the default' : ''}`, { policy: name, days });
      return;
    }
    const durationChanged = existing.durationSeconds !== days * 86_400;
    const defaultChanged = makeDefault && !existing.isDefault;
    if (!durationChanged && !defaultChanged) return;
    await run(client, database, `ALTER RETENTION POLICY ${on}${durationChanged ? ` DURATION ${days}d` : ''}${defaultChanged ? ' DEFAULT' : ''}`);
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

  await ensureContinuousQueries(client, database, options.schedule ?? DEFAULT_ROLLUP_SCHEDULE, note);
  return changes;
}

async function ensureContinuousQueries(
  client: InfluxDB,
  database: string,
  schedule: RollupSchedule,
  note: (message: string, fields: Record<string, unknown>) => void,
): Promise<void> {
  // SHOW CONTINUOUS QUERIES lists every database, one series each.
  const existing = new Map(rows(await run(client, database, 'SHOW CONTINUOUS QUERIES'), database).map((r) => [String(r.name), String(r.query)]));
  const wanted = rollupQueries(database, schedule);
  const drop = (name: string) => run(client, database, `DROP CONTINUOUS QUERY ${quoteIdent(name)} ON ${quoteIdent(database)}`);

  for (const cq of wanted) {
    const current = existing.get(cq.name);
    if (current !== undefined && sameQuery(current, cq.create)) continue;
    if (current !== undefined) await drop(cq.name);
    await run(client, database, cq.create);
    note(`${current === undefined ? 'created' : 're-created (definition changed)'} continuous query ${cq.name}`, { cq: cq.name });
  }
  for (const name of existing.keys()) {
    if (!name.startsWith(CQ_PREFIX) || wanted.some((cq) => cq.name === name)) continue;
    await drop(name);
    note(`dropped continuous query ${name} (no longer rolled up)`, { cq: name });
  }
}

/**
 * Points written before `raw` became the default stay in the old default policy, where queries that name
 * no policy no longer look. Say so once, with the statement that copies them over.
 */
async function warnAboutOldDefault(client: InfluxDB, database: string, old: string, log: Logger): Promise<void> {
  let hasData: boolean;
  try {
    hasData = rows(await run(client, database, 'SHOW SHARDS'), database).some((r) => r.retention_policy === old);
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

/**
 * Recomputes the rollups for [from, to) (ms, widened to whole 5-minute windows) from raw data, a day per
 * statement to keep each query small. For samples that arrived too late for the CQs' RESAMPLE reach; with
 * `site`, only that school's series (collector/rollups/late-backlog.ts: a school's replayed spool costs in
 * proportion to its own points, not the fleet's).
 */
export async function backfillRollups(client: InfluxDB, database: string, range: { from: number; to: number; site?: string }): Promise<void> {
  const from = Math.floor(range.from / WINDOW_MS) * WINDOW_MS;
  const to = Math.ceil(range.to / WINDOW_MS) * WINDOW_MS;
  const site = range.site === undefined ? '' : `"site" = ${quoteTagValue(range.site)} AND `;
  for (let start = from; start < to; start += DAY_MS) {
    const end = Math.min(start + DAY_MS, to);
    for (const rollup of ROLLUPS) await run(client, database, rollupSelect(database, rollup, `${site}time >= ${start}ms AND time < ${end}ms`));
  }
  // Then the daily ping rollup of every UTC day those windows fall in, from the 5-minute rollup.
  for (let day = Math.floor(from / DAY_MS) * DAY_MS; day < to; day += DAY_MS) {
    await run(client, database, dailyPingSelect(database, `${site}time >= ${day}ms AND time < ${day + DAY_MS}ms`));
  }
}
