import { describe, expect, it } from 'vitest';
import type { Varbind } from '../session.ts';
import { SnmpType } from '../values.ts';
import { hostResourceSamples, memoryUsedPct, storageUsage, storageKind } from './host-resources.ts';

const int = (value: number): Varbind => ({ oid: '', type: SnmpType.Integer, value });
const text = (value: string): Varbind => ({ oid: '', type: SnmpType.OctetString, value: Buffer.from(value) });
const type = (n: number): Varbind => ({ oid: '', type: SnmpType.Oid, value: `1.3.6.1.2.1.25.2.1.${n}` });
const tags = { device: 's1', role: 'server' };
const T = 1_750_000_000_000;

describe('storageUsage (RFC 2790 allocation units)', () => {
  it('multiplies by the allocation unit', () => {
    expect(storageUsage(4096, 1000, 250)).toEqual({ size_bytes: 4_096_000, used_bytes: 1_024_000, used_pct: 25 });
  });
  it('has no percentage for a zero size, nothing for a missing unit', () => {
    expect(storageUsage(1024, 0, 0)).toEqual({ size_bytes: 0, used_bytes: 0 });
    expect(storageUsage(undefined, 10, 5)).toEqual({});
    expect(storageUsage(0, 0, 0)).toEqual({ size_bytes: 0, used_bytes: 0 });
    expect(storageUsage(-1, 10, 5)).toEqual({});
  });
});

describe('memoryUsedPct', () => {
  it('takes buffers and page cache off net-snmp\'s "Physical memory"', () => {
    expect(
      memoryUsedPct([
        { kind: 'ram', descr: 'Physical memory', size_bytes: 1000, used_bytes: 900 },
        { kind: 'virtual_memory', descr: 'Virtual memory', size_bytes: 3000, used_bytes: 1000 },
        { kind: 'other', descr: 'Memory buffers', size_bytes: 1000, used_bytes: 100 },
        { kind: 'other', descr: 'Cached memory', size_bytes: 400, used_bytes: 400 },
      ]),
    ).toBe(40);
  });
  it('prefers the area named physical or real memory over other RAM areas (pfSense kernel zones)', () => {
    expect(
      memoryUsedPct([
        { kind: 'ram', descr: 'UMA: mbuf_jumbo_9k', size_bytes: 4_000_000, used_bytes: 0 },
        { kind: 'ram', descr: 'Real Memory Metrics', size_bytes: 1000, used_bytes: 250 },
      ]),
    ).toBe(25);
    expect(memoryUsedPct([{ kind: 'ram', descr: 'RAM', size_bytes: 200, used_bytes: 50 }])).toBe(25);
    expect(memoryUsedPct([{ kind: 'fixed_disk', descr: '/', size_bytes: 200, used_bytes: 50 }])).toBeUndefined();
  });
});

describe('hostResourceSamples', () => {
  it('per-processor load, storage by kind, and a host summary with the largest RAM row', () => {
    const samples = hostResourceSamples(
      [{ index: '196608', load: int(10) }, { index: '196609', load: int(30) }],
      [
        { index: '1', type: type(2), descr: text('Physical memory'), units: int(1024), size: int(1000), used: int(500) },
        { index: '3', type: type(3), descr: text('Virtual memory'), units: int(1024), size: int(2000), used: int(100) },
        { index: '31', type: type(4), descr: text('/'), units: int(4096), size: int(100), used: int(75) },
      ],
      tags,
      T,
    );
    expect(samples[0]).toEqual({ measurement: 'host', tags, fields: { processors: 2, cpu_load_pct: 20, memory_used_pct: 50 }, time: T });
    expect(samples.filter((s) => s.measurement === 'host_cpu').map((s) => [s.tags.cpu, s.fields.load_pct])).toEqual([
      ['196608', 10],
      ['196609', 30],
    ]);
    const disk = samples.find((s) => s.tags.storage === '/');
    expect(disk).toMatchObject({ tags: { kind: 'fixed_disk', storage_index: '31' }, fields: { used_pct: 75, size_bytes: 409_600 } });
    expect(samples.find((s) => s.tags.storage === 'Virtual memory')?.tags.kind).toBe('virtual_memory');
  });
  it('reports a load outside 0-100 and wrong types as errors', () => {
    const samples = hostResourceSamples([{ index: '1', load: int(250) }, { index: '2', load: text('busy') }], [], tags, T);
    expect(samples.map((s) => s.fields)).toEqual([
      { processors: 2 },
      { error: 'hrProcessorLoad out of range: 250' },
      { error: 'bad value in hrProcessorLoad' },
    ]);
  });
});

describe('storageKind: RAM-backed and virtual mounts are not disks', () => {
  const FIXED = '1.3.6.1.2.1.25.2.1.4';
  it('tmpfs mounts that net-snmp calls fixed disks become ram_disk', () => {
    for (const d of ['/run', '/run/lock', '/run/user/1000', '/dev/shm', '/dev', '/sys/fs/cgroup', 'tmpfs', '/var/lib/docker/overlay2/abc/merged', '/snap/core/123']) {
      expect(storageKind(FIXED, d), d).toBe('ram_disk');
    }
  });
  it('real disks stay fixed_disk, including ones whose names only resemble the patterns', () => {
    for (const d of ['/', '/home', '/var', '/boot', '/srv/run-data', 'C:\\ Label:OS  Serial Number 1234', '/runtime', '/devices', '/data/dev']) {
      expect(storageKind(FIXED, d), d).toBe('fixed_disk');
    }
  });
  it('RAM and virtual memory keep their own kinds; an unknown type is other', () => {
    expect(storageKind('1.3.6.1.2.1.25.2.1.2', 'Physical memory')).toBe('ram');
    expect(storageKind('1.3.6.1.2.1.25.2.1.3', 'Virtual memory')).toBe('virtual_memory');
    expect(storageKind(undefined, '/data')).toBe('other');
    expect(storageKind('1.3.6.1.2.1.25.2.1.1', '/run')).toBe('ram_disk');
  });
});
