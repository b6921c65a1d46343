import type { SnmpSession } from './session.ts';
import { asNumber, asOid, asText } from './values.ts';

/** The SNMPv2-MIB system group objects we read (RFC 3418). */
export const SYSTEM_OIDS = {
  sysDescr: '1.3.6.1.2.1.1.1.0',
  sysObjectID: '1.3.6.1.2.1.1.2.0',
  sysUpTime: '1.3.6.1.2.1.1.3.0',
  sysName: '1.3.6.1.2.1.1.5.0',
} as const;

export interface SystemInfo {
  descr?: string | undefined;
  objectId?: string | undefined;
  /** TimeTicks: hundredths of a second since the management agent was last (re)initialised. */
  uptimeCs?: number | undefined;
  name?: string | undefined;
}

/**
 * One GET for the four objects. Any of them may be missing (one recording has no sysUpTime, one has an
 * empty sysDescr); a device that answers at all is up. Rejects with SnmpFailure when it does not answer.
 */
export async function readSystem(session: SnmpSession): Promise<SystemInfo> {
  const [descr, objectId, uptime, name] = await session.get([
    SYSTEM_OIDS.sysDescr,
    SYSTEM_OIDS.sysObjectID,
    SYSTEM_OIDS.sysUpTime,
    SYSTEM_OIDS.sysName,
  ]);
  return { descr: asText(descr), objectId: asOid(objectId), uptimeCs: asNumber(uptime), name: asText(name) };
}
