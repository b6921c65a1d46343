import { describe, expect, it, vi } from 'vitest';
import { createLogger, decodeMessage, samplesBatchSchema, type Sample } from '../../contract/index.ts';
import { ManualClock } from '../../contract/manual-clock.ts';
import { MemorySpool } from '../spool/memory.ts';
import type { Spool } from '../spool/spool.ts';
import { Outbox } from './outbox.ts';

const T0 = Date.UTC(2026, 2, 3, 9, 0, 0);
const sample = (i: number): Sample => ({ measurement: 'ping', tags: { device: 'gw' }, fields: { up: 1 }, time: T0 + i });

/** An outbox over a fake broker that records each publish and acknowledges only when told to. */
function rig(o: { maxInFlight?: number; spool?: Spool } = {}) {
  const clock = new ManualClock(T0);
  const spool = o.spool ?? new MemorySpool({ maxBytes: 1 << 30, maxAgeMs: 86_400_000 });
  const sent: { seq: number; done: (err?: Error) => void }[] = [];
  const onDrop = vi.fn();
  const log = createLogger('test', 'silent');
  const outbox = new Outbox({
    agent: 'north-1',
    site: 'north',
    spool,
    clock,
    log,
    maxInFlight: o.maxInFlight ?? 3,
    onDrop,
    publish: (payload, done) => {
      const decoded = decodeMessage(samplesBatchSchema, payload);
      if (!decoded.ok) throw new Error(decoded.reason);
      sent.push({ seq: decoded.value.seq, done });
    },
  });
  const seqs = () => sent.map((s) => s.seq);
  /** Acknowledges the oldest unanswered publishes, as the broker would. */
  const ack = (n: number) => sent.splice(0, n).forEach((s) => s.done());
  return { clock, spool, outbox, sent, seqs, ack, onDrop };
}

describe('Outbox', () => {
  it('spools while offline, then sends oldest first with at most maxInFlight unacknowledged', () => {
    const { outbox, spool, seqs, ack } = rig();
    for (let i = 0; i < 7; i++) outbox.add([sample(i)]);
    expect(seqs()).toEqual([]);
    expect(spool.stats()).toMatchObject({ batches: 7, samples: 7 });
    outbox.connected();
    expect(seqs()).toEqual([0, 1, 2]);
    ack(2);
    expect(seqs()).toEqual([2, 3, 4]);
    ack(3);
    expect(seqs()).toEqual([5, 6]);
    ack(2);
    expect(spool.stats().batches).toBe(0);
    expect(outbox.stats).toMatchObject({ batchesSent: 7, batchesResent: 0, batchesAcked: 7, samplesAcked: 7 });
  });

  it('new batches wait behind the backlog: first sends are in seq order', () => {
    const { outbox, sent, ack } = rig({ maxInFlight: 2 });
    for (let i = 0; i < 4; i++) outbox.add([sample(i)]);
    outbox.connected();
    const order: number[] = [];
    for (let i = 4; i < 8; i++) {
      outbox.add([sample(i)]);
      order.push(sent[0]!.seq);
      ack(1);
    }
    while (sent.length > 0) {
      order.push(sent[0]!.seq);
      ack(1);
    }
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('after a disconnect resends what was in flight, from the spool, and keeps a late PUBACK', () => {
    const { outbox, spool, sent, seqs, ack } = rig();
    for (let i = 0; i < 5; i++) outbox.add([sample(i)]);
    outbox.connected();
    ack(1);
    const lost = sent.splice(0);
    expect(lost.map((s) => s.seq)).toEqual([1, 2, 3]);
    outbox.disconnected();
    outbox.connected();
    expect(seqs()).toEqual([1, 2, 3]);
    // A PUBACK for the old connection's seq 2 still means the broker has it.
    lost[1]!.done();
    expect(spool.next(10).map((b) => b.seq)).toEqual([1, 3, 4]);
    expect(outbox.inFlightCount).toBe(3);
    lost[0]!.done(new Error('Connection closed'));
    ack(3);
    expect(seqs()).toEqual([4]);
    ack(1);
    expect(spool.stats().batches).toBe(0);
    expect(outbox.stats).toMatchObject({ batchesResent: 3, batchesAcked: 5, samplesAcked: 5 });
  });

  it('drops the oldest at the bound while offline, reports it, and never drops a batch in flight', () => {
    const probe = new MemorySpool({ maxBytes: 1 << 30, maxAgeMs: 1 }).append({ v: 1, agent: 'north-1', site: 'north', sentAt: T0, samples: [sample(0)] });
    const size = probe.batch.payload.length;
    const { outbox, spool, seqs, ack, onDrop } = rig({ spool: new MemorySpool({ maxBytes: size * 3, maxAgeMs: 86_400_000 }), maxInFlight: 2 });
    for (let i = 0; i < 5; i++) outbox.add([sample(i)]);
    expect(spool.next(10).map((b) => b.seq)).toEqual([2, 3, 4]);
    expect(spool.stats()).toMatchObject({ droppedBatches: 2, droppedSamples: 2 });
    expect(onDrop).toHaveBeenCalledTimes(2);
    expect(outbox.spoolStatus()).toMatchObject({ batches: 3, droppedBatches: 2, droppedSamples: 2 });
    outbox.connected();
    expect(seqs()).toEqual([2, 3]);
    outbox.add([sample(5)]);
    // 2 and 3 are in flight, so the bound takes 4, the oldest of the rest.
    expect(spool.next(10).map((b) => b.seq)).toEqual([2, 3, 5]);
    ack(2);
    expect(seqs()).toEqual([5]);
  });

  it('counts a batch the spool could not store, and goes on', () => {
    const spool = new MemorySpool({ maxBytes: 1 << 30, maxAgeMs: 86_400_000 });
    const { outbox } = rig({ spool });
    spool.append = () => {
      throw new Error('SQLITE_FULL: database or disk is full');
    };
    expect(() => outbox.add([sample(0), sample(1)])).not.toThrow();
    expect(outbox.stats).toMatchObject({ spoolErrors: 1, samplesNotSpooled: 2 });
  });
});
