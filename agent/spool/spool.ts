import { encodeMessage, type SamplesBatch } from '../../contract/index.ts';

/**
 * The agent's outbox on disk (invariant 1): every batch is stored with its sequence number before it is
 * published, and removed only after the broker's PUBACK. The spool owns the sequence, so a number is
 * never used twice, even across a crash.
 */
export interface Spool {
  /**
   * Gives the batch the next sequence number, stores its encoded bytes (durably, before returning) and
   * then enforces the bounds by dropping the oldest batches. Batches with seq <= `sendingUpTo` are being
   * sent and are left alone (their PUBACK is due any moment); nor is the batch just stored ever dropped.
   */
  append(batch: BatchDraft, sendingUpTo?: number): Appended;
  /** Up to `limit` stored batches with seq > `after`, oldest first. */
  next(limit: number, after?: number): SpooledBatch[];
  /** The broker has the batch: forget it. False if it was not stored (already acked, or dropped). */
  ack(seq: number): boolean;
  stats(): SpoolStats;
  close(): void;
}

/** A samples batch before the spool numbered it. */
export type BatchDraft = Omit<SamplesBatch, 'seq'>;

export interface SpooledBatch {
  seq: number;
  /** When the batch was made; the bounds measure age from here. */
  sentAt: number;
  samples: number;
  /** The encoded message: a replay sends these exact bytes (with the original sentAt). */
  payload: Buffer;
}

export interface SpoolLimits {
  /** Sum of stored payload sizes; the SQLite file is 1-15 % larger (pages, index), plus its WAL. */
  maxBytes: number;
  maxAgeMs: number;
}

/** Oldest batches removed at once by one bound. */
export interface SpoolDrop {
  reason: 'maxBytes' | 'maxAge';
  batches: number;
  samples: number;
  bytes: number;
  fromSeq: number;
  toSeq: number;
}

export interface Appended {
  batch: SpooledBatch;
  dropped: SpoolDrop[];
}

export interface SpoolStats {
  batches: number;
  samples: number;
  bytes: number;
  /** sentAt of the oldest stored batch. */
  oldestAt?: number;
  nextSeq: number;
  /** Since the spool was created, across restarts. */
  droppedBatches: number;
  droppedSamples: number;
}

/** What planDrops needs to know of a stored batch. */
export interface SpoolEntry {
  seq: number;
  sentAt: number;
  samples: number;
  bytes: number;
}

export function encodeBatch(draft: BatchDraft, seq: number): SpooledBatch {
  const { v, agent, site, sentAt, samples } = draft;
  // Field order as in the contract, so the bytes do not depend on how the draft was built.
  const message: SamplesBatch = { v, agent, site, seq, sentAt, samples };
  return { seq, sentAt, samples: samples.length, payload: encodeMessage(message) };
}

/**
 * Which batches to drop, oldest first: those older than maxAge, then more until the stored bytes fit
 * maxBytes. `candidates` are the droppable batches in seq order; iteration stops at the first one kept,
 * so a drop is always a run of the oldest.
 */
export function planDrops(candidates: Iterable<SpoolEntry>, storedBytes: number, limits: SpoolLimits, now: number): SpoolDrop[] {
  const drops: SpoolDrop[] = [];
  let bytes = storedBytes;
  for (const entry of candidates) {
    const reason = entry.sentAt < now - limits.maxAgeMs ? 'maxAge' : bytes > limits.maxBytes ? 'maxBytes' : undefined;
    if (reason === undefined) break;
    bytes -= entry.bytes;
    const last = drops.at(-1);
    if (last?.reason === reason) {
      last.batches++;
      last.samples += entry.samples;
      last.bytes += entry.bytes;
      last.toSeq = entry.seq;
    } else {
      drops.push({ reason, batches: 1, samples: entry.samples, bytes: entry.bytes, fromSeq: entry.seq, toSeq: entry.seq });
    }
  }
  return drops;
}
