import { describe, expect, it } from 'vitest';
import { classify, enterpriseOf, type DeviceIdentity } from './classify.ts';
import type { DeviceEvidence } from './evidence.ts';
import { modelFromDescr } from './descr-words.ts';

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

describe('classify: other gear says what kind it is, and the rules that decide it have a quiet side', () => {
  it('words naming a kind of other gear give class other with the kind, after the words of the watched classes', () => {
    expect(classify(id('1.3.6.1.4.1.99999.1', 'Acme Network camera 4K'))).toMatchObject({ class: 'other', kind: 'camera' });
    expect(classify(id('1.3.6.1.4.1.99999.1', 'Product: GW 8 FXS;SW Version: 6.60A'))).toMatchObject({ class: 'other', kind: 'voip' });
    expect(classify(id('1.3.6.1.4.1.99999.1', 'Acme-HS / xWDM Multiplexer'))).toMatchObject({ class: 'other', kind: 'transport' });
    expect(classify(id('1.3.6.1.4.1.99999.1', 'DVB-T transmitter'))).toMatchObject({ class: 'other', kind: 'broadcast' });
    expect(classify(id('1.3.6.1.4.1.99999.1', 'Acme Onboard Administrator'))).toMatchObject({ class: 'other', kind: 'management-controller' });
    // quiet side: a class word wins over a kind word, and a kind word inside another word is no word
    expect(classify(id('1.3.6.1.4.1.99999.1', 'Acme VoIP router 2000'))).toMatchObject({ class: 'router' });
    expect(classify(id('1.3.6.1.4.1.99999.1', 'Acme Data Server 2'))).toMatchObject({ class: 'other' });
    expect(classify(id('1.3.6.1.4.1.99999.1', 'Acme Data Server 2')).kind).toBeUndefined();
    expect(classify(id('1.3.6.1.4.1.99999.1', 'Acme SATA box')).kind).toBeUndefined();
  });

  it('the evidence names the kind, so discover and device_info show it', () => {
    expect(classify(id('1.3.6.1.4.1.99999.1', 'Acme Network camera 4K')).evidence).toBe('sysDescr says "Network camera" (camera)');
  });

  it('a radio interface beside a WAN link (VDSL, SHDSL, ATM, PPP) is a router with Wi-Fi; radios alone an access point', () => {
    expect(classify(id('1.3.6.1.4.1.99999.1', 'IAD', { ifTypes: { 6: 4, 71: 2, 97: 1 } }))).toMatchObject({ class: 'router' });
    expect(classify(id('1.3.6.1.4.1.99999.1', 'IAD', { ifTypes: { 6: 4, 71: 2, 23: 1 } })).evidence).toContain('WAN');
    expect(classify(id('1.3.6.1.4.1.99999.1', 'AP', { ifTypes: { 6: 1, 71: 2 } }))).toMatchObject({ class: 'wireless' });
  });

  it('a vendor MIB of one kind outranks a radio interface (a firewall with Wi-Fi is a firewall)', () => {
    const e = { ifTypes: { 6: 8, 71: 1 }, enterprises: [12356], answeredSubtrees: ['1.3.6.1.4.1.12356.101'] };
    expect(classify(id('1.3.6.1.4.1.12356.101.1.1', 'FGT60FW', e))).toMatchObject({ class: 'firewall' });
    expect(classify(id('1.3.6.1.4.1.99999.1', 'box', { ifTypes: { 6: 8, 71: 1 } }))).toMatchObject({ class: 'wireless' });
  });

  it("a server maker's enterprise number on an embedded CPU is the server's management controller, on x86 the server", () => {
    const bmc = classify(id('1.3.6.1.4.1.19046.11.1', 'Linux XCC-7D73 5.4.278 #1 SMP armv7l', { hostResources: true }));
    expect(bmc).toMatchObject({ class: 'other', kind: 'management-controller', vendor: 'Lenovo' });
    expect(classify(id('1.3.6.1.4.1.19046.11.1', 'Linux host 5.4.0 #1 SMP x86_64', { hostResources: true }))).toMatchObject({ class: 'server' });
  });

  it('the bare word UPS does not outweigh a maker of one other kind; it still decides for an unknown maker', () => {
    expect(classify(id('1.3.6.1.4.1.5040.1.2.42', 'Rechnerraum 2 USV-Raum'))).toMatchObject({ class: 'environment' });
    expect(classify(id('1.3.6.1.4.1.99999.1', 'Acme UPS 3000'))).toMatchObject({ class: 'ups' });
    expect(classify(id('1.3.6.1.4.1.13891.101', 'Sinetica UPSController. Versions: App. 6.04.03'))).toMatchObject({ class: 'ups' });
  });

  it("a maker's usual kind (Planet: switches) is not used on a device with one or two ports", () => {
    expect(classify(id('1.3.6.1.4.1.10456', 'IPM-8220 1.30.4', { ifTypes: { 6: 1, 24: 1 } }))).toMatchObject({ class: 'other' });
    expect(classify(id('1.3.6.1.4.1.10456', 'XYZ 1.30.4', { ifTypes: {} }))).toMatchObject({ class: 'switch' });
  });

  it('a kernel version is not a switch model ("800G.GS25700"), a product name is ("GS1900-24")', () => {
    expect(classify(id('1.3.6.1.4.1.99999.1', 'Linux i2k 3.10.26-800G.GS25700 #1 SMP ppc')).class).not.toBe('switch');
    expect(classify(id('1.3.6.1.4.1.99999.1', 'GS1900-24'))).toMatchObject({ class: 'switch' });
    expect(classify(id('1.3.6.1.4.1.99999.1', 'Prod: Integra-E;eth_switch_fw: 6.5.15.5')).class).not.toBe('switch');
  });

  it('a model from a sysDescr that is "<product> <version>" only when the product has a digit and is no OS, agent or serial', () => {
    expect(modelFromDescr('Room Alert 12E v3.3.0')).toBe('Room Alert 12E');
    expect(modelFromDescr('MPU2032DAC 2.10.0.25829')).toBe('MPU2032DAC');
    expect(modelFromDescr('CentreCOM 9924Ts, version 3.2.1-04, built 08-Sep-2009')).toBe('CentreCOM 9924Ts');
    expect(modelFromDescr('; AXIS P1354; Network Camera; 5.90.1.2; Jun 20 2016 13:04; 1BB.2; 1;')).toBe('AXIS P1354');
    expect(modelFromDescr('Peakflow TMS 8.4 Model: TMS-HD1000 Serial: XXXXXXXXXX')).toBe('TMS-HD1000');
    for (const descr of ['Ubuntu 18.04 Linux 4.4.31', 'EdgeOS v4.4.2.4598.220304.1412', 'IMCO SNMP Agent 10.10', 'PowerAlert v12.04.0055', 'Rittal PDU SN 34260505 HW REV.0404 - SW V7.17.30_1', 'Linux host 5.4.0 #1 SMP x86_64', 'Airconsole 2.80']) {
      expect(modelFromDescr(descr), descr).toBeUndefined();
    }
  });
});

