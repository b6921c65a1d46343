import { readFileSync } from 'node:fs';
import type { SnmpSession, Varbind } from '../../agent/checks/snmp/session.ts';
import { compareOids, SnmpType } from '../../agent/checks/snmp/values.ts';
import { decodeEntry, parseSnmprec, type RecordingValue } from '../harness/index.ts';

const IP_ADDRESS = 64;
const OPAQUE = 68;

/** A recorded value as net-snmp hands it over (numbers, Buffers, OID strings); undefined for what it would not. */
function toVarbind(oid: string, v: RecordingValue): Varbind | undefined {
  if ('variation' in v) {
    // snmpsim computes these at request time; a static poll sees the initial value.
    const initial = /(?:^|,)(?:initial|value)=(-?\d+)/.exec(v.args)?.[1];
    if (initial === undefined) return undefined;
    const n = Number(initial);
    return v.type === 'Counter64' ? { oid, type: SnmpType.Counter64, value: counter64(BigInt(initial)) } : { oid, type: typeCode(v.type), value: n };
  }
  switch (v.type) {
    case 'OctetString':
      return { oid, type: SnmpType.OctetString, value: v.bytes };
    case 'ObjectIdentifier':
      return { oid, type: SnmpType.Oid, value: v.value };
    case 'IpAddress':
      return { oid, type: IP_ADDRESS, value: v.value };
    case 'Counter64':
      return { oid, type: SnmpType.Counter64, value: counter64(v.value) };
    case 'Opaque':
      return { oid, type: OPAQUE, value: v.bytes };
    case 'Null':
      return undefined;
    default:
      return { oid, type: typeCode(v.type), value: v.value };
  }
}

const typeCode = (t: string): number => ({ Integer32: 2, OctetString: 4, ObjectIdentifier: 6, IpAddress: 64, Counter32: 65, Gauge32: 66, TimeTicks: 67, Opaque: 68, Counter64: 70 })[t] ?? 2;

/** Counter64 as net-snmp gives it: the big-endian bytes, without leading zeros. */
function counter64(n: bigint): Buffer {
  let hex = (n < 0n ? 0n : n).toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  return Buffer.from(hex, 'hex');
}

/**
 * An SNMP agent in memory answering from a recording (.snmprec): GET by exact OID, walks in OID order
 * (RFC 3416 §4.2.2), as snmpsimd would from the same file, without a socket per device.
 */
export function recordingSession(file: string): SnmpSession {
  const byOid = new Map<string, Varbind>();
  for (const entry of parseSnmprec(readFileSync(file, 'latin1'), file)) {
    if (byOid.has(entry.oid)) continue;
    let vb: Varbind | undefined;
    try {
      vb = toVarbind(entry.oid, decodeEntry(entry));
    } catch {
      vb = undefined; // a tag snmpsim would refuse too
    }
    if (vb !== undefined) byOid.set(entry.oid, vb);
  }
  const sorted = [...byOid.values()].sort((a, b) => compareOids(a.oid, b.oid));
  const walk = (oid: string): Varbind[] => {
    const prefix = `${oid}.`;
    // Binary search for the first OID after `oid`.
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareOids(sorted[mid]!.oid, oid) <= 0) lo = mid + 1;
      else hi = mid;
    }
    const out: Varbind[] = [];
    for (let i = lo; i < sorted.length && sorted[i]!.oid.startsWith(prefix); i++) out.push(sorted[i]!);
    return out;
  };
  return {
    get: async (oids) => oids.map((o) => byOid.get(o)),
    walk: async (oid) => walk(oid),
    walkColumns: async (columns) => columns.map(walk),
  };
}
