import type { Sample } from '../../../contract/index.ts';
import { num, round, thresholdRule, unknown, type Unknown } from './rule.ts';

/**
 * Filesystems that live in memory or are read-only images, by type name where the agent tags it
 * (tmpfs is reported by net-snmp as hrStorageFixedDisk): their "used" is not a disk filling up.
 */
const NOT_A_DISK_TYPE = /^(?:tmpfs|devtmpfs|ramfs|rootfs|squashfs|overlay|proc|sysfs|cgroup2?|devfs|iso9660|udf|ram|virtual|virtual_memory|ram_disk)$/i;
/** Mount points of the same on Linux and BSD hosts, where no type tag says so: /dev/shm, /run, /sys/..., /snap/... */
const NOT_A_DISK_MOUNT = /^\/(?:dev|run|sys|proc|snap)(?:\/|$)/;

/**
 * A real disk: an HOST-RESOURCES-MIB (RFC 2790) row of kind fixed disk, whose type (the `fs_type` or
 * `storage_type` tag, where the agent gives one) and mount point do not say it lives in RAM or is a
 * read-only image (a snap's squashfs is always 100 % used).
 */
export function isRealDisk(s: Sample): boolean {
  if (s.tags.kind !== 'fixed_disk' || s.tags.storage === undefined) return false;
  for (const tag of ['fs_type', 'storage_type', 'fs']) {
    const type = s.tags[tag];
    if (type !== undefined && NOT_A_DISK_TYPE.test(type)) return false;
  }
  return !NOT_A_DISK_MOUNT.test(s.tags.storage);
}

/**
 * % used; a filesystem with not one block free is a read-only image (squashfs, cramfs, ISO 9660 report
 * every block used by design: OpenWrt's /rom, a mounted ISO), not a disk that filled up — a writable
 * filesystem that fills keeps its reserved and metadata blocks free (net-snmp's hrStorageUsed is
 * size − f_bfree). Such a reading is "unknown", with that reason, not a page.
 */
export function storageReading(s: Sample): number | Unknown | undefined {
  const pct = num(s, 'used_pct');
  if (pct === undefined) return undefined;
  const size = num(s, 'size_bytes');
  if (size !== undefined && size > 0 && num(s, 'used_bytes') === size) return unknown('every block used: a read-only image (squashfs, ISO 9660), not a disk filling up');
  return pct;
}

export const storageFull = thresholdRule({
  id: 'storage-full',
  measurement: 'host_storage',
  value: storageReading,
  subject: (s) => (isRealDisk(s) ? { instance: s.tags.storage! } : undefined),
  describe: (sub, device, value, limit) => `${device} ${sub.instance} is ${round(value, 0)} % full (limit ${limit} %)`,
});

/** hrProcessorLoad averaged over the processors; "sustained" is the rule's `for`. */
export const cpuHigh = thresholdRule({
  id: 'cpu-high',
  measurement: 'host',
  value: (s) => num(s, 'cpu_load_pct'),
  subject: () => ({}),
  describe: (_s, device, value, limit) => `${device} CPU at ${round(value, 0)} % (limit ${limit} %)`,
});
