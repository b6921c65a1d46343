import type { IPoint } from 'influx';
import type { Logger } from '../../contract/index.ts';
import { DEFAULT_BACKOFF, backoffDelay, sleep, type BackoffOptions } from './backoff.ts';
import { createInfluxClient, displayUrl, waitForDatabase, type InfluxConnection } from './influx-client.ts';
import { toWirePoint } from './line.ts';
import { PointQueue } from './point-queue.ts';
import { classifyWriteError } from './write-errors.ts';

export interface InfluxWriterOptions extends InfluxConnection {
  /** A write goes out when this many points are waiting... */
  batchSize: number;
  /** ...or when the oldest waiting point is this old. */
  flushIntervalMs: number;
  log: Logger;
  /** Between retries of a failed write, and of start() while InfluxDB is unreachable. */
  backoff?: BackoffOptions;
  now?: () => number;
}

export interface InfluxWriterStats {
  pointsWritten: number;
  batchesWritten: number;
  /** Points InfluxDB refused for good (400), as it counted them. */
  pointsRejected: number;
  /** Failed write requests, each retry counted. */
  writeErrors: number;
  /** Queued and not yet written, including the batch in flight. */
  pendingPoints: number;
  /** Set while writes are failing: when the first failure of this outage happened. */
  outageSince?: number;
  lastError?: { message: string; at: number };
}

export interface InfluxWriter {
  /** Waits for InfluxDB (retrying, with a log line naming the URL) and creates the database if missing. */
  start(): Promise<void>;
  /** Queues points (timestamps in ms). Throws once stop() has begun. */
  write(points: IPoint[]): void;
  /** Resolves when every point queued before the call is written (or refused by InfluxDB). */
  flush(): Promise<void>;
  /**
   * Flushes, then stops. With a timeout, gives up waiting then and logs how many points were not written;
   * so it does at once if start() has not finished.
   */
  stop(options?: { timeoutMs?: number }): Promise<void>;
  stats(): InfluxWriterStats;
}

/**
 * Writes points to InfluxDB 1.x in batches, one request in flight at a time. A failed write keeps its
 * points at the head of the queue and is retried with backoff until InfluxDB takes them; nothing is
 * dropped except what InfluxDB itself refuses (counted and logged). A retried batch that had in fact
 * been stored is harmless: points with the same measurement, tags and time overwrite each other.
 */
export function createInfluxWriter(options: InfluxWriterOptions): InfluxWriter {
  const { database, batchSize, flushIntervalMs, log } = options;
  const url = displayUrl(options.url);
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const now = options.now ?? Date.now;
  const client = createInfluxClient(options);
  const queue = new PointQueue();
  const halt = new AbortController();
  const stats = { pointsWritten: 0, batchesWritten: 0, pointsRejected: 0, writeErrors: 0 };
  let outage: { since: number; failures: number } | undefined;
  let lastError: InfluxWriterStats['lastError'];
  let ready = false;
  let stopping = false;
  let sending = false;
  let starting: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let limit = batchSize;
  // Running totals in points: queued ever, and written or refused. Partial batches go out while settled < forceTo.
  let enqueued = 0;
  let settled = 0;
  let forceTo = 0;
  const waiters: { target: number; resolve: () => void; reject: (err: Error) => void }[] = [];

  function schedule(): void {
    if (!ready || sending || halt.signal.aborted) return;
    if (queue.length >= limit || (forceTo > settled && queue.length > 0)) {
      drain().catch((err: unknown) => log.error({ url, database, error: (err as Error).message }, 'InfluxDB writer failed'));
    }
  }

  async function drain(): Promise<void> {
    sending = true;
    try {
      while (!halt.signal.aborted && (queue.length >= limit || (forceTo > settled && queue.length > 0))) {
        const batch = queue.peek(limit);
        const outcome = await send(batch);
        if (outcome === 'halted') return;
        if (outcome === 'split') {
          limit = Math.max(1, Math.ceil(batch.length / 2));
          continue;
        }
        queue.drop(batch.length);
        settled += batch.length;
        for (let i = waiters.length - 1; i >= 0; i--) {
          if (waiters[i]!.target <= settled) waiters.splice(i, 1)[0]!.resolve();
        }
      }
    } finally {
      sending = false;
    }
  }

  async function send(batch: IPoint[]): Promise<'done' | 'split' | 'halted'> {
    for (let attempt = 0; ; attempt++) {
      try {
        await client.writePoints(batch, { precision: 'ms' });
        stats.pointsWritten += batch.length;
        stats.batchesWritten += 1;
        if (outage) {
          log.info({ url, database, downMs: now() - outage.since, failures: outage.failures }, 'InfluxDB writes recovered');
          outage = undefined;
        }
        return 'done';
      } catch (err) {
        const failure = classifyWriteError(err);
        stats.writeErrors += 1;
        lastError = { message: failure.message, at: now() };
        if (failure.kind === 'refused' || (failure.kind === 'too-large' && batch.length === 1)) {
          const dropped = failure.kind === 'refused' ? failure.dropped : 1;
          stats.pointsWritten += batch.length - dropped;
          stats.pointsRejected += dropped;
          log.error({ url, database, points: batch.length, dropped, error: failure.message }, 'InfluxDB refused points; they are not stored');
          return 'done';
        }
        if (failure.kind === 'too-large') {
          log.warn({ url, database, points: batch.length }, 'write too large for InfluxDB; halving the batch');
          return 'split';
        }
        if (failure.kind === 'no-database') {
          log.warn({ url, database }, 'database missing in InfluxDB; creating it');
          const created = await client.createDatabase(database).then(() => true, () => false);
          if (created && attempt === 0) continue;
        }
        if (outage) outage.failures += 1;
        else {
          outage = { since: now(), failures: 1 };
          log.warn({ url, database, pending: queue.length, error: failure.message }, 'InfluxDB write failed; keeping the points and retrying');
        }
        await sleep(backoffDelay(attempt, backoff), halt.signal);
        if (halt.signal.aborted) return 'halted';
      }
    }
  }

  function flush(): Promise<void> {
    const target = enqueued;
    if (settled >= target) return Promise.resolve();
    forceTo = Math.max(forceTo, target);
    return new Promise((resolve, reject) => {
      waiters.push({ target, resolve, reject });
      schedule();
    });
  }

  return {
    start() {
      starting ??= waitForDatabase(client, { url, database, log, backoff, now, signal: halt.signal }).then(() => {
        ready = true;
        schedule();
      });
      return starting;
    },

    write(points) {
      if (stopping) throw new Error(`InfluxDB writer for ${url} is stopping; ${points.length} points not queued`);
      queue.push(points.map(toWirePoint));
      enqueued += points.length;
      timer ??= setTimeout(() => {
        timer = undefined;
        forceTo = enqueued;
        schedule();
      }, flushIntervalMs);
      schedule();
    },

    flush,

    async stop({ timeoutMs } = {}) {
      stopping = true;
      // Rejects only if the deadline passes first, and then the error below is logged instead.
      const flushed = ready ? flush().catch(() => undefined) : Promise.resolve();
      const deadline = timeoutMs === undefined ? undefined : sleep(timeoutMs, halt.signal);
      await Promise.race(deadline ? [flushed, deadline] : [flushed]);
      clearTimeout(timer);
      halt.abort();
      if (queue.length > 0) {
        log.error({ url, database, pending: queue.length }, 'InfluxDB writer stopped with points not written');
        const err = new Error(`InfluxDB writer for ${url} stopped with ${queue.length} points not written`);
        for (const waiter of waiters.splice(0)) waiter.reject(err);
      }
    },

    stats() {
      return {
        ...stats,
        pendingPoints: queue.length,
        ...(outage ? { outageSince: outage.since } : {}),
        ...(lastError ? { lastError } : {}),
      };
    },
  };
}
