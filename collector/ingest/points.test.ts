import { describe, expect, it } from 'vitest';
import { batchToPoints, pointKey } from './points.ts';
import { T0, batch, sample } from './test-batches.ts';

describe('batchToPoints', () => {
  it('maps each sample to a point with the measuring time in ms and field types kept', () => {
    const points = batchToPoints(
      batch({
        samples: [
          sample({ measurement: 'ping', fields: { rtt_ms: 1.25, probes: 3, up: true }, time: T0 }),
          sample({ measurement: 'snmp_system', tags: { device: 'ups-1' }, fields: { descr: 'APC "Smart-UPS"' }, time: T0 + 1 }),
        ],
      }),
    );
    expect(points).toEqual([
      {
        measurement: 'ping',
        tags: { device: 'core-sw', role: 'core-switch', site: 'north-primary' },
        fields: { rtt_ms: 1.25, probes: 3, up: true },
        timestamp: T0,
      },
      {
        measurement: 'snmp_system',
        tags: { device: 'ups-1', site: 'north-primary' },
        fields: { descr: 'APC "Smart-UPS"' },
        timestamp: T0 + 1,
      },
    ]);
  });

  it("forces the site tag to the batch's site, so an agent cannot write under another school", () => {
    const [point] = batchToPoints(batch({ samples: [sample({ tags: { device: 'x', site: 'south-academy' } })] }));
    expect(point?.tags).toEqual({ device: 'x', site: 'north-primary' });
  });

  it('does not share objects with the batch', () => {
    const b = batch();
    const [point] = batchToPoints(b);
    point!.tags!['extra'] = 'y';
    point!.fields!['extra'] = 1;
    expect(b.samples[0]!.tags).not.toHaveProperty('extra');
    expect(b.samples[0]!.fields).not.toHaveProperty('extra');
  });
});

describe('pointKey', () => {
  it('is measurement + tag set + time, independent of tag order and of fields', () => {
    const a = { measurement: 'ping', tags: { a: '1', b: '2' }, fields: { x: 1 }, timestamp: T0 };
    const b = { measurement: 'ping', tags: { b: '2', a: '1' }, fields: { x: 2 }, timestamp: T0 };
    expect(pointKey(a)).toBe(pointKey(b));
    expect(pointKey({ ...a, timestamp: T0 + 1 })).not.toBe(pointKey(a));
    expect(pointKey({ ...a, tags: { a: '1', b: '3' } })).not.toBe(pointKey(a));
  });
});
