import { describe, expect, it } from 'vitest';
import { deviceSchema, sampleSchema } from '../../../contract/index.ts';
import { interfaceName, interfaceSamples, speedBps, type InterfaceReading } from './interface-samples.ts';
import type { InterfaceRow } from './interfaces.ts';

const device = deviceSchema.parse({ name: 'core-sw1', address: '10.0.0.2', role: 'core-switch' });
const T0 = 1_750_000_000_000;
const c64 = (value: bigint) => ({ value, bits: 64 as const });
const c32 = (value: bigint) => ({ value, bits: 32 as const });

function hcRow(inOctets: bigint, outOctets: bigint, extra: Partial<InterfaceRow> = {}): InterfaceRow {
  return {
    index: 3,
    name: 'A3',
    descr: 'A3',
    adminStatus: 1,
    operStatus: 1,
    highSpeed: 1000,
    hcInOctets: c64(inOctets),
    hcOutOctets: c64(outOctets),
    inOctets: c32(inOctets % 2n ** 32n),
    outOctets: c32(outOctets % 2n ** 32n),
    inErrors: c32(10n),
    outErrors: c32(0n),
    inDiscards: c32(0n),
    outDiscards: c32(5n),
    ...extra,
  };
}

function poll(rows: InterfaceRow[], atSeconds: number, previous?: Map<number, InterfaceReading>, uptimeCs?: number) {
  return interfaceSamples({ device, rows, at: T0 + atSeconds * 1000, uptimeCs, previous });
}

describe('interfaceSamples', () => {
  it('first poll: identity, status, speed and raw counters, no rates', () => {
    const { samples, readings } = poll([hcRow(5_000_000_000n, 1_000n)], 0, undefined, 100);
    expect(samples).toEqual([
      {
        measurement: 'interface',
        tags: { device: 'core-sw1', role: 'core-switch', interface: 'A3', if_index: '3' },
        time: T0,
        fields: { oper_status: 1, admin_status: 1, speed_bps: 1e9, in_octets: 5e9, out_octets: 1000, counter_bits: 64 },
      },
    ]);
    expect(sampleSchema.safeParse(samples[0]).success).toBe(true);
    expect(readings.get(3)?.in_octets).toEqual({ value: 5_000_000_000n, bits: 64, at: T0, uptimeCs: 100, discontinuityCs: undefined });
  });

  it('second poll: bit rates, error and discard rates, utilisation', () => {
    const first = poll([hcRow(5_000_000_000n, 1_000n)], 0, undefined, 100);
    // 60 s later: +750 MB in (100 Mbit/s), +75 MB out (10 Mbit/s), +6 in errors, +120 out discards.
    const row = hcRow(5_750_000_000n, 75_001_000n, { inErrors: c32(16n), outDiscards: c32(125n) });
    const [s] = poll([row], 60, first.readings, 6_100).samples;
    expect(s?.fields).toMatchObject({
      in_bps: 100_000_000,
      out_bps: 10_000_000,
      in_errors_ps: 0.1,
      out_errors_ps: 0,
      in_discards_ps: 0,
      out_discards_ps: 2,
      utilisation_pct: 10,
    });
  });

  it('uses the 32-bit ifTable counters when there are no HC columns, and their wrap', () => {
    const row = (inO: bigint): InterfaceRow => ({ index: 1, descr: 'LAN', speed: 100_000_000, inOctets: c32(inO), outOctets: c32(0n) });
    const first = poll([row(2n ** 32n - 1_000n)], 0);
    const [s] = poll([row(7_499_000n)], 60, first.readings).samples;
    expect(s?.fields).toMatchObject({ counter_bits: 32, in_octets: 7_499_000, in_bps: 1_000_000, out_bps: 0, utilisation_pct: 1 });
  });

  it('gives no rates after a reboot (sysUpTime went back), then rates again', () => {
    const first = poll([hcRow(5_000_000_000n, 1_000n)], 0, undefined, 8_640_000);
    const rebooted = poll([hcRow(1_000n, 1_000n)], 60, first.readings, 3_000);
    expect(Object.keys(rebooted.samples[0]!.fields)).not.toContain('in_bps');
    const after = poll([hcRow(7_501_000n, 1_000n)], 120, rebooted.readings, 9_000);
    expect(after.samples[0]?.fields.in_bps).toBe(1_000_000);
  });

  it('gives no rates for an interface that appeared since the last poll', () => {
    const first = poll([hcRow(0n, 0n)], 0);
    const [, fresh] = poll([hcRow(0n, 0n), hcRow(0n, 0n, { index: 9 })], 60, first.readings).samples;
    expect(fresh?.tags.if_index).toBe('9');
    expect(fresh?.fields.in_bps).toBeUndefined();
  });

  it('omits utilisation when the speed is unknown or zero', () => {
    const row = (v: bigint): InterfaceRow => ({ index: 2, speed: 0, hcInOctets: c64(v), hcOutOctets: c64(v) });
    const [s] = poll([row(600n)], 60, poll([row(0n)], 0).readings).samples;
    expect(s?.fields).toMatchObject({ speed_bps: 0, in_bps: 80 });
    expect(s?.fields.utilisation_pct).toBeUndefined();
  });

  it('has no sample for a row with nothing to report', () => {
    expect(poll([{ index: 4, descr: 'ghost' }], 0).samples).toEqual([]);
  });
});

describe('interfaceName', () => {
  it('prefers ifName, then ifDescr, then if<index>', () => {
    expect(interfaceName({ index: 1, name: 'Gi1/0/1', descr: 'GigabitEthernet1/0/1' })).toBe('Gi1/0/1');
    expect(interfaceName({ index: 1, name: ' ', descr: 'LAN' })).toBe('LAN');
    expect(interfaceName({ index: 10 })).toBe('if10');
    expect(interfaceName({ index: 1, name: 'x'.repeat(300) })).toHaveLength(256);
  });
  it('cleans garbage a device answers into a valid tag value', () => {
    expect(interfaceName({ index: 3, name: '\u0001\\', descr: 'eth0\u0000' })).toBe('eth0');
    expect(interfaceName({ index: 3, name: '\u0001\\' })).toBe('if3');
  });
});

describe('speedBps (RFC 2863)', () => {
  it('uses ifSpeed when exact, ifHighSpeed when ifSpeed is saturated, zero or missing', () => {
    expect(speedBps({ index: 1, speed: 1_073_741_824, highSpeed: 1073 })).toBe(1_073_741_824);
    expect(speedBps({ index: 1, speed: 4_294_967_295, highSpeed: 10_000 })).toBe(10e9);
    expect(speedBps({ index: 1, speed: 0, highSpeed: 2000 })).toBe(2e9);
    expect(speedBps({ index: 1, highSpeed: 1000 })).toBe(1e9);
    expect(speedBps({ index: 1, speed: 64_000, highSpeed: 0 })).toBe(64_000);
    expect(speedBps({ index: 1, speed: 0, highSpeed: 0 })).toBe(0);
    expect(speedBps({ index: 1 })).toBeUndefined();
  });
});
