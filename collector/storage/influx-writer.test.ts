import { describe, expect, it } from 'vitest';
import { freeTcpPort } from '../../test/harness/index.ts';
import { createInfluxWriter, type InfluxWriter, type InfluxWriterOptions } from './influx-writer.ts';
import { toChunk, type LineChunk, type LinePoint } from './line.ts';
import { capturingLogger, createInfluxProxy, influxForThisFile, type InfluxProxy } from './test-support.ts';

const T0 = Date.UTC(2025, 8, 1, 8, 0, 0);
const { influx, cleanups } = influxForThisFile();

function writer(options: Partial<InfluxWriterOptions> & { database: string }) {
  const { log, records } = capturingLogger();
  const w = createInfluxWriter({
    url: influx.url,
    batchSize: 1_000,
    flushIntervalMs: 50,
    backoff: { initialMs: 50, maxMs: 500 },
    log,
    ...options,
  });
  cleanups.push(() => w.stop({ timeoutMs: 2_000 }));
  return { w, records };
}

async function proxy(): Promise<InfluxProxy> {
  const p = createInfluxProxy(influx.url, await freeTcpPort());
  cleanups.push(() => p.close());
  return p;
}

/** `count` points of measurement m at site s1, one per ms from `from`, spread over 10 devices. */
function points(count: number, from = 0): LineChunk {
  return toChunk(
    Array.from({ length: count }, (_, i) => ({ measurement: 'm', tags: { device: `d${(from + i) % 10}` }, fields: { v: from + i }, time: T0 + from + i })),
    's1',
  );
}

const chunk = (...ps: LinePoint[]) => toChunk(ps, 's1');

/** Writes `total` points in chunks the size of an agent batch. */
function writeAll(w: InfluxWriter, total: number, chunk = 250): void {
  for (let from = 0; from < total; from += chunk) w.write(points(Math.min(chunk, total - from), from));
}

async function count(database: string, measurement = 'm'): Promise<number> {
  const [result] = await influx.query(`SELECT count(v) FROM ${measurement}`, database);
  return Number(result?.series?.[0]?.values[0]?.[1] ?? 0);
}

describe('InfluxDB writer against a real influxd', () => {
  it('creates the database and writes 10,000 points in batches, all of them', async () => {
    const { w } = writer({ database: 'bulk' });
    await w.start();
    const [shown] = await influx.query('SHOW DATABASES');
    expect(shown?.series?.[0]?.values.flat()).toContain('bulk');

    const started = performance.now();
    writeAll(w, 10_000);
    await w.flush();
    const seconds = (performance.now() - started) / 1_000;
    console.log(`writer: 10,000 points in ${seconds.toFixed(3)} s = ${Math.round(10_000 / seconds)} points/s (batch 1,000)`);

    expect(await count('bulk')).toBe(10_000);
    expect(w.stats()).toMatchObject({ pointsWritten: 10_000, batchesWritten: 10, pendingPoints: 0, writeErrors: 0 });
  });

  it('measures throughput with the default batch size (5,000) on 100,000 points', async () => {
    const { w } = writer({ database: 'throughput', batchSize: 5_000, flushIntervalMs: 1_000 });
    await w.start();
    const started = performance.now();
    writeAll(w, 100_000, 500);
    await w.flush();
    const seconds = (performance.now() - started) / 1_000;
    console.log(`writer: 100,000 points in ${seconds.toFixed(3)} s = ${Math.round(100_000 / seconds)} points/s (batch 5,000)`);
    expect(await count('throughput')).toBe(100_000);
  });

  it('overwrites a duplicate point (same measurement, tags and time) instead of adding one', async () => {
    const { w } = writer({ database: 'dedupe' });
    await w.start();
    w.write(chunk({ measurement: 'm', tags: { device: 'a' }, fields: { v: 1 }, time: T0 }));
    await w.flush();
    w.write(chunk({ measurement: 'm', tags: { device: 'a' }, fields: { v: 2 }, time: T0 }));
    w.write(chunk({ measurement: 'm', tags: { device: 'a' }, fields: { v: 3 }, time: T0 + 1 }));
    await w.flush();
    const [result] = await influx.query('SELECT v FROM m', 'dedupe');
    expect(result?.series?.[0]?.values).toEqual([
      [new Date(T0).toISOString().replace('.000Z', 'Z'), 2],
      [new Date(T0 + 1).toISOString(), 3],
    ]);
  });

  it('waits in start() while InfluxDB is not there yet, naming the URL, and starts once it answers', async () => {
    const p = await proxy();
    const { w, records } = writer({ database: 'late', url: p.url });
    w.write(points(100));
    const starting = w.start();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const waiting = records.filter((r) => r['msg'] === `InfluxDB at ${p.url} not reachable yet; retrying`);
    expect(waiting).toHaveLength(1);
    expect(waiting[0]).toMatchObject({ url: p.url, database: 'late' });

    await p.listen();
    await starting;
    await w.flush();
    expect(await count('late')).toBe(100);
  });

  it('loses nothing when InfluxDB is restarted mid-stream', async () => {
    const { w, records } = writer({ database: 'outage', batchSize: 500 });
    await w.start();
    const total = 20_000;
    let restarting: Promise<void> | undefined;
    // Points keep coming while influxd stops and starts, as agents' batches would.
    for (let from = 0; from < total; from += 200) {
      w.write(points(200, from));
      if (from === total / 2) restarting = influx.restart();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await restarting;
    await w.flush();
    expect(await count('outage')).toBe(total);
    const stats = w.stats();
    expect(stats.writeErrors).toBeGreaterThan(0);
    expect(stats).toMatchObject({ pointsWritten: total, pendingPoints: 0, pointsRejected: 0 });
    expect(stats.outageSince).toBeUndefined();
    const failed = records.filter((r) => r['msg'] === 'InfluxDB write failed; keeping the points and retrying');
    expect(failed).toHaveLength(1);
    expect(records.filter((r) => r['msg'] === 'InfluxDB writes recovered')).toHaveLength(1);
  });

  it('keeps points through a 2 s outage with several failed retries, logging it once', async () => {
    const p = await proxy();
    await p.listen();
    const { w, records } = writer({ database: 'long_outage', url: p.url, batchSize: 500 });
    await w.start();
    const total = 10_000;
    for (let from = 0; from < total; from += 100) {
      w.write(points(100, from));
      if (from === 2_000) await p.close();
      if (from === 8_000) await p.listen();
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await w.flush();
    expect(await count('long_outage')).toBe(total);
    expect(w.stats().writeErrors).toBeGreaterThan(3);
    expect(records.filter((r) => r['msg'] === 'InfluxDB write failed; keeping the points and retrying')).toHaveLength(1);
    const recovered = records.filter((r) => r['msg'] === 'InfluxDB writes recovered');
    expect(recovered).toHaveLength(1);
    expect(recovered[0]!['downMs']).toBeGreaterThan(1_000);
  });

  it('retries through 5xx answers without the library\'s "No host available" pause', async () => {
    const p = await proxy();
    await p.listen();
    const { w } = writer({ database: 'fivexx', url: p.url });
    await w.start();
    p.failNextWrites(3, 503);
    const started = performance.now();
    w.write(points(1_000));
    await w.flush();
    // Backoff 25-50, 50-100, 100-200 ms; the library's own pool would have refused to send for 0.3-10 s.
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(await count('fivexx')).toBe(1_000);
    expect(w.stats()).toMatchObject({ writeErrors: 3, batchesWritten: 1 });
    expect(p.writeRequests).toBe(4);
    expect(w.stats().lastError?.message).not.toMatch(/No host available/);
  });

  it('stores what InfluxDB accepts from a batch with a refused point, counts the refusal and goes on', async () => {
    const { w, records } = writer({ database: 'conflict' });
    await w.start();
    w.write(chunk({ measurement: 'm', tags: {}, fields: { v: 1 }, time: T0 }));
    await w.flush();
    w.write({ text: `${chunk({ measurement: 'm', tags: {}, fields: { v: 'text' }, time: T0 + 1 }).text}\n${points(9, 2).text}`, points: 10 });
    await w.flush();
    w.write(points(5, 100));
    await w.flush();
    expect(await count('conflict')).toBe(1 + 9 + 5);
    expect(w.stats()).toMatchObject({ pointsRejected: 1, pointsWritten: 15, pendingPoints: 0 });
    expect(records.find((r) => r['msg'] === 'InfluxDB refused points; they are not stored')).toMatchObject({ dropped: 1 });
  });

  it('creates the database again if it is dropped while running', async () => {
    const { w } = writer({ database: 'dropped' });
    await w.start();
    w.write(points(10));
    await w.flush();
    await influx.query('DROP DATABASE dropped');
    w.write(points(10, 10));
    await w.flush();
    expect(await count('dropped')).toBe(10);
  });

  it('writes a partial batch after flushIntervalMs, and stop() writes the rest', async () => {
    const { w } = writer({ database: 'timing', batchSize: 10_000, flushIntervalMs: 200 });
    await w.start();
    w.write(points(10));
    expect(await count('timing')).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(await count('timing')).toBe(10);
    w.write(points(1_234, 10));
    await w.stop();
    expect(await count('timing')).toBe(1_244);
    expect(() => w.write(points(1))).toThrow(/stopping/);
  });

  it('stop() with a timeout gives up while InfluxDB is away, and says how many points were not written', async () => {
    const p = await proxy();
    await p.listen();
    const { w, records } = writer({ database: 'away', url: p.url });
    await w.start();
    await p.close();
    w.write(points(42));
    const flushed = w.flush();
    await w.stop({ timeoutMs: 300 });
    await expect(flushed).rejects.toThrow('stopped with 42 points not written');
    expect(records.find((r) => r['msg'] === 'InfluxDB writer stopped with points not written')).toMatchObject({ pending: 42 });
  });
});
