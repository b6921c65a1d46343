import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, encodeMessage, samplesTopic } from '../../contract/index.ts';
import type { LineChunk } from '../storage/line.ts';
import { createIngest } from './ingest.ts';
import { T0, batch, sample } from './test-batches.ts';

const identity = { agent: 'north-1', site: 'north-primary' };
const topic = samplesTopic('north-primary');

function setup() {
  const written: LineChunk[] = [];
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  const ingest = createIngest({
    writer: { write: (points) => written.push(points) },
    log: createLogger('ingest-test', 'debug', stream),
    // An hour after T0: test batches are measured at T0 + seq minutes, and must not lie in the future.
    now: () => T0 + 3_600_123,
  });
  const warnings = () => lines.filter((l) => l['level'] === 40);
  return { ingest, written, warnings };
}

describe('createIngest', () => {
  it('queues the points of a valid batch and counts it', async () => {
    const { ingest, written, warnings } = setup();
    await ingest.handle(topic, encodeMessage(batch({ samples: [sample(), sample({ time: T0 + 1 })] })), identity);
    expect(written).toHaveLength(1);
    expect(written[0]!.points).toBe(2);
    expect(written[0]!.text).toBe(
      [
        `ping,device=core-sw,role=core-switch,site=north-primary rtt_ms=1.25,loss_pct=0,up=1 ${T0}`,
        `ping,device=core-sw,role=core-switch,site=north-primary rtt_ms=1.25,loss_pct=0,up=1 ${T0 + 1}`,
      ].join('\n'),
    );
    const stats = ingest.stats();
    expect(stats).toMatchObject({ acceptedBatches: 1, acceptedSamples: 2, duplicates: 0, gaps: { 'north-1': 0 } });
    expect(stats.agents['north-1']).toMatchObject({ acceptedBatches: 1, acceptedSamples: 2, lastAcceptedAt: T0 + 3_600_123, lastSeq: 0 });
    expect(warnings()).toEqual([]);
  });

  it.each([
    ['topic', 'hallmonitor/v1/north-primary/events', encodeMessage(batch())],
    ['topic', 'elsewhere/north-primary/samples', encodeMessage(batch())],
    ['site-mismatch', samplesTopic('south-academy'), encodeMessage(batch())],
    ['invalid', topic, Buffer.from('{not json')],
    ['invalid', topic, Buffer.from(JSON.stringify({ ...batch(), v: 2 }))],
    ['invalid', topic, Buffer.from(JSON.stringify({ ...batch(), samples: [] }))],
    ['invalid', topic, Buffer.alloc(5 * 1024 * 1024, 0x20)],
    ['site-mismatch', topic, encodeMessage(batch({ site: 'south-academy' }))],
    ['agent-mismatch', topic, encodeMessage(batch({ agent: 'south-1' }))],
    ['invalid', topic, encodeMessage(batch({ samples: [sample({ tags: { descr: 'a\nb' } })] }))],
  ] as const)('rejects (%s) without throwing, counts it and logs one structured line', async (reason, t, payload) => {
    const { ingest, written, warnings } = setup();
    await expect(ingest.handle(t, payload, identity)).resolves.toBeUndefined();
    expect(written).toEqual([]);
    expect(ingest.stats().rejects[reason]).toBe(1);
    expect(ingest.stats().acceptedBatches).toBe(0);
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toMatchObject({ agent: 'north-1', site: 'north-primary', topic: t, reason });
    expect(typeof warnings()[0]!['detail']).toBe('string');
  });

  it('writes a replayed (agent, seq) once and counts the replay as a duplicate', async () => {
    const { ingest, written } = setup();
    for (const seq of [0, 1, 1, 0, 2]) await ingest.handle(topic, encodeMessage(batch({ seq })), identity);
    expect(written).toHaveLength(3);
    expect(ingest.stats()).toMatchObject({ acceptedBatches: 3, duplicates: 2 });
  });

  it('counts gaps per agent and takes them back when the missing batch turns up', async () => {
    const { ingest } = setup();
    const south = { agent: 'south-1', site: 'south-academy' };
    for (const seq of [0, 4]) await ingest.handle(topic, encodeMessage(batch({ seq })), identity);
    for (const seq of [7, 8, 10]) {
      await ingest.handle(samplesTopic('south-academy'), encodeMessage(batch({ ...south, seq })), south);
    }
    expect(ingest.stats().gaps).toEqual({ 'north-1': 3, 'south-1': 1 });
    await ingest.handle(topic, encodeMessage(batch({ seq: 2 })), identity);
    expect(ingest.stats().gaps).toEqual({ 'north-1': 2, 'south-1': 1 });
  });

  it('keeps dedupe per agent: the same seq from two agents is two batches', async () => {
    const { ingest, written } = setup();
    const other = { agent: 'north-2', site: 'north-primary' };
    await ingest.handle(topic, encodeMessage(batch({ seq: 7 })), identity);
    await ingest.handle(topic, encodeMessage(batch({ ...other, seq: 7 })), other);
    expect(written).toHaveLength(2);
  });

  it('rejects (does not acknowledge) when the points cannot be queued, and the batch is new on the retry', async () => {
    const { ingest } = setup();
    let fail = false;
    const written: LineChunk[] = [];
    const flaky = createIngest({
      writer: {
        write(chunk) {
          if (fail) throw new Error('disk full');
          written.push(chunk);
        },
      },
      log: createLogger('ingest-test', 'silent'),
      now: () => T0,
    });
    await flaky.handle(topic, encodeMessage(batch({ seq: 0 })), identity);
    fail = true;
    await expect(flaky.handle(topic, encodeMessage(batch({ seq: 1 })), identity)).rejects.toThrow('disk full');
    fail = false;
    await flaky.handle(topic, encodeMessage(batch({ seq: 1 })), identity);
    expect(written).toHaveLength(2);
    expect(flaky.stats()).toMatchObject({ acceptedBatches: 2, duplicates: 0, gaps: { 'north-1': 0 } });
    expect(ingest.stats().acceptedBatches).toBe(0);
  });

  it("forces every line's site tag to the batch's site, so an agent cannot write under another school", async () => {
    const { ingest, written } = setup();
    await ingest.handle(topic, encodeMessage(batch({ samples: [sample({ tags: { device: 'x', site: 'south-academy' } })] })), identity);
    expect(written[0]!.text).toBe(`ping,device=x,site=north-primary rtt_ms=1.25,loss_pct=0,up=1 ${T0}`);
  });

  it('waits while the writer has no room, so the broker holds back the PUBACK, and goes on once it has', async () => {
    const written: LineChunk[] = [];
    let free: (() => void) | undefined;
    const ingest = createIngest({
      writer: {
        write: (chunk) => written.push(chunk),
        room: () => (free ? undefined : new Promise<void>((resolve) => (free = resolve))),
      },
      log: createLogger('ingest-test', 'silent'),
      now: () => T0,
    });
    let handled = false;
    const handling = ingest.handle(topic, encodeMessage(batch()), identity).then(() => (handled = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(handled).toBe(false);
    expect(written).toEqual([]);
    free!();
    await handling;
    expect(written).toHaveLength(1);
    expect(ingest.stats().acceptedBatches).toBe(1);
  });
});

describe('createIngest, poison messages', () => {
  it('acknowledges and counts a message whose handling fails (reason internal), and takes the next one', async () => {
    const written: LineChunk[] = [];
    let explode = true;
    const ingest = createIngest({
      writer: { write: (chunk) => written.push(chunk) },
      log: createLogger('ingest-test', 'silent'),
      now: () => T0 + 3_600_000,
      seriesBudget: () => {
        if (explode) throw new Error('a fault in the collector');
        return 1_000;
      },
    });
    await expect(ingest.handle(topic, encodeMessage(batch({ seq: 0 })), identity)).resolves.toBeUndefined();
    expect(ingest.stats().rejects.internal).toBe(1);
    expect(written).toEqual([]);
    explode = false;
    await ingest.handle(topic, encodeMessage(batch({ seq: 1 })), identity);
    expect(written).toHaveLength(1);
    expect(ingest.stats().acceptedBatches).toBe(1);
  });

  it('logs the first reject of an agent and reason once per interval, however many follow', async () => {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(JSON.parse(chunk.toString()));
        done();
      },
    });
    const ingest = createIngest({ writer: { write: () => undefined }, log: createLogger('ingest-test', 'debug', stream), now: () => T0 });
    for (let i = 0; i < 50; i++) await ingest.handle(topic, 'not json', identity);
    expect(lines.filter((l) => l['level'] === 40)).toHaveLength(1);
    expect(ingest.counters.drain()).toEqual([expect.objectContaining({ agent: 'north-1', outcome: 'rejected', reason: 'invalid', batches: 50 })]);
    await ingest.handle(topic, 'not json', identity);
    expect(lines.filter((l) => l['level'] === 40)).toHaveLength(2);
  });
});
