import type { Device, Sample } from '../../../contract/index.ts';
import type { ReachabilityEvent } from '../observations.ts';

/**
 * up: answering; degraded: answering with loss or latency over the limits; down: not answering while
 * every device it is reached through answers; unreachable: not answering, behind a device that does not
 * (or is itself unreachable); unknown: no recent data, or the site's agent is offline.
 */
export type DeviceState = 'up' | 'down' | 'unreachable' | 'unknown' | 'degraded';

/** What one device's own checks say, before its parents are taken into account. */
export interface Reachability {
  /** undefined: no recent answer from the check that decides (ping, else SNMP). */
  answering: boolean | undefined;
  /** When the deciding sample or event was measured. */
  at?: number;
  lossPct?: number;
  rttMs?: number;
}

const numberField = (s: Sample | undefined, field: string): number | undefined => {
  const v = s?.fields[field];
  return typeof v === 'number' ? v : undefined;
};

/** The newest sample of a measurement that is still fresh: younger than `staleAfterIntervals` check intervals. */
export function freshSample(series: readonly Sample[], measurement: string, device: Device, now: number, staleAfterIntervals: number): Sample | undefined {
  const intervalS = measurement === 'ping' ? device.checks.ping?.intervalSeconds : device.checks.snmp?.intervalSeconds;
  const maxAge = (intervalS ?? 60) * 1000 * staleAfterIntervals;
  const found = series.filter((s) => s.measurement === measurement).sort((a, b) => b.time - a.time)[0];
  return found !== undefined && now - found.time <= maxAge ? found : undefined;
}

/**
 * Reachability from the device's check that decides it: ping where the device is pinged, else SNMP. An
 * agent event newer than the sample wins: it says what the next batch will.
 */
export function reachability(
  device: Device,
  series: readonly Sample[],
  eventOf: (check: 'ping' | 'snmp') => ReachabilityEvent | undefined,
  now: number,
  staleAfterIntervals: number,
): Reachability {
  const check = device.checks.ping !== undefined ? 'ping' : device.checks.snmp !== undefined ? 'snmp' : undefined;
  if (check === undefined) return { answering: undefined };
  const sample = freshSample(series, check, device, now, staleAfterIntervals);
  const event = eventOf(check);
  const fresh = event !== undefined && now - event.at <= ((device.checks[check]?.intervalSeconds ?? 60) * 1000 * staleAfterIntervals);
  if (fresh && (sample === undefined || event.at > sample.time)) return { answering: event.state === 'up', at: event.at };
  if (sample === undefined) return { answering: undefined };
  const answering = numberField(sample, 'up') === 1;
  return {
    answering,
    at: sample.time,
    ...(check === 'ping' ? { lossPct: numberField(sample, 'loss_pct'), rttMs: numberField(sample, 'rtt_avg_ms') } : {}),
  };
}

export interface DeviceStateInput {
  devices: readonly Device[];
  reach: ReadonlyMap<string, Reachability>;
  /** false while the site's agent is offline: then nothing at the site is known. */
  siteOnline: boolean;
  /** The loss and latency limits of each device (the high-loss and high-latency rules' thresholds). */
  limits(device: Device): { lossPct: number; rttMs: number };
}

/** Every device's state; a device is unreachable when any device on its path to the agent is not answering. */
export function deviceStates(input: DeviceStateInput): Map<string, DeviceState> {
  const byName = new Map(input.devices.map((d) => [d.name, d]));
  const states = new Map<string, DeviceState>();
  const parentBlocked = (device: Device): boolean => {
    // The parent chain is acyclic (deviceListSchema checks it).
    for (let p = device.parent; p !== undefined; p = byName.get(p)?.parent) {
      if (input.reach.get(p)?.answering === false) return true;
    }
    return false;
  };
  for (const device of input.devices) {
    const r = input.reach.get(device.name);
    let state: DeviceState;
    if (!input.siteOnline || r === undefined || r.answering === undefined) state = 'unknown';
    else if (!r.answering) state = parentBlocked(device) ? 'unreachable' : 'down';
    else {
      const limits = input.limits(device);
      const degraded = (r.lossPct !== undefined && r.lossPct >= limits.lossPct) || (r.rttMs !== undefined && r.rttMs >= limits.rttMs);
      state = degraded ? 'degraded' : 'up';
    }
    states.set(device.name, state);
  }
  return states;
}
