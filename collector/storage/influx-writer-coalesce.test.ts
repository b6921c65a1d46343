import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInflux, type InfluxServer } from '../../test/harness/index.ts';
import { createInfluxWriter } from './influx-writer.ts';
import { toChunk, type LineChunk } from './line.ts';
import { capturingLogger } from './test-support.ts';

const T0 = Date.UTC(2025, 8, 1, 8, 0, 0);
let influx: InfluxServer;

beforeAll(async () => {
  influx = await startInflux();
});
afterAll(async () => {
  await influx?.stop();
});

/** `count` points of `m` (field v a number) from time T0 + from, over 7 devices: each point its own (series, time). */
const goodChunk = (from: number, count: number): LineChunk =>
  toChunk(Array.from({ length: count }, (_, i) => ({ measurement: 'm', tags: { device: `d${(from + i) % 7}` }, fields: { v: from + i }, time: T0 + from + i })), 's1');

describe('coalesced writes against a real influxd', () => {
  it('a refused line inside a coalesced write is counted alone; its neighbours are stored exactly once', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 2, maxLength: 30 }),
        fc.nat(),
        fc.integer({ min: 50, max: 3_000 }),
        async (sizes, badAt, batchSize) => {
          const database = `coalesce_${run++}`;
          const { log } = capturingLogger();
          // The field v is a float in this database from the first write; a string v is refused for good (400).
          const w = createInfluxWriter({ url: influx.url, database, batchSize, flushIntervalMs: 20, backoff: { initialMs: 20, maxMs: 200 }, log });
          try {
            await w.start();
            w.write(goodChunk(-1, 1));
            await w.flush();
            const bad = badAt % sizes.length;
            let from = 0;
            let good = 1;
            // Queued all at once: the writer coalesces the chunks into writes of up to batchSize points.
            sizes.forEach((size, i) => {
              if (i === bad) {
                const wrong = toChunk([{ measurement: 'm', tags: { device: 'dx' }, fields: { v: 'text' }, time: T0 + from }], 's1');
                const rest = goodChunk(from + 1, size - 1);
                w.write(size === 1 ? wrong : { text: `${wrong.text}\n${rest.text}`, points: size });
                good += size - 1;
              } else {
                w.write(goodChunk(from, size));
                good += size;
              }
              from += size;
            });
            await w.flush();
            const [counted] = await influx.query('SELECT count(v) FROM m', database);
            const [distinct] = await influx.query('SELECT count(v) FROM m GROUP BY device', database);
            const perDevice = (distinct?.series ?? []).reduce((n, s) => n + Number(s.values[0]?.[1] ?? 0), 0);
            expect(Number(counted?.series?.[0]?.values[0]?.[1] ?? 0)).toBe(good);
            expect(perDevice).toBe(good);
            expect(w.stats()).toMatchObject({ pointsRejected: 1, pointsWritten: good, pendingPoints: 0 });
          } finally {
            await w.stop({ timeoutMs: 2_000 });
            await influx.query(`DROP DATABASE ${database}`);
          }
        },
      ),
      { numRuns: 12 },
    );
  }, 120_000);
});
