import { InfluxDB, type IPoolOptions } from 'influx';
import type { Logger } from '../../contract/index.ts';
import { backoffDelay, sleep, type BackoffOptions } from './backoff.ts';

export interface InfluxConnection {
  url: string;
  database: string;
  username?: string | undefined;
  password?: string | undefined;
  /** Per HTTP request; a write that takes longer is retried. */
  requestTimeoutMs?: number | undefined;
}

// The library's pool takes a host out of service for 0.3–10 s after a 5xx or a refused connection and
// fails every request meanwhile with "No host available", even once InfluxDB is back. With one host and
// our own retry loop that only delays recovery, so a failure never disables the host here.
const NEVER_DISABLE: NonNullable<IPoolOptions['backoff']> = {
  getDelay: () => 0,
  next() {
    return this;
  },
  reset() {
    return this;
  },
};

/** The URL as it may appear in logs: no user name or password. */
export function displayUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
}

/** The connection's credentials: from the options, else from the URL. */
export function influxCredentials(connection: Pick<InfluxConnection, 'url' | 'username' | 'password'>): { username: string | undefined; password: string | undefined } {
  const parsed = new URL(connection.url);
  return {
    username: connection.username ?? (parsed.username ? decodeURIComponent(parsed.username) : undefined),
    password: connection.password ?? (parsed.password ? decodeURIComponent(parsed.password) : undefined),
  };
}

/** A client for one InfluxDB 1.x; credentials come from the options, else from the URL. */
export function createInfluxClient(connection: InfluxConnection): InfluxDB {
  const parsed = new URL(connection.url);
  const protocol = parsed.protocol === 'https:' ? 'https' : 'http';
  const { username, password } = influxCredentials(connection);
  return new InfluxDB({
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : protocol === 'https' ? 443 : 80,
    protocol,
    path: parsed.pathname === '/' ? '' : parsed.pathname.replace(/\/$/, ''),
    database: connection.database,
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
    pool: { maxRetries: 0, requestTimeout: connection.requestTimeoutMs ?? 30_000, backoff: NEVER_DISABLE },
  });
}

/** HTTP status of a failed request made by the library, if it got that far. */
export function httpStatus(err: unknown): number | undefined {
  const status = (err as { res?: { statusCode?: unknown } } | null)?.res?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** How long the wait stays quiet between "still unreachable" lines. */
const REMIND_MS = 30_000;

/**
 * Retries with backoff until InfluxDB answers, then creates the database if it is missing. Logs the
 * first failure and a reminder every 30 s. Refused access fails at once: waiting will not fix it.
 */
export async function waitForDatabase(
  client: InfluxDB,
  context: { url: string; database: string; log: Logger; backoff: BackoffOptions; now: () => number; signal: AbortSignal },
): Promise<void> {
  const { url, database, log, now, signal } = context;
  let lastLog = -Infinity;
  for (let attempt = 0; ; attempt++) {
    try {
      const names = await client.getDatabaseNames();
      if (!names.includes(database)) await client.createDatabase(database);
      log.info({ url, database }, 'InfluxDB ready');
      return;
    } catch (err) {
      const status = httpStatus(err);
      if (status === 401 || status === 403) {
        throw new Error(
          `InfluxDB at ${url} refused access (HTTP ${status}: ${(err as Error).message}); check influx.username and ` +
            `influx.password, and that the user may create database "${database}" or it exists`,
        );
      }
      if (now() - lastLog >= REMIND_MS) {
        lastLog = now();
        log.warn({ url, database, attempt, error: (err as Error).message }, `InfluxDB at ${url} not reachable yet; retrying`);
      }
      await sleep(backoffDelay(attempt, context.backoff), signal);
      if (signal.aborted) throw new Error(`stopped while waiting for InfluxDB at ${url}`);
    }
  }
}
