import { InfluxDB } from 'influx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeMessage, samplesTopic } from '../../contract/index.ts';
import { startInflux, type InfluxServer } from '../../test/harness/index.ts';
import { createInfluxWriter, type InfluxWriter } from '../storage/influx-writer.ts';
import { capturingLogger } from '../storage/test-support.ts';
import { createIngest, type Ingest } from './ingest.ts';
import { T0, batch, sample } from './test-batches.ts';

const identity = { agent: 'north-1', site: 'north-primary' };
const topic = samplesTopic('north-primary');
let influx: InfluxServer;
let writer: InfluxWriter;
let ingest: Ingest;
let client: InfluxDB;

beforeAll(async () => {
  influx = await startInflux();
  const { log } = capturingLogger();
  writer = createInfluxWriter({ url: influx.url, database: 'e2e', batchSize: 5_000, flushIntervalMs: 100, log });
  await writer.start();
  // Two days after T0, as the samples are measured: this file is about storage; the time window has its own tests.
  ingest = createIngest({ writer, log, now: () => T0 + 2 * 86_400_000 });
  const url = new URL(influx.url);
  client = new InfluxDB({ host: url.hostname, port: Number(url.port), database: 'e2e' });
});
afterAll(async () => {
  await writer?.stop({ timeoutMs: 2_000 });
  await influx?.stop();
});

describe('ingest → writer → real influxd', () => {
  it('stores each sample at its measuring time to the ms, with its values as sent', async () => {
    // Odd milliseconds, and times that differ by 1 ms, so any precision slip shows.
    const times = [T0 + 1, T0 + 2, T0 + 999, T0 + 86_400_123];
    const text = 'Cisco "IOS" 15.2, C:\\ it\\\'s naïve\nsecond line';
    await ingest.handle(
      topic,
      encodeMessage(
        batch({
          samples: times.map((time, i) =>
            sample({
              measurement: 'device_info',
              tags: { device: `sw-${i}`, site: 'someone-else', ifname: 'Gi1/0/1, uplink=core' },
              fields: { descr: text, up: i % 2 === 0, count: 3, ratio: 0.1 + i },
              time,
            }),
          ),
        }),
      ),
      identity,
    );
    await writer.flush();

    const raw = await client.queryRaw('SELECT * FROM device_info ORDER BY time', { precision: 'ms' });
    const series = raw.results[0].series[0] as { columns: string[]; values: unknown[][] };
    const rows = series.values.map((values) => Object.fromEntries(series.columns.map((c, i) => [c, values[i]])));
    expect(rows.map((r) => r['time'])).toEqual(times);
    expect(rows[1]).toEqual({
      time: T0 + 2,
      device: 'sw-1',
      site: 'north-primary',
      ifname: 'Gi1/0/1, uplink=core',
      descr: text,
      up: false,
      count: 3,
      ratio: 1.1,
    });
    // No sub-millisecond part: RFC 3339 times from influxd match the JS ISO form.
    const [iso] = await influx.query('SELECT descr FROM device_info ORDER BY time LIMIT 1', 'e2e');
    expect(iso?.series?.[0]?.values[0]?.[0]).toBe(new Date(T0 + 1).toISOString());
    // Numbers are floats whatever they look like: an integer field would clash with later floats.
    const [types] = await influx.query('SHOW FIELD KEYS FROM device_info', 'e2e');
    expect(types?.series?.[0]?.values).toEqual([
      ['count', 'float'],
      ['descr', 'string'],
      ['ratio', 'float'],
      ['up', 'boolean'],
    ]);
  });

  it('reads back numbers in exponent form, the largest counters and odd tag text exactly as sent', async () => {
    const fields = { big: 1e21, tiny: 1e-7, c64: 18_446_744_073_709_552_000, neg: -0.5 };
    const tags = { device: 'hall ap "2"', room: "it\\'s Salle des fêtes, 1=1" };
    await ingest.handle(topic, encodeMessage(batch({ seq: 1, samples: [sample({ measurement: 'odd', tags, fields, time: T0 + 5 })] })), identity);
    await writer.flush();
    const raw = await client.queryRaw('SELECT * FROM odd', { precision: 'ms' });
    const series = raw.results[0].series[0] as { columns: string[]; values: unknown[][] };
    expect(Object.fromEntries(series.columns.map((c, i) => [c, series.values[0]![i]]))).toEqual({ time: T0 + 5, ...tags, site: 'north-primary', ...fields });
  });

  it('writes a replayed batch once, and the data is the same as without the replay', async () => {
    const at = T0 + 3_600_000;
    for (const seq of [10, 11, 11, 10, 12]) {
      const samples = [0, 1, 2].map((i) => sample({ measurement: 'replay', time: at + seq * 1_000 + i }));
      await ingest.handle(topic, encodeMessage(batch({ seq, samples })), identity);
    }
    await writer.flush();
    const [result] = await influx.query('SELECT count(rtt_ms) FROM replay', 'e2e');
    expect(result?.series?.[0]?.values[0]?.[1]).toBe(9);
    expect(ingest.stats().duplicates).toBe(2);
  });
});
