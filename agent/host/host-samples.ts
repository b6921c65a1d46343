import { toTagValue, type FieldValue, type Sample } from '../../contract/index.ts';
import { counterRate, type CounterObservation } from '../rates/counter.ts';

/** One look at the agent's own machine; any part may be missing where the platform or a call failed. */
export interface HostReading {
  /** ms since the Unix epoch, when read. */
  at: number;
  uptimeS: number;
  /** Busy % of all CPUs since the previous reading (systeminformation currentLoad). */
  cpuPct?: number;
  /** 1-minute load average; none on Windows. */
  load1?: number;
  memory?: { totalBytes: number; availableBytes: number; swapTotalBytes: number; swapUsedBytes: number };
  /** Highest CPU/package temperature the OS reports, °C. */
  temperatureC?: number;
  disks?: readonly { mount: string; fs: string; type: string; sizeBytes: number; usedBytes: number; availableBytes: number }[];
  interfaces?: readonly NetCounters[];
  /** The parts that could not be read, as `part: reason`. */
  problems: readonly string[];
}

/** An interface's byte, error and drop counters since boot (Linux: /sys/class/net/<if>/statistics, u64). */
export interface NetCounters {
  name: string;
  rxBytes: number;
  txBytes: number;
  rxErrors: number;
  txErrors: number;
  rxDropped: number;
  txDropped: number;
}

type CounterName = 'rx_bytes' | 'tx_bytes' | 'rx_errors' | 'tx_errors' | 'rx_dropped' | 'tx_dropped';
/** Counters kept per interface name from one reading to the next, for rates. */
export type HostCounters = Map<string, Record<CounterName, CounterObservation>>;

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
const pct = (part: number, whole: number) => round((100 * part) / whole);

/**
 * Samples of the agent's host: `agent_host` (cpu, memory, uptime, temperature), one `agent_host_disk` per
 * mounted filesystem and one `agent_host_interface` per network interface with rates from the second
 * reading on. Memory "used" is total minus available (what the kernel could hand out without swapping),
 * so page cache does not count as used.
 */
export function hostSamples(
  reading: HostReading,
  previous: HostCounters | undefined,
  tags: Record<string, string>,
): { samples: Sample[]; counters: HostCounters } {
  const at = reading.at;
  const host: Record<string, FieldValue> = { uptime_s: round(reading.uptimeS, 1) };
  if (reading.cpuPct !== undefined && Number.isFinite(reading.cpuPct)) host.cpu_pct = round(reading.cpuPct);
  if (reading.load1 !== undefined && Number.isFinite(reading.load1)) host.load_1m = round(reading.load1);
  const mem = reading.memory;
  if (mem !== undefined && mem.totalBytes > 0) {
    const used = Math.max(0, mem.totalBytes - mem.availableBytes);
    host.mem_total_bytes = mem.totalBytes;
    host.mem_used_bytes = used;
    host.mem_used_pct = pct(used, mem.totalBytes);
    if (mem.swapTotalBytes > 0) host.swap_used_pct = pct(mem.swapUsedBytes, mem.swapTotalBytes);
  }
  if (reading.temperatureC !== undefined && Number.isFinite(reading.temperatureC)) host.temperature_c = round(reading.temperatureC, 1);
  if (reading.problems.length > 0) host.error = reading.problems.join('; ').slice(0, 4_096);
  const samples: Sample[] = [{ measurement: 'agent_host', tags, fields: host, time: at }];

  for (const disk of reading.disks ?? []) {
    if (!(disk.sizeBytes > 0)) continue;
    samples.push({
      measurement: 'agent_host_disk',
      tags: { ...tags, mount: toTagValue(disk.mount, '?'), fs: toTagValue(disk.fs, '?'), fs_type: toTagValue(disk.type, 'unknown') },
      // As df's Use%: of the space an unprivileged writer can have, so 100 % means "full" even with
      // ext4's blocks reserved for root still free.
      fields: { size_bytes: disk.sizeBytes, used_bytes: disk.usedBytes, used_pct: pct(disk.usedBytes, disk.usedBytes + disk.availableBytes || disk.sizeBytes) },
      time: at,
    });
  }

  const counters: HostCounters = new Map();
  const uptimeCs = Math.round(reading.uptimeS * 100);
  for (const net of reading.interfaces ?? []) {
    const observe = (value: number): CounterObservation => ({ value: BigInt(Math.max(0, Math.trunc(value))), bits: 64, uptimeCs, at });
    const now: Record<CounterName, CounterObservation> = {
      rx_bytes: observe(net.rxBytes),
      tx_bytes: observe(net.txBytes),
      rx_errors: observe(net.rxErrors),
      tx_errors: observe(net.txErrors),
      rx_dropped: observe(net.rxDropped),
      tx_dropped: observe(net.txDropped),
    };
    counters.set(net.name, now);
    const before = previous?.get(net.name);
    const rate = (name: CounterName) => counterRate(before?.[name], now[name]).rate;
    const fields: Record<string, FieldValue> = { in_octets: net.rxBytes, out_octets: net.txBytes };
    // Same field names as the SNMP `interface` measurement, so one dashboard panel serves both.
    const rates: [string, number | undefined][] = [
      ['in_bps', mul(rate('rx_bytes'), 8)],
      ['out_bps', mul(rate('tx_bytes'), 8)],
      ['in_errors_ps', rate('rx_errors')],
      ['out_errors_ps', rate('tx_errors')],
      ['in_discards_ps', rate('rx_dropped')],
      ['out_discards_ps', rate('tx_dropped')],
    ];
    for (const [name, value] of rates) if (value !== undefined) fields[name] = round(value, 3);
    samples.push({ measurement: 'agent_host_interface', tags: { ...tags, interface: toTagValue(net.name, '?') }, fields, time: at });
  }
  return { samples, counters };
}

const mul = (n: number | undefined, by: number) => (n === undefined ? undefined : n * by);
