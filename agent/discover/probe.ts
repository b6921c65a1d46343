import type { SnmpCheckConfig } from '../../contract/index.ts';
import { detectDevice, provisionalDetection, type Detection } from '../checks/snmp/profiles/detect.ts';
import { PROFILES } from '../checks/snmp/profiles/index.ts';
import { readLocalChassisId, readNeighbours, type Neighbour } from '../checks/snmp/profiles/neighbours.ts';
import { SnmpFailure, withSession } from '../checks/snmp/session.ts';
import { readSystem, type SystemInfo } from '../checks/snmp/system.ts';

export interface SnmpAnswer {
  /** The settings that got an answer; they go into the proposed device's snmp check. */
  config: SnmpCheckConfig;
  system: SystemInfo;
  detection: Detection;
  /** LLDP/CDP neighbours, for the proposed parents. */
  neighbours?: Neighbour[];
  /** lldpLocChassisId: how the neighbours' rows name this device. */
  chassisId?: string;
}

/** A device gets this long for its system group and profile probes with one set of settings. */
const PROBE_BUDGET_MS = 30_000;

/** A device that answers neighbours gives them; any device may say how neighbours name it. */
async function topologyFacts(session: Parameters<Parameters<typeof withSession>[3]>[0], detection: Detection): Promise<Pick<SnmpAnswer, 'neighbours' | 'chassisId'>> {
  try {
    const neighbours = detection.profiles.some((p) => p.name === 'neighbours') ? await readNeighbours(session) : undefined;
    const chassisId = await readLocalChassisId(session);
    return { ...(neighbours ? { neighbours } : {}), ...(chassisId !== undefined ? { chassisId } : {}) };
  } catch (error) {
    // Out of budget or a garbled table: the device is still proposed, only without its part of the tree.
    if (error instanceof SnmpFailure) return {};
    throw error;
  }
}

/**
 * Tries each set of SNMP settings in turn (communities, later v3 users) through the same session the
 * check uses, and on the first answer probes the profiles and classifies the device as the check would.
 * Undefined when nothing answered.
 */
export async function probeSnmp(address: string, candidates: readonly SnmpCheckConfig[]): Promise<SnmpAnswer | undefined> {
  for (const config of candidates) {
    try {
      return await withSession(address, config, { budgetMs: PROBE_BUDGET_MS }, async (session) => {
        const system = await readSystem(session);
        // No deadline of its own: the session's budget bounds the probing.
        const result = await detectDevice(session, system, PROFILES, { deadline: Number.POSITIVE_INFINITY, now: Date.now });
        const detection = 'detection' in result ? result.detection : provisionalDetection(system, PROFILES);
        return { config, system, detection, ...(await topologyFacts(session, detection)) };
      });
    } catch (error) {
      if (!(error instanceof SnmpFailure)) throw error;
    }
  }
  return undefined;
}
