import { describe, expect, it } from 'vitest';
import type { Varbind } from '../session.ts';
import { SnmpType } from '../values.ts';
import { printerErrorBits, printerSamples, supplyLevel, supplySamples, traySamples } from './printer.ts';

const int = (value: number): Varbind => ({ oid: '', type: SnmpType.Integer, value });
const text = (value: string): Varbind => ({ oid: '', type: SnmpType.OctetString, value: Buffer.from(value) });
const tags = { device: 'p1', role: 'printer' };
const T = 1_750_000_000_000;

describe('supplyLevel (RFC 3805 special values)', () => {
  it('gives a percentage for a level and a positive capacity', () => {
    expect(supplyLevel(63, 100)).toEqual({ state: 'percent', pct: 63 });
    expect(supplyLevel(17_208, 25_000).pct).toBe(68.8);
    expect(supplyLevel(0, 100)).toEqual({ state: 'percent', pct: 0 });
  });
  it('rounds to 0.1 with no binary leftovers (11 of 20 is 55, not 55.00000000000001)', () => {
    expect(supplyLevel(11, 20).pct).toBe(55);
    expect(supplyLevel(1, 3).pct).toBe(33.3);
    for (let level = 0; level <= 1000; level++) expect(String(supplyLevel(level, 997).pct)).toMatch(/^\d+(\.\d)?$/);
  });
  it('-3 some remaining, -2 unknown, -1 other', () => {
    expect(supplyLevel(-3, 100)).toEqual({ state: 'some_remaining' });
    expect(supplyLevel(-2, 100)).toEqual({ state: 'unknown' });
    expect(supplyLevel(-1, 100)).toEqual({ state: 'other' });
    expect(supplyLevel(undefined, 100)).toEqual({ state: 'unknown' });
  });
  it('level 0 is empty whatever the capacity says, even unknown (RFC 3805)', () => {
    expect(supplyLevel(0, -2)).toEqual({ state: 'percent', pct: 0 });
    expect(supplyLevel(0, -1)).toEqual({ state: 'percent', pct: 0 });
    expect(supplyLevel(0, 0)).toEqual({ state: 'percent', pct: 0 });
  });
  it('a level above 0 with capacity -2 (unknown), -1 (other) or 0 has no percentage', () => {
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

describe('traySamples (prtInputTable)', () => {
  it('names each tray, gives its level as a percentage, and says paper out at level 0', () => {
    const samples = traySamples(
      [
        { index: '1.1', name: text('Tray 1'), max: int(550), level: int(55), status: int(0), media: text('A4') },
        { index: '1.2', descr: text('Bypass tray'), max: int(100), level: int(0), status: int(8) },
        { index: '1.3', name: text('Tray 3'), max: int(-2), level: int(-3) },
        { index: '1.4', max: int(250), level: int(-2) },
      ],
      tags,
      T,
    );
    expect(samples.map((s) => [s.tags.tray, s.tags.tray_index, s.fields])).toEqual([
      ['Tray 1', '1.1', { level_state: 'percent', level_pct: 10, level: 55, max_capacity: 550, paper_out: 0, status: 0, media: 'A4' }],
      ['Bypass tray', '1.2', { level_state: 'percent', level_pct: 0, level: 0, max_capacity: 100, paper_out: 1, status: 8 }],
      ['Tray 3', '1.3', { level_state: 'some_remaining', paper_out: 0 }],
      ['tray 1.4', '1.4', { level_state: 'unknown', max_capacity: 250 }],
    ]);
    for (const s of samples) expect(s.measurement).toBe('printer_tray');
  });
  it('a garbled cell is named in the error field, the tray still reported', () => {
    const [s] = traySamples([{ index: '1.1', name: text('T'), level: text('full') }], tags, T);
    expect(s!.fields).toMatchObject({ level_state: 'unknown', error: 'bad value in prtInputCurrentLevel' });
  });
});
