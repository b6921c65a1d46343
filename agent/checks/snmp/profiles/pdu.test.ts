import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Varbind } from '../session.ts';
import { SnmpType } from '../values.ts';
import { pduReadings, pduSamples, rpdu2Readings, rpduReadings } from './pdu.ts';

const int = (value: number): Varbind => ({ oid: '', type: SnmpType.Integer, value });
const gauge = (value: number): Varbind => ({ oid: '', type: SnmpType.Gauge32, value });
const text = (s: string): Varbind => ({ oid: '', type: SnmpType.OctetString, value: Buffer.from(s) });

describe('rpduReadings (PowerNet rPDULoadStatusTable)', () => {
  it('a phase row (bank 0) and bank rows, load in tenths of amps; 0 A is a reading, not absent', () => {
    // apc_ap8853 in the corpus: phase 1 4.9 A, bank 1 0 A, bank 2 4.7 A.
    const rows = [
      { index: '1', load: gauge(49), phase: int(1), bank: int(0) },
      { index: '2', load: gauge(0), phase: int(0), bank: int(1) },
      { index: '3', load: gauge(47), phase: int(0), bank: int(2), state: int(3) },
    ];
    expect(rpduReadings(rows)).toEqual([
      { kind: 'phase', bank: '1', fields: { current_a: 4.9 } },
      { kind: 'bank', bank: '1', fields: { current_a: 0 } },
      { kind: 'bank', bank: '2', fields: { current_a: 4.7, load_state: 'near_overload' } },
    ]);
  });
  it('a row with only the load (single-phase units) is phase <index>', () => {
    expect(rpduReadings([{ index: '1', load: gauge(14) }])).toEqual([{ kind: 'phase', bank: '1', fields: { current_a: 1.4 } }]);
  });
  it('maps every rPDULoadStatusLoadState; an unknown value is "unknown", never "normal"', () => {
    const states = [1, 2, 3, 4, 9].map((s) => rpduReadings([{ index: '1', state: int(s) }])[0]!.fields.load_state);
    expect(states).toEqual(['normal', 'low', 'near_overload', 'overload', 'unknown']);
  });
  it('-1 or absent cells give no field; a row with nothing gives no sample; garbage is an error', () => {
    expect(rpduReadings([{ index: '1', load: int(-1) }])).toEqual([]);
    expect(rpduReadings([{ index: '1' }])).toEqual([]);
    expect(rpduReadings([{ index: '1', load: text('x') }])).toEqual([{ kind: 'phase', bank: '1', fields: { error: 'bad value in rPDULoadStatusLoad' } }]);
  });
});

describe('rpduReadings on CyberPower ePDULoadStatusTable', () => {
  it('same layout, power in watts, the names of its own MIB in errors', () => {
    // cyberpower_pdu81005 in the corpus: rows 1 and 2, 11 (1.1 A) and 216 W each.
    expect(rpduReadings([{ index: '1', load: gauge(11), power: int(216) }], 'ePDULoadStatus')).toEqual([{ kind: 'phase', bank: '1', fields: { current_a: 1.1, power_w: 216 } }]);
    expect(rpduReadings([{ index: '1', power: text('?') }], 'ePDULoadStatus')[0]!.fields).toEqual({ error: 'bad value in ePDULoadStatusActivePower' });
  });
});

describe('rpdu2Readings (PowerNet rPDU2PhaseStatus / BankStatus)', () => {
  it('current in tenths, power from hundredths of kW to watts, rPDU2 load states', () => {
    // apc_ap8853: current 49, power 114 (1.14 kW), lowLoad... normal(2).
    expect(rpdu2Readings('phase', [{ index: '1', module: int(1), number: int(1), state: int(2), current: int(49), power: int(114) }])).toEqual([
      { kind: 'phase', bank: '1', fields: { current_a: 4.9, load_state: 'normal', power_w: 1140 } },
    ]);
    const states = [1, 2, 3, 4, 0].map((s) => rpdu2Readings('bank', [{ index: '1', state: int(s) }])[0]!.fields.load_state);
    expect(states).toEqual(['low', 'normal', 'near_overload', 'overload', 'unknown']);
  });
  it('-1 power (apc_ap7900b) gives no power field; the second PDU of a chain is "2.<n>"', () => {
    expect(rpdu2Readings('phase', [{ index: '4', module: int(2), number: int(1), current: int(0), power: int(-1) }])).toEqual([
      { kind: 'phase', bank: '2.1', fields: { current_a: 0 } },
    ]);
  });
});

describe('pduReadings', () => {
  it('rPDU2 phases win over the first-generation phase rows; banks come from whichever table has them', () => {
    const old = [
      { index: '1', load: gauge(49), phase: int(1), bank: int(0) },
      { index: '2', load: gauge(0), phase: int(0), bank: int(1) },
    ];
    const readings = pduReadings(old, [{ index: '1', number: int(1), current: int(49), power: int(114) }], []);
    expect(readings.map((r) => `${r.kind} ${r.bank} ${r.fields.current_a}`)).toEqual(['phase 1 4.9', 'bank 1 0']);
    expect(readings.filter((r) => r.kind === 'phase')).toHaveLength(1);
  });
  it('nothing in, nothing out (a UPS or a switch)', () => {
    expect(pduReadings([], [], [])).toEqual([]);
  });
  it('samples carry the device tags plus kind and bank', () => {
    const [s] = pduSamples([{ kind: 'bank', bank: '2', fields: { current_a: 1 } }], { device: 'pdu1' }, 5);
    expect(s).toEqual({ measurement: 'pdu', tags: { device: 'pdu1', kind: 'bank', bank: '2' }, fields: { current_a: 1 }, time: 5 });
  });
});

describe('any cells a PDU sends (fast-check)', () => {
  const cell = fc.oneof(
    fc.integer({ min: -(2 ** 31), max: 2 ** 32 - 1 }).map(int),
    fc.integer({ min: 0, max: 2 ** 32 - 1 }).map(gauge),
    fc.string({ maxLength: 8 }).map(text),
    fc.constant(undefined),
  );
  const row = fc.record({ index: fc.integer({ min: 1, max: 99 }).map(String), load: cell, state: cell, phase: cell, bank: cell, module: cell, number: cell, current: cell, power: cell });
  it('never throws; currents and power are finite and >= 0, stored exactly as tenths or left out; states are known words', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 12 }), fc.array(row, { maxLength: 6 }), fc.array(row, { maxLength: 6 }), (old, phases, banks) => {
        const readings = pduReadings(old, phases, banks);
        expect(readings.length).toBeLessThanOrEqual(old.length + phases.length + banks.length);
        for (const r of readings) {
          expect(['phase', 'bank']).toContain(r.kind);
          for (const key of ['current_a', 'power_w'] as const) {
            const v = r.fields[key];
            if (v !== undefined) expect(typeof v === 'number' && Number.isFinite(v) && v >= 0).toBe(true);
          }
          if (r.fields.load_state !== undefined) expect(['low', 'normal', 'near_overload', 'overload', 'unknown']).toContain(r.fields.load_state);
          expect(Object.keys(r.fields).length).toBeGreaterThan(0);
        }
      }),
    );
  });
});
