import { SnmpFailure, type SnmpSession } from '../session.ts';
import type { SystemInfo } from '../system.ts';
import { asText } from '../values.ts';
import { classify, type Classification } from './classify.ts';
import type { Profile } from './profile.ts';
import { readScalars } from './table.ts';

/** What the check decided about one device; kept until its sysObjectID (or address/port/version) changes. */
export interface Detection {
  objectId: string | undefined;
  profiles: readonly Profile[];
  classification: Classification;
  /** Profiles and vendor MIBs that answered, for the `device_info` sample. */
  mibs: ReadonlySet<string>;
  /** Made without probing (the probes ran out of time); probed again at the next poll. */
  provisional?: boolean;
}

// Model names in vendor MIBs: UPS-MIB upsIdentModel (RFC 1628), PowerNet upsBasicIdentModel,
// SYNOLOGY-SYSTEM-MIB modelName, UBNT-UniFi-MIB unifiApSystemModel, HOST-RESOURCES hrDeviceDescr.1.
const MODEL_OIDS = {
  upsIdent: '1.3.6.1.2.1.33.1.1.2.0',
  apc: '1.3.6.1.4.1.318.1.1.1.1.1.1.0',
  synology: '1.3.6.1.4.1.6574.1.5.1.0',
  unifi: '1.3.6.1.4.1.41112.1.6.3.3.0',
  hrDevice: '1.3.6.1.2.1.25.3.2.1.3.1',
} as const;
const ENT_PHYSICAL_MODEL_NAME = '1.3.6.1.2.1.47.1.1.1.1.13';

/** Failures that mean the device stopped answering, not that one subtree is broken. */
export function isDeviceGone(error: SnmpFailure): boolean {
  return error.message === 'timeout' || error.message === 'poll budget exceeded';
}

/** Walks a probe; a subtree the device answers with garbage (e.g. an endOfMibView loop) counts as absent. */
async function probe(session: SnmpSession, oid: string): Promise<boolean> {
  try {
    return (await session.walk(oid)).length > 0;
  } catch (error) {
    if (error instanceof SnmpFailure && !isDeviceGone(error)) return false;
    throw error;
  }
}

/**
 * Probes every profile's MIB once, picks the profiles that detect themselves, and classifies the device.
 * Rejects with SnmpFailure only when the device stops answering.
 */
export async function detectDevice(session: SnmpSession, system: SystemInfo, profiles: readonly Profile[]): Promise<Detection> {
  const answered = new Map<string, boolean>();
  for (const oid of new Set(profiles.flatMap((p) => p.probes))) answered.set(oid, await probe(session, oid));
  const isAnswered = (oid: string) => answered.get(oid) ?? false;
  const chosen = profiles.filter((p) => p.detect(system, isAnswered));

  const models = await readScalars(session, MODEL_OIDS);
  let entityModel: string | undefined;
  try {
    entityModel = (await session.walk(ENT_PHYSICAL_MODEL_NAME)).map((vb) => asText(vb)?.trim()).find((m) => m !== undefined && m !== '');
  } catch (error) {
    if (!(error instanceof SnmpFailure) || isDeviceGone(error)) throw error;
  }

  const mibs = new Set(chosen.map((p) => p.name));
  if (models.synology !== undefined) mibs.add('synology');
  const text = (key: keyof typeof MODEL_OIDS) => asText(models[key]);
  const mibModels = [text('upsIdent'), text('apc'), text('synology'), text('unifi'), mibs.has('printer') ? text('hrDevice') : undefined]
    .filter((m): m is string => m !== undefined);
  const classification = classify({ objectId: system.objectId, descr: system.descr, mibs, mibModels, entityModel });
  return { objectId: system.objectId, profiles: chosen, classification, mibs };
}

/** Profiles that need no probe (interfaces), and a class from sysObjectID and sysDescr alone. */
export function provisionalDetection(system: SystemInfo, profiles: readonly Profile[]): Detection {
  const chosen = profiles.filter((p) => p.probes.length === 0 && p.detect(system, () => false));
  const mibs = new Set(chosen.map((p) => p.name));
  return { objectId: system.objectId, profiles: chosen, mibs, provisional: true, classification: classify({ objectId: system.objectId, descr: system.descr, mibs }) };
}
