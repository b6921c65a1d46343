/**
 * Every trap in one shape, whichever SNMP version sent it: the notification's OID and its variable
 * bindings as text. An SNMPv1 Trap-PDU is converted as RFC 3584 §3.1 says, so a v1 linkDown and a v2c
 * linkDown are the same event.
 */
export interface TrapVarbind {
  oid: string;
  /** The value as text: numbers in decimal, OIDs dotted, octet strings as UTF-8 when printable, else hex. */
  value: string;
}

export interface Trap {
  /** snmpTrapOID.0, or the RFC 3584 translation of a v1 trap. */
  oid: string;
  varbinds: TrapVarbind[];
  version: '1' | '2c' | '3';
  /** An InformRequest (already answered by the receiver). */
  inform: boolean;
  /** The community or the v3 user it came with. */
  credential?: { community?: string; user?: string };
}

/** net-snmp's decoded PDU, the parts read here (the library ships no types). */
export interface RawTrapPdu {
  type: number;
  enterprise?: string;
  generic?: number;
  specific?: number;
  varbinds?: { oid: string; type: number; value: unknown }[];
  community?: string;
  user?: string;
}

// RFC 3416 PDU tags, as net-snmp numbers them.
const PDU_TRAP_V1 = 164;
const PDU_INFORM = 166;
const SYS_UPTIME_0 = '1.3.6.1.2.1.1.3.0';
const SNMP_TRAP_OID_0 = '1.3.6.1.6.3.1.1.4.1.0';
const SNMP_TRAPS = '1.3.6.1.6.3.1.1.5';
/** Values stored per varbind and varbinds kept per trap: a device's trap cannot grow without bound. */
export const MAX_VALUE_CHARS = 256;
export const MAX_VARBINDS = 32;

const OID = /^\d+(\.\d+){0,127}$/;

/** undefined: not a trap we can read (no trap OID); the caller counts it. */
export function normaliseTrap(pdu: RawTrapPdu): Trap | undefined {
  const all = (pdu.varbinds ?? []).filter((vb) => typeof vb?.oid === 'string' && OID.test(vb.oid));
  const credential = pdu.community !== undefined ? { community: pdu.community } : pdu.user !== undefined ? { user: pdu.user } : undefined;
  const version: Trap['version'] = pdu.type === PDU_TRAP_V1 ? '1' : pdu.user !== undefined ? '3' : '2c';
  let oid: string | undefined;
  let rest = all;
  if (pdu.type === PDU_TRAP_V1) {
    oid = v1TrapOid(pdu);
  } else {
    const trapOid = all.find((vb) => vb.oid === SNMP_TRAP_OID_0);
    oid = typeof trapOid?.value === 'string' && OID.test(trapOid.value) ? trapOid.value : undefined;
    rest = all.filter((vb) => vb.oid !== SNMP_TRAP_OID_0 && vb.oid !== SYS_UPTIME_0);
  }
  if (oid === undefined) return undefined;
  return {
    oid,
    varbinds: rest.slice(0, MAX_VARBINDS).map((vb) => ({ oid: vb.oid, value: valueText(vb.value) })),
    version,
    inform: pdu.type === PDU_INFORM,
    ...(credential ? { credential } : {}),
  };
}

/** RFC 3584 §3.1 (2): generic 0-5 → snmpTraps.(generic+1); enterpriseSpecific → enterprise.0.specific. */
function v1TrapOid(pdu: RawTrapPdu): string | undefined {
  const generic = pdu.generic;
  if (typeof generic !== 'number' || !Number.isInteger(generic)) return undefined;
  if (generic >= 0 && generic <= 5) return `${SNMP_TRAPS}.${generic + 1}`;
  if (generic !== 6 || typeof pdu.enterprise !== 'string' || !OID.test(pdu.enterprise)) return undefined;
  if (typeof pdu.specific !== 'number' || !Number.isInteger(pdu.specific) || pdu.specific < 0) return undefined;
  return `${pdu.enterprise}.0.${pdu.specific}`;
}

export function valueText(value: unknown): string {
  if (Buffer.isBuffer(value)) {
    const text = value.toString('utf8');
    // Printable UTF-8 stays text (ifDescr, alarm descriptions); anything else (a MAC address) is hex.
    const printable = !text.includes('\uFFFD') && !/[\u0000-\u0008\u000e-\u001f\u007f]/.test(text);
    return (printable ? text : value.toString('hex')).slice(0, MAX_VALUE_CHARS);
  }
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return value.slice(0, MAX_VALUE_CHARS);
  return value === null || value === undefined ? '' : String(value).slice(0, MAX_VALUE_CHARS);
}
