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
];

/** A value disagreement: `what` is the start of the compared item's description in oracle-compare.ts. */
export interface ValueDisagreement {
  name: string;
  what: string;
  line: string;
  why: string;
}

export { VALUE_DISAGREEMENTS } from './oracle-value-disagreements.ts';
