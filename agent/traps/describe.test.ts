import { describe, expect, it } from 'vitest';
import { describeTrap } from './describe.ts';
import { normaliseTrap, type Trap } from './normalise.ts';

const trap = (oid: string, varbinds: [string, string][] = []): Trap => ({
  oid,
  varbinds: varbinds.map(([o, value]) => ({ oid: o, value })),
  version: '2c',
  inform: false,
});
const LINK_DOWN = '1.3.6.1.6.3.1.1.5.3';
const LINK_UP = '1.3.6.1.6.3.1.1.5.4';
const PRINTER_ALERT = '1.3.6.1.2.1.43.18.2.0.1';
const prtAlert = (code: number, group: number): [string, string][] => [
  ['1.3.6.1.2.1.43.18.1.1.2.1.7', '3'],
  ['1.3.6.1.2.1.43.18.1.1.4.1.7', String(group)],
  ['1.3.6.1.2.1.43.18.1.1.5.1.7', '1'],
  ['1.3.6.1.2.1.43.18.1.1.6.1.7', '0'],
  ['1.3.6.1.2.1.43.18.1.1.7.1.7', String(code)],
];

describe('describeTrap', () => {
  it('names the interface of a linkDown as the poller does, from its ifIndex', () => {
    const e = describeTrap(trap(LINK_DOWN, [['1.3.6.1.2.1.2.2.1.1.12', '12'], ['1.3.6.1.2.1.2.2.1.7.12', '1'], ['1.3.6.1.2.1.2.2.1.8.12', '2']]), (i) => (i === 12 ? 'Gi1/0/12' : undefined));
    expect(e).toMatchObject({ event: 'link-down', condition: 'link-down', state: 'fault', interface: 'Gi1/0/12', ifIndex: 12 });
  });

  it('falls back to the trap’s own ifName or ifDescr, then to the index', () => {
    expect(describeTrap(trap(LINK_DOWN, [['1.3.6.1.2.1.2.2.1.1.3', '3'], ['1.3.6.1.2.1.2.2.1.2.3', 'port 3']])).interface).toBe('port 3');
    expect(describeTrap(trap(LINK_DOWN, [['1.3.6.1.2.1.31.1.1.1.1.4', 'ge-0/0/4'], ['1.3.6.1.2.1.2.2.1.2.4', 'x']])).interface).toBe('ge-0/0/4');
    expect(describeTrap(trap(LINK_DOWN, [['1.3.6.1.2.1.2.2.1.8.9', '2']])).interface).toBe('ifIndex 9');
  });

  it('a port shut down by an administrator is not a fault', () => {
    const e = describeTrap(trap(LINK_DOWN, [['1.3.6.1.2.1.2.2.1.1.5', '5'], ['1.3.6.1.2.1.2.2.1.7.5', '2'], ['1.3.6.1.2.1.2.2.1.8.5', '2']]));
    expect(e).toMatchObject({ event: 'link-down', state: 'info' });
  });

  it('linkUp clears link-down', () => {
    expect(describeTrap(trap(LINK_UP, [['1.3.6.1.2.1.2.2.1.1.5', '5']]))).toMatchObject({ event: 'link-up', condition: 'link-down', state: 'clear', ifIndex: 5 });
  });

  it('UPS-MIB and APC PowerNet on battery and back', () => {
    expect(describeTrap(trap('1.3.6.1.2.1.33.2.1'))).toMatchObject({ event: 'ups-on-battery', state: 'fault', severity: 'critical' });
    expect(describeTrap(trap('1.3.6.1.4.1.318.0.5'))).toMatchObject({ event: 'ups-on-battery', state: 'fault' });
    expect(describeTrap(trap('1.3.6.1.4.1.318.0.9'))).toMatchObject({ event: 'ups-on-mains', condition: 'ups-on-battery', state: 'clear' });
    expect(describeTrap(trap('1.3.6.1.4.1.318.0.7'))).toMatchObject({ event: 'ups-battery-low', state: 'fault' });
  });

  it('UPS-MIB alarm traps are named by the well-known alarm they carry', () => {
    const added = trap('1.3.6.1.2.1.33.2.3', [['1.3.6.1.2.1.33.1.6.2.1.2.4', '1.3.6.1.2.1.33.1.6.3.3']]);
    expect(describeTrap(added)).toMatchObject({ event: 'ups-battery-low', state: 'fault' });
    const removed = trap('1.3.6.1.2.1.33.2.4', [['1.3.6.1.2.1.33.1.6.2.1.2.4', '1.3.6.1.2.1.33.1.6.3.9']]);
    expect(describeTrap(removed)).toMatchObject({ event: 'ups-on-bypass-cleared', condition: 'ups-on-bypass', state: 'clear' });
    // An alarm not in the well-known list still says "alarm".
    expect(describeTrap(trap('1.3.6.1.2.1.33.2.3', [['1.3.6.1.2.1.33.1.6.2.1.2.4', '1.3.6.1.4.1.99.1']]))).toMatchObject({ event: 'ups-alarm', state: 'fault' });
  });

  it('printer alerts: jam, door, paper out and toner empty by code and group; others are info', () => {
    expect(describeTrap(trap(PRINTER_ALERT, prtAlert(8, 13)))).toMatchObject({ event: 'printer-jam', state: 'fault' });
    expect(describeTrap(trap(PRINTER_ALERT, prtAlert(501, 6)))).toMatchObject({ event: 'printer-door-open', state: 'fault' });
    expect(describeTrap(trap(PRINTER_ALERT, prtAlert(502, 6)))).toMatchObject({ event: 'printer-door-closed', condition: 'printer-door-open', state: 'clear' });
    expect(describeTrap(trap(PRINTER_ALERT, prtAlert(808, 8)))).toMatchObject({ event: 'printer-paper-out', state: 'fault' });
    expect(describeTrap(trap(PRINTER_ALERT, prtAlert(13, 8)))).toMatchObject({ event: 'printer-paper-out', state: 'fault' });
    expect(describeTrap(trap(PRINTER_ALERT, prtAlert(13, 11)))).toMatchObject({ event: 'printer-toner-empty', state: 'fault' });
    expect(describeTrap(trap(PRINTER_ALERT, prtAlert(1101, 11)))).toMatchObject({ event: 'printer-toner-empty', state: 'fault' });
    expect(describeTrap(trap(PRINTER_ALERT, prtAlert(7, 5)))).toMatchObject({ event: 'printer-alert', state: 'info' });
    expect(describeTrap(trap(PRINTER_ALERT, []))).toMatchObject({ event: 'printer-alert', state: 'info' });
  });

  it('a trap nobody listed is kept as unknown, never a fault', () => {
    expect(describeTrap(trap('1.3.6.1.4.1.9.9.999.2.0.1'))).toMatchObject({ event: 'unknown', state: 'info', text: 'trap 1.3.6.1.4.1.9.9.999.2.0.1' });
  });

  it('CyberPower CPS-MIB on battery and back, numbered as PowerNet', () => {
    expect(describeTrap(trap('1.3.6.1.4.1.3808.0.5'))).toMatchObject({ event: 'ups-on-battery', state: 'fault' });
    expect(describeTrap(trap('1.3.6.1.4.1.3808.0.9'))).toMatchObject({ event: 'ups-on-mains', condition: 'ups-on-battery', state: 'clear' });
    expect(describeTrap(trap('1.3.6.1.4.1.3808.0.7'))).toMatchObject({ event: 'ups-battery-low', state: 'fault' });
  });

  it('RFC 3621 PoE: a port fault and its return by pethPsePortDetectionStatus; a port simply off is info', () => {
    const poe = (status: number) => trap('1.3.6.1.2.1.105.0.1', [['1.3.6.1.2.1.105.1.1.1.6.1.12', String(status)]]);
    expect(describeTrap(poe(4))).toMatchObject({ event: 'poe-fault', state: 'fault', text: 'PoE fault (module 1, port 12)' });
    expect(describeTrap(poe(3))).toMatchObject({ event: 'poe-on', condition: 'poe-fault', state: 'clear' });
    expect(describeTrap(poe(2))).toMatchObject({ event: 'poe-off', state: 'info' });
    expect(describeTrap(trap('1.3.6.1.2.1.105.0.1'))).toMatchObject({ event: 'poe-port', state: 'info' });
    expect(describeTrap(trap('1.3.6.1.2.1.105.0.2'))).toMatchObject({ event: 'poe-budget-high', state: 'fault' });
  });

  it('switch housekeeping is info (spanning tree, hardware and configuration changes); Cisco fan and power supply failures are faults', () => {
    for (const oid of ['1.3.6.1.2.1.17.0.1', '1.3.6.1.2.1.17.0.2', '1.3.6.1.2.1.47.2.0.1', '1.3.6.1.4.1.9.9.43.2.0.1']) expect(describeTrap(trap(oid)).state).toBe('info');
    expect(describeTrap(trap('1.3.6.1.4.1.9.9.13.3.0.4'))).toMatchObject({ event: 'fan-failure', state: 'fault' });
    expect(describeTrap(trap('1.3.6.1.4.1.9.9.13.3.0.5'))).toMatchObject({ event: 'power-supply-failure', state: 'fault' });
  });
});

describe('normaliseTrap', () => {
  it('translates SNMPv1 generic and enterprise-specific traps as RFC 3584 §3.1 does', () => {
    expect(normaliseTrap({ type: 164, enterprise: '1.3.6.1.4.1.9', generic: 2, specific: 0, varbinds: [] })?.oid).toBe('1.3.6.1.6.3.1.1.5.3');
    expect(normaliseTrap({ type: 164, enterprise: '1.3.6.1.4.1.318', generic: 6, specific: 5, varbinds: [] })?.oid).toBe('1.3.6.1.4.1.318.0.5');
    expect(normaliseTrap({ type: 164, generic: 6, specific: 5 })).toBeUndefined();
    expect(normaliseTrap({ type: 164, generic: 7, specific: 0 })).toBeUndefined();
  });

  it('reads snmpTrapOID.0 of a v2 trap and drops sysUpTime and the trap OID from the varbinds', () => {
    const t = normaliseTrap({
      type: 167,
      community: 'public',
      varbinds: [
        { oid: '1.3.6.1.2.1.1.3.0', type: 67, value: 100 },
        { oid: '1.3.6.1.6.3.1.1.4.1.0', type: 6, value: '1.3.6.1.6.3.1.1.5.3' },
        { oid: '1.3.6.1.2.1.2.2.1.2.3', type: 4, value: Buffer.from('port 3') },
        { oid: '1.3.6.1.2.1.2.2.1.6.3', type: 4, value: Buffer.from([0, 0x1b, 0xff, 0, 1, 2]) },
      ],
    });
    expect(t).toEqual({
      oid: '1.3.6.1.6.3.1.1.5.3',
      varbinds: [
        { oid: '1.3.6.1.2.1.2.2.1.2.3', value: 'port 3' },
        { oid: '1.3.6.1.2.1.2.2.1.6.3', value: '001bff000102' },
      ],
      version: '2c',
      inform: false,
      credential: { community: 'public' },
    });
    expect(normaliseTrap({ type: 167, varbinds: [{ oid: '1.3.6.1.2.1.1.3.0', type: 67, value: 1 }] })).toBeUndefined();
    expect(normaliseTrap({ type: 166, user: 'u', varbinds: [{ oid: '1.3.6.1.6.3.1.1.4.1.0', type: 6, value: '1.3.6.1.2.1.33.2.1' }] })).toMatchObject({ version: '3', inform: true });
  });
});
