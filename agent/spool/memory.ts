import {
  encodeBatch,
  planDrops,
  type Appended,
  type BatchDraft,
  type Spool,
  type SpoolLimits,
  type SpoolStats,
  type SpooledBatch,
} from './spool.ts';

/** The spool in memory, for unit tests: same behaviour as the SQLite one, except that it dies with the process. */
export class MemorySpool implements Spool {
  // A Map iterates in insertion order, which is seq order: seqs only grow.
  private readonly stored = new Map<number, SpooledBatch>();
  private nextSeq: number;
  private bytes = 0;
  private samples = 0;
  private droppedBatches = 0;
  private droppedSamples = 0;

  constructor(
    private readonly limits: SpoolLimits,
    firstSeq = 0,
  ) {
    this.nextSeq = firstSeq;
  }

  append(draft: BatchDraft, sendingUpTo = -1): Appended {
    const batch = encodeBatch(draft, this.nextSeq++);
    this.stored.set(batch.seq, batch);
    this.bytes += batch.payload.length;
    this.samples += batch.samples;
    const candidates = this.candidates(sendingUpTo, batch.seq);
    const dropped = planDrops(candidates, this.bytes, this.limits, draft.sentAt);
    for (const drop of dropped) {
      for (let seq = drop.fromSeq; seq <= drop.toSeq; seq++) this.forget(seq);
      this.droppedBatches += drop.batches;
      this.droppedSamples += drop.samples;
    }
    return { batch, dropped };
  }

  private *candidates(sendingUpTo: number, newest: number) {
    for (const b of this.stored.values()) {
      if (b.seq >= newest) return;
      if (b.seq > sendingUpTo) yield { seq: b.seq, sentAt: b.sentAt, samples: b.samples, bytes: b.payload.length };
    }
  }

  next(limit: number, after = -1): SpooledBatch[] {
    const out: SpooledBatch[] = [];
    for (const b of this.stored.values()) {
      if (out.length >= limit) break;
      if (b.seq > after) out.push(b);
    }
    return out;
  }

  ack(seq: number): boolean {
    return this.forget(seq);
  }

  private forget(seq: number): boolean {
    const b = this.stored.get(seq);
    if (b === undefined) return false;
    this.stored.delete(seq);
    this.bytes -= b.payload.length;
    this.samples -= b.samples;
    return true;
  }

  stats(): SpoolStats {
    const oldest = this.stored.values().next().value;
    return {
      batches: this.stored.size,
      samples: this.samples,
      bytes: this.bytes,
      ...(oldest !== undefined ? { oldestAt: oldest.sentAt } : {}),
      nextSeq: this.nextSeq,
      droppedBatches: this.droppedBatches,
      droppedSamples: this.droppedSamples,
    };
  }

  close(): void {}
}
