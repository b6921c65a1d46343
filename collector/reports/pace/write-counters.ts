import { z } from 'zod';
import { influxCredentials, type InfluxConnection } from '../../storage/influx-client.ts';
import type { WriteCounters } from './width.ts';

// influxd's expvar page: one entry per statistic, `httpd` holding the HTTP service's running totals.
const expvarEntrySchema = z.looseObject({ name: z.string().optional(), values: z.record(z.string(), z.unknown()).optional() });

function count(values: Record<string, unknown> | undefined, key: string): number {
  const v = values?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

/** The write counters from an expvar page; undefined when it has no `httpd` statistics. */
export function writeCountersOf(page: unknown): WriteCounters | undefined {
  if (typeof page !== 'object' || page === null) return undefined;
  let found = false;
  const sum: WriteCounters = { requests: 0, durationNs: 0, active: 0 };
  for (const raw of Object.values(page)) {
    const entry = expvarEntrySchema.safeParse(raw);
    if (!entry.success || entry.data.name !== 'httpd') continue;
    found = true;
    sum.requests += count(entry.data.values, 'writeReq');
    sum.durationNs += count(entry.data.values, 'writeReqDurationNs');
    sum.active += count(entry.data.values, 'writeReqActive');
  }
  return found ? sum : undefined;
}

/**
 * Reads InfluxDB's write counters from its `/debug/vars`, with the connection's credentials (basic auth).
 * Throws when the page cannot be read or holds no HTTP statistics.
 */
export async function readWriteCounters(connection: Pick<InfluxConnection, 'url' | 'username' | 'password'>, timeoutMs = 5_000): Promise<WriteCounters> {
  const { username, password } = influxCredentials(connection);
  const url = new URL(connection.url);
  url.username = '';
  url.password = '';
  url.pathname = `${url.pathname.replace(/\/$/, '')}/debug/vars`;
  const headers: Record<string, string> = {};
  if (username !== undefined) headers['authorization'] = `Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}`;
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`${url.origin}/debug/vars: HTTP ${response.status}`);
  const counters = writeCountersOf(await response.json());
  if (counters === undefined) throw new Error(`${url.origin}/debug/vars: no httpd statistics`);
  return counters;
}
