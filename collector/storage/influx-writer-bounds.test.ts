import { describe, expect, it } from 'vitest';
import { encodeMessage, samplesTopic, type SamplesBatch } from '../../contract/index.ts';
import { freeTcpPort } from '../../test/harness/index.ts';
import { createIngest } from '../ingest/ingest.ts';
import { createInfluxWriter, type InfluxWriterOptions } from './influx-writer.ts';
import { toChunk, type LineChunk } from './line.ts';
import { DEFAULT_MAX_PENDING_POINTS } from './write-schedule.ts';
import { capturingLogger, createInfluxProxy, influxForThisFile, type InfluxProxy } from './test-support.ts';

const T0 = Date.UTC(2025, 8, 1, 8, 0, 0);
const { influx, cleanups } = influxForThisFile();

async function proxy(): Promise<InfluxProxy> {
  const p = createInfluxProxy(influx.url, await freeTcpPort());
  cleanups.push(() => p.close());
  await p.listen();
  return p;
}

function writer(options: Partial<InfluxWriterOptions> & { database: string; url: string }) {
  const { log, records } = capturingLogger();
  const w = createInfluxWriter({ batchSize: 1_000, flushIntervalMs: 50, backoff: { initialMs: 50, maxMs: 200 }, log, ...options });
  cleanups.push(() => w.stop({ timeoutMs: 2_000 }));
  return { w, records };
}

/** `count` points with a string field holding a newline, so a split by lines must respect quotes. */
function points(count: number, from = 0): LineChunk {
  const ps = Array.from({ length: count }, (_, i) => ({ measurement: 'm', tags: { device: `d${i % 10}` }, fields: { v: from + i, note: 'a\nb' }, time: T0 + from + i }));
  return toChunk(ps, 's1');
}

async function count(database: string): Promise<number> {
  const [result] = await influx.query('SELECT count(v) FROM m', database);
  return Number(result?.series?.[0]?.values[0]?.[1] ?? 0);
}

describe('InfluxDB writer bounds, against a real influxd', () => {
  it('halves a write InfluxDB finds too large (413), by chunks and then by lines, and keeps every point', async () => {
    const p = await proxy();
    const { w, records } = writer({ database: 'too_large', url: p.url });
    await w.start();
    p.failNextWrites(3, 413);
    w.write(points(100));
    w.write(points(100, 100));
    await w.flush();
    expect(await count('too_large')).toBe(200);
    expect(w.stats()).toMatchObject({ pointsWritten: 200, pointsRejected: 0, writeErrors: 3, pendingPoints: 0 });
    expect(records.filter((r) => r['msg'] === 'write too large for InfluxDB; halving the batch')).toHaveLength(3);
  });

  it('gives no room above maxPendingPoints while InfluxDB is away, and room again once it has written', async () => {
    const p = await proxy();
    const { w } = writer({ database: 'bounded', url: p.url, maxPendingPoints: 1_000 });
    await w.start();
    await p.close();
    w.write(points(600));
    expect(w.room()).toBeUndefined();
    w.write(points(600, 600));
    const room = w.room();
    expect(room).toBeInstanceOf(Promise);
    let free = false;
    void room!.then(() => (free = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(free).toBe(false);
    await p.listen();
    await room;
    await w.flush();
    expect(await count('bounded')).toBe(1_200);
  });

  it('holds the default backlog bound with InfluxDB away, live keeps its own room, and every point is stored once after', async () => {
    const p = await proxy();
    // No maxPendingPoints: the shipped default (50,000 since run 15) is what is measured.
    const { w } = writer({ database: 'default_bound', url: p.url, batchSize: 5_000 });
    await w.start();
    await p.close();
    const per = 1_000;
    const chunks = DEFAULT_MAX_PENDING_POINTS / per;
    for (let k = 0; k < chunks; k++) {
      w.write({ ...points(per, k * per), lane: 'backlog' });
      // Just at the bound: still room (the bound is "more than").
      expect(w.room('backlog')).toBeUndefined();
    }
    w.write({ ...points(per, chunks * per), lane: 'backlog' });
    const room = w.room('backlog');
    expect(room).toBeInstanceOf(Promise);
    // The live lane waits only on its own bound.
    expect(w.room('live')).toBeUndefined();
    let free = false;
    void room!.then(() => (free = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(free).toBe(false);
    expect(w.stats().pendingByLane).toEqual({ live: 0, backlog: DEFAULT_MAX_PENDING_POINTS + per });
    await p.listen();
    await room;
    await w.flush();
    expect(await count('default_bound')).toBe(DEFAULT_MAX_PENDING_POINTS + per);
    expect(w.stats()).toMatchObject({ pointsWritten: DEFAULT_MAX_PENDING_POINTS + per, pointsRejected: 0, pendingPoints: 0 });
  });

  it("holds back the ingest (and so the agent's PUBACK) while the writer is full, and loses nothing", async () => {
    const p = await proxy();
    const { w } = writer({ database: 'held', url: p.url, maxPendingPoints: 1_000 });
    await w.start();
    const { log } = capturingLogger();
    const ingest = createIngest({ writer: w, log, now: () => T0 });
    const identity = { agent: 'north-1', site: 'north-primary' };
    const message = (seq: number) => {
      const samples = Array.from({ length: 600 }, (_, i) => ({ measurement: 'm', tags: { device: `d${i}` }, fields: { v: i }, time: T0 + seq * 60_000 }));
      const batch: SamplesBatch = { v: 1, ...identity, seq, sentAt: T0 + seq * 60_000, samples };
      return encodeMessage(batch);
    };
    await p.close();
    await ingest.handle(samplesTopic('north-primary'), message(0), identity);
    await ingest.handle(samplesTopic('north-primary'), message(1), identity);
    let acked = false;
    const third = ingest.handle(samplesTopic('north-primary'), message(2), identity).then(() => (acked = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(acked).toBe(false);
    expect(w.stats().pendingPoints).toBe(1_200);
    await p.listen();
    await third;
    await w.flush();
    expect(await count('held')).toBe(1_800);
    expect(ingest.stats().acceptedBatches).toBe(3);
  });
});
