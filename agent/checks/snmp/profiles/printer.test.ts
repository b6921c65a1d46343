import { describe, expect, it } from 'vitest';
import type { Varbind } from '../session.ts';
import { SnmpType } from '../values.ts';
import { printerErrorBits, printerSamples, supplyLevel, supplySamples } from './printer.ts';

const int = (value: number): Varbind => ({ oid: '', type: SnmpType.Integer, value });
const text = (value: string): Varbind => ({ oid: '', type: SnmpType.OctetString, value: Buffer.from(value) });
const tags = { device: 'p1', role: 'printer' };
const T = 1_750_000_000_000;

describe('supplyLevel (RFC 3805 special values)', () => {
  it('gives a percentage for a level and a positive capacity', () => {
    expect(supplyLevel(63, 100)).toEqual({ state: 'percent', pct: 63 });
    expect(supplyLevel(17_208, 25_000).pct).toBeCloseTo(68.832, 9);
    expect(supplyLevel(0, 100)).toEqual({ state: 'percent', pct: 0 });
  });
  it('-3 some remaining, -2 unknown, -1 other', () => {
    expect(supplyLevel(-3, 100)).toEqual({ state: 'some_remaining' });
    expect(supplyLevel(-2, 100)).toEqual({ state: 'unknown' });
    expect(supplyLevel(-1, 100)).toEqual({ state: 'other' });
    expect(supplyLevel(undefined, 100)).toEqual({ state: 'unknown' });
  });
  it('a level with capacity -2 (unknown), -1 (other) or 0 has no percentage', () => {
    expect(supplyLevel(0, -2)).toEqual({ state: 'unknown' });
    expect(supplyLevel(40, -1)).toEqual({ state: 'other' });
    expect(supplyLevel(40, 0)).toEqual({ state: 'unknown' });
    expect(supplyLevel(40, undefined)).toEqual({ state: 'unknown' });
  });
});

describe('supplySamples', () => {
  it('links the colour through prtMarkerSuppliesColorantIndex within the same hrDeviceIndex', () => {
    const samples = supplySamples(
      [
        { index: '1.1', descr: text('Black Cartridge HP CF400X'), colorantIndex: int(4), max: int(100), level: int(63), type: int(3), supplyClass: int(3) },
        { index: '1.2', descr: text('Waste Toner Box'), colorantIndex: int(0), max: int(-2), level: int(-3) },
      ],
      [{ index: '1.4', value: text('Black') }],
      tags,
      T,
    );
    expect(samples).toEqual([
      {
        measurement: 'printer_supply',
        tags: { ...tags, supply: 'Black Cartridge HP CF400X', supply_index: '1.1', colour: 'black' },
        fields: { level_state: 'percent', level_pct: 63, level: 63, max_capacity: 100, supply_type: 3, supply_class: 3 },
        time: T,
      },
      {
        measurement: 'printer_supply',
        tags: { ...tags, supply: 'Waste Toner Box', supply_index: '1.2' },
        fields: { level_state: 'some_remaining' },
        time: T,
      },
    ]);
  });
  it('says which cells had the wrong type', () => {
    const [s] = supplySamples([{ index: '1.1', descr: int(5), level: text('full') }], [], tags, T);
    expect(s?.tags.supply).toBe('supply 1.1');
    expect(s?.fields).toEqual({ level_state: 'unknown', error: 'bad value in prtMarkerSuppliesDescription, prtMarkerSuppliesLevel' });
  });
});

describe('printer status', () => {
  it('reads hrPrinterDetectedErrorState bits from the most significant bit', () => {
    expect(printerErrorBits(Buffer.from([0x00]))).toMatchObject({ no_paper: 0, jammed: 0 });
    expect(printerErrorBits(Buffer.from([0x44]))).toMatchObject({ low_paper: 0, no_paper: 1, door_open: 0, jammed: 1, offline: 0 });
    expect(printerErrorBits(Buffer.from([0x04, 0x04]))).toMatchObject({ jammed: 1, input_tray_empty: 1, output_full: 0 });
  });
  it('one sample per printer device, skipping other hrDevices', () => {
    const hrPrinter: Varbind = { oid: '', type: SnmpType.Oid, value: '1.3.6.1.2.1.25.3.1.5' };
    const hrNetwork: Varbind = { oid: '', type: SnmpType.Oid, value: '1.3.6.1.2.1.25.3.1.4' };
    const samples = printerSamples(
      [
        { index: '1', deviceType: hrPrinter, deviceStatus: int(3), errors: { oid: '', type: SnmpType.OctetString, value: Buffer.from([0x04]) } },
        { index: '3', deviceType: hrNetwork, deviceStatus: int(2) },
      ],
      tags,
      T,
    );
    expect(samples).toHaveLength(1);
    expect(samples[0]?.tags.printer_index).toBe('1');
    expect(samples[0]?.fields).toMatchObject({ device_status: 3, jammed: 1, no_paper: 0 });
  });
});
