import { SnmpFailure, type SnmpSession, type Varbind } from '../session.ts';
import type { SystemInfo } from '../system.ts';
import { asText } from '../values.ts';
import { classify, type Classification } from './classify.ts';
import type { Profile } from './profile.ts';
import { gatherEvidence, type DeviceEvidence } from './evidence.ts';
import { readScalars } from './table.ts';

/** What the check decided about one device; kept until its sysObjectID (or address/port/version) changes. */
export interface Detection {
  objectId: string | undefined;
  profiles: readonly Profile[];
  classification: Classification;
  /** Profiles and vendor MIBs that answered, for the `device_info` sample. */
  mibs: ReadonlySet<string>;
}

// Model names in vendor MIBs: PowerNet upsBasicIdentModel, SYNOLOGY-SYSTEM-MIB modelName,
// UBNT-UniFi-MIB unifiApSystemModel, HOST-RESOURCES hrDeviceDescr.1 (a printer's own name for itself).
const MODEL_OIDS = {
  apc: '1.3.6.1.4.1.318.1.1.1.1.1.1.0',
  synology: '1.3.6.1.4.1.6574.1.5.1.0',
  unifi: '1.3.6.1.4.1.41112.1.6.3.3.0',
  hrDevice: '1.3.6.1.2.1.25.3.2.1.3.1',
} as const;

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
 * What probing found so far, kept between polls when it ran out of its share of a poll: the next poll
 * carries on where this one stopped, so a device that is slow to answer is still probed in the end.
 */
export interface ProbeProgress {
  answered: Map<string, boolean>;
  models?: Partial<Record<keyof typeof MODEL_OIDS, Varbind>>;
  /** What the device said about itself (sysServices, standard MIBs, chassis entity, vendor MIBs). */
  evidence?: DeviceEvidence;
}

export interface DetectOptions {
  /** Where an earlier poll stopped, if it did. */
  progress?: ProbeProgress | undefined;
  /** Probing stops before a step that would start after this time (ms since the epoch)... */
  deadline: number;
  now(): number;
}

/**
 * Probes every profile's MIB, picks the profiles that detect themselves, and classifies the device.
 * Gives back the progress instead when the deadline came first (checked before each request, so the
 * poll's other work keeps its time). Rejects with SnmpFailure only when the device stops answering.
 */
export async function detectDevice(
  session: SnmpSession,
  system: SystemInfo,
  profiles: readonly Profile[],
  options: DetectOptions,
): Promise<{ detection: Detection } | { progress: ProbeProgress }> {
  const progress: ProbeProgress = options.progress ?? { answered: new Map() };
  const late = () => options.now() >= options.deadline;
  for (const oid of new Set(profiles.flatMap((p) => p.probes))) {
    if (progress.answered.has(oid)) continue;
    if (late()) return { progress };
    progress.answered.set(oid, await probe(session, oid));
  }
  const instances = [...new Set(profiles.flatMap((p) => p.probeInstances ?? []))].filter((oid) => !progress.answered.has(oid));
  if (instances.length > 0) {
    if (late()) return { progress };
    const values = await session.get(instances);
    instances.forEach((oid, i) => progress.answered.set(oid, values[i] !== undefined));
  }
  if (progress.models === undefined) {
    if (late()) return { progress };
    progress.models = await readScalars(session, MODEL_OIDS);
  }
  if (progress.evidence === undefined) {
    if (late()) return { progress };
    progress.evidence = await gatherEvidence(session);
  }

  const isAnswered = (oid: string) => progress.answered.get(oid) ?? false;
  const chosen = profiles.filter((p) => p.detect(system, isAnswered));
  const mibs = new Set(chosen.map((p) => p.name));
  const models = progress.models;
  if (models.synology !== undefined) mibs.add('synology');
  const text = (key: keyof typeof MODEL_OIDS) => asText(models[key]);
  const mibModels = [text('apc'), text('synology'), text('unifi')].filter((m): m is string => m !== undefined);
  const hostModel = mibs.has('printer') ? text('hrDevice') : undefined;
  const classification = classify({ objectId: system.objectId, descr: system.descr, mibs, mibModels, hostModel, evidence: progress.evidence });
  return { detection: { objectId: system.objectId, profiles: chosen, classification, mibs } };
}

/** Until probing is done: the profiles that need no probe (interfaces), a class from sysObjectID and sysDescr. */
export function provisionalDetection(system: SystemInfo, profiles: readonly Profile[]): Detection {
  const chosen = profiles.filter((p) => p.probes.length === 0 && p.detect(system, () => false));
  const mibs = new Set(chosen.map((p) => p.name));
  return { objectId: system.objectId, profiles: chosen, mibs, classification: classify({ objectId: system.objectId, descr: system.descr, mibs }) };
}
