/**
 * Writing snmpsim `.snmprec` data: one `OID|TAG|VALUE` line per object, in OID order (snmpsimd answers
 * GETNEXT/GETBULK by walking the file in order). Tags as snmpsim spells them (RFC 2578 types): 2 INTEGER,
 * 4 OCTET STRING, 4x the same in hex, 6 OBJECT IDENTIFIER, 64 IpAddress, 65 Counter32, 66 Gauge32,
 * 67 TimeTicks, 70 Counter64. A `:numeric` suffix makes the value move with time (snmpsim's numeric
 * variation module): counters grow by `rate` per second from `initial`, 32-bit ones wrap.
 */

export type Tag = '2' | '4' | '4x' | '6' | '64' | '65' | '66' | '67' | '70';

export interface Varbind {
  oid: string;
  tag: Tag | `${Tag}:numeric`;
  value: string;
}

export const int = (oid: string, value: number): Varbind => ({ oid, tag: '2', value: String(Math.trunc(value)) });
export const gauge = (oid: string, value: number): Varbind => ({ oid, tag: '66', value: String(Math.max(0, Math.trunc(value))) });
export const oidValue = (oid: string, value: string): Varbind => ({ oid, tag: '6', value });
export const hex = (oid: string, bytes: Buffer): Varbind => ({ oid, tag: '4x', value: bytes.toString('hex') });

/** Printable ASCII goes as text; anything else (or a "|", which would end the field) as hex. */
export function text(oid: string, value: string): Varbind {
  return /^[\x20-\x7b\x7d\x7e]*$/.test(value) ? { oid, tag: '4', value } : hex(oid, Buffer.from(value, 'utf8'));
}

/** A counter that grows `ratePerSecond` from `initial`; Counter32 (65) wraps at 2^32, Counter64 (70) does not. */
export function counter(oid: string, bits: 32 | 64, initial: number, ratePerSecond: number): Varbind {
  const tag = bits === 32 ? '65' : '70';
  const start = bits === 32 ? initial % 2 ** 32 : initial;
  if (ratePerSecond <= 0) return { oid, tag, value: String(start) };
  return { oid, tag: `${tag}:numeric`, value: `initial=${start},rate=${ratePerSecond}${bits === 32 ? ',wrap=1' : ''}` };
}

/** sysUpTime in hundredths of a second (TimeTicks), ticking from `initialSeconds`. */
export const upTime = (oid: string, initialSeconds: number): Varbind => ({
  oid,
  tag: '67:numeric',
  value: `initial=${Math.trunc(initialSeconds * 100)},rate=100`,
});

/** Numeric OID order, as the SNMP agent walks it (1.3.6.1.2.1.2.2.1.10 after 1.3.6.1.2.1.2.2.1.9). */
export function compareOids(a: string, b: string): number {
  const x = a.split('.');
  const y = b.split('.');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = Number(x[i]) - Number(y[i]);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** The file's text; a duplicated OID is a bug in a generator, so it throws. */
export function toSnmprec(varbinds: readonly Varbind[]): string {
  const sorted = [...varbinds].sort((a, b) => compareOids(a.oid, b.oid));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.oid === sorted[i - 1]!.oid) throw new Error(`duplicate OID ${sorted[i]!.oid}`);
  }
  return `${sorted.map((v) => `${v.oid}|${v.tag}|${v.value}`).join('\n')}\n`;
}

/** FNV-1a of a string as a fraction in [0, 1): the same device always gets the same figures. */
export function fraction(seed: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193) >>> 0;
  return h / 2 ** 32;
}

/** A locally administered MAC address (IEEE 802 bit 0x02 set) derived from the seed. */
export function macAddress(seed: string): Buffer {
  const bytes = Buffer.alloc(6);
  for (let i = 0; i < 6; i++) bytes[i] = Math.floor(fraction(`${seed}/${i}`) * 256);
  bytes[0] = (bytes[0]! & 0xfc) | 0x02;
  return bytes;
}
