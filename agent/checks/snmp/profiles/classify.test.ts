import { describe, expect, it } from 'vitest';
import { classify, enterpriseOf, type DeviceIdentity } from './classify.ts';

const id = (objectId: string | undefined, descr: string | undefined, mibs: string[] = [], extra: Partial<DeviceIdentity> = {}): DeviceIdentity => ({
  objectId,
  descr,
  mibs: new Set(['interfaces', ...mibs]),
  ...extra,
});

describe('enterpriseOf', () => {
  it('reads the IANA enterprise number under 1.3.6.1.4.1', () => {
    expect(enterpriseOf('1.3.6.1.4.1.9.1.1208')).toBe(9);
    expect(enterpriseOf('1.3.6.1.4.1.7367')).toBe(7367);
    expect(enterpriseOf('1.0.3.0.6.0.1.0')).toBeUndefined();
    expect(enterpriseOf(undefined)).toBeUndefined();
  });
});

describe('classify', () => {
  it('switches by enterprise, with the model from sysDescr or ENTITY-MIB', () => {
    expect(classify(id('1.3.6.1.4.1.9.1.1208', 'Cisco IOS Software, C2960X Software', [], { entityModel: 'WS-C2960X-48FPS-L' }))).toEqual({
      class: 'switch',
      vendor: 'Cisco',
      model: 'WS-C2960X-48FPS-L',
    });
    expect(classify(id('1.3.6.1.4.1.11.2.3.7.11.84', 'HP J9146A E2910al-24G-PoE Switch, revision W.15.08.0012'))).toEqual({
      class: 'switch',
      vendor: 'HP',
      model: 'E2910al-24G-PoE',
    });
    expect(classify(id('1.3.6.1.4.1.4413', 'EdgeSwitch 24-Port 250W, 1.8.0.5106045, Linux 3.6.5'))).toMatchObject({ class: 'switch', vendor: 'Ubiquiti', model: 'EdgeSwitch 24-Port 250W' });
    expect(classify(id('1.3.6.1.4.1.4413', 'US-8, 5.76.7.13442, Linux 3.6.5'))).toMatchObject({ class: 'switch', vendor: 'Ubiquiti', model: 'US-8' });
    // Host resources on a switch do not make it a server.
    expect(classify(id('1.3.6.1.4.1.47196.4.1.1.1.303', 'Aruba JL727A 6200F', ['host_resources']))).toMatchObject({ class: 'switch', vendor: 'Aruba' });
  });

  it('a MIB that answered settles the class: printer supplies, UPS battery, AP clients', () => {
    expect(classify(id('1.3.6.1.4.1.11.2.3.9.1', 'HP ETHERNET MULTI-ENVIRONMENT,SN:X,PID:HP Color LaserJet Pro M252dw', ['printer']))).toEqual({
      class: 'printer',
      vendor: 'HP',
      model: 'HP Color LaserJet Pro M252dw',
    });
    expect(classify(id('1.3.6.1.4.1.3808.1.1.1', 'UPS SNMP Card', ['ups_mib'], { mibModels: ['PR2200RT2UC'] }))).toEqual({
      class: 'ups',
      vendor: 'CyberPower',
      model: 'PR2200RT2UC',
    });
    expect(classify(id('1.3.6.1.4.1.318.1.3.27', 'APC Web/SNMP Management Card', ['apc_powernet'], { mibModels: ['Smart-UPS X 750'] }))).toMatchObject({ class: 'ups', vendor: 'APC' });
    // A UniFi AP answers with net-snmp's Linux sysObjectID.
    expect(classify(id('1.3.6.1.4.1.8072.3.2.10', 'UAP-nanoHD 5.43.36.12724', ['host_resources', 'unifi']))).toEqual({
      class: 'wireless',
      vendor: 'Ubiquiti',
      model: 'UAP-nanoHD',
    });
  });

  it('firewalls, including odd sysObjectIDs and empty sysDescr', () => {
    expect(classify(id('1.0.3.0.6.0.1.0', 'SonicWALL TZ 570 (SonicOS 7.0.1-R1456)'))).toEqual({ class: 'firewall', vendor: 'SonicWall', model: 'TZ 570' });
    expect(classify(id('1.3.6.1.4.1.12356.101.1.644', '', [], { entityModel: 'FGT_60F' }))).toEqual({ class: 'firewall', vendor: 'Fortinet', model: 'FGT_60F' });
    expect(classify(id('1.3.6.1.4.1.12325.1.1.2.1.1', 'pfSense 2.3.2-RELEASE pfSense FreeBSD 10.3-RELEASE-p5 amd64', ['host_resources']))).toMatchObject({ class: 'firewall', vendor: 'Netgate' });
    expect(classify(id('1.3.6.1.4.1.7367', 'DrayTek Corporation, Router Model: Vigor2920 Series, Version: 3.8.8.2'))).toMatchObject({ model: 'Vigor2920 Series' });
  });

  it('servers: by vendor, a vendor MIB, or host resources alone', () => {
    expect(classify(id('1.3.6.1.4.1.8072.3.2.10', 'Linux hostname 3.10.77', ['host_resources', 'synology'], { mibModels: ['RS2212RP+'] }))).toEqual({
      class: 'server',
      vendor: 'Synology',
      model: 'RS2212RP+',
    });
    expect(classify(id('1.3.6.1.4.1.311.1.1.3.1.2', 'Hardware: Intel64 - Software: Windows Version 6.3', ['host_resources']))).toMatchObject({ class: 'server', vendor: 'Microsoft' });
    expect(classify(id('1.3.6.1.4.1.99999.1', 'Some appliance', ['host_resources']))).toEqual({ class: 'server', vendor: 'enterprise 99999' });
  });

  it('unknown devices are "other"', () => {
    expect(classify(id(undefined, undefined))).toEqual({ class: 'other', vendor: 'unknown' });
    expect(classify(id('1.3.6.1.4.1.99999', 'box'))).toEqual({ class: 'other', vendor: 'enterprise 99999' });
  });
});
