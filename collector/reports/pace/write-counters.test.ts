import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInflux, type InfluxServer } from '../../../test/harness/index.ts';
import { influxdConfig } from '../../../test/harness/influxd.ts';
import { readWriteCounters, writeCountersOf } from './write-counters.ts';

describe('writeCountersOf', () => {
  it('any JSON: undefined or finite counters, never a throw', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.dictionary(fc.string(), fc.record({ name: fc.constantFrom('httpd', 'shard', 'x'), values: fc.dictionary(fc.constantFrom('writeReq', 'writeReqDurationNs', 'writeReqActive', 'other'), fc.jsonValue()) }, { requiredKeys: [] }))), (page) => {
        const c = writeCountersOf(page);
        return c === undefined || [c.requests, c.durationNs, c.active].every(Number.isFinite);
      }),
    );
  });

  it('sums every httpd entry and ignores the others', () => {
    const page = {
      httpd: { name: 'httpd', tags: { bind: '127.0.0.1:8086' }, values: { writeReq: 10, writeReqDurationNs: 5e9, writeReqActive: 1 } },
      'httpd:2': { name: 'httpd', values: { writeReq: 2, writeReqDurationNs: 1e9 } },
      shard: { name: 'shard', values: { writeReq: 999 } },
      memstats: { Alloc: 1 },
    };
    expect(writeCountersOf(page)).toEqual({ requests: 12, durationNs: 6e9, active: 1 });
    expect(writeCountersOf({ memstats: {} })).toBeUndefined();
  });
});

describe('readWriteCounters against influxd', () => {
  let influx: InfluxServer;
  beforeAll(async () => {
    influx = await startInflux();
    await influx.query('CREATE DATABASE hm');
  });
  afterAll(() => influx?.stop());

  it('counts the writes InfluxDB answered', async () => {
    const before = await readWriteCounters({ url: influx.url });
    for (let i = 0; i < 3; i++) await influx.write('hm', [`ping,site=a up=1i ${1_700_000_000_000 + i}`], 'ms');
    const after = await readWriteCounters({ url: influx.url });
    expect(after.requests - before.requests).toBe(3);
    expect(after.durationNs).toBeGreaterThan(before.durationNs);
    expect(after.active).toBe(0);
  });

  it('an address that is not InfluxDB: a clear error', async () => {
    await expect(readWriteCounters({ url: `${influx.url}/nothing-here` })).rejects.toThrow(/debug\/vars: HTTP 404/);
  });
});

describe('readWriteCounters against influxd with authentication', () => {
  let influx: InfluxServer;
  beforeAll(async () => {
    influx = await startInflux({ renderConfig: (dir, rpc, http) => influxdConfig(dir, rpc, http, false).replace('[http]\n', '[http]\n  auth-enabled = true\n') });
    await influx.query("CREATE USER admin WITH PASSWORD 'p@ss:word' WITH ALL PRIVILEGES");
  });
  afterAll(() => influx?.stop());

  it('reads them with the connection\'s credentials, given apart or in the URL', async () => {
    expect((await readWriteCounters({ url: influx.url, username: 'admin', password: 'p@ss:word' })).requests).toBeGreaterThanOrEqual(0);
    const inUrl = influx.url.replace('http://', `http://admin:${encodeURIComponent('p@ss:word')}@`);
    expect((await readWriteCounters({ url: inUrl })).requests).toBeGreaterThanOrEqual(0);
  });
});
