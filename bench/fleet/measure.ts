import { waitFor, type InfluxServer } from '../../test/harness/index.ts';
import type { FleetAgents } from './agents.ts';
import { school } from './schools.ts';
import type { SchoolStats } from './agents-protocol.ts';

/** A field every sample of the measurement carries (a down device's ping and SNMP samples included). */
export const COUNTED_FIELD: Readonly<Record<string, string>> = {
  ping: 'up',
  snmp: 'up',
  interface: 'in_bps',
  wireless: 'clients',
  printer: 'device_status',
  printer_supply: 'level_pct',
  ups: 'on_battery',
  host: 'cpu_load_pct',
  host_storage: 'used_pct',
};

type Counts = Record<string, Record<string, number>>;

const regexOf = (sites: readonly string[]) => `/^(${sites.map((s) => s.replace(/[-]/g, '\\-')).join('|')})$/`;

/**
 * Points stored per (site, measurement), read back from InfluxDB with count() GROUP BY site; `only` limits
 * it to some measurements (and `complete` to them).
 */
export async function countsBySite(influx: InfluxServer, db: string, sites: readonly string[], since: number, only?: readonly string[]): Promise<{ counts: Counts; complete(stats: Record<string, SchoolStats>): boolean }> {
  const counts: Counts = {};
  // From the run's start only: a month written beforehand (month-snapshot.ts) is no sample an agent measured,
  // and a count over it would read 30 days of points a second while a drain is being timed.
  const where = ` WHERE time >= ${Math.floor(since)}ms${sites.length <= 200 ? ` AND site =~ ${regexOf(sites)}` : ''}`;
  for (const [m, field] of Object.entries(COUNTED_FIELD)) {
    if (only !== undefined && !only.includes(m)) continue;
    const [r] = await influx.query(`SELECT count("${field}") FROM "${m}"${where} GROUP BY "site"`, db, { timeoutMs: 600_000 });
    for (const s of r?.series ?? []) {
      const site = s.tags?.site ?? '';
      (counts[site] ??= {})[m] = Number(s.values[0]?.[1] ?? 0);
    }
  }
  return {
    counts,
    complete(stats) {
      const expected = expectedBySite(stats);
      return sites.every((site) => Object.entries(expected[site] ?? {}).every(([m, n]) => (only !== undefined && !only.includes(m)) || counts[site]?.[m] === n));
    },
  };
}

export function expectedBySite(stats: Record<string, SchoolStats>): Counts {
  return Object.fromEntries(Object.entries(stats).map(([site, s]) => [site, { ...s.samples }]));
}

/** Every (site, measurement) whose stored count differs from what the agents measured. */
export function compareCounts(expected: Counts, stored: Counts): { site: string; measurement: string; measured: number; stored: number }[] {
  const out: { site: string; measurement: string; measured: number; stored: number }[] = [];
  const sites = new Set([...Object.keys(expected), ...Object.keys(stored)]);
  for (const site of sites) {
    const ms = new Set([...Object.keys(expected[site] ?? {}), ...Object.keys(stored[site] ?? {})]);
    for (const m of ms) {
      const a = expected[site]?.[m] ?? 0;
      const b = stored[site]?.[m] ?? 0;
      if (a !== b) out.push({ site, measurement: m, measured: a, stored: b });
    }
  }
  return out;
}

/** InfluxDB's own series count (measurement + tag set) for the database. */
export async function seriesCardinality(influx: InfluxServer, db: string): Promise<{ exact: number | undefined; estimate: number }> {
  const sum = async (q: string) => {
    const [r] = await influx.query(q, db, { timeoutMs: 600_000 });
    return (r?.series ?? []).reduce((n, s) => n + Number(s.values[0]?.[0] ?? 0), 0);
  };
  const estimate = await sum('SHOW SERIES CARDINALITY');
  // The exact count walks every series; on a busy influxd it can pass the server's own query-timeout
  // (deploy/influxdb), which is a figure missing, not a run failed: the estimate (HyperLogLog) stands in.
  const exact = await sum('SHOW SERIES EXACT CARDINALITY').catch(() => undefined);
  return { exact, estimate };
}

/**
 * End-to-end lag of one poll: from the marker school's router being measured (its ping's time, anywhere in
 * [fromMs, toMs): the school polls at its own offset, later if the bench's process is behind) until that
 * sample can be read back from InfluxDB. Polled every 100 ms (one point read by time range: cheap for
 * influxd); `ms` undefined if it never shows within `timeoutMs` of fromMs, then with the queries' last error
 * and when the sample, read once more afterwards, turned out to be stored (what the run says of a marker it
 * could not read: influxd too slow to answer, or the sample too late to be stored).
 */
export async function markerLag(influx: InfluxServer, db: string, site: string, fromMs: number, toMs: number, timeoutMs: number): Promise<{ ms?: number; lastError?: string; storedWith?: string; queries: number }> {
  const q = `SELECT "up" FROM "ping" WHERE site='${site}' AND device='router' AND time >= ${fromMs}ms AND time < ${toMs}ms LIMIT 1`;
  let lastError: string | undefined;
  let queries = 0;
  while (Date.now() - fromMs < timeoutMs) {
    queries++;
    try {
      const [r] = await influx.query(q, db);
      const time = r?.series?.[0]?.values[0]?.[0];
      if (typeof time === 'string') return { ms: Date.now() - Date.parse(time), queries };
    } catch (err) {
      // A query refused under load is retried; the lag then includes the wait.
      lastError = (err as Error).message.slice(0, 200);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  let storedWith: string | undefined;
  try {
    const [r] = await influx.query(q, db, { timeoutMs: 120_000 });
    const time = r?.series?.[0]?.values[0]?.[0];
    storedWith = typeof time === 'string' ? time : 'not stored yet';
  } catch (err) {
    storedWith = `unknown: ${(err as Error).message.slice(0, 100)}`;
  }
  return { ...(lastError !== undefined ? { lastError } : {}), storedWith, queries };
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

/** Rows in the rollup policy since `since`, per measurement (collector/rollups/ writes them, a school-hour at a time). */
export async function rollupRows(influx: InfluxServer, database: string, since: number): Promise<Record<string, number>> {
  try {
    // From the run's start: a month snapshot's rollups were written beforehand, not by the collector.
    const [r] = await influx.query(`SELECT count("samples") FROM "rollup_5m"./.*/ WHERE time >= ${Math.floor(since)}ms`, database, { timeoutMs: 300_000 });
    return Object.fromEntries((r?.series ?? []).map((s) => [s.name, Number(s.values[0]?.[1] ?? 0)]));
  } catch (err) {
    return { error: -1, [(err as Error).message.slice(0, 100)]: -1 };
  }
}

/** Waits (up to 5 minutes) until every spool is empty and every school's samples are stored; the last counts either way. */
export async function waitForComplete(agents: FleetAgents, influx: InfluxServer, database: string, n: number, since: number) {
  const sites = Array.from({ length: n }, (_, i) => school(i).site);
  let last: { expected: Record<string, Record<string, number>>; stored: Record<string, Record<string, number>> } = { expected: {}, stored: {} };
  try {
    await waitFor(async () => {
      const stats = await agents.stats();
      if (Object.values(stats).some((s) => s.spooled > 0)) return false;
      const stored = await countsBySite(influx, database, sites, since);
      last = { expected: expectedBySite(stats), stored: stored.counts };
      return compareCounts(last.expected, last.stored).length === 0;
    }, { timeoutMs: 5 * 60_000, intervalMs: 2_000, what: 'every sample in InfluxDB' });
  } catch {
    // The comparison below names what is missing.
  }
  return last;
}

/** Samples measured by every school, all measurements. */
export function sumSamples(stats: Record<string, { samples: Record<string, number> }>): number {
  let n = 0;
  for (const s of Object.values(stats)) for (const v of Object.values(s.samples)) n += v;
  return n;
}
