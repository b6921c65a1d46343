import type { Device, DeviceRole } from '../../contract/index.ts';
import type { DeviceState } from '../alerts/state/device-state.ts';

/** What a school cares about, in its own words; each is made of the devices with these roles. */
export const SERVICES = [
  { id: 'internet', label: 'Internet', roles: ['internet', 'firewall'], mode: 'any' },
  { id: 'network', label: 'School network', roles: ['core-switch', 'switch'], mode: 'all' },
  { id: 'wifi', label: 'Wi-Fi', roles: ['access-point', 'wireless-controller'], mode: 'all' },
  { id: 'printers', label: 'Printers', roles: ['printer'], mode: 'all' },
  { id: 'servers', label: 'Servers and storage', roles: ['server'], mode: 'all' },
  { id: 'power', label: 'Power (UPS)', roles: ['ups'], mode: 'all' },
  { id: 'phones', label: 'Phones', roles: [], mode: 'all' },
] as const satisfies readonly { id: string; label: string; roles: readonly DeviceRole[]; mode: 'any' | 'all' }[];

export type ServiceId = (typeof SERVICES)[number]['id'];
export type ServiceState = 'working' | 'slow' | 'not-working' | 'maintenance' | 'unknown';

export const SERVICE_WORDS: Record<ServiceState, string> = {
  working: 'Working',
  slow: 'Slow',
  'not-working': 'Not working',
  maintenance: 'Under maintenance',
  unknown: 'No recent information',
};

/** Worst first: the order a list of schools or services is sorted by. */
export const SEVERITY: Record<ServiceState, number> = { 'not-working': 0, slow: 1, unknown: 2, maintenance: 3, working: 4 };

/** The service a device belongs to: phones are listed by name in the site's `status.phones`, the rest by role. */
export function serviceOf(device: Pick<Device, 'name' | 'role'>, phones: readonly string[]): ServiceId | undefined {
  if (phones.includes(device.name)) return 'phones';
  return SERVICES.find((s) => (s.roles as readonly string[]).includes(device.role))?.id;
}

export interface MemberState {
  name: string;
  state: DeviceState;
  /** Inside a maintenance window now. */
  maintenance: boolean;
}

const bad = (m: MemberState) => m.state === 'down' || m.state === 'unreachable';

/**
 * One service's state from its devices'. Internet is working while any link is (as the monthly report counts
 * it); the others are not working while any of their devices is down or unreachable. A device that is off
 * inside a maintenance window makes the service "under maintenance", not "not working".
 */
export function serviceState(mode: 'any' | 'all', members: readonly MemberState[]): { state: ServiceState; affected: MemberState[] } {
  const unplanned = members.filter((m) => bad(m) && !m.maintenance);
  const planned = members.filter((m) => m.maintenance && m.state !== 'up' && m.state !== 'degraded');
  const slow = members.filter((m) => m.state === 'degraded');
  const up = members.filter((m) => m.state === 'up');
  if (members.length === 0 || members.every((m) => m.state === 'unknown' && !m.maintenance)) return { state: 'unknown', affected: [] };
  if (mode === 'any') {
    if (up.length > 0) return { state: 'working', affected: [] };
    if (slow.length > 0) return { state: 'slow', affected: slow };
    if (planned.length > 0) return { state: 'maintenance', affected: planned };
    if (unplanned.length > 0) return { state: 'not-working', affected: unplanned };
    return { state: 'unknown', affected: [] };
  }
  if (unplanned.length > 0) return { state: 'not-working', affected: unplanned };
  if (slow.length > 0) return { state: 'slow', affected: slow };
  if (planned.length > 0) return { state: 'maintenance', affected: planned };
  return { state: 'working', affected: [] };
}

/**
 * When each service entered its current state. The collector does not store this, so the web side keeps it:
 * a pure step from the previous record. A state seen for the first time has no start unless `known` gives one
 * (the oldest open alert's start).
 */
export type SinceRecord = ReadonlyMap<string, { state: ServiceState; since: number | undefined }>;

export function nextSince(previous: SinceRecord, key: string, state: ServiceState, now: number, known: number | undefined): { state: ServiceState; since: number | undefined } {
  const before = previous.get(key);
  if (before === undefined) return { state, since: known };
  if (before.state === state) return { state, since: known !== undefined && (before.since === undefined || known < before.since) ? known : before.since };
  return { state, since: known ?? now };
}
