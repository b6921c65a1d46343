import { describe, expect, it } from 'vitest';
import { createLogger, encodeMessage, samplesTopic } from '../../contract/index.ts';
import type { LineChunk } from '../storage/line.ts';
import { createDurableLog } from '../wal/durable.ts';
import { MemoryWal } from '../wal/memory.ts';
import { createIngest } from './ingest.ts';
import { T0, batch, sample } from './test-batches.ts';

const identity = { agent: 'north-1', site: 'north-primary' };
const topic = samplesTopic('north-primary');
const log = createLogger('ingest-wal-test', 'fatal');

/** A collector's ingest over a log that outlives it: `restart()` is a new ingest on the same log. */
function collector(wal = new MemoryWal()) {
  const queued: LineChunk[] = [];
  const writer = { write: (c: LineChunk) => queued.push(c) };
  const durable = createDurableLog({ wal, target: writer, maxBytes: 1 << 20, log });
  const ingest = createIngest({ writer, durable, log, now: () => T0 });
  const send = (seq: number) => ingest.handle(topic, encodeMessage(batch({ seq })), identity);
  return { wal, queued, durable, ingest, send, restart: () => collector(wal) };
}

describe('ingest with the write-ahead log', () => {
  it('resolves only once the batch is committed, and queues it with its entry id', async () => {
    const c = collector();
    const handled = c.send(0);
    await new Promise((r) => setImmediate(r));
    expect(c.wal.stats().entries).toBe(0);
    await handled;
    expect(c.wal.stats().entries).toBe(1);
    expect(c.queued.map((q) => q.walId)).toEqual([c.wal.next(1)[0]!.id]);
  });

  it('after a restart, an agent resending what was acknowledged is counted duplicate and not written again', async () => {
    const first = collector();
    for (const seq of [0, 1, 2, 5]) await first.send(seq);
    const second = first.restart();
    expect((await second.durable.replay()).entries).toBe(4);
    const replayed = second.queued.length;
    for (const seq of [2, 5, 3]) await second.send(seq);
    expect(second.queued.length - replayed).toBe(1);
    expect(second.ingest.stats().agents[identity.agent]).toMatchObject({ duplicates: 2, missing: 1, lastSeq: 5, restarts: 0 });
  });

  it('a redelivery during the commit of its first copy waits for it and is a duplicate', async () => {
    const c = collector();
    const both = await Promise.all([c.send(0), c.send(0)]);
    expect(both).toHaveLength(2);
    expect(c.wal.stats().entries).toBe(1);
    expect(c.ingest.stats().duplicates).toBe(1);
  });

  it('when the commit fails the message is not acknowledged, and its resend counts as new', async () => {
    const c = collector();
    await c.send(0);
    const append = c.wal.append.bind(c.wal);
    c.wal.append = () => {
      throw new Error('disk full');
    };
    await expect(c.send(1)).rejects.toThrow('disk full');
    c.wal.append = append;
    await c.send(1);
    expect(c.wal.next(10).map((e) => e.seq)).toEqual([0, 1]);
    expect(c.ingest.stats()).toMatchObject({ acceptedBatches: 2, duplicates: 0 });
  });

  it('acknowledges a batch whose every sample is refused without an entry, and knows its resend as a duplicate', async () => {
    const c = collector();
    const future = encodeMessage(batch({ seq: 0, samples: [sample({ time: T0 + 86_400_000 })] }));
    await c.ingest.handle(topic, future, identity);
    expect(c.wal.stats().entries).toBe(0);
    expect(c.ingest.stats().rejectedSamples['time-future']).toBe(1);
    await c.ingest.handle(topic, future, identity);
    expect(c.ingest.stats().duplicates).toBe(1);
    expect(c.ingest.stats().rejectedSamples['time-future']).toBe(1);
    await c.send(1);
    expect(c.wal.stats().entries).toBe(1);
  });
});
