import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WIRE_VERSION, decodeMessage, samplesBatchSchema, type Sample } from '../../contract/index.ts';
import { encodeBatch, type BatchDraft, type Spool, type SpoolLimits } from './spool.ts';

/** Fresh storage for one test; a durable kind reopens the same storage on each open(). */
export interface SpoolFactory {
  open(limits: SpoolLimits, firstSeq?: number): Spool;
  cleanup(): void;
}

const T0 = Date.UTC(2026, 0, 12, 8, 0, 0);
const HOUR = 3_600_000;
const roomy: SpoolLimits = { maxBytes: 1 << 30, maxAgeMs: 24 * HOUR };

/** A batch of `n` ping samples measured at `at`; each sample of one size, so sizes are easy to reason about. */
export function draft(at: number, n = 2): BatchDraft {
  const samples: Sample[] = Array.from({ length: n }, (_, i) => ({
    measurement: 'ping',
    tags: { device: `dev-${i}` },
    fields: { up: 1, rtt_avg_ms: 0.25 },
    time: at,
  }));
  return { v: WIRE_VERSION, agent: 'north-1', site: 'north', sentAt: at + 500, samples };
}

/**
 * The one test suite every Spool implementation passes (the mqtt.js IStore habit): call it with a factory.
 */
export function describeSpool(name: string, kind: { durable: boolean; make(): SpoolFactory }): void {
  describe(`Spool contract: ${name}`, () => {
    let factory: SpoolFactory;
    const open = (limits: Partial<SpoolLimits> = {}, firstSeq?: number) => factory.open({ ...roomy, ...limits }, firstSeq);
    // Every batch in these tests has a one-digit seq and a 13-digit time, so all of n samples have one size.
    const sizeOf = (n: number) => encodeBatch(draft(T0, n), 0).payload.length;
    const spools: Spool[] = [];
    const track = (s: Spool) => (spools.push(s), s);
    beforeEach(() => {
      factory = kind.make();
    });
    afterEach(() => {
      spools.splice(0).forEach((s) => s.close());
      factory.cleanup();
    });

    it('numbers batches from 0 and gives them back oldest first, as encoded contract messages', () => {
      const spool = track(open());
      const seqs = [0, 1, 2].map((i) => spool.append(draft(T0 + i * 1000, i + 1)).batch.seq);
      expect(seqs).toEqual([0, 1, 2]);
      const out = spool.next(10);
      expect(out.map((b) => [b.seq, b.samples, b.sentAt])).toEqual([[0, 1, T0 + 500], [1, 2, T0 + 1500], [2, 3, T0 + 2500]]);
      const decoded = decodeMessage(samplesBatchSchema, out[1]!.payload);
      expect(decoded).toEqual({ ok: true, value: { ...draft(T0 + 1000, 2), seq: 1 } });
      expect(spool.next(2).map((b) => b.seq)).toEqual([0, 1]);
      expect(spool.next(10, 0).map((b) => b.seq)).toEqual([1, 2]);
      const bytes = out.reduce((n, b) => n + b.payload.length, 0);
      expect(spool.stats()).toEqual({ batches: 3, samples: 6, bytes, oldestAt: T0 + 500, nextSeq: 3, droppedBatches: 0, droppedSamples: 0 });
    });

    it('forgets a batch once acked, in any order, and keeps numbering after it is empty', () => {
      const spool = track(open());
      for (let i = 0; i < 4; i++) spool.append(draft(T0 + i * 1000));
      expect([spool.ack(2), spool.ack(0), spool.ack(2), spool.ack(99)]).toEqual([true, true, false, false]);
      expect(spool.next(10).map((b) => b.seq)).toEqual([1, 3]);
      expect(spool.stats()).toMatchObject({ batches: 2, samples: 4, oldestAt: T0 + 1500 });
      spool.ack(1);
      spool.ack(3);
      expect(spool.stats()).toEqual({ batches: 0, samples: 0, bytes: 0, nextSeq: 4, droppedBatches: 0, droppedSamples: 0 });
      expect(spool.append(draft(T0 + 9000)).batch.seq).toBe(4);
    });

    it('at maxBytes drops exactly the oldest batches, counts them, and never the batch just stored', () => {
      const one = sizeOf(3);
      const spool = track(open({ maxBytes: one * 4 }));
      for (let i = 0; i < 4; i++) expect(spool.append(draft(T0 + i * 1000, 3)).dropped).toEqual([]);
      const { dropped } = spool.append(draft(T0 + 4000, 3));
      expect(dropped).toEqual([{ reason: 'maxBytes', batches: 1, samples: 3, bytes: one, fromSeq: 0, toSeq: 0 }]);
      // A batch bigger than the whole bound empties the rest but is itself kept.
      const big = spool.append(draft(T0 + 5000, 30));
      expect(big.dropped).toEqual([{ reason: 'maxBytes', batches: 4, samples: 12, bytes: one * 4, fromSeq: 1, toSeq: 4 }]);
      expect(spool.next(10).map((b) => b.seq)).toEqual([5]);
      expect(spool.stats()).toMatchObject({ batches: 1, samples: 30, droppedBatches: 5, droppedSamples: 15 });
    });

    it('drops batches older than maxAge, measured from the batch being stored', () => {
      const spool = track(open({ maxAgeMs: 2 * HOUR }));
      for (let h = 0; h < 3; h++) spool.append(draft(T0 + h * HOUR));
      // sentAt of the new batch is T0 + 2.5 h + 500 ms: the first (T0 + 500 ms) is older than 2 h.
      const { dropped } = spool.append(draft(T0 + 2.5 * HOUR));
      expect(dropped).toEqual([expect.objectContaining({ reason: 'maxAge', batches: 1, samples: 2, fromSeq: 0, toSeq: 0 })]);
      expect(spool.next(10).map((b) => b.seq)).toEqual([1, 2, 3]);
    });

    it('leaves batches being sent alone and drops the oldest of the rest', () => {
      const one = sizeOf(3);
      const spool = track(open({ maxBytes: one * 3 }));
      for (let i = 0; i < 3; i++) spool.append(draft(T0 + i * 1000, 3));
      const { dropped } = spool.append(draft(T0 + 3000, 3), 1);
      expect(dropped).toEqual([expect.objectContaining({ batches: 1, fromSeq: 2, toSeq: 2 })]);
      expect(spool.next(10).map((b) => b.seq)).toEqual([0, 1, 3]);
      expect(spool.ack(2)).toBe(false);
    });

    it('starts a new spool at firstSeq', () => {
      expect(track(open({}, 41)).append(draft(T0)).batch.seq).toBe(41);
    });

    it.runIf(kind.durable)('keeps batches, bytes, sequence and drop counts across close and open', () => {
      const first = open({ maxBytes: 2_000 });
      for (let i = 0; i < 10; i++) first.append(draft(T0 + i * 1000, 3));
      first.ack(9);
      const before = { stats: first.stats(), stored: first.next(100) };
      expect(before.stats.droppedBatches).toBeGreaterThan(0);
      first.close();
      const again = track(open({ maxBytes: 2_000 }, 1234));
      expect(again.stats()).toEqual(before.stats);
      expect(again.next(100)).toEqual(before.stored);
      for (const b of before.stored) again.ack(b.seq);
      again.close();
      // Empty, yet the sequence goes on from where it was: the collector counts a reset as a restart.
      expect(track(open()).append(draft(T0 + 20_000)).batch.seq).toBe(10);
    });
  });
}
