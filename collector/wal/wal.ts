/**
 * The collector's write-ahead log (invariant 1): a samples batch is stored here, as the line protocol it
 * becomes, before the broker acknowledges it, and removed only once InfluxDB answered 204 for its points.
 * Beside the entries it keeps each agent's sequence record (opaque text, see AgentSequence), committed
 * with them, so the dedupe by (agent, seq) survives a restart.
 */
export interface WriteAheadLog {
  /**
   * Stores the entries and the agents' sequence records in one durable commit (all or nothing) and
   * returns the entries' ids, in order. Ids only grow.
   */
  append(entries: readonly WalEntry[], sequences: ReadonlyMap<string, string>): number[];
  /** InfluxDB has these entries: forget them. Unknown ids are ignored. */
  remove(ids: readonly number[]): void;
  /** Up to `limit` stored entries with id > `after`, oldest first. */
  next(limit: number, after?: number): StoredWalEntry[];
  /** The last committed sequence record of each agent. */
  sequences(): Map<string, string>;
  stats(): WalStats;
  close(): void;
  /**
   * Optional, together with sync(): append() without its fsync, so that the caller can wait for the disk off
   * the event loop. What it returns is committed (visible to next() and sequences()) but may not survive a
   * power cut until a sync() called after it resolves.
   */
  appendUnsynced?(entries: readonly WalEntry[], sequences: ReadonlyMap<string, string>): number[];
  /** Resolves once every commit made before the call is on disk (an fsync in libuv's thread pool). */
  sync?(): Promise<void>;
}

/** One accepted batch: its points as line protocol, and who sent it. */
export interface WalEntry {
  agent: string;
  seq: number;
  points: number;
  text: string;
}

export interface StoredWalEntry extends WalEntry {
  id: number;
}

export interface WalStats {
  entries: number;
  points: number;
  /** Sum of the entries' text sizes in UTF-8 bytes: what the bound counts. */
  bytes: number;
  /** Highest id ever given (-1 if none). */
  lastId: number;
}

export const entryBytes = (entry: WalEntry): number => Buffer.byteLength(entry.text);
