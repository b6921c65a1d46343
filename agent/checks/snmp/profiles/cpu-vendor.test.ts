import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Sample } from '../../../../contract/index.ts';
import type { Varbind } from '../session.ts';
import { SnmpType } from '../values.ts';
import { HOST_PROFILES, vendorCpu, withVendorCpu } from './cpu-vendor.ts';

const gauge = (value: number): Varbind => ({ oid: '', type: SnmpType.Gauge32, value });
const text = (s: string): Varbind => ({ oid: '', type: SnmpType.OctetString, value: Buffer.from(s) });
const FORTINET = '1.3.6.1.4.1.12356.101.4.1.3.0';
const HR = '1.3.6.1.2.1.25.3.3.1.2';

describe('vendorCpu', () => {
  it('Cisco: the mean of cpmCPUTotal5minRev rows, each kept per processor; 0 % is a reading', () => {
    expect(vendorCpu([{ index: '1', load: gauge(12) }, { index: '2', load: gauge(0) }], undefined)).toEqual({
      source: 'cisco_process_mib',
      pct: 6,
      processors: [{ index: '1', pct: 12 }, { index: '2', pct: 0 }],
    });
  });
  it('Fortinet: fgSysCpuUsage, used only without Cisco rows', () => {
    expect(vendorCpu([], gauge(42))).toEqual({ source: 'fortinet_mib', pct: 42, processors: [] });
  });
  it('neither object: nothing; out of range or garbage: an error and no load', () => {
    expect(vendorCpu([], undefined)).toBeUndefined();
    expect(vendorCpu([], gauge(101))).toEqual({ source: 'fortinet_mib', processors: [], error: 'fgSysCpuUsage out of range: 101' });
    expect(vendorCpu([{ index: '1', load: text('x') }], undefined)).toEqual({ source: 'cisco_process_mib', processors: [], error: 'bad value in cpmCPUTotal5minRev' });
  });
});

describe('withVendorCpu', () => {
  const tags = { device: 'fw' };
  it('the vendor load replaces the HOST-RESOURCES mean in `host`; memory and host_cpu rows stay', () => {
    const hr: Sample[] = [
      { measurement: 'host', tags, fields: { processors: 2, cpu_load_pct: 3, memory_used_pct: 50 }, time: 1 },
      { measurement: 'host_cpu', tags: { ...tags, cpu: '1' }, fields: { load_pct: 3 }, time: 1 },
    ];
    const out = withVendorCpu(hr, { source: 'fortinet_mib', pct: 42, processors: [] }, tags, 1);
    expect(out[0]).toEqual({ measurement: 'host', tags, fields: { processors: 2, cpu_load_pct: 42, memory_used_pct: 50, cpu_source: 'fortinet_mib' }, time: 1 });
    expect(out.filter((s) => s.measurement === 'host')).toHaveLength(1);
    expect(out.filter((s) => s.measurement === 'host_cpu')).toHaveLength(1);
  });
  it('no vendor load (an error): no cpu_load_pct at all rather than the misleading one', () => {
    const hr: Sample[] = [{ measurement: 'host', tags, fields: { cpu_load_pct: 3 }, time: 1 }];
    expect(withVendorCpu(hr, { source: 'x', processors: [], error: 'e' }, tags, 1)[0]!.fields).toEqual({ cpu_source: 'x', error: 'e' });
  });
  it('without HOST-RESOURCES: a `host` sample and host_cpu rows from the vendor', () => {
    const out = withVendorCpu([], { source: 'cisco_process_mib', pct: 7, processors: [{ index: '1', pct: 7 }] }, tags, 1);
    expect(out.map((s) => s.measurement)).toEqual(['host', 'host_cpu']);
  });
});

describe('HOST_PROFILES', () => {
  const chosen = (answered: string[], objectId?: string) =>
    HOST_PROFILES.filter((p) => p.detect({ objectId, descr: undefined } as never, (oid) => answered.includes(oid))).map((p) => p.name);
  it('exactly one detects wherever any of the MIBs answers; none on a device with neither', () => {
    expect(chosen([HR])).toEqual(['host_resources']);
    expect(chosen([HR, FORTINET])).toEqual(['host_resources']);
    expect(chosen([], '1.3.6.1.4.1.9.1.1208')).toEqual(['vendor_cpu']);
    expect(chosen([HR], '1.3.6.1.4.1.9.1.1208')).toEqual(['host_resources']);
    // Not Cisco: a sysObjectID that only starts with the same digits (enterprise 99).
    expect(chosen([], '1.3.6.1.4.1.99.1')).toEqual([]);
    expect(chosen([])).toEqual([]);
  });
  it('adds no walked probe, one GET instance, to the host-resources probes', () => {
    const walked = new Set(HOST_PROFILES.flatMap((p) => p.probes));
    expect(walked.size).toBe(2);
    expect(new Set(HOST_PROFILES.flatMap((p) => p.probeInstances ?? []))).toEqual(new Set([FORTINET]));
  });
});

describe('any CPU cells a device sends (fast-check)', () => {
  const cell = fc.oneof(fc.integer({ min: -(2 ** 31), max: 2 ** 32 - 1 }).map(gauge), fc.string({ maxLength: 6 }).map(text));
  it('never throws; a load is within 0..100 or absent with an error', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ index: fc.nat(30).map(String), load: cell }), { maxLength: 8 }), fc.option(cell, { nil: undefined }), (rows, forti) => {
        const cpu = vendorCpu(rows, forti);
        if (cpu === undefined) {
          expect(rows.length === 0 && forti === undefined).toBe(true);
          return;
        }
        if (cpu.pct !== undefined) expect(cpu.pct >= 0 && cpu.pct <= 100).toBe(true);
        for (const p of cpu.processors) expect(p.pct >= 0 && p.pct <= 100).toBe(true);
        const readable = cpu.processors.length + (cpu.source === 'fortinet_mib' && cpu.pct !== undefined ? 1 : 0);
        if (readable < (cpu.source === 'fortinet_mib' ? 1 : rows.length)) expect(cpu.error).toBeDefined();
      }),
    );
  });
});
