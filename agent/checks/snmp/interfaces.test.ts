import { describe, expect, it } from 'vitest';
import { assembleInterfaces } from './interfaces.ts';
import type { Varbind } from './session.ts';
import { SnmpType } from './values.ts';

const IF = '1.3.6.1.2.1.2.2.1';
const IFX = '1.3.6.1.2.1.31.1.1.1';
const text = (oid: string, s: string): Varbind => ({ oid, type: SnmpType.OctetString, value: Buffer.from(s) });
const int = (oid: string, n: number): Varbind => ({ oid, type: SnmpType.Integer, value: n });
const c32 = (oid: string, n: number): Varbind => ({ oid, type: SnmpType.Counter32, value: n });
/** Counter64 as net-snmp delivers it: the BER content octets in a Buffer. */
const c64 = (oid: string, n: bigint): Varbind => {
  const hex = n.toString(16);
  return { oid, type: SnmpType.Counter64, value: Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex') };
};

describe('assembleInterfaces', () => {
  it('finds interfaces from whichever columns exist (no ifIndex column, as in most recordings)', () => {
    const walked = new Map<string, Varbind[]>([
      [`${IF}.2`, [text(`${IF}.2.1`, '1'), text(`${IF}.2.2`, '2')]],
      [`${IF}.8`, [int(`${IF}.8.1`, 1), int(`${IF}.8.2`, 2), int(`${IF}.8.12468`, 2)]],
      [`${IFX}.1`, [text(`${IFX}.1.1`, 'A1')]],
      [`${IFX}.6`, [c64(`${IFX}.6.1`, 25_840_414_241n)]],
      [`${IFX}.15`, [{ oid: `${IFX}.15.1`, type: SnmpType.Gauge32, value: 1000 }]],
    ]);
    expect(assembleInterfaces(walked)).toEqual([
      { index: 1, descr: '1', name: 'A1', operStatus: 1, highSpeed: 1000, hcInOctets: { value: 25_840_414_241n, bits: 64 } },
      { index: 2, descr: '2', operStatus: 2 },
      { index: 12468, operStatus: 2 },
    ]);
  });

  it('reads the full 32-bit ifTable (draytek, printers, UPS cards)', () => {
    const walked = new Map<string, Varbind[]>([
      [`${IF}.5`, [{ oid: `${IF}.5.1`, type: SnmpType.Gauge32, value: 100_000_000 }]],
      [`${IF}.10`, [c32(`${IF}.10.1`, 2_623_046_322)]],
      [`${IF}.16`, [c32(`${IF}.16.1`, 721_527_397)]],
      [`${IF}.14`, [c32(`${IF}.14.1`, 3)]],
    ]);
    expect(assembleInterfaces(walked)).toEqual([
      {
        index: 1,
        speed: 100_000_000,
        inOctets: { value: 2_623_046_322n, bits: 32 },
        outOctets: { value: 721_527_397n, bits: 32 },
        inErrors: { value: 3n, bits: 32 },
      },
    ]);
  });

  it('skips rows with an index that is not an InterfaceIndex, and values of the wrong type', () => {
    const walked = new Map<string, Varbind[]>([
      [`${IF}.2`, [text(`${IF}.2.0`, 'zero'), text(`${IF}.2.1.5`, 'two-part'), text(`${IF}.2.7`, 'ok')]],
      [`${IF}.8`, [text(`${IF}.8.7`, 'up')]],
    ]);
    expect(assembleInterfaces(walked)).toEqual([{ index: 7, descr: 'ok' }]);
  });

  it('keeps indexes past InterfaceIndex up to the largest sub-identifier (Huawei GPON ports), not beyond', () => {
    const walked = new Map<string, Varbind[]>([
      [`${IF}.2`, [text(`${IF}.2.4194304000`, 'GPON_UNI'), text(`${IF}.2.4294967295`, 'last'), text(`${IF}.2.4294967296`, 'too big')]],
    ]);
    expect(assembleInterfaces(walked)).toEqual([
      { index: 4194304000, descr: 'GPON_UNI' },
      { index: 4294967295, descr: 'last' },
    ]);
  });

  it('gives no interfaces for a device without IF-MIB', () => {
    expect(assembleInterfaces(new Map())).toEqual([]);
  });
});
