import { InfluxDB, type IPoolOptions } from 'influx';

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

/** A client for one InfluxDB 1.x; credentials come from the options, else from the URL. */
export function createInfluxClient(connection: InfluxConnection): InfluxDB {
  const parsed = new URL(connection.url);
  const protocol = parsed.protocol === 'https:' ? 'https' : 'http';
  const username = connection.username ?? (parsed.username ? decodeURIComponent(parsed.username) : undefined);
  const password = connection.password ?? (parsed.password ? decodeURIComponent(parsed.password) : undefined);
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
