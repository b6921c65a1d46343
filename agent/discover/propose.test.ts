import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { deviceListSchema, snmpCheckSchema } from '../../contract/index.ts';
import type { Detection } from '../checks/snmp/profiles/detect.ts';
import { nameFromSysName, proposalYaml, proposeDevices, type FoundHost } from './propose.ts';

const snmpHost = (address: string, name: string | undefined, cls: Detection['classification']['class'], mibs: string[] = []): FoundHost => ({
  address,
  pinged: true,
  snmp: {
    config: snmpCheckSchema.parse({ community: 'school' }),
    system: { name, descr: 'Some device\nsecond line' },
    detection: { objectId: undefined, profiles: [], mibs: new Set(mibs), classification: { class: cls, vendor: 'Acme', model: 'X1', evidence: 'test' } },
  },
});

describe('nameFromSysName', () => {
  it('takes the first label of a host name; refuses placeholders and empty names', () => {
    expect(nameFromSysName('core-sw1.school.local')).toBe('core-sw1');
    expect(nameFromSysName(' hall-ap ')).toBe('hall-ap');
    expect(nameFromSysName('<private>')).toBeUndefined();
    expect(nameFromSysName('')).toBeUndefined();
    expect(nameFromSysName(undefined)).toBeUndefined();
  });
});

describe('proposeDevices', () => {
  it('orders by address, names uniquely, maps class to role', () => {
    const devices = proposeDevices([
      snmpHost('10.0.0.10', 'sw', 'switch'),
      snmpHost('10.0.0.9', 'sw', 'switch'),
      snmpHost('10.0.0.20', undefined, 'wireless', ['cisco_wlc']),
      { address: '10.0.0.100', pinged: true },
      { ...snmpHost('10.0.0.30', undefined, 'ups'), pinged: false },
    ]);
    expect(devices).toEqual([
      { name: 'sw', address: '10.0.0.9', role: 'switch', checks: { ping: {}, snmp: { version: '2c', community: 'school' } } },
      { name: 'sw-2', address: '10.0.0.10', role: 'switch', checks: { ping: {}, snmp: { version: '2c', community: 'school' } } },
      { name: 'wireless-10-0-0-20', address: '10.0.0.20', role: 'wireless-controller', checks: { ping: {}, snmp: { version: '2c', community: 'school' } } },
      { name: 'ups-10-0-0-30', address: '10.0.0.30', role: 'ups', checks: { snmp: { version: '2c', community: 'school' } } },
      { name: 'other-10-0-0-100', address: '10.0.0.100', role: 'other', checks: { ping: {} } },
    ]);
    expect(deviceListSchema.safeParse(devices).success).toBe(true);
  });

  it('YAML with a header and a comment per device, that parses back to the same list', () => {
    const hosts = [snmpHost('10.0.0.9', 'sw', 'switch'), { address: '10.0.0.100', pinged: true }];
    const text = proposalYaml(hosts, ' header line');
    expect(text.startsWith('# header line\n')).toBe(true);
    expect(text).toContain('  # Acme X1 (switch): Some device\n');
    expect(text).toContain('  # answered ping only\n');
    expect(parse(text)).toEqual({ devices: proposeDevices(hosts) });
  });

  it('shows the evidence that decided the class on its own comment line; a newline in it cannot break out of the comment', () => {
    const host = snmpHost('10.0.0.9', 'sw', 'switch');
    host.snmp!.detection.classification.evidence = 'BRIDGE-MIB: 26 bridge ports\ndevices:\n- name: evil';
    const text = proposalYaml([host], ' header');
    expect(text).toContain('  # class switch because: BRIDGE-MIB: 26 bridge ports\n');
    expect(text).not.toContain('evil');
    expect(parse(text)).toEqual({ devices: proposeDevices([host]) });
  });

  it('names other gear without a sysName by its kind, and shows the kind beside the class; a switch keeps its class name', () => {
    const camera = snmpHost('10.0.0.7', undefined, 'other');
    camera.snmp!.detection.classification = { class: 'other', kind: 'camera', vendor: 'Hikvision', evidence: 'answers HIKVISION-MIB (cameras) (camera)' };
    const plain = snmpHost('10.0.0.8', undefined, 'other');
    const devices = proposeDevices([camera, plain, snmpHost('10.0.0.9', undefined, 'switch')]);
    expect(devices.map((d) => [d.name, d.role])).toEqual([
      ['camera-10-0-0-7', 'other'],
      ['other-10-0-0-8', 'other'],
      ['switch-10-0-0-9', 'switch'],
    ]);
    expect(proposalYaml([camera], ' header')).toContain('  # Hikvision (other: camera): Some device\n');
  });
});

