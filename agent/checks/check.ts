import type { Device, Logger, Sample } from '../../contract/index.ts';

/** What a check gets from the scheduler: the clock (injected, so tests control time) and a logger. */
export interface CheckContext {
  /** Milliseconds since the Unix epoch; stamped on samples at the moment of measuring. */
  now(): number;
  log: Logger;
}

/**
 * One kind of check. `run` never rejects for a device that is dead, slow or answers garbage: that is a
 * result, reported as samples with `up: 0` and an `error` field. It rejects only on a bug or when the
 * agent itself cannot work (e.g. the ping binary is missing).
 */
export interface Check<C> {
  kind: 'ping' | 'snmp';
  run(device: Device, config: C, ctx: CheckContext): Promise<Sample[]>;
}

/** Tags every sample of a device carries; the collector adds `site`. */
export function deviceTags(device: Device): Record<string, string> {
  return { device: device.name, role: device.role };
}
