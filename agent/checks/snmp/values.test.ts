import { describe, expect, it } from 'vitest';
import { asCounter, asNumber, asOid, asText, compareOids, rowIndex, SnmpType } from './values.ts';

describe('compareOids', () => {
  it('orders by sub-identifier numbers, not text', () => {
    expect(compareOids('1.3.6.1.2.1.2.2.1.2.10', '1.3.6.1.2.1.2.2.1.2.9')).toBeGreaterThan(0);
    expect(compareOids('1.3.6.1.2.1.2.2.1.2', '1.3.6.1.2.1.2.2.1.2.1')).toBeLessThan(0);
    expect(compareOids('1.3.6.1', '1.3.6.1')).toBe(0);
  });

  it('agrees in sign with a sub-identifier by sub-identifier comparison', () => {
    const reference = (a: string, b: string) => {
      const x = a.split('.').map(Number);
      const y = b.split('.').map(Number);
      for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
      return x.length - y.length;
    };
    const oids = ['1', '1.3', '1.3.6', '1.3.6.1.2.1.2.2.1.2', '1.3.6.1.2.1.2.2.1.2.1', '1.3.6.1.2.1.2.2.1.2.10', '1.3.6.1.2.1.2.2.1.20.1', '1.3.6.1.2.1.31.1.1.1.1.4294967295', '1.3.6.1.2.1.31.1.1.1.1.429496729', '2.0', '0.0.0'];
    for (const a of oids) for (const b of oids) expect(Math.sign(compareOids(a, b)), `${a} vs ${b}`).toBe(Math.sign(reference(a, b)));
  });
});

describe('rowIndex', () => {
  it('gives the suffix under a column', () => {
    expect(rowIndex('1.3.6.1.2.1.2.2.1.2', '1.3.6.1.2.1.2.2.1.2.12468')).toBe('12468');
    expect(rowIndex('1.3.6.1.2.1.2.2.1.2', '1.3.6.1.2.1.2.2.1.20.1')).toBeUndefined();
    expect(rowIndex('1.3.6.1.2.1.2.2.1.2', '1.3.6.1.2.1.2.2.1.2')).toBeUndefined();
    expect(rowIndex('1.3.6.1.2.1.2.2.1.2', '1.3.6.1.2.1.2.2.1.3.2')).toBeUndefined();
  });
});

describe('asCounter', () => {
  it('reads Counter32 as a 32-bit counter', () => {
    expect(asCounter({ type: SnmpType.Counter32, value: 4_294_967_295 })).toEqual({ value: 4_294_967_295n, bits: 32 });
  });

  it('reads Counter64 from the variable-length Buffer net-snmp hands over', () => {
    expect(asCounter({ type: SnmpType.Counter64, value: Buffer.from([0x00]) })).toEqual({ value: 0n, bits: 64 });
    expect(asCounter({ type: SnmpType.Counter64, value: Buffer.from([0x06, 0x04, 0x35, 0x6e, 0x21]) })).toEqual({
      value: 25_840_414_241n,
      bits: 64,
    });
    // Six octets (read as a number) and seven (through hex) either side of the fast path's edge.
    expect(asCounter({ type: SnmpType.Counter64, value: Buffer.from('ffffffffffff', 'hex') })?.value).toBe(2n ** 48n - 1n);
    expect(asCounter({ type: SnmpType.Counter64, value: Buffer.from('01000000000000', 'hex') })?.value).toBe(2n ** 48n);
    // Top bit set: BER puts a leading zero in front, 9 bytes in all.
    const top = Buffer.from('00ffffffffffffffff', 'hex');
    expect(asCounter({ type: SnmpType.Counter64, value: top })).toEqual({ value: 2n ** 64n - 1n, bits: 64 });
  });

  it('refuses values that are not counters', () => {
    expect(asCounter({ type: SnmpType.Counter64, value: Buffer.from('01ffffffffffffffff', 'hex') })).toBeUndefined();
    expect(asCounter({ type: SnmpType.Counter64, value: Buffer.alloc(10) })).toBeUndefined();
    expect(asCounter({ type: SnmpType.OctetString, value: Buffer.from('12') })).toBeUndefined();
    expect(asCounter({ type: SnmpType.Gauge32, value: 5 })).toBeUndefined();
    expect(asCounter(undefined)).toBeUndefined();
  });
});

describe('asText', () => {
  it('decodes UTF-8, falls back to Latin-1, drops trailing NULs', () => {
    expect(asText({ type: SnmpType.OctetString, value: Buffer.from('Büro-Switch', 'utf8') })).toBe('Büro-Switch');
    expect(asText({ type: SnmpType.OctetString, value: Buffer.from([0x42, 0xfc, 0x72, 0x6f]) })).toBe('Büro');
    expect(asText({ type: SnmpType.OctetString, value: Buffer.from('ethernet_8\0') })).toBe('ethernet_8');
    expect(asText({ type: SnmpType.OctetString, value: Buffer.alloc(0) })).toBe('');
    expect(asText({ type: SnmpType.Integer, value: 3 })).toBeUndefined();
  });
});

describe('asNumber and asOid', () => {
  it('reads numeric types and OIDs, refusing other types', () => {
    expect(asNumber({ type: SnmpType.TimeTicks, value: 639_756_325 })).toBe(639_756_325);
    expect(asNumber({ type: SnmpType.OctetString, value: Buffer.from('1') })).toBeUndefined();
    expect(asOid({ type: SnmpType.Oid, value: '1.3.6.1.4.1.7367' })).toBe('1.3.6.1.4.1.7367');
    expect(asOid({ type: SnmpType.OctetString, value: '1.3' })).toBeUndefined();
  });
});
