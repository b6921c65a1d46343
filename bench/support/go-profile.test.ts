import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { startInflux, type InfluxServer } from '../../test/harness/index.ts';
import { profileInfluxd, summariseGoProfile } from './go-profile.ts';

// profile.proto by hand: field numbers and wire types as google/pprof defines them.
const varint = (n: number): number[] => {
  const out: number[] = [];
  do {
    out.push((n & 0x7f) | (n >= 0x80 ? 0x80 : 0));
    n = Math.floor(n / 128);
  } while (n > 0);
  return out;
};
const field = (no: number, body: number[]): number[] => [...varint((no << 3) | 2), ...varint(body.length), ...body];
const int = (no: number, v: number): number[] => [...varint(no << 3), ...varint(v)];
const text = (no: number, s: string): number[] => field(no, [...Buffer.from(s)]);

describe('summariseGoProfile', () => {
  it('ranks functions by self and by cumulative samples, packed or not', () => {
    const profile = [
      ...text(6, ''), ...text(6, 'main.leaf'), ...text(6, 'main.root'),
      ...field(5, [...int(1, 1), ...int(2, 1)]),
      ...field(5, [...int(1, 2), ...int(2, 2)]),
      ...field(4, [...int(1, 10), ...field(4, int(1, 1))]),
      ...field(4, [...int(1, 20), ...field(4, int(1, 2))]),
      // 3 samples in leaf under root (packed ids and values), 1 in root alone (unpacked).
      ...field(2, [...field(1, [10, 20]), ...field(2, [3, ...varint(200)])]),
      ...field(2, [...int(1, 20), ...int(2, 1), ...int(2, 100)]),
      ...int(10, 2_000_000_000),
    ];
    const s = summariseGoProfile(gzipSync(Uint8Array.from(profile)));
    expect(s).toMatchObject({ seconds: 2, samples: 4 });
    expect(s.flat).toEqual([{ fn: 'main.leaf', share: 0.75 }, { fn: 'main.root', share: 0.25 }]);
    expect(s.cumulative).toEqual([{ fn: 'main.root', share: 1 }, { fn: 'main.leaf', share: 0.75 }]);
  });

  it('throws on a wire type profile.proto does not use, rather than reading garbage', () => {
    expect(() => summariseGoProfile(Uint8Array.from([(1 << 3) | 3]))).toThrow(/wire type 3/);
  });
});

describe('profileInfluxd against a real influxd', () => {
  let influx: InfluxServer;
  beforeAll(async () => {
    influx = await startInflux();
  }, 60_000);
  afterAll(() => influx?.stop());

  it('names influxd\'s own functions while it writes points', async () => {
    await influx.query('CREATE DATABASE p');
    let writing = true;
    const writes = (async () => {
      for (let k = 0; writing; k++) {
        const lines = Array.from({ length: 2_000 }, (_, i) => `m,h=h${i} v=${k} ${Date.now()}${String(i).padStart(6, '0')}`);
        await influx.write('p', lines);
      }
    })();
    const raw = await profileInfluxd(influx.url, 2);
    writing = false;
    await writes;
    const s = summariseGoProfile(raw);
    expect(s.samples).toBeGreaterThan(0);
    expect(s.cumulative.some((f) => f.fn.includes('influxdb/tsdb'))).toBe(true);
  }, 60_000);
});
