import type { Logger } from '../../contract/index.ts';
import type { Lane } from '../storage/lane.ts';
import type { LineChunk } from '../storage/line.ts';
import type { WalEntry, WriteAheadLog } from './wal.ts';

/** Where entries go once durable: the InfluxDB writer, which calls `written` back after the 204. */
export interface DurableTarget {
  write(chunk: LineChunk): void;
  room?(lane?: Lane): Promise<void> | undefined;
}

export interface DurableLogOptions {
  wal: WriteAheadLog;
  target: DurableTarget;
  /** Above this many bytes of entries not yet in InfluxDB, room() makes the ingest (and so the PUBACKs) wait. */
  maxBytes: number;
  /**
   * Of maxBytes, kept for live messages (storage/lane.ts): backlog waits above maxBytes minus this, live only
   * at maxBytes, so a log filled by a replaying region could still take the other schools' fresh polls, and
   * maxBytes still bounds both. Default 0: both lanes wait at maxBytes (the log is rarely the binding bound:
   * the ingest waits for the writer's room first, so the log holds little more than the writer's pending points).
   */
  liveReserveBytes?: number;
  log: Logger;
  /** Messages committed together at most (one fsync). */
  maxGroup?: number;
  /** How long a burst may hold its first message's commit, at most (ms). Default 50. */
  maxGroupWaitMs?: number;
  /** A monotonic clock in ms; performance.now() by default. */
  now?: () => number;
}

export interface DurableLog {
  /**
   * Adds the entry and the agent's sequence record to the next commit; resolves once committed (then the
   * entry is queued to InfluxDB), rejects if the commit failed (nothing of it stored).
   */
  append(entry: WalEntry & { lane?: Lane }, record: string): Promise<void>;
  /** Resolves once everything appended so far is committed: a redelivery waits for its first copy. */
  settled(): Promise<void>;
  /**
   * Undefined while the log is under the lane's bound (live, the default: maxBytes; backlog: maxBytes minus
   * liveReserveBytes, 0 by default); else resolves once InfluxDB took enough to be under it again.
   */
  room(lane?: Lane): Promise<void> | undefined;
  /** InfluxDB answered 204 (or refused them for good): these chunks leave the log. */
  written(chunks: readonly LineChunk[]): void;
  /** Queues every entry stored before the call to the target, oldest first, in the backlog lane, waiting on its room. */
  replay(): Promise<{ entries: number; points: number }>;
  /** The last committed sequence record of each agent. */
  sequences(): Map<string, string>;
}

interface Group {
  items: { entry: WalEntry & { lane?: Lane }; agent: string; record: string }[];
  done: Promise<void>;
  resolve(): void;
  reject(err: Error): void;
  openedAt: number;
  /** Messages in the group when the commit last looked. */
  seen: number;
}

/**
 * Group commit: the messages that arrive while a commit is due share it, so one fsync covers many; the
 * broker acknowledges none of them before it. With a log that can sync apart from its commit (SqliteWal),
 * the fsync runs in libuv's thread pool while the loop goes on decoding; the group's messages are
 * acknowledged when it returns.
 */
export function createDurableLog({
  wal, target, maxBytes, liveReserveBytes = 0, log, maxGroup = 256, maxGroupWaitMs = 50, now = () => performance.now(),
}: DurableLogOptions): DurableLog {
  const bound: Record<Lane, number> = { live: maxBytes, backlog: Math.max(0, maxBytes - liveReserveBytes) };
  let group: Group | undefined;
  /** The last committed group whose fsync is still running (see commit). */
  let syncing: Group | undefined;
  let roomWaiters: { lane: Lane; resolve: () => void }[] = [];
  const offLoop = wal.appendUnsynced !== undefined && wal.sync !== undefined;

  const open = (): Group => {
    let resolve!: () => void;
    let reject!: (err: Error) => void;
    const done = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
    // A failed commit is reported to each appender; this keeps a group nobody awaits from being "unhandled".
    done.catch(() => undefined);
    const g: Group = { items: [], done, resolve, reject, openedAt: now(), seen: 0 };
    setImmediate(() => due(g));
    return g;
  };

  /**
   * The ingest gives each message a loop turn of its own (see ingest/turns.ts), so a burst joins the group
   * one message per iteration: the commit waits while the last iteration brought one, up to maxGroup
   * messages or maxGroupWaitMs after the first, and then one fsync covers the burst.
   */
  function due(g: Group): void {
    const grew = g.items.length > g.seen;
    g.seen = g.items.length;
    if (grew && group === g && g.items.length < maxGroup && now() - g.openedAt < maxGroupWaitMs) {
      setImmediate(() => due(g));
      return;
    }
    commit(g);
  }

  function commit(g: Group): void {
    if (group === g) group = undefined;
    if (g.items.length === 0) return g.resolve();
    const records = new Map(g.items.map((i) => [i.agent, i.record]));
    let ids: number[];
    try {
      const entries = g.items.map((i) => i.entry);
      ids = offLoop ? wal.appendUnsynced!(entries, records) : wal.append(entries, records);
    } catch (err) {
      log.error({ messages: g.items.length, err: (err as Error).message }, 'write-ahead log commit failed; messages not acknowledged');
      return g.reject(err as Error);
    }
    g.items.forEach(({ entry }, i) => {
      try {
        target.write({ text: entry.text, points: entry.points, walId: ids[i]!, ...(entry.lane ? { lane: entry.lane } : {}) });
      } catch (err) {
        // The writer is stopping: the entry is stored, and the next start writes it.
        log.debug({ agent: entry.agent, seq: entry.seq, err: (err as Error).message }, 'kept in the write-ahead log for the next start');
      }
    });
    if (!offLoop) return g.resolve();
    // Committed, and queued to InfluxDB at once (a point written before its fsync is harmless: if the
    // power goes first, the agent resends it and it overwrites itself); acknowledged only once on disk.
    // In commit order: a group is acknowledged only once the group before it has settled, since two syncs
    // in the thread pool can return in either order and an agent's batches must be acknowledged (and so
    // handed on) oldest first.
    const before = syncing?.done.catch(() => undefined) ?? Promise.resolve();
    syncing = g;
    Promise.all([wal.sync!(), before]).then(
      () => {
        if (syncing === g) syncing = undefined;
        g.resolve();
      },
      (err: Error) => {
        if (syncing === g) syncing = undefined;
        log.error({ messages: g.items.length, err: err.message }, 'write-ahead log fsync failed; messages not acknowledged');
        g.reject(err);
      },
    );
  }

  return {
    append(entry, record) {
      if (group === undefined || group.items.length >= maxGroup) group = open();
      group.items.push({ entry, agent: entry.agent, record });
      return group.done;
    },

    // An open group's fsync begins after every earlier commit, so it covers those still syncing.
    settled: () => group?.done ?? syncing?.done ?? Promise.resolve(),

    room(lane = 'live') {
      if (wal.stats().bytes <= bound[lane]) return undefined;
      return new Promise((resolve) => roomWaiters.push({ lane, resolve }));
    },

    written(chunks) {
      const ids = chunks.flatMap((c) => (c.walId === undefined ? [] : [c.walId]));
      if (ids.length === 0) return;
      try {
        wal.remove(ids);
      } catch (err) {
        // Harmless but for space: the entries are written again on the next start (points overwrite).
        log.error({ entries: ids.length, err: (err as Error).message }, 'write-ahead log: written entries not removed');
      }
      if (roomWaiters.length > 0) {
        const bytes = wal.stats().bytes;
        const waiters = roomWaiters;
        roomWaiters = waiters.filter((w) => bytes > bound[w.lane]);
        for (const w of waiters) if (bytes <= bound[w.lane]) w.resolve();
      }
    },

    async replay() {
      const last = wal.stats().lastId;
      const done = { entries: 0, points: 0 };
      for (let after = -1; ; ) {
        const page = wal.next(256, after).filter((e) => e.id <= last);
        if (page.length === 0) return done;
        for (const e of page) {
          target.write({ text: e.text, points: e.points, walId: e.id, lane: 'backlog' });
          done.entries += 1;
          done.points += e.points;
        }
        after = page[page.length - 1]!.id;
        await target.room?.('backlog');
      }
    },

    sequences: () => wal.sequences(),
  };
}
