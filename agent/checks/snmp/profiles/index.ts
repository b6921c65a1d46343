import { ENVIRONMENT_PROFILES } from './environment.ts';
import { HOST_PROFILES } from './cpu-vendor.ts';
import { interfacesProfile } from './interfaces.ts';
import { neighboursProfile } from './neighbours.ts';
import { apcPduProfile, cyberPowerPduProfile } from './pdu.ts';
import { printerProfile } from './printer.ts';
import type { Profile } from './profile.ts';
import { powernetProfile, upsMibProfile } from './ups.ts';
import { arubaInstantProfile, ciscoWlcProfile, ruckusUnleashedProfile, unifiProfile } from './wireless.ts';
import { clientCounterProfiles } from './wireless-counters.ts';

const WIRELESS_TABLES: readonly Profile[] = [unifiProfile, arubaInstantProfile, ciscoWlcProfile, ruckusUnleashedProfile];

/** Every profile the SNMP check knows, in polling order; interfaces first, as before profiles existed. */
export const PROFILES: readonly Profile[] = [
  interfacesProfile,
  neighboursProfile,
  // HOST-RESOURCES, and the vendor's own CPU object where it has one (see cpu-vendor.ts).
  ...HOST_PROFILES,
  printerProfile,
  upsMibProfile,
  powernetProfile,
  apcPduProfile,
  cyberPowerPduProfile,
  ...WIRELESS_TABLES,
  // Vendor client counters, each only where no per-AP table above answered.
  ...clientCounterProfiles(WIRELESS_TABLES.flatMap((p) => p.probes)),
  ...ENVIRONMENT_PROFILES,
];

export type { Profile, PollContext, ProfilePoll } from './profile.ts';
export { classify, type Classification, type DeviceClass } from './classify.ts';
