import { describe, expect, it } from 'vitest';
import { encodeMessage, samplesTopic, type SamplesBatch } from '../../contract/index.ts';
import { freeTcpPort } from '../../test/harness/index.ts';
import { createIngest } from '../ingest/ingest.ts';
import { createInfluxWriter, type InfluxWriterOptions } from './influx-writer.ts';
import type { Lane } from './lane.ts';
import { toChunk, type LineChunk } from './line.ts';
import { DEFAULT_WRITES_IN_FLIGHT } from './write-schedule.ts';
import { capturingLogger, createInfluxProxy, influxForThisFile, type InfluxProxy } from './test-support.ts';

/**
 * The live lane against a real influxd: a region's replayed backlog queued first, fresh polls after it; the
 * fresh ones are stored long before the backlog is, and every point of both exactly once.
 */
const NOW = Date.UTC(2026, 11, 7, 8, 0, 0);
const { influx, cleanups } = influxForThisFile();

function writer(options: Partial<InfluxWriterOptions> & { database: string; url: string }) {
  const { log, records } = capturingLogger();
  const w = createInfluxWriter({ batchSize: 5_000, flushIntervalMs: 50, backoff: { initialMs: 50, maxMs: 200 }, log, ...options });
  cleanups.push(() => w.stop({ timeoutMs: 5_000 }));
  return { w, records };
}

async function proxy(): Promise<InfluxProxy> {
  const p = createInfluxProxy(influx.url, await freeTcpPort());
  cleanups.push(() => p.close());
  await p.listen();
  return p;
}

/** `count` points of measurement `m`, distinct by device and time, in one lane. */
function chunk(m: string, count: number, from: number, lane: Lane): LineChunk {
  const ps = Array.from({ length: count }, (_, i) => ({ measurement: m, tags: { device: `d${(from + i) % 50}` }, fields: { v: from + i }, time: NOW - 3_600_000 + from + i }));
  return { ...toChunk(ps, 's1'), lane };
}

async function count(database: string, m: string): Promise<number> {
  const [result] = await influx.query(`SELECT count(v) FROM ${m}`, database);
  return Number(result?.series?.[0]?.values[0]?.[1] ?? 0);
}

describe('InfluxDB writer lanes, against a real influxd', () => {
  // Two in flight (the default until run 15) and the default (DEFAULT_WRITES_IN_FLIGHT, 3): a live point waits
  // behind at most the writes already on their way, whatever their number.
  it.each([
    { inFlight: 2, database: 'lanes' },
    { inFlight: DEFAULT_WRITES_IN_FLIGHT, database: 'lanes_default' },
  ])('writes live chunks queued behind a 240,000-point backlog in the next free write ($inFlight in flight); every point once', async ({ inFlight, database }) => {
    const BACKLOG = 240_000;
    const LIVE = 2_000;
    const writes: { live: number; backlog: number }[] = [];
    const { w } = writer({
      database,
      url: influx.url,
      maxPendingPoints: 300_000,
      ...(inFlight === DEFAULT_WRITES_IN_FLIGHT ? {} : { maxWritesInFlight: inFlight }),
      onWritten: (chunks) => writes.push({ live: chunks.filter((c) => c.lane === 'live').reduce((n, c) => n + c.points, 0), backlog: chunks.filter((c) => c.lane === 'backlog').reduce((n, c) => n + c.points, 0) }),
    });
    await w.start();
    for (let from = 0; from < BACKLOG; from += 2_500) w.write(chunk('backlog', 2_500, from, 'backlog'));
    expect(w.stats().pendingByLane).toEqual({ live: 0, backlog: BACKLOG });
    for (let from = 0; from < LIVE; from += 100) w.write(chunk('live', 100, from, 'live'));
    expect(w.room('live')).toBeUndefined();
    await w.flush();

    // The writes on their way when the live chunks came, then one holding every live point (with backlog
    // filling the rest of it): the live points are stored after a few writes of a 48-write backlog.
    const lastLive = writes.findLastIndex((x) => x.live > 0);
    const backlogBefore = writes.slice(0, lastLive + 1).reduce((n, x) => n + x.backlog, 0);
    // Writes finish in any order when several are on their way: with two, the live one is among the first
    // four to finish; with n, among the first 2n.
    expect(lastLive).toBeLessThanOrEqual(2 * inFlight - 1);
    expect(backlogBefore).toBeLessThanOrEqual(2 * inFlight * 5_000);
    expect(writes.length).toBeGreaterThanOrEqual(BACKLOG / 5_000);
    expect(writes.every((x) => x.live + x.backlog <= 5_000)).toBe(true);
    expect(writes.reduce((n, x) => n + x.live, 0)).toBe(LIVE);
    expect(writes.reduce((n, x) => n + x.backlog, 0)).toBe(BACKLOG);
    expect(await count(database, 'live')).toBe(LIVE);
    expect(await count(database, 'backlog')).toBe(BACKLOG);
    expect(w.stats()).toMatchObject({ pointsWritten: BACKLOG + LIVE, pointsRejected: 0, pendingPoints: 0, pendingByLane: { live: 0, backlog: 0 } });
  }, 60_000);

  it('with InfluxDB down, a full backlog holds only backlog messages; live has its own bound; nothing lost once it is back', async () => {
    const p = await proxy();
    const { w } = writer({ database: 'lanes_down', url: p.url, batchSize: 1_000, maxPendingPoints: 3_000, maxLivePendingPoints: 1_500 });
    await w.start();
    const { log } = capturingLogger();
    // The collector's clock: replayed batches are an hour old, live ones are this minute's.
    const ingest = createIngest({ writer: w, log, now: () => NOW });
    const message = (agent: string, seq: number, at: number, size: number) => {
      const site = `${agent}-site`;
      const samples = Array.from({ length: size }, (_, i) => ({ measurement: agent.replace('-', '_'), tags: { device: `d${i}` }, fields: { v: seq }, time: at }));
      const batch: SamplesBatch = { v: 1, agent, site, seq, sentAt: at + 500, samples };
      return { topic: samplesTopic(site), payload: encodeMessage(batch), identity: { agent, site } };
    };
    await p.close();

    // Two replaying schools, 500 points a batch, an hour old; one live school, 200 points a batch, fresh.
    const acked: string[] = [];
    const handled: Promise<unknown>[] = [];
    const send = (agent: string, seq: number, at: number, size: number) => {
      const m = message(agent, seq, at, size);
      handled.push(ingest.handle(m.topic, m.payload, m.identity).then(() => acked.push(`${agent}:${seq}`)));
    };
    let maxPending = { live: 0, backlog: 0 };
    const watch = setInterval(() => {
      const p = w.stats().pendingByLane;
      maxPending = { live: Math.max(maxPending.live, p.live), backlog: Math.max(maxPending.backlog, p.backlog) };
    }, 5);
    cleanups.push(async () => clearInterval(watch));
    for (let seq = 0; seq < 12; seq++) {
      send('replay-a', seq, NOW - 3_600_000 + seq * 60_000, 500);
      send('replay-b', seq, NOW - 3_600_000 + seq * 60_000, 500);
    }
    for (let seq = 0; seq < 12; seq++) send('live', seq, NOW - 1_000, 200);
    await new Promise((resolve) => setTimeout(resolve, 500));

    // The backlog's bound holds the replays (each school's batches in its order); live took its own room.
    expect(ingest.stats().rejects).toMatchObject({ invalid: 0, internal: 0 });
    const backlogAcked = acked.filter((a) => a.startsWith('replay'));
    const liveAcked = acked.filter((a) => a.startsWith('live'));
    expect(backlogAcked.length).toBeLessThan(24);
    expect(w.stats().pendingByLane.backlog).toBeGreaterThan(3_000 - 500);
    expect(liveAcked.length).toBeGreaterThanOrEqual(7);
    expect(liveAcked.length).toBeLessThan(12);
    expect(w.stats().pendingByLane.live).toBeGreaterThan(1_500 - 200);
    for (const agent of ['replay-a', 'replay-b', 'live']) {
      const seqs = acked.filter((a) => a.startsWith(`${agent}:`)).map((a) => Number(a.split(':')[1]));
      expect(seqs).toEqual(seqs.map((_, i) => i));
    }

    await p.listen();
    await Promise.all(handled);
    await w.flush();
    clearInterval(watch);
    // Bounded: a lane passes its bound by one message at most.
    expect(maxPending.backlog).toBeLessThanOrEqual(3_000 + 500);
    expect(maxPending.live).toBeLessThanOrEqual(1_500 + 200);
    for (const agent of ['replay-a', 'replay-b', 'live']) {
      const seqs = acked.filter((a) => a.startsWith(`${agent}:`)).map((a) => Number(a.split(':')[1]));
      expect(seqs, agent).toEqual([...Array(12).keys()]);
    }
    const [a, b, live] = await Promise.all(['replay-a', 'replay-b', 'live'].map(async (m) => {
      const [r] = await influx.query(`SELECT count(v) FROM "${m.replace('-', '_')}"`, 'lanes_down');
      return Number(r?.series?.[0]?.values[0]?.[1] ?? 0);
    }));
    // Points of one school share device and time per batch: each batch has its own time for the replays;
    // the live school's 12 batches overwrite one another (same series and time), so 200 stored.
    expect([a, b, live]).toEqual([12 * 500, 12 * 500, 200]);
    expect(w.stats()).toMatchObject({ pointsWritten: 24 * 500 + 12 * 200, pointsRejected: 0, pendingPoints: 0 });
  }, 60_000);
});
