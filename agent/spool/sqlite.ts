import type Database from 'better-sqlite3';
import { commitWithoutFsync, openDurableDatabase } from '../../contract/durable-sqlite.ts';
import {
  encodeBatch,
  planDrops,
  type Appended,
  type BatchDraft,
  type Spool,
  type SpoolEntry,
  type SpoolLimits,
  type SpoolStats,
  type SpooledBatch,
} from './spool.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS batches (
  seq INTEGER PRIMARY KEY,
  sent_at INTEGER NOT NULL,
  samples INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  payload BLOB NOT NULL
) STRICT;
-- next_seq, dropped_batches, dropped_samples: they must survive the batches they describe.
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;
`;

type Row = { seq: number; sent_at: number; samples: number; payload: Buffer };

function statements(db: Database.Database) {
  return {
    insert: db.prepare('INSERT INTO batches (seq, sent_at, samples, bytes, payload) VALUES (?, ?, ?, ?, ?)'),
    setMeta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
    getMeta: db.prepare<[string], { value: number }>('SELECT value FROM meta WHERE key = ?'),
    candidates: db.prepare<[number, number], SpoolEntry>(
      'SELECT seq, sent_at AS sentAt, samples, bytes FROM batches WHERE seq > ? AND seq < ? ORDER BY seq',
    ),
    dropRange: db.prepare('DELETE FROM batches WHERE seq BETWEEN ? AND ?'),
    next: db.prepare<[number, number], Row>('SELECT seq, sent_at, samples, payload FROM batches WHERE seq > ? ORDER BY seq LIMIT ?'),
    stored: db.prepare<[number], { samples: number; bytes: number }>('SELECT samples, bytes FROM batches WHERE seq = ?'),
    remove: db.prepare<[number]>('DELETE FROM batches WHERE seq = ?'),
    oldest: db.prepare<[number], { seq: number; sent_at: number }>('SELECT seq, sent_at FROM batches ORDER BY seq LIMIT ?'),
  };
}

const toBatch = (r: Row): SpooledBatch => ({ seq: r.seq, sentAt: r.sent_at, samples: r.samples, payload: r.payload });

/**
 * The spool in one SQLite file (better-sqlite3: synchronous, so "stored" means committed when append
 * returns). WAL mode: a commit is one sequential append to the WAL, and a crash mid-write leaves the last
 * commit intact. synchronous=FULL: each commit is fsynced, so a batch survives a power cut too, not only a
 * kill -9 (NORMAL would keep it through kill -9 but may lose the last commits on power loss). That costs
 * one fsync per batch: ~0.3 ms on the CI disk, a few ms on an SD card (5 ms on a busy 2-core machine).
 *
 * Acknowledged batches are forgotten at once (next and stats no longer see them) but deleted from the file
 * together, in one commit at the end of the event-loop turn (or with the next append, or on close), and
 * that commit is not fsynced: a replay's PUBACKs come back in bursts of up to maxInFlight, and an fsync
 * each (5-15 ms on a busy machine, blocking the event loop) made the agent, not the link, the limit of a
 * drain. A batch acknowledged but not yet deleted (or whose delete a power cut undid) when the agent stops
 * is only sent again: nothing is lost, and the collector drops the copy by its sequence number.
 */
export class SqliteSpool implements Spool {
  private readonly db: Database.Database;
  private readonly q: ReturnType<typeof statements>;
  private nextSeq: number;
  private totals: { batches: number; samples: number; bytes: number };
  private dropped: { batches: number; samples: number };
  /** Acknowledged, not yet deleted from the file. */
  private readonly acked = new Set<number>();
  private deleting: NodeJS.Immediate | undefined;

  /** `firstSeq` is used only when the file is new (it carries on a sequence kept elsewhere before). */
  constructor(
    readonly file: string,
    private readonly limits: SpoolLimits,
    firstSeq = 0,
  ) {
    const db = (this.db = openDurableDatabase(file, SCHEMA));
    this.q = statements(db);
    const sums = db
      .prepare<[], { batches: number; samples: number | null; bytes: number | null; maxSeq: number | null }>(
        'SELECT count(*) AS batches, sum(samples) AS samples, sum(bytes) AS bytes, max(seq) AS maxSeq FROM batches',
      )
      .get()!;
    this.totals = { batches: sums.batches, samples: sums.samples ?? 0, bytes: sums.bytes ?? 0 };
    this.dropped = { batches: this.meta('dropped_batches') ?? 0, samples: this.meta('dropped_samples') ?? 0 };
    this.nextSeq = Math.max(this.meta('next_seq') ?? firstSeq, (sums.maxSeq ?? -1) + 1);
    this.q.setMeta.run('next_seq', this.nextSeq);
  }

  private meta(key: string): number | undefined {
    return this.q.getMeta.get(key)?.value;
  }

  append(draft: BatchDraft, sendingUpTo = -1): Appended {
    const batch = encodeBatch(draft, this.nextSeq);
    // One transaction: the batch, the sequence and any drop are committed together or not at all.
    const dropped = this.db.transaction(() => {
      // First the acknowledged batches: the bounds must not count (or drop) what is already gone.
      for (const seq of this.acked) this.q.remove.run(seq);
      this.q.insert.run(batch.seq, batch.sentAt, batch.samples, batch.payload.length, batch.payload);
      this.q.setMeta.run('next_seq', batch.seq + 1);
      const bytes = this.totals.bytes + batch.payload.length;
      const drops = planDrops(this.q.candidates.iterate(sendingUpTo, batch.seq), bytes, this.limits, draft.sentAt);
      for (const d of drops) this.q.dropRange.run(d.fromSeq, d.toSeq);
      if (drops.length > 0) {
        this.q.setMeta.run('dropped_batches', this.dropped.batches + drops.reduce((n, d) => n + d.batches, 0));
        this.q.setMeta.run('dropped_samples', this.dropped.samples + drops.reduce((n, d) => n + d.samples, 0));
      }
      return drops;
    })();
    // Only after the commit: a failed transaction leaves the counters (and the acknowledged) as they were.
    this.acked.clear();
    this.nextSeq = batch.seq + 1;
    this.totals.batches += 1;
    this.totals.samples += batch.samples;
    this.totals.bytes += batch.payload.length;
    for (const d of dropped) {
      this.totals.batches -= d.batches;
      this.totals.samples -= d.samples;
      this.totals.bytes -= d.bytes;
      this.dropped.batches += d.batches;
      this.dropped.samples += d.samples;
    }
    return { batch, dropped };
  }

  next(limit: number, after = -1): SpooledBatch[] {
    // Acknowledged rows still in the file are skipped. They were sent, so they are usually at or below
    // `after` (the outbox's cursor): read more only for those above it, not a payload more than needed.
    let skip = 0;
    for (const seq of this.acked) if (seq > after) skip++;
    const rows = this.q.next.all(after, limit + skip);
    return (skip === 0 ? rows : rows.filter((r) => !this.acked.has(r.seq)).slice(0, limit)).map(toBatch);
  }

  ack(seq: number): boolean {
    if (this.acked.has(seq)) return false;
    const stored = this.q.stored.get(seq);
    if (stored === undefined) return false;
    this.acked.add(seq);
    this.totals.batches -= 1;
    this.totals.samples -= stored.samples;
    this.totals.bytes -= stored.bytes;
    this.deleting ??= setImmediate(() => this.deleteAcked());
    return true;
  }

  /** One commit for every batch acknowledged since the last one. */
  private deleteAcked(): void {
    this.deleting = undefined;
    if (this.acked.size === 0 || !this.db.open) return;
    try {
      commitWithoutFsync(this.db, () => {
        for (const seq of this.acked) this.q.remove.run(seq);
      });
      this.acked.clear();
    } catch {
      // Kept for the next append's commit (which reports a disk that keeps failing), or for close(); if the
      // agent stops first, these batches are sent again and the collector drops them as duplicates.
    }
  }

  stats(): SpoolStats {
    const oldest = this.q.oldest.all(this.acked.size + 1).find((r) => !this.acked.has(r.seq));
    return {
      ...this.totals,
      ...(oldest !== undefined ? { oldestAt: oldest.sent_at } : {}),
      nextSeq: this.nextSeq,
      droppedBatches: this.dropped.batches,
      droppedSamples: this.dropped.samples,
    };
  }

  close(): void {
    if (this.deleting !== undefined) clearImmediate(this.deleting);
    this.deleteAcked();
    if (this.db.open) this.db.close();
  }
}
