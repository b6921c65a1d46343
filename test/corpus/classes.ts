import type { Classification, DeviceClass } from '../../agent/checks/snmp/profiles/classify.ts';
import { NETWORK_KINDS } from '../../agent/checks/snmp/profiles/classify-kinds.ts';

/**
 * The tech's judgement of each recording (MANIFEST.md's category, vendor and model): hand-written on
 * purpose, since this is what the classification must agree with, not something the file computes.
 */
export const EXPECTED_CLASSES: Readonly<Record<string, { class: DeviceClass; vendor: string; model: string | undefined }>> = {
  procurve_e2910: { class: 'switch', vendor: 'HP', model: 'J9146A' },
  'arubaos-cx_10.07': { class: 'switch', vendor: 'Aruba', model: 'JL727A' },
  ios_2960x: { class: 'switch', vendor: 'Cisco', model: 'WS-C2960X-48FPS-L' },
  iosxe_c9300: { class: 'switch', vendor: 'Cisco', model: 'C9300-48P' },
  'dlink_dgs-1510-28': { class: 'switch', vendor: 'D-Link', model: 'DGS-1510-28' },
  'edgeswitch_us-8-v2': { class: 'switch', vendor: 'Ubiquiti', model: 'UBNT-ES8' },
  'edgeswitch_es-24-250w': { class: 'switch', vendor: 'Ubiquiti', model: 'UBNT-ES24' },
  boss_ers4950: { class: 'switch', vendor: 'Extreme', model: '4950GTS-PWR+' },
  unifi_nanohd: { class: 'wireless', vendor: 'Ubiquiti', model: 'UAP-nanoHD' },
  'aruba-instant': { class: 'wireless', vendor: 'Aruba', model: '225' },
  arubaos_vmc: { class: 'wireless', vendor: 'Aruba', model: 'ArubaMC-VA' },
  'ruckuswireless-unleashed_legacy-unleashed': { class: 'wireless', vendor: 'Ruckus', model: 'R850' },
  ciscowlc_cbw240ac: { class: 'wireless', vendor: 'Cisco', model: 'CBW240AC-B' },
  draytek: { class: 'firewall', vendor: 'DrayTek', model: 'Vigor2920 Series' },
  'sophos-xg_xgs2100': { class: 'firewall', vendor: 'Sophos', model: undefined },
  fortigate_60f: { class: 'firewall', vendor: 'Fortinet', model: 'FGT_60F' },
  sonicwall_sonicos7: { class: 'firewall', vendor: 'SonicWall', model: 'TZ 570' },
  pfsense: { class: 'firewall', vendor: 'Netgate', model: undefined },
  windows_svr_2019_1809: { class: 'server', vendor: 'Microsoft', model: undefined },
  linux_powermon: { class: 'server', vendor: 'Linux', model: undefined },
  'vmware-esxi': { class: 'server', vendor: 'VMware', model: 'ProLiant DL380p Gen8' },
  dsm: { class: 'nas', vendor: 'Synology', model: 'RS2212RP+' },
  jetdirect_m252dw: { class: 'printer', vendor: 'HP', model: 'HP Color LaserJet Pro M252dw' },
  brother_hl5370dw: { class: 'printer', vendor: 'Brother', model: 'Brother HL-5370DW series' },
  ricoh_mpc3002: { class: 'printer', vendor: 'Ricoh', model: 'Aficio MP C3002' },
  konica: { class: 'printer', vendor: 'Konica Minolta', model: 'bizhub C3110' },
  'apc_smt750x-nmc2': { class: 'ups', vendor: 'APC', model: 'Smart-UPS X 750' },
  'eaton-mgeups_5px': { class: 'ups', vendor: 'Eaton', model: '5PX 3000' },
  cyberpower_pr2200rt2uc: { class: 'ups', vendor: 'CyberPower', model: 'PR2200RT2UC' },
};

/**
 * Whether our classification means what LibreNMS's device type means (docs/devices.md, "Mapping"),
 * decided once per class and kind: network = router, switch, or `other` gear whose job is carrying
 * traffic (NETWORK_KINDS: VoIP gateways, optical transport, load balancers, ...); appliance = any
 * `other`; power = ups or pdu; storage = nas; the rest one to one.
 */
export function sameAsLibreNmsType(type: string, c: Pick<Classification, 'class' | 'kind'>): boolean {
  if (type === 'network' && c.class === 'other') return c.kind !== undefined && NETWORK_KINDS.has(c.kind);
  return (CLASSES_OF_LIBRENMS_TYPE[type] ?? []).includes(c.class);
}

export const CLASSES_OF_LIBRENMS_TYPE: Readonly<Record<string, readonly DeviceClass[]>> = {
  network: ['router', 'switch'],
  wireless: ['wireless'],
  firewall: ['firewall'],
  server: ['server'],
  storage: ['nas'],
  printer: ['printer'],
  power: ['ups', 'pdu'],
  environment: ['environment'],
  appliance: ['other'],
};
