import type { DeviceClass } from '../../agent/checks/snmp/profiles/classify.ts';

/**
 * Where this project and LibreNMS disagree and the recording shows LibreNMS is wrong: one line of the
 * recording each (its start: `oid|tag|value`), checked to be in the file by oracle.test.ts.
 */
export interface ClassDisagreement {
  name: string;
  /** Our class, which the test checks is still what the classifier says. */
  ours: DeviceClass;
  line: string;
  why: string;
}

export const CLASS_DISAGREEMENTS: readonly ClassDisagreement[] = [
  { name: 'sophos-xg', ours: 'firewall', line: '1.3.6.1.4.1.2604.5.1.1.2.0|4|SFVH_SO01_SFOS', why: 'SOPHOS-XG-MIB answers: a Sophos Firewall OS (SFOS) box' },
  { name: 'sophos-xg_sg230', ours: 'firewall', line: '1.3.6.1.4.1.2604.5.1.1.2.0|4|SG230_WP01_SFOS', why: 'SOPHOS-XG-MIB answers: SFOS on an SG230' },
  { name: 'sophos-xg_xgs2100', ours: 'firewall', line: '1.3.6.1.4.1.2604.5.1.1.2.0|4|XGS2100_RL01_SFOS', why: 'SOPHOS-XG-MIB answers: SFOS on an XGS2100' },
  { name: 'cyberoam-utm', ours: 'firewall', line: '1.3.6.1.4.1.21067.2.1.1.1.0|4|', why: 'CYBEROAM-MIB answers: a Cyberoam UTM firewall' },
  { name: 'junos_srx340', ours: 'firewall', line: '1.3.6.1.2.1.1.1.0|4|Juniper Networks, Inc. srx340', why: 'SRX is Juniper\'s firewall line' },
  { name: 'junos_srx3600', ours: 'firewall', line: '1.3.6.1.2.1.1.1.0|4|Juniper Networks, Inc. srx3600', why: 'SRX is Juniper\'s firewall line' },
  { name: 'stoneos', ours: 'firewall', line: '1.3.6.1.2.1.1.1.0|4|Hillstone Security Appliance', why: 'Hillstone StoneOS: a firewall' },
  { name: 'iosxe_ct5760', ours: 'wireless', line: '1.3.6.1.4.1.14179.', why: 'answers AIRESPACE-WIRELESS-MIB: a 5760 Wireless LAN Controller' },
  { name: 'apc_emu', ours: 'environment', line: '1.3.6.1.4.1.318.1.1.10.3.1.1.0|4|SCP-EMU', why: 'PowerNet environmental monitoring unit, no UPS or PDU group' },
  { name: 'apc_environmental-manager', ours: 'environment', line: '1.3.6.1.4.1.318.1.1.10.4.1.1.0|2|1', why: 'PowerNet environmental manager, no UPS or PDU group' },
  { name: 'ciscosb', ours: 'wireless', line: '1.3.6.1.2.1.2.2.1.3.5|2|71', why: 'a WAP371 access point: radio interfaces of ifType ieee80211(71)' },
  { name: 'draytek', ours: 'firewall', line: '1.3.6.1.2.1.1.1.0|4|DrayTek Corporation, Router Model: Vigor2920', why: 'a Vigor is the school\'s edge firewall-router; kept as firewall as this project always had it' },
  { name: 'draytek_vdsl', ours: 'firewall', line: '1.3.6.1.2.1.1.1.0|4|DrayTek Corporation, Router Model: Vigor165', why: 'as draytek' },
  { name: 'hikvision-cam', ours: 'other', line: '1.3.6.1.4.1.39165.1.21.0|4|H.264', why: 'HIKVISION-MIB answers its video encoding: an IP camera, not network gear' },
  { name: 'illustra', ours: 'other', line: '1.3.6.1.2.1.1.1.0|4|illustra IFS03D1OCWIT Network camera', why: 'the device names itself a network camera, not network gear' },
  { name: 'apc_airfm', ours: 'environment', line: '1.3.6.1.4.1.318.1.1.13.1.3.3.0|2|1', why: 'answers PowerNet-MIB airConditioners (318.1.1.13), no UPS or PDU group: a NetworkAIR cooling unit' },
  { name: 'apc_inrow-dx', ours: 'environment', line: '1.3.6.1.2.1.1.1.0|4|APC InRow DX 300mm', why: 'an InRow precision cooling unit (LibreNMS types every APC OS as power; its own apc-inrow OS is environment)' },
  { name: 'apc_uniflair-sp', ours: 'environment', line: '1.3.6.1.2.1.1.1.0|4|APC Uniflair SP', why: 'a Uniflair room cooling unit, as apc_inrow-dx' },
  { name: 'innovaphone', ours: 'other', line: '1.3.6.1.4.1.6666.1.1.1.1.80.82.73.49.45.76.50|4|PRI1-L2', why: 'an ISDN PRI layer-2 interface: an innovaphone VoIP gateway/PBX, no environment sensor' },
  { name: 'juniper-mss', ours: 'wireless', line: '1.3.6.1.2.1.1.1.0|4|Juniper Networks, Inc WLC880R', why: 'a WLC (wireless LAN controller, Trapeze MSS): LibreNMS\'s wireless type includes controllers' },
  { name: 'rittal-cmc-iii-pu_pdu-controller', ours: 'pdu', line: '1.3.6.1.2.1.1.1.0|4|Rittal PDU SN', why: 'the device names itself a PDU' },
  { name: 'quantum_scalari6000', ours: 'nas', line: '1.3.6.1.4.1.3764.1.1.10.3.0|4|Scalar i6000', why: 'a Quantum Scalar tape library: storage, not a server' },
  { name: 'snr-erd', ours: 'environment', line: '1.3.6.1.4.1.40418.2.6.1.30.1.1.2.2186281172|4|RSsensor-H/T/P', why: 'a remote environment monitor with a humidity/temperature/pressure sensor, not network gear' },
  { name: 'siteboss360_siteboss360', ours: 'environment', line: '1.3.6.1.4.1.3052.23.1.1.1.1.4.1.1.1|4|Temperature', why: 'an Asentria SiteBoss site monitor reading temperature and humidity probes: no server OS, not a server' },
  { name: 'siteboss550', ours: 'environment', line: '1.3.6.1.4.1.3052.10.1.1.1.1.4.15.5.3|4|Number of Crank Attempts', why: 'a SiteBoss site monitor watching a generator (and, per LibreNMS\'s own sensors, temperature and humidity): not a server' },
  { name: 'tpdin', ours: 'pdu', line: '1.3.6.1.4.1.45621.2.2.15.0|4|54.1V', why: 'reads and switches its DC power rails (54.1 V): power gear, as LibreNMS types the same maker\'s TPDIN3 (tpdin3)' },
  { name: 'velocloud', ours: 'router', line: '1.3.6.1.4.1.45346.1.1.2.3.2.2.1.3.0.0.0.3.51.89.79.246.178.165.100.186.108.233.107.19|4|Provider1', why: 'an SD-WAN edge terminating provider WAN links: the site\'s router' },
];

/** A value disagreement: `what` is the start of the compared item's description in oracle-compare.ts. */
export interface ValueDisagreement {
  name: string;
  what: string;
  line: string;
  why: string;
}

export { VALUE_DISAGREEMENTS } from './oracle-value-disagreements.ts';
