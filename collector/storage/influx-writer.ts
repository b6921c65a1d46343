import type { InfluxDB } from 'influx';
import type { Logger } from '../../contract/index.ts';
import { DEFAULT_BACKOFF, backoffDelay, sleep, type BackoffOptions } from './backoff.ts';
import { ChunkQueue, halve, pointsIn } from './chunk-queue.ts';
import { createInfluxClient, displayUrl, waitForDatabase, type InfluxConnection } from './influx-client.ts';
import type { Lane } from './lane.ts';
import type { LineChunk } from './line.ts';
import { createLinePoster } from './line-post.ts';
import { createSettlement } from './settlement.ts';
import { DEFAULT_MAX_PENDING_POINTS, DEFAULT_WRITES_IN_FLIGHT, shouldWrite } from './write-schedule.ts';
import { classifyWriteError } from './write-errors.ts';

export interface InfluxWriterOptions extends InfluxConnection {
  /** A write goes out when this many points are waiting... */
  batchSize: number;
  /** ...or when the oldest waiting point is this old. */
  flushIntervalMs: number;
  /** Writes sent at once (default DEFAULT_WRITES_IN_FLIGHT): InfluxDB parses one while the next is on its way. */
  maxWritesInFlight?: number;
  /** Above this many backlog points pending, room('backlog') makes the ingest wait (default DEFAULT_MAX_PENDING_POINTS). */
  maxPendingPoints?: number;
  /**
   * Above this many live points pending, room('live') makes the ingest wait: live has a bound of its own, so
   * a backlog at its bound never holds up a fresh poll, and with InfluxDB down memory stays bounded (default
   * min(maxPendingPoints, 50,000), about ten seconds of a 1,000-school fleet).
   */
  maxLivePendingPoints?: number;
  log: Logger;
  /**
   * Runs once the database exists and before the first write, and again after the writer had to recreate
   * it: retention policies must be in place before points land, or they go to the wrong policy.
   */
  prepare?: (client: InfluxDB) => Promise<void>;
  /** Between retries of a failed write, and of start() while InfluxDB is unreachable. */
  backoff?: BackoffOptions;
  now?: () => number;
  /** After InfluxDB answered 204 for a write (or refused its points for good), with the chunks it held. */
  onWritten?: (chunks: readonly LineChunk[]) => void;
}

export interface InfluxWriterStats {
  pointsWritten: number;
  /** Successful write requests. */
  batchesWritten: number;
  /** Points InfluxDB refused for good (400), as it counted them. */
  pointsRejected: number;
  /** Failed write requests, each retry counted. */
  writeErrors: number;
  /** Queued and not yet written, including the writes in flight (both lanes). */
  pendingPoints: number;
  /** pendingPoints by lane. */
  pendingByLane: Record<Lane, number>;
  /** Set while writes are failing: when the first failure of this outage happened. */
  outageSince?: number;
  lastError?: { message: string; at: number };
}

export interface InfluxWriter {
  /** Waits for InfluxDB (retrying, with a log line naming the URL) and creates the database if missing. */
  start(): Promise<void>;
  /** Queues a chunk of line protocol (timestamps in ms) in its lane (chunk.lane, default live). Throws once stop() has begun. */
  write(chunk: LineChunk): void;
  /**
   * Undefined while the lane (default live) holds no more than its bound of pending points; else resolves
   * when it does (rejects if stopped). Each lane waits only on its own bound.
   */
  room(lane?: Lane): Promise<void> | undefined;
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
 * Two lanes (lane.ts), as a router keeps a priority queue for interactive traffic beside a bulk one: every
 * write takes the live queue's chunks first and fills the rest with backlog, so a fresh poll waits behind at
 * most the writes already on their way, never behind a region's replayed hour. Each lane is FIFO and has its
 * own settlement (running totals), so flush() and the bounds hold per lane as they did for the one queue.
 *
 * Writes line protocol to InfluxDB 1.x in batches of whole chunks, up to maxWritesInFlight at once (full
 * batches; a partial one only when nothing else is on its way, see write-schedule.ts). A failed
 * write keeps its points and is retried with backoff until InfluxDB takes them; nothing is dropped except
 * what InfluxDB itself refuses (counted and logged). A retried write that had in fact been stored is
 * harmless: points with the same measurement, tags and time overwrite each other.
 */
export function createInfluxWriter(options: InfluxWriterOptions): InfluxWriter {
  const { database, batchSize, flushIntervalMs, log } = options;
  const maxInFlight = options.maxWritesInFlight ?? DEFAULT_WRITES_IN_FLIGHT;
  const url = displayUrl(options.url);
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const now = options.now ?? Date.now;
  const client = createInfluxClient(options);
  const poster = createLinePoster({ ...options, sockets: maxInFlight });
  const maxPending = options.maxPendingPoints ?? DEFAULT_MAX_PENDING_POINTS;
  const queues: Record<Lane, ChunkQueue> = { live: new ChunkQueue(), backlog: new ChunkQueue() };
  const halt = new AbortController();
  const settlements = {
    live: createSettlement(options.maxLivePendingPoints ?? Math.min(maxPending, 50_000)),
    backlog: createSettlement(maxPending),
  };
  // Every write holds a ticket in both lanes' settlements (possibly of 0 points), so their in-flight counts agree.
  const settlement = settlements.live;
  const pending = () => settlements.live.pending() + settlements.backlog.pending();
  const stats = { pointsWritten: 0, batchesWritten: 0, pointsRejected: 0, writeErrors: 0 };
  let outage: { since: number; failures: number } | undefined;
  let lastError: InfluxWriterStats['lastError'];
  let ready = false;
  let stopping = false;
  let starting: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let limit = batchSize;
  // Requests are numbered; a failure of one sent before the last success is not a new outage.
  let requests = 0;
  let lastOk = 0;
  // Partial batches go out while points queued before these running totals (per lane) are not yet taken.
  const forceTo: Record<Lane, number> = { live: 0, backlog: 0 };
  const forceAll = () => {
    forceTo.live = Math.max(forceTo.live, settlements.live.enqueued());
    forceTo.backlog = Math.max(forceTo.backlog, settlements.backlog.enqueued());
  };
  const due = () => forceTo.live > settlements.live.taken() || forceTo.backlog > settlements.backlog.taken();

  /** Live chunks first, then backlog chunks filling the rest of the write (whole chunks, none past the limit). */
  function take(): { live: LineChunk[]; backlog: LineChunk[] } {
    const live = queues.live.take(limit);
    const room = limit - pointsIn(live);
    const backlog = live.length === 0 ? queues.backlog.take(limit) : room > 0 ? queues.backlog.take(room, true) : [];
    return { live, backlog };
  }

  function schedule(): void {
    while (ready && !halt.signal.aborted) {
      const queued = queues.live.length + queues.backlog.length;
      const state = { queued, limit, inFlight: settlement.inFlight(), maxInFlight, due: due(), outage: outage !== undefined };
      if (!shouldWrite(state)) return;
      const taken = take();
      const chunks = taken.backlog.length === 0 ? taken.live : taken.live.length === 0 ? taken.backlog : [...taken.live, ...taken.backlog];
      const points = pointsIn(chunks);
      const write = { live: settlements.live.begin(pointsIn(taken.live)), backlog: settlements.backlog.begin(pointsIn(taken.backlog)) };
      send(chunks).then(
        (outcome) => {
          if (outcome === 'halted') return;
          options.onWritten?.(chunks);
          settlements.live.end(write.live);
          settlements.backlog.end(write.backlog);
          // A full write back means a backlog: what queued meanwhile goes now, not at the next flush tick.
          if (points >= limit) forceAll();
          schedule();
        },
        (err: unknown) => log.error({ url, database, error: (err as Error).message }, 'InfluxDB writer failed'),
      );
    }
  }

  async function send(chunks: LineChunk[]): Promise<'done' | 'halted'> {
    const points = pointsIn(chunks);
    for (let attempt = 0; ; attempt++) {
      const request = ++requests;
      try {
        await poster.post(chunks.map((c) => c.text), halt.signal);
        stats.pointsWritten += points;
        stats.batchesWritten += 1;
        lastOk = Math.max(lastOk, request);
        if (outage) {
          log.info({ url, database, downMs: now() - outage.since, failures: outage.failures }, 'InfluxDB writes recovered');
          outage = undefined;
        }
        return 'done';
      } catch (err) {
        if (halt.signal.aborted) return 'halted';
        const failure = classifyWriteError(err);
        stats.writeErrors += 1;
        lastError = { message: failure.message, at: now() };
        const halves = failure.kind === 'too-large' ? halve(chunks) : undefined;
        if (failure.kind === 'refused' || (failure.kind === 'too-large' && halves === undefined)) {
          const dropped = failure.kind === 'refused' ? failure.dropped : points;
          stats.pointsWritten += points - dropped;
          stats.pointsRejected += dropped;
          log.error({ url, database, points, dropped, error: failure.message }, 'InfluxDB refused points; they are not stored');
          return 'done';
        }
        if (halves) {
          log.warn({ url, database, points }, 'write too large for InfluxDB; halving the batch');
          limit = Math.max(1, Math.min(limit, Math.ceil(points / 2)));
          for (const half of halves) if ((await send(half)) === 'halted') return 'halted';
          return 'done';
        }
        if (failure.kind === 'no-database') {
          log.warn({ url, database }, 'database missing in InfluxDB; creating it');
          const created = await client
            .createDatabase(database)
            .then(() => options.prepare?.(client))
            .then(() => true, () => false);
          if (created && attempt === 0) continue;
        }
        if (outage) outage.failures += 1;
        else if (request > lastOk) {
          outage = { since: now(), failures: 1 };
          log.warn({ url, database, pending: pending(), error: failure.message }, 'InfluxDB write failed; keeping the points and retrying');
        }
        await sleep(backoffDelay(attempt, backoff), halt.signal);
        if (halt.signal.aborted) return 'halted';
      }
    }
  }

  function flush(): Promise<void> {
    forceAll();
    const settled = Promise.all([settlements.live.whenSettled(settlements.live.enqueued()), settlements.backlog.whenSettled(settlements.backlog.enqueued())]);
    schedule();
    return settled.then(() => undefined);
  }

  return {
    start() {
      starting ??= waitForDatabase(client, { url, database, log, backoff, now, signal: halt.signal }).then(async () => {
        await options.prepare?.(client);
        ready = true;
        schedule();
      });
      return starting;
    },

    write(chunk) {
      if (stopping) throw new Error(`InfluxDB writer for ${url} is stopping; ${chunk.points} points not queued`);
      const lane = chunk.lane ?? 'live';
      queues[lane].push(chunk);
      settlements[lane].enqueue(chunk.points);
      timer ??= setTimeout(() => {
        timer = undefined;
        forceAll();
        schedule();
      }, flushIntervalMs);
      schedule();
    },

    room: (lane = 'live') => settlements[lane].room(),

    flush,

    async stop({ timeoutMs } = {}) {
      stopping = true;
      // Rejects only if the deadline passes first, and then the error below is logged instead.
      const flushed = ready ? flush().catch(() => undefined) : Promise.resolve();
      const deadline = timeoutMs === undefined ? undefined : sleep(timeoutMs, halt.signal);
      await Promise.race(deadline ? [flushed, deadline] : [flushed]);
      clearTimeout(timer);
      halt.abort();
      poster.close();
      const left = pending();
      if (left > 0) log.error({ url, database, pending: left }, 'InfluxDB writer stopped with points not written');
      for (const s of [settlements.live, settlements.backlog]) s.abandon(new Error(`InfluxDB writer for ${url} stopped with ${left} points not written`));
    },

    stats() {
      return {
        ...stats,
        pendingPoints: pending(),
        pendingByLane: { live: settlements.live.pending(), backlog: settlements.backlog.pending() },
        ...(outage ? { outageSince: outage.since } : {}),
        ...(lastError ? { lastError } : {}),
      };
    },
  };
}
