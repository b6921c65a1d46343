import { closeSync, fdatasync, openSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import { commitWithoutFsync, openDurableDatabase } from '../../contract/durable-sqlite.ts';
import type { StoredWalEntry, WalEntry, WalStats, WriteAheadLog } from './wal.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS entries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  agent TEXT NOT NULL,
  seq INTEGER NOT NULL,
  points INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  text TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS sequences (agent TEXT PRIMARY KEY, record TEXT NOT NULL) STRICT;
`;

function statements(db: Database.Database) {
  return {
    insert: db.prepare<[string, number, number, number, string], { id: number }>(
      'INSERT INTO entries (agent, seq, points, bytes, text) VALUES (?, ?, ?, ?, ?) RETURNING id',
    ),
    remove: db.prepare<[number], { points: number; bytes: number }>('DELETE FROM entries WHERE id = ? RETURNING points, bytes'),
    next: db.prepare<[number, number], StoredWalEntry>('SELECT id, agent, seq, points, text FROM entries WHERE id > ? ORDER BY id LIMIT ?'),
    setSequence: db.prepare('INSERT INTO sequences (agent, record) VALUES (?, ?) ON CONFLICT (agent) DO UPDATE SET record = excluded.record'),
    sequences: db.prepare<[], { agent: string; record: string }>('SELECT agent, record FROM sequences'),
    lastId: db.prepare<[], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'entries'"),
  };
}

/** The -wal file, opened for fdatasync; without one (the last close checkpointed it away), the database file. */
function openForSync(file: string): number {
  try {
    return openSync(`${file}-wal`, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    return openSync(file, 'r');
  }
}

/**
 * The log in one SQLite file, like the agent's spool and for the same reasons: WAL mode (a commit is one
 * sequential append, and a crash mid-write leaves the last commit intact) and synchronous=FULL (each commit
 * is fsynced, so an acknowledged message survives a power cut, not only a kill -9). better-sqlite3 is
 * synchronous: when append returns, the entries are on disk. The caller batches several messages into one
 * append, so the fsync is shared.
 *
 * That fsync holds the event loop, though, for as long as the disk takes (20 ms and more on a busy server, a
 * sixth of the collector's loop in a regional outage's drain): appendUnsynced() commits without it
 * (synchronous=NORMAL for that commit: in WAL mode the commit is complete in the -wal file, and a torn tail
 * is discarded on open) and sync() then fdatasyncs the -wal file in libuv's thread pool. fsync(2) flushes the
 * file, not the descriptor, so an fsync begun after a commit covers it whoever opened the file. SQLite's own
 * checkpoints still sync the -wal file before copying it into the database and the database after
 * (https://www.sqlite.org/pragma.html#pragma_synchronous), so nothing a sync() covered is lost to one.
 */
export class SqliteWal implements WriteAheadLog {
  private readonly db: Database.Database;
  private readonly q: ReturnType<typeof statements>;
  private totals: { entries: number; points: number; bytes: number };
  private lastId: number;
  private directorySynced = false;
  private fd: number | undefined;
  private syncing = 0;
  private closed = false;

  constructor(readonly file: string) {
    const db = (this.db = openDurableDatabase(file, SCHEMA));
    this.q = statements(db);
    const sums = db
      .prepare<[], { entries: number; points: number | null; bytes: number | null }>(
        'SELECT count(*) AS entries, sum(points) AS points, sum(bytes) AS bytes FROM entries',
      )
      .get()!;
    this.totals = { entries: sums.entries, points: sums.points ?? 0, bytes: sums.bytes ?? 0 };
    this.lastId = this.q.lastId.get()?.seq ?? -1;
  }

  append(entries: readonly WalEntry[], sequences: ReadonlyMap<string, string>): number[] {
    return this.commit(entries, sequences, true);
  }

  appendUnsynced(entries: readonly WalEntry[], sequences: ReadonlyMap<string, string>): number[] {
    return this.commit(entries, sequences, false);
  }

  async sync(): Promise<void> {
    // One descriptor, kept open: each sync is then a single trip to the thread pool (an open, sync and close
    // were three, each waiting for the loop's next I/O phase while it decodes). fdatasync, as SQLite uses:
    // the file's data and its size, not its times.
    if (this.fd === undefined) this.fd = openForSync(this.file);
    const fd = this.fd;
    this.syncing++;
    try {
      await new Promise<void>((resolve, reject) => fdatasync(fd, (err) => (err ? reject(err) : resolve())));
      if (!this.directorySynced) {
        // A newly created -wal file's directory entry must be on disk too (SQLite's FULL mode syncs the
        // directory on the file's first fsync; ours replaces that one).
        const dir = await open(dirname(this.file), 'r');
        try {
          await dir.sync();
        } finally {
          await dir.close();
        }
        this.directorySynced = true;
      }
    } finally {
      this.syncing--;
      if (this.syncing === 0 && this.closed) this.closeFd();
    }
  }

  private closeFd(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }

  private commit(entries: readonly WalEntry[], sequences: ReadonlyMap<string, string>, fsync: boolean): number[] {
    let added = { points: 0, bytes: 0 };
    const body = () => {
      added = { points: 0, bytes: 0 };
      const out = entries.map((e) => {
        const bytes = Buffer.byteLength(e.text);
        added.points += e.points;
        added.bytes += bytes;
        return this.q.insert.get(e.agent, e.seq, e.points, bytes, e.text)!.id;
      });
      for (const [agent, record] of sequences) this.q.setSequence.run(agent, record);
      return out;
    };
    const ids = fsync ? this.db.transaction(body)() : commitWithoutFsync(this.db, body);
    // Only after the commit: a failed transaction leaves the totals as they were.
    this.totals.entries += ids.length;
    this.totals.points += added.points;
    this.totals.bytes += added.bytes;
    if (ids.length > 0) this.lastId = ids[ids.length - 1]!;
    return ids;
  }

  remove(ids: readonly number[]): void {
    // Not fsynced: an entry whose removal a power cut undoes is written to InfluxDB once more on the next
    // start, and its points overwrite themselves (same series, same time). The next append's fsync covers it.
    const gone = commitWithoutFsync(this.db, () => ids.map((id) => this.q.remove.get(id)));
    for (const row of gone) {
      if (row === undefined) continue;
      this.totals.entries -= 1;
      this.totals.points -= row.points;
      this.totals.bytes -= row.bytes;
    }
  }

  next(limit: number, after = -1): StoredWalEntry[] {
    return this.q.next.all(after, limit);
  }

  sequences(): Map<string, string> {
    return new Map(this.q.sequences.all().map((r) => [r.agent, r.record]));
  }

  stats(): WalStats {
    return { ...this.totals, lastId: this.lastId };
  }

  close(): void {
    if (this.db.open) this.db.close();
    this.closed = true;
    // A sync in flight keeps its descriptor until it returns (closing it under the thread pool could
    // let another file take its number).
    if (this.syncing === 0) this.closeFd();
  }
}
