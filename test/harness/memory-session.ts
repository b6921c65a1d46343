import { readFileSync } from 'node:fs';
import type { SnmpSession, Varbind } from '../../agent/checks/snmp/session.ts';
import { compareOids } from '../../agent/checks/snmp/values.ts';
import { decodeEntry, parseSnmprec, type RecordingEntry } from './snmprec.ts';
import { sharedPath } from './shared.ts';

/** The LibreNMS corpus (../shared/corpus, MANIFEST.md there): recordings and the peer's expected results. */
export const CORPUS_DIR = sharedPath('corpus');

/**
 * The varbind net-snmp would hand over for one recording line: OCTET STRING and Opaque as a Buffer,
 * Counter64 as its BER content octets (a Buffer), OIDs and IpAddress as dotted text, the rest as numbers.
 * Lines with a variation module or an undecodable tag are left out, as snmpsimd would fail them.
 */
function toVarbind(entry: RecordingEntry): Varbind | undefined {
  let value;
  try {
    value = decodeEntry(entry);
  } catch {
    return undefined;
  }
  if ('variation' in value) return undefined;
  const tag = Number(/^\d+/.exec(entry.tag)![0]);
  switch (value.type) {
    case 'OctetString':
    case 'Opaque':
      return { oid: entry.oid, type: tag, value: value.bytes };
    case 'Counter64': {
      let hex = value.value.toString(16);
      if (hex.length % 2 === 1) hex = `0${hex}`;
      if (Number.parseInt(hex.slice(0, 2), 16) >= 0x80) hex = `00${hex}`;
      return { oid: entry.oid, type: tag, value: Buffer.from(hex, 'hex') };
    }
    case 'Null':
      return { oid: entry.oid, type: tag, value: null };
    default:
      return { oid: entry.oid, type: tag, value: value.value };
  }
}

/**
 * An SnmpSession answering from a parsed .snmprec in memory, as an agent would: get by exact OID (absent
 * is undefined), walks in OID order within the subtree. Duplicate OID lines keep the first, as snmpsimd
 * does. No UDP, so all 877 corpus recordings run in-process in seconds; a live snmpsimd pass keeps the
 * real path honest (test/corpus/oracle.test.ts).
 */
export function memorySession(text: string, source = 'snmprec'): SnmpSession & { requests: number } {
  const byOid = new Map<string, Varbind>();
  for (const entry of parseSnmprec(text, source)) {
    if (byOid.has(entry.oid)) continue;
    const vb = toVarbind(entry);
    if (vb !== undefined) byOid.set(entry.oid, vb);
  }
  const sorted = [...byOid.values()].sort((a, b) => compareOids(a.oid, b.oid));
  /** Index of the first varbind after `oid`. */
  const after = (oid: string): number => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareOids(sorted[mid]!.oid, oid) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const session = {
    requests: 0,
    async get(oids: readonly string[]) {
      session.requests++;
      return oids.map((oid) => byOid.get(oid));
    },
    async walk(oid: string) {
      return (await session.walkColumns([oid]))[0]!;
    },
    async next(oid: string) {
      session.requests++;
      return sorted[after(oid)];
    },
    async walkColumns(columns: readonly string[]) {
      session.requests++;
      return columns.map((column) => {
        const prefix = `${column}.`;
        const out: Varbind[] = [];
        for (let i = after(column); i < sorted.length && sorted[i]!.oid.startsWith(prefix); i++) out.push(sorted[i]!);
        return out;
      });
    },
  };
  return session;
}

export function corpusSession(name: string): SnmpSession & { requests: number } {
  if (!/^[A-Za-z0-9._+-]+$/.test(name)) throw new Error(`recording name ${JSON.stringify(name)}: expected a file name`);
  return memorySession(readFileSync(`${CORPUS_DIR}/recordings/${name}.snmprec`, 'utf8'), `${name}.snmprec`);
}
