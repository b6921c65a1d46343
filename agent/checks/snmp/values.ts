import type { CounterBits } from '../../rates/counter.ts';

/** BER tags of the SMI types we read (RFC 2578 §7.1; RFC 3416 §3 for Counter64). */
export const SnmpType = {
  Integer: 2,
  OctetString: 4,
  Oid: 6,
  Counter32: 65,
  Gauge32: 66,
  TimeTicks: 67,
  Counter64: 70,
} as const;

const TWO_TO_64 = 2n ** 64n;
/** Strict, so that bytes that are not UTF-8 fall back to Latin-1 below; one decoder for every string read. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

interface Typed {
  type: number;
  value: unknown;
}

/**
 * Orders OIDs by their sub-identifiers as numbers, as GETNEXT/GETBULK do (RFC 3416 §4.2.2). Scans the
 * strings in place: it runs for every varbind a walk receives, and splitting both cost most of a walk's GC.
 */
export function compareOids(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    let x = 0;
    let y = 0;
    for (let c = a.charCodeAt(i); i < a.length && c !== 46; c = a.charCodeAt(++i)) x = x * 10 + (c - 48);
    for (let c = b.charCodeAt(j); j < b.length && c !== 46; c = b.charCodeAt(++j)) y = y * 10 + (c - 48);
    if (x !== y) return x - y;
    i++;
    j++;
  }
  // Equal so far: the one with sub-identifiers left is later.
  return (i < a.length ? 1 : 0) - (j < b.length ? 1 : 0);
}

/** The row index of a table cell: the part of `oid` after `column` and a dot; undefined if not under it. */
export function rowIndex(column: string, oid: string): string | undefined {
  return oid.length > column.length + 1 && oid.charCodeAt(column.length) === 46 && oid.startsWith(column) ? oid.slice(column.length + 1) : undefined;
}

/** INTEGER, Counter32, Gauge32 or TimeTicks as a number; anything else (a garbled reply) is undefined. */
export function asNumber(vb: Typed | undefined): number | undefined {
  if (vb === undefined) return undefined;
  const numeric: number[] = [SnmpType.Integer, SnmpType.Counter32, SnmpType.Gauge32, SnmpType.TimeTicks];
  return numeric.includes(vb.type) && typeof vb.value === 'number' && Number.isFinite(vb.value) ? vb.value : undefined;
}

/**
 * A counter with the width the agent sent it in: Counter32 as a number, Counter64 as the content octets of
 * a BER INTEGER (net-snmp passes them through as a Buffer of 1 to 9 bytes, a leading zero when the top bit
 * is set). The width comes from the wire type, not the column, so a Counter32 in an HC column wraps at 2^32.
 */
export function asCounter(vb: Typed | undefined): { value: bigint; bits: CounterBits } | undefined {
  if (vb === undefined) return undefined;
  if (vb.type === SnmpType.Counter32 && typeof vb.value === 'number' && Number.isInteger(vb.value) && vb.value >= 0) {
    return { value: BigInt(vb.value), bits: 32 };
  }
  if (vb.type === SnmpType.Counter64 && Buffer.isBuffer(vb.value) && vb.value.length >= 1 && vb.value.length <= 9) {
    // Up to six octets fit a double exactly; that covers most counters without building a hex string.
    const value = vb.value.length <= 6 ? BigInt(vb.value.readUIntBE(0, vb.value.length)) : BigInt(`0x${vb.value.toString('hex')}`);
    return value < TWO_TO_64 ? { value, bits: 64 } : undefined;
  }
  return undefined;
}

/**
 * DisplayString/OCTET STRING as text: UTF-8 when it is valid UTF-8 (SnmpAdminString, RFC 3411), else
 * Latin-1 so that no byte is lost. Trailing NULs are dropped (Windows terminates ifDescr with one).
 */
export function asText(vb: Typed | undefined): string | undefined {
  if (vb === undefined || vb.type !== SnmpType.OctetString) return undefined;
  const bytes = Buffer.isBuffer(vb.value) ? vb.value : typeof vb.value === 'string' ? Buffer.from(vb.value) : undefined;
  if (bytes === undefined) return undefined;
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  const trimmed = bytes.subarray(0, end);
  try {
    return UTF8.decode(trimmed);
  } catch {
    return trimmed.toString('latin1');
  }
}

/** OBJECT IDENTIFIER in dotted form. */
export function asOid(vb: Typed | undefined): string | undefined {
  return vb !== undefined && vb.type === SnmpType.Oid && typeof vb.value === 'string' ? vb.value : undefined;
}
