import { describe, expect, it } from 'vitest';
import { sampleSchema } from '../../contract/index.ts';
import { hostSamples, type HostReading, type NetCounters } from './host-samples.ts';

const T0 = 1_800_000_000_000;
const tags = { agent: 'north-1' };
const eth0 = (rx: number, tx: number, extra: Partial<NetCounters> = {}): NetCounters => ({
  name: 'eth0',
  rxBytes: rx,
  txBytes: tx,
  rxErrors: 0,
  txErrors: 0,
  rxDropped: 0,
  txDropped: 0,
  ...extra,
});
const reading = (extra: Partial<HostReading> = {}): HostReading => ({
  at: T0,
  uptimeS: 3_600,
  cpuPct: 12.3456,
  load1: 0.42,
  memory: { totalBytes: 4_000_000_000, availableBytes: 3_000_000_000, swapTotalBytes: 0, swapUsedBytes: 0 },
  disks: [{ mount: '/', fs: '/dev/mmcblk0p2', type: 'ext4', sizeBytes: 100e9, usedBytes: 40e9, availableBytes: 55e9 }],
  interfaces: [eth0(1_000_000, 500_000)],
  problems: [],
  ...extra,
});
const byMeasurement = (samples: ReturnType<typeof hostSamples>['samples'], m: string) => samples.filter((s) => s.measurement === m);

describe('hostSamples', () => {
  it('host, disk and interface samples, valid for the wire contract', () => {
    const { samples } = hostSamples(reading({ temperatureC: 51.26 }), undefined, tags);
    for (const s of samples) expect(sampleSchema.safeParse(s).error).toBeUndefined();
    expect(byMeasurement(samples, 'agent_host')).toEqual([
      {
        measurement: 'agent_host',
        tags,
        time: T0,
        fields: { uptime_s: 3_600, cpu_pct: 12.35, load_1m: 0.42, mem_total_bytes: 4e9, mem_used_bytes: 1e9, mem_used_pct: 25, temperature_c: 51.3 },
      },
    ]);
    // df's Use%: 40 / (40 + 55), not 40 / 100 (5 GB are reserved for root).
    expect(byMeasurement(samples, 'agent_host_disk')).toEqual([
      {
        measurement: 'agent_host_disk',
        tags: { agent: 'north-1', mount: '/', fs: '/dev/mmcblk0p2', fs_type: 'ext4' },
        time: T0,
        fields: { size_bytes: 100e9, used_bytes: 40e9, used_pct: 42.11 },
      },
    ]);
    // The first reading has counters but no rates yet.
    expect(byMeasurement(samples, 'agent_host_interface')[0]!.fields).toEqual({ in_octets: 1_000_000, out_octets: 500_000 });
  });

  it('rates from the second reading on, in bits per second like the SNMP interface samples', () => {
    const first = hostSamples(reading(), undefined, tags);
    const second = hostSamples(
      reading({ at: T0 + 60_000, uptimeS: 3_660, interfaces: [eth0(1_000_000 + 7_500_000, 500_000 + 750_000, { rxErrors: 6, txDropped: 120 })] }),
      first.counters,
      tags,
    );
    expect(byMeasurement(second.samples, 'agent_host_interface')[0]).toEqual({
      measurement: 'agent_host_interface',
      tags: { agent: 'north-1', interface: 'eth0' },
      time: T0 + 60_000,
      fields: {
        in_octets: 8_500_000,
        out_octets: 1_250_000,
        in_bps: 1_000_000,
        out_bps: 100_000,
        in_errors_ps: 0.1,
        out_errors_ps: 0,
        in_discards_ps: 0,
        out_discards_ps: 2,
      },
    });
  });

  it('an interface whose counters restarted (re-created, driver reload) gives no rate rather than a huge one', () => {
    const first = hostSamples(reading(), undefined, tags);
    const second = hostSamples(reading({ at: T0 + 60_000, interfaces: [eth0(2_000, 1_000)] }), first.counters, tags);
    const fields = byMeasurement(second.samples, 'agent_host_interface')[0]!.fields;
    expect(fields).toMatchObject({ in_octets: 2_000, out_octets: 1_000, in_errors_ps: 0 });
    expect(fields).not.toHaveProperty('in_bps');
    expect(fields).not.toHaveProperty('out_bps');
  });

  it('parts that could not be read are left out and named in an error field', () => {
    const { samples } = hostSamples(
      { at: T0, uptimeS: 10, problems: ['disks: no answer within 10 s', 'network: spawn cat ENOENT'] },
      undefined,
      tags,
    );
    expect(samples).toEqual([
      { measurement: 'agent_host', tags, time: T0, fields: { uptime_s: 10, error: 'disks: no answer within 10 s; network: spawn cat ENOENT' } },
    ]);
  });

  it('swap only where there is swap; filesystems of size 0 are skipped', () => {
    const { samples } = hostSamples(
      reading({
        memory: { totalBytes: 1e9, availableBytes: 1.2e9, swapTotalBytes: 2e9, swapUsedBytes: 5e8 },
        disks: [{ mount: '/proc', fs: 'proc', type: 'proc', sizeBytes: 0, usedBytes: 0, availableBytes: 0 }],
      }),
      undefined,
      tags,
    );
    // available > total happens briefly on some kernels: used never goes negative.
    expect(byMeasurement(samples, 'agent_host')[0]!.fields).toMatchObject({ mem_used_bytes: 0, mem_used_pct: 0, swap_used_pct: 25 });
    expect(byMeasurement(samples, 'agent_host_disk')).toEqual([]);
  });
});
