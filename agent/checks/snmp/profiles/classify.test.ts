import { describe, expect, it } from 'vitest';
import { classify, enterpriseOf, type DeviceIdentity } from './classify.ts';
import type { DeviceEvidence } from './evidence.ts';

const id = (objectId: string | undefined, descr: string | undefined, evidence: DeviceEvidence = {}, extra: Partial<DeviceIdentity> = {}): DeviceIdentity => ({
  objectId,
  descr,
  mibs: new Set(['interfaces']),
  evidence,
  ...extra,
});

describe('enterpriseOf', () => {
  it('reads the IANA enterprise number under 1.3.6.1.4.1, with or without a leading dot', () => {
    expect(enterpriseOf('1.3.6.1.4.1.9.1.1208')).toBe(9);
    expect(enterpriseOf('.1.3.6.1.4.1.7367')).toBe(7367);
    expect(enterpriseOf('1.0.3.0.6.0.1.0')).toBeUndefined();
    expect(enterpriseOf(undefined)).toBeUndefined();
  });
});

describe('classify: standard MIBs settle the class before any vendor table', () => {
  it('Printer-MIB, UPS-MIB and the IEEE 802.11 MIB win over an unknown enterprise and silent sysDescr', () => {
    expect(classify(id('1.3.6.1.4.1.99999.1', '', { printerMib: true }))).toMatchObject({ class: 'printer', evidence: expect.stringContaining('Printer-MIB') });
    expect(classify(id('1.3.6.1.4.1.99999.1', '', { upsMib: true }))).toMatchObject({ class: 'ups', evidence: expect.stringContaining('UPS-MIB') });
    expect(classify(id('1.3.6.1.4.1.99999.1', '', { dot11: true }))).toMatchObject({ class: 'wireless' });
    expect(classify(id('1.3.6.1.4.1.99999.1', '', { ifTypes: { 6: 1, 71: 2 } }))).toMatchObject({ class: 'wireless', evidence: expect.stringContaining('ieee80211') });
  });

  it('a firewall answering with the net-snmp enterprise number is known by the vendor MIB it answers', () => {
    const c = classify(id('1.3.6.1.4.1.8072.3.2.10', 'Linux localhost 4.14.38 #2 SMP x86_64', { hostResources: true, enterprises: [2021, 2604, 8072], answeredSubtrees: ['1.3.6.1.4.1.2604'] }));
    expect(c).toMatchObject({ class: 'firewall', vendor: 'Sophos' });
  });

  it('a switch that answers HOST-RESOURCES stays a switch (bridge ports are stronger than host resources)', () => {
    expect(classify(id('1.3.6.1.4.1.99999.2', 'Some OS 1.0', { hostResources: true, bridgePorts: 26, qBridge: true }))).toMatchObject({ class: 'switch' });
    // ...but a real server with a docker bridge is a server: its sysDescr names a server OS.
    expect(classify(id('1.3.6.1.4.1.8072.3.2.10', 'Linux web 5.15.0 #1 SMP x86_64', { hostResources: true, bridgePorts: 1 }))).toMatchObject({ class: 'server', vendor: 'Linux' });
  });

  it('HOST-RESOURCES alone on an embedded Linux does not make a server', () => {
    expect(classify(id('1.3.6.1.4.1.8072.3.2.10', 'Linux box 4.4.60 #0 SMP armv7l', { hostResources: true }))).toMatchObject({ class: 'other' });
  });

  it('the chassis entity names the kind, and gives the model (not a module that comes first)', () => {
    const c = classify(id('1.3.6.1.4.1.25506.11.1.1', 'HPE Comware Platform Software', { chassis: { index: '2', descr: 'HPE 5130 24G 4SFP+ EI Switch', model: 'JG932A', mfg: 'HPE' } }));
    expect(c).toMatchObject({ class: 'switch', model: 'JG932A' });
    expect(c.evidence).toContain('chassis');
  });

  it('an access point whose sysDescr matches no vendor pattern is known by its radios', () => {
    expect(classify(id('1.3.6.1.4.1.26928.1.2.3', 'HiveOS 10.0r8', { ifTypes: { 6: 2, 71: 2 } }))).toMatchObject({ class: 'wireless' });
  });

  it('UPS vendor from upsIdentManufacturer when the sysObjectID is generic', () => {
    expect(classify(id('1.3.6.1.4.1.8072.3.2.10', 'Linux ups 3.10', { upsMib: true, upsManufacturer: 'Socomec', upsModel: 'NETYS RT' }))).toMatchObject({ class: 'ups', vendor: 'Socomec', model: 'NETYS RT' });
  });

  it('sysDescr words when nothing else answers; "transfer switch" is power, not a network switch', () => {
    expect(classify(id(undefined, 'SonicWALL TZ 570 (SonicOS 7.0.1-R1456)'))).toEqual({ class: 'firewall', vendor: 'SonicWall', model: 'TZ 570', evidence: 'sysDescr says "SonicWALL"' });
    expect(classify(id('1.3.6.1.4.1.99999.1', 'Automatic Transfer Switch'))).toMatchObject({ class: 'pdu' });
    expect(classify(id('1.3.6.1.4.1.99999.1', 'Acme 24-port Gigabit Switch'))).toMatchObject({ class: 'switch' });
  });

  it('unknown devices are "other", and say that nothing settled it', () => {
    expect(classify(id(undefined, undefined))).toEqual({ class: 'other', vendor: 'unknown', evidence: 'nothing the device said settles its class' });
    expect(classify(id('1.3.6.1.4.1.99999', 'box'))).toMatchObject({ class: 'other', vendor: 'enterprise 99999' });
  });
});
