import { toTagValue, type FieldValue, type Sample } from '../../../../contract/index.ts';
import type { Profile } from './profile.ts';
import { CellReader, readTable, type TableRow } from './table.ts';

// HOST-RESOURCES-MIB (RFC 2790).
const HR_PROCESSOR_LOAD = '1.3.6.1.2.1.25.3.3.1.2';
const HR_STORAGE_ENTRY = '1.3.6.1.2.1.25.2.3.1';
const STORAGE_COLUMNS = {
  type: `${HR_STORAGE_ENTRY}.2`,
  descr: `${HR_STORAGE_ENTRY}.3`,
  units: `${HR_STORAGE_ENTRY}.4`,
  size: `${HR_STORAGE_ENTRY}.5`,
  used: `${HR_STORAGE_ENTRY}.6`,
} as const;
type StorageColumn = keyof typeof STORAGE_COLUMNS;

/** hrStorageTypes (RFC 2790 §4): the kind of storage, as the `kind` tag says it. */
const STORAGE_KINDS: Readonly<Record<string, string>> = {
  '1.3.6.1.2.1.25.2.1.1': 'other',
  '1.3.6.1.2.1.25.2.1.2': 'ram',
  '1.3.6.1.2.1.25.2.1.3': 'virtual_memory',
  '1.3.6.1.2.1.25.2.1.4': 'fixed_disk',
  '1.3.6.1.2.1.25.2.1.5': 'removable_disk',
  '1.3.6.1.2.1.25.2.1.6': 'floppy_disk',
  '1.3.6.1.2.1.25.2.1.7': 'compact_disc',
  '1.3.6.1.2.1.25.2.1.8': 'ram_disk',
  '1.3.6.1.2.1.25.2.1.9': 'flash_memory',
  '1.3.6.1.2.1.25.2.1.10': 'network_disk',
};

/**
 * Mounts that live in RAM or are views of other storage, whatever hrStorageType the agent gives them:
 * net-snmp reports tmpfs, devtmpfs and overlay mounts as hrStorageFixedDisk. A full /run or /dev/shm is
 * not a full disk, and a container's overlay repeats the disk under it. They get kind "ram_disk"
 * (RFC 2790 hrStorageRamDisk), so disk-full rules, which look at kind "fixed_disk", pass them by.
 */
const RAM_BACKED = /^(\/run|\/dev|\/sys|\/proc|\/var\/run|\/var\/lock|\/lib\/init\/rw)(\/|$)|^\/dev\/shm|^(tmpfs|devtmpfs|shm|ramfs|overlay|none|udev|swap)$|\/overlay2?\/|\/containers\/.*\/(shm|mounts)|^\/var\/lib\/docker\/|^\/snap\//i;

/** The `kind` tag of a storage row: its hrStorageType, but "ram_disk" for a RAM-backed or virtual mount (see RAM_BACKED). */
export function storageKind(type: string | undefined, descr: string | undefined): string {
  const kind = (type !== undefined ? STORAGE_KINDS[type] : undefined) ?? 'other';
  if ((kind === 'fixed_disk' || kind === 'other' || kind === 'network_disk') && descr !== undefined && RAM_BACKED.test(descr.trim())) return 'ram_disk';
  return kind;
}

export type ProcessorRow = TableRow<'load'>;
export type StorageRow = TableRow<StorageColumn>;

/**
 * Measurements:
 * - `host_cpu` per processor (tag `cpu` = hrDeviceIndex): load_pct, the average over the last minute;
 * - `host_storage` per hrStorage row (tags `storage`, `storage_index`, `kind` = the hrStorageType word, or
 *   "ram_disk" for tmpfs-like mounts, see storageKind): size_bytes, used_bytes, used_pct;
 * - `host` once: processors, cpu_load_pct (mean of the processors), memory_used_pct (see memoryUsedPct).
 */
export function hostResourceSamples(
  processors: readonly ProcessorRow[],
  storage: readonly StorageRow[],
  tags: Readonly<Record<string, string>>,
  time: number,
): Sample[] {
  const samples: Sample[] = [];
  const loads: number[] = [];
  for (const row of processors) {
    const cells = new CellReader();
    const load = cells.number(row.load, 'hrProcessorLoad');
    const fields: Record<string, FieldValue> = {};
    if (load !== undefined && load >= 0 && load <= 100) {
      fields.load_pct = load;
      loads.push(load);
    } else if (load !== undefined) {
      fields.error = `hrProcessorLoad out of range: ${load}`;
    }
    const error = cells.error();
    if (error !== undefined) fields.error = error;
    if (Object.keys(fields).length > 0) samples.push({ measurement: 'host_cpu', tags: { ...tags, cpu: row.index }, fields, time });
  }

  const areas: StorageArea[] = [];
  for (const row of storage) {
    const cells = new CellReader();
    const type = cells.oid(row.type, 'hrStorageType');
    const descr = cells.text(row.descr, 'hrStorageDescr');
    const usage = storageUsage(
      cells.number(row.units, 'hrStorageAllocationUnits'),
      cells.number(row.size, 'hrStorageSize'),
      cells.number(row.used, 'hrStorageUsed'),
    );
    const kind = storageKind(type, descr);
    const fields: Record<string, FieldValue> = { ...usage };
    const error = cells.error();
    if (error !== undefined) fields.error = error;
    if (Object.keys(fields).length === 0) continue;
    areas.push({ kind, descr: descr ?? '', ...usage });
    samples.push({
      measurement: 'host_storage',
      tags: { ...tags, storage: toTagValue(descr ?? '', `storage${row.index}`), storage_index: row.index, kind },
      fields,
      time,
    });
  }

  const host: Record<string, FieldValue> = {};
  if (processors.length > 0) host.processors = processors.length;
  if (loads.length > 0) host.cpu_load_pct = loads.reduce((a, b) => a + b, 0) / loads.length;
  const memory = memoryUsedPct(areas);
  if (memory !== undefined) host.memory_used_pct = memory;
  if (Object.keys(host).length > 0) samples.unshift({ measurement: 'host', tags: { ...tags }, fields: host, time });
  return samples;
}

export interface StorageArea {
  kind: string;
  descr: string;
  size_bytes?: number;
  used_bytes?: number;
}

/**
 * Memory in use, %: the RAM area named physical or real memory (net-snmp, Windows, ESXi, pfSense), else
 * the first RAM area. net-snmp counts buffers and page cache as used in "Physical memory" and lists them
 * as the areas "Memory buffers" and "Cached memory": they are taken off, as `free` does, since the kernel
 * gives that memory back on demand and a Linux box would otherwise always look full.
 */
export function memoryUsedPct(areas: readonly StorageArea[]): number | undefined {
  const ram = areas.filter((a) => a.kind === 'ram' && a.size_bytes !== undefined && a.size_bytes > 0 && a.used_bytes !== undefined);
  const physical = ram.find((a) => /^(physical|real) memory/i.test(a.descr)) ?? ram[0];
  if (physical === undefined) return undefined;
  const named = (descr: string) => areas.find((a) => a.descr === descr)?.used_bytes ?? 0;
  const used = Math.max(0, physical.used_bytes! - named('Memory buffers') - named('Cached memory'));
  return (used / physical.size_bytes!) * 100;
}

/**
 * RFC 2790: hrStorageSize and hrStorageUsed count allocation units of hrStorageAllocationUnits bytes.
 * A size of 0 (an empty CD drive, a pseudo file system; units 0 as Windows and pfSense give them) has no
 * percentage.
 */
export function storageUsage(
  units: number | undefined,
  size: number | undefined,
  used: number | undefined,
): { size_bytes?: number; used_bytes?: number; used_pct?: number } {
  if (units === undefined || units < 0) return {};
  const out: { size_bytes?: number; used_bytes?: number; used_pct?: number } = {};
  if (size !== undefined && size >= 0) out.size_bytes = size * units;
  if (used !== undefined && used >= 0) out.used_bytes = used * units;
  if (size !== undefined && used !== undefined && size > 0 && used >= 0) out.used_pct = (used / size) * 100;
  return out;
}

export const hostResourcesProfile: Profile = {
  name: 'host_resources',
  probes: [HR_PROCESSOR_LOAD, STORAGE_COLUMNS.units],
  detect: (_system, answered) => answered(HR_PROCESSOR_LOAD) || answered(STORAGE_COLUMNS.units),
  async poll(session, ctx) {
    const processors = await readTable(session, { load: HR_PROCESSOR_LOAD });
    const storage = await readTable(session, STORAGE_COLUMNS);
    return { samples: hostResourceSamples(processors, storage, ctx.tags, ctx.now()) };
  },
};
