import { describe, expect, it } from 'vitest';
import type { Varbind } from '../session.ts';
import { SnmpType } from '../values.ts';
import { lineVolts, powernetFields, upsMibFields } from './ups.ts';

const int = (value: number): Varbind => ({ oid: '', type: SnmpType.Integer, value });
const gauge = (value: number): Varbind => ({ oid: '', type: SnmpType.Gauge32, value });
const ticks = (value: number): Varbind => ({ oid: '', type: SnmpType.TimeTicks, value });

describe('upsMibFields (RFC 1628)', () => {
  it('on mains: output source normal(3)', () => {
    expect(
      upsMibFields(
        { batteryStatus: int(2), secondsOnBattery: int(0), minutesRemaining: int(43), chargeRemaining: int(100), batteryTemperature: int(25), outputSource: int(3) },
        [{ index: '1', voltage: int(229) }],
        [{ index: '1', voltage: int(230), load: int(59) }],
      ),
    ).toEqual({
      mib: 'ups_mib',
      on_battery: 0,
      output_source: 'normal',
      seconds_on_battery: 0,
      battery_status: 'normal',
      battery_pct: 100,
      runtime_min: 43,
      battery_temp_c: 25,
      input_voltage_v: 229,
      output_voltage_v: 230,
      load_pct: 59,
    });
  });
  it('on battery: output source battery(5), or seconds on battery without the source', () => {
    expect(upsMibFields({ outputSource: int(5), batteryStatus: int(3) }, [], [])).toMatchObject({ on_battery: 1, battery_status: 'low' });
    expect(upsMibFields({ secondsOnBattery: int(120) }, [], [])).toMatchObject({ on_battery: 1, seconds_on_battery: 120 });
  });
  it('output_source names every upsOutputSource value; bypass(4) is not on battery but is not normal either', () => {
    const words = [1, 2, 3, 4, 5, 6, 7].map((v) => upsMibFields({ outputSource: int(v) }, [], []).output_source);
    expect(words).toEqual(['other', 'none', 'normal', 'bypass', 'battery', 'booster', 'reducer']);
    expect(upsMibFields({ outputSource: int(4) }, [], [])).toMatchObject({ on_battery: 0, output_source: 'bypass' });
    // An out-of-range value is "other", never a healthy "normal"; no object, no field.
    expect(upsMibFields({ outputSource: int(0) }, [], []).output_source).toBe('other');
    expect(upsMibFields({ secondsOnBattery: int(0) }, [], []).output_source).toBeUndefined();
  });
  it('frequencies, battery voltage and current in RFC 1628 tenths; the manufacturer as given', () => {
    const text = (s: string): Varbind => ({ oid: '', type: SnmpType.OctetString, value: Buffer.from(s) });
    expect(
      upsMibFields({ outputFrequency: int(501), batteryVoltage: int(2735), manufacturer: text(' EATON ') }, [{ index: '1', frequency: int(499) }], [{ index: '1', current: int(72) }]),
    ).toMatchObject({ output_frequency_hz: 50.1, input_frequency_hz: 49.9, battery_voltage_v: 273.5, output_current_a: 7.2, manufacturer: 'EATON' });
  });
  it('load is the most loaded output line', () => {
    const lines = [1, 2, 3].map((i) => ({ index: String(i), load: int([20, 71, 40][i - 1]!) }));
    expect(upsMibFields({}, [], lines).load_pct).toBe(71);
  });
});

describe('powernetFields (APC PowerNet-MIB)', () => {
  it('maps upsBasicOutputStatus onto the RFC 1628 output source words', () => {
    const source = (v: number) => powernetFields({ outputStatus: int(v) }).output_source;
    expect([2, 3, 4, 6, 7, 9, 10, 12, 5, 99].map(source)).toEqual(['normal', 'battery', 'booster', 'bypass', 'none', 'bypass', 'bypass', 'reducer', 'other', 'other']);
  });
  it('prefers the high-precision tenths, converts the runtime from TimeTicks', () => {
    expect(
      powernetFields({ capacityHigh: gauge(1000), capacity: gauge(99), runtime: ticks(10_976_200), inputVoltageHigh: gauge(1191), loadHigh: gauge(0), outputStatus: int(2), replace: int(1) }),
    ).toEqual({ mib: 'powernet', on_battery: 0, output_source: 'normal', manufacturer: 'APC', battery_pct: 100, runtime_min: 10_976_200 / 6_000, input_voltage_v: 119.1, load_pct: 0, battery_replace: 0 });
  });
  it('on battery when upsBasicOutputStatus is onBattery(3); whole units without high precision', () => {
    expect(powernetFields({ outputStatus: int(3), capacity: gauge(87), load: gauge(41), batteryStatus: int(3) })).toEqual({
      mib: 'powernet',
      on_battery: 1,
      output_source: 'battery',
      manufacturer: 'APC',
      battery_status: 'low',
      battery_pct: 87,
      load_pct: 41,
    });
  });
});

describe('lineVolts: RFC 1628 whole volts, or tenths from cards that send them', () => {
  it('a mains reading in volts is kept, up to 999 (a 3-phase 400/480 V UPS, 0 when the input is lost)', () => {
    for (const v of [0, 110, 230, 240, 400, 480, 999]) expect(lineVolts(v)).toBe(v);
  });
  it('1,000 or more cannot be a low-voltage line: read as tenths', () => {
    expect(lineVolts(2303)).toBe(230.3);
    expect(lineVolts(1222)).toBe(122.2);
    expect(lineVolts(1000)).toBe(100);
  });
});
