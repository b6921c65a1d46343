import { describe, expect, it } from 'vitest';
import type { Sample } from '../../contract/index.ts';
import { overlayTraps } from './overlay.ts';

const iface = (name: string, oper: number, time: number): Sample => ({ measurement: 'interface', tags: { device: 'core', interface: name, if_index: '1' }, fields: { oper_status: oper, admin_status: 1, in_octets: 5 }, time });
const trap = (event: string, condition: string, state: string, time: number, tags: Record<string, string> = {}): Sample => ({
  measurement: 'snmp_trap',
  tags: { device: 'core', event, ...tags },
  fields: { condition, state, severity: 'critical', text: '', trap_oid: '1', version: '2c', inform: false, varbinds: '[]' },
  time,
});
const ups = (onBattery: number, time: number): Sample => ({ measurement: 'ups', tags: { device: 'ups' }, fields: { on_battery: onBattery, battery_status: 'normal', battery_pct: 100 }, time });

describe('overlayTraps', () => {
  it('a linkDown newer than the poll stands in for it; a newer poll wins again', () => {
    const down = trap('link-down', 'link-down', 'fault', 2_000, { interface: 'Gi1/0/1' });
    const out = overlayTraps('interface', [iface('Gi1/0/1', 1, 1_000), iface('Gi1/0/2', 1, 1_000)], [down]);
    expect(out[0]).toMatchObject({ tags: { interface: 'Gi1/0/1' }, fields: { oper_status: 2, in_octets: 5, from_trap: 1 }, time: 2_000 });
    expect(out[1]).toEqual(iface('Gi1/0/2', 1, 1_000));
    expect(overlayTraps('interface', [iface('Gi1/0/1', 1, 3_000)], [down])).toEqual([iface('Gi1/0/1', 1, 3_000)]);
  });

  it('linkUp after linkDown clears; an admin shut (info) changes nothing; traps of other interfaces are their own', () => {
    const traps = [trap('link-down', 'link-down', 'fault', 2_000, { interface: 'Gi1/0/1' }), trap('link-up', 'link-down', 'clear', 2_500, { interface: 'Gi1/0/1' })];
    expect(overlayTraps('interface', [iface('Gi1/0/1', 2, 1_000)], traps)[0]!.fields.oper_status).toBe(1);
    expect(overlayTraps('interface', [iface('Gi1/0/1', 1, 1_000)], [trap('link-down', 'link-down', 'info', 2_000, { interface: 'Gi1/0/1' })])).toEqual([iface('Gi1/0/1', 1, 1_000)]);
    const other = overlayTraps('interface', [iface('Gi1/0/1', 1, 1_000)], [trap('link-down', 'link-down', 'fault', 2_000, { interface: 'Gi1/0/9' })]);
    expect(other.map((s) => [s.tags.interface, s.fields.oper_status])).toEqual([['Gi1/0/1', 1], ['Gi1/0/9', 2]]);
  });

  it('UPS on battery and back, by trap, until a newer poll', () => {
    const onBattery = trap('ups-on-battery', 'ups-on-battery', 'fault', 2_000);
    expect(overlayTraps('ups', [ups(0, 1_000)], [onBattery])[0]).toMatchObject({ fields: { on_battery: 1 }, time: 2_000 });
    expect(overlayTraps('ups', [ups(0, 1_000)], [onBattery, trap('ups-on-mains', 'ups-on-battery', 'clear', 2_100)])[0]!.fields.on_battery).toBe(0);
    expect(overlayTraps('ups', [ups(0, 3_000)], [onBattery])).toEqual([ups(0, 3_000)]);
    // A UPS that reports its output source gets it from the trap too (the rule reads it first).
    const withSource: Sample = { ...ups(0, 1_000), fields: { ...ups(0, 1_000).fields, output_source: 'normal' } };
    expect(overlayTraps('ups', [withSource], [onBattery])[0]!.fields).toMatchObject({ on_battery: 1, output_source: 'battery' });
    // No poll at all: nothing to lay a trap over (the device's first poll decides).
    expect(overlayTraps('ups', [], [onBattery])).toEqual([]);
  });

  it('printerV2Alert jam, door, paper out, toner empty set the bit the poll reads; a door-closed trap clears it; a newer poll wins', () => {
    const printer = (fields: Record<string, number>, time: number): Sample => ({ measurement: 'printer', tags: { device: 'p', printer_index: '1' }, fields: { jammed: 0, door_open: 0, no_paper: 0, no_toner: 0, ...fields }, time });
    for (const [condition, field] of [['printer-jam', 'jammed'], ['printer-door-open', 'door_open'], ['printer-paper-out', 'no_paper'], ['printer-toner-empty', 'no_toner']]) {
      const out = overlayTraps('printer', [printer({}, 1_000)], [trap(condition!, condition!, 'fault', 2_000)]);
      expect(out[0]).toMatchObject({ fields: { [field!]: 1, from_trap: 1 }, time: 2_000 });
    }
    const door = [trap('printer-door-open', 'printer-door-open', 'fault', 2_000), trap('printer-door-closed', 'printer-door-open', 'clear', 2_500)];
    expect(overlayTraps('printer', [printer({ door_open: 1 }, 1_000)], door)[0]!.fields.door_open).toBe(0);
    // RFC 3805 seldom traps the end of a jam: the next poll says it is gone.
    expect(overlayTraps('printer', [printer({}, 3_000)], [trap('printer-jam', 'printer-jam', 'fault', 2_000)])).toEqual([printer({}, 3_000)]);
    // Info alerts (toner low, paper low) and other printers' conditions change nothing.
    expect(overlayTraps('printer', [printer({}, 1_000)], [trap('printer-toner-low', 'printer-toner-low', 'info', 2_000), trap('printer-alert', 'printer-alert', 'info', 2_000)])).toEqual([printer({}, 1_000)]);
    expect(overlayTraps('printer', [], [trap('printer-jam', 'printer-jam', 'fault', 2_000)])).toEqual([]);
  });

  it('other measurements, and no traps, pass through untouched', () => {
    expect(overlayTraps('ping', [iface('x', 1, 1)], [trap('link-down', 'link-down', 'fault', 2, { interface: 'x' })])).toEqual([iface('x', 1, 1)]);
    expect(overlayTraps('interface', [iface('x', 1, 1)], [])).toEqual([iface('x', 1, 1)]);
  });
});
