import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Sample } from '../../contract/index.ts';
import { DeviceSeries, ShapeTable } from './device-series.ts';
import { Observations, seriesKey } from './observations.ts';

const T0 = Date.UTC(2026, 11, 7, 9);
const name = fc.constantFrom('up', 'rtt_ms', 'in_bps', 'oper_status', 'sys_name', 'state', 'on_battery', 'a1', '7', 'x');
const value = fc.oneof(
  fc.constantFrom(0, -0, 1, -1, 2 ** 31, 2 ** 53 - 1, -(2 ** 53), Number.MAX_VALUE, Number.MIN_VALUE, 0.1, 1e-300),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.string({ maxLength: 12 }),
  fc.constantFrom('', 'up', '0'),
  fc.boolean(),
);
const sample = fc.record({
  measurement: fc.constantFrom('ping', 'snmp', 'interface', 'ups'),
  device: fc.constantFrom('router', 'sw-1', 'printer'),
  role: fc.constantFrom('core', 'edge'),
  extra: fc.dictionary(fc.constantFrom('interface', 'if_index', 'supply'), fc.constantFrom('A1', 'A2', '1', '2'), { maxKeys: 2 }),
  fields: fc.dictionary(name, value, { minKeys: 1, maxKeys: 6 }),
  time: fc.integer({ min: 0, max: 20 }).map((s) => T0 + s * 1_000),
});
const toSample = (s: typeof sample extends fc.Arbitrary<infer T> ? T : never): Sample => ({
  measurement: s.measurement,
  tags: { device: s.device, role: s.role, ...s.extra },
  fields: s.fields,
  time: s.time,
});

/** What the observations must return: per device and series key the newest sample, late ones ignored. */
function model(batches: Sample[][]): Map<string, Map<string, Sample>> {
  const out = new Map<string, Map<string, Sample>>();
  for (const batch of batches)
    for (const s of batch) {
      let series = out.get(s.tags.device!);
      if (series === undefined) out.set(s.tags.device!, (series = new Map()));
      const k = seriesKey(s);
      const was = series.get(k);
      if (was === undefined || was.time <= s.time) series.set(k, s);
    }
  return out;
}

describe('packed observations (device-series.ts)', () => {
  it('return exactly what was kept, for any fields: numbers (0, −0, large, fractional), strings, booleans, fields coming and going, any order', () => {
    fc.assert(
      fc.property(fc.array(fc.array(sample.map(toSample), { maxLength: 30 }), { minLength: 1, maxLength: 8 }), (batches) => {
        const obs = new Observations();
        for (const [i, batch] of batches.entries()) obs.addSamples('s', 'agent', batch, T0 + i);
        const expected = model(batches);
        for (const device of ['router', 'sw-1', 'printer']) {
          const got = obs.series('s', device);
          const want = [...(expected.get(device)?.values() ?? [])];
          // In first-seen order, equal member by member (toEqual tells −0 from 0), fields in their order.
          expect(got).toEqual(want);
          expect(got.map((s) => Object.keys(s.fields))).toEqual(want.map((s) => Object.keys(s.fields)));
          expect(got.map((s) => Object.keys(s.tags))).toEqual(want.map((s) => Object.keys(s.tags)));
          for (const m of ['ping', 'snmp', 'interface', 'ups', 'absent']) expect(obs.seriesOfMeasurement('s', device, m)).toEqual(want.filter((s) => s.measurement === m));
          const times: Array<[string, number]> = [];
          obs.eachTime('s', device, (m, t) => times.push([m, t]));
          expect(times).toEqual(want.map((s) => [s.measurement, s.time]));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a series whose field list changes every poll stays bounded: the old runs are packed away', () => {
    const d = new DeviceSeries();
    const table = new ShapeTable();
    const tags = { device: 'sw' };
    for (let poll = 0; poll < 2_000; poll++) {
      for (let i = 0; i < 20; i++) {
        const fields: Record<string, number | string> = {};
        for (let f = 0; f <= (poll + i) % 7; f++) fields[`f${f}`] = f === 3 ? 'text' : poll + f / 2;
        const s: Sample = { measurement: 'interface', tags, fields, time: T0 + poll };
        const key = `interface,i=${i}`;
        const slot = d.slotOf(key);
        if (slot === undefined) d.add(key, d.shapeFor(undefined, s, table), tags, s);
        else d.set(slot, d.shapeFor(slot, s, table), tags, s);
        expect(d.sample(d.slotOf(key)!)).toEqual(s);
      }
    }
    expect(d.size).toBe(20);
    // 20 series of at most 7 fields: a few hundred doubles, not 2,000 polls' worth.
    expect((d as unknown as { numbers: number[] }).numbers.length).toBeLessThan(2 * 20 * 8 + 200);
    expect(table.size).toBe(7);
  });

  it('a device with many series finds each by its key (the index past 32 series), in any order', () => {
    const obs = new Observations();
    const poll = (time: number, order: number[]) =>
      obs.addSamples('s', 'a', order.map((i) => ({ measurement: 'interface', tags: { device: 'sw', if_index: String(i) }, fields: { in_bps: time + i / 3 }, time })), time);
    const ids = Array.from({ length: 100 }, (_, i) => i);
    poll(T0, ids);
    poll(T0 + 1, [...ids].reverse());
    poll(T0 + 2, ids.filter((i) => i % 3 === 0));
    const got = obs.series('s', 'sw');
    expect(got).toHaveLength(100);
    for (const [i, s] of got.entries()) expect(s).toEqual({ measurement: 'interface', tags: { device: 'sw', if_index: String(i) }, fields: { in_bps: (i % 3 === 0 ? T0 + 2 : T0 + 1) + i / 3 }, time: i % 3 === 0 ? T0 + 2 : T0 + 1 });
  });

  it('the shape table is bounded: past it, shapes are used unshared and samples stay exact', () => {
    const table = new ShapeTable(4);
    const shapes = Array.from({ length: 10 }, (_, i) => table.of('m', { [`f${i}`]: i }));
    expect(table.size).toBe(4);
    expect(shapes[9]!.names).toEqual(['f9']);
  });
});
