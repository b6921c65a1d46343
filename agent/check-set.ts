import { createPingCheck } from './checks/ping/ping-check.ts';
import { createSnmpCheck } from './checks/snmp/snmp-check.ts';
import type { CheckSet } from './site-config/jobs.ts';

/** The checks a running agent uses: one instance per kind, shared by all devices (SNMP keeps counter state). */
export function createCheckSet(): CheckSet {
  return { ping: createPingCheck(), snmp: createSnmpCheck() };
}
