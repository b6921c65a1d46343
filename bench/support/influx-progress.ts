import { setTimeout as sleep } from 'node:timers/promises';
import type { InfluxServer } from '../../test/harness/index.ts';

interface ExpvarEntry {
  name?: string;
  tags?: Record<string, string>;
  values?: Record<string, number>;
}

/**
 * Points influxd has accepted into the database's shards, from its own counters (`/debug/vars`, shard
 * `writePointsOk`). Far cheaper than a SELECT count while it is busy ingesting; a point that overwrote
 * another is counted too, so the end of a run is still checked with countStored().
 */
export async function acceptedPoints(url: string, database: string): Promise<number> {
  const response = await fetch(`${url}/debug/vars`, { signal: AbortSignal.timeout(10_000) });
  const vars = (await response.json()) as Record<string, ExpvarEntry>;
  let total = 0;
  for (const entry of Object.values(vars)) {
    if (entry?.name === 'shard' && entry.tags?.['database'] === database) total += entry.values?.['writePointsOk'] ?? 0;
  }
  return total;
}

/** Resolves with performance.now() at the first poll that sees `total` points accepted. */
export async function waitForAccepted(
  url: string,
  database: string,
  total: number,
  { timeoutMs, intervalMs = 50, failed }: { timeoutMs: number; intervalMs?: number; failed?: () => Error | undefined },
): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const seen = await acceptedPoints(url, database);
    if (seen >= total) return performance.now();
    const error = failed?.();
    if (error) throw error;
    if (performance.now() > deadline) throw new Error(`${database}: ${seen} of ${total} points accepted after ${timeoutMs} ms`);
    await sleep(intervalMs);
  }
}

/** Points stored per measurement, counting one field every point of it has. */
export async function countStored(influx: InfluxServer, database: string, fieldOf: Record<string, string>): Promise<number> {
  let total = 0;
  for (const [measurement, field] of Object.entries(fieldOf)) {
    const [result] = await influx.query(`SELECT count("${field}") FROM "${measurement}"`, database);
    total += Number(result?.series?.[0]?.values[0]?.[1] ?? 0);
  }
  return total;
}

export async function seriesCardinality(influx: InfluxServer, database: string): Promise<number> {
  const [result] = await influx.query('SHOW SERIES EXACT CARDINALITY', database);
  return Number(result?.series?.[0]?.values[0]?.[0] ?? 0);
}
