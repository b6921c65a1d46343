import type { Device, FieldValue, Logger, Sample } from '../../../../contract/index.ts';
import type { SnmpSession } from '../session.ts';
import type { SystemInfo } from '../system.ts';

/** What a profile gets for one poll of one device. */
export interface PollContext {
  device: Device;
  system: SystemInfo;
  /** Tags every sample of this device carries: device, role, and the classification (class, vendor). */
  tags: Readonly<Record<string, string>>;
  /** Milliseconds since the Unix epoch; read it when a value is measured. */
  now(): number;
  log: Logger;
  /** What this profile kept from its last poll of this device (same target), if anything. */
  previous: unknown;
}

export interface ProfilePoll {
  samples: Sample[];
  /** Fields added to the device's `snmp` sample (e.g. `interfaces`: how many were found). */
  summary?: Record<string, FieldValue>;
  /** Kept for this profile's next poll of the device, e.g. counters for rates. */
  keep?: unknown;
}

/** Whether a probe OID (a column or subtree, see Profile.probes) had anything under it. */
export type ProbeAnswers = (oid: string) => boolean;

/**
 * One kind of device data (RFC 2790 host resources, RFC 3805 printer supplies, ...). The check walks every
 * profile's `probes` once per device, asks `detect`, and keeps the answer until the sysObjectID changes
 * (or for a day).
 * `poll` rejects with SnmpFailure when the device stops answering; anything malformed inside a table is
 * reported in the samples' `error` field instead.
 */
export interface Profile {
  name: string;
  /** Columns or subtrees whose presence shows the device implements the MIB; each is walked once. */
  probes: readonly string[];
  /** Scalar instances (`….0`) whose presence shows the same; all profiles' are fetched with one GET. */
  probeInstances?: readonly string[];
  detect(system: SystemInfo, answered: ProbeAnswers): boolean;
  poll(session: SnmpSession, ctx: PollContext): Promise<ProfilePoll>;
}
