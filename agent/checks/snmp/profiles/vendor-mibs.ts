import type { DeviceClass } from './classify.ts';
import type { OtherKind } from './classify-kinds.ts';

/** A MIB registration: OID prefix, the class its answer tells, whose MIB it is, and for `other` the kind. */
export type ClassByOid = readonly [string, DeviceClass, string, OtherKind?];

/**
 * Vendor MIB subtrees that tell the class when a device answers them, whatever its sysObjectID says (a
 * firewall built on net-snmp that also answers its maker's MIB; an APC card that is a PDU, not a UPS).
 * Longest prefix first. These are MIB registrations, public facts of each vendor's MIB files.
 */
export const CLASS_BY_VENDOR_MIB: readonly ClassByOid[] = [
  ['1.3.6.1.4.1.318.1.1.1', 'ups', 'APC PowerNet-MIB upsBasic'],
  ['1.3.6.1.4.1.318.1.1.4', 'pdu', 'APC PowerNet-MIB masterswitch'],
  ['1.3.6.1.4.1.318.1.1.8', 'pdu', 'APC PowerNet-MIB ATS'],
  ['1.3.6.1.4.1.318.1.1.12', 'pdu', 'APC PowerNet-MIB rPDU'],
  ['1.3.6.1.4.1.318.1.1.26', 'pdu', 'APC PowerNet-MIB rPDU2'],
  ['1.3.6.1.4.1.318.1.1.30', 'pdu', 'APC PowerNet-MIB ATS'],
  ['1.3.6.1.4.1.318.1.1.10', 'environment', 'APC PowerNet-MIB environmental monitor'],
  ['1.3.6.1.4.1.318.1.1.13', 'environment', 'APC PowerNet-MIB airConditioners (cooling)'],
  ['1.3.6.1.4.1.318.1.1.25', 'environment', 'APC PowerNet-MIB universal input/output'],
  ['1.3.6.1.4.1.41112.1.3', 'wireless', 'UBNT-AirFIBER-MIB'],
  ['1.3.6.1.4.1.41112.1.4', 'wireless', 'UBNT-AirMAX-MIB'],
  ['1.3.6.1.4.1.41112.1.6', 'wireless', 'UBNT-UniFi-MIB'],
  ['1.3.6.1.4.1.41112.1.10', 'wireless', 'UBNT-AFLTU-MIB'],
  ['1.3.6.1.4.1.41112.1.11', 'wireless', 'UBNT-AFLTU-MIB'],
  ['1.3.6.1.4.1.14823.2.2.1.5', 'wireless', 'WLSX-WLAN-MIB (Aruba controller)'],
  ['1.3.6.1.4.1.14823.2.3', 'wireless', 'AI-AP-MIB (Aruba Instant)'],
  ['1.3.6.1.4.1.14179', 'wireless', 'AIRESPACE-WIRELESS-MIB'],
  ['1.3.6.1.4.1.9.9.273', 'wireless', 'CISCO-DOT11-ASSOCIATION-MIB'],
  ['1.3.6.1.4.1.9.9.512', 'wireless', 'CISCO-LWAPP-AP-MIB'],
  ['1.3.6.1.4.1.9.9.491', 'firewall', 'CISCO-FIREWALL-MIB'],
  ['1.3.6.1.4.1.9.9.147', 'firewall', 'CISCO-FIREWALL-MIB'],
  ['1.3.6.1.4.1.26928', 'wireless', 'AH-INTERFACE-MIB (Aerohive HiveOS)'],
  ['1.3.6.1.4.1.25053', 'wireless', 'RUCKUS-ROOT-MIB'],
  ['1.3.6.1.4.1.17713', 'wireless', 'CAMBIUM-MIB'],
  ['1.3.6.1.4.1.161.19', 'wireless', 'WHISP-MIB (Cambium Canopy)'],
  ['1.3.6.1.4.1.12356.101', 'firewall', 'FORTINET-FORTIGATE-MIB'],
  ['1.3.6.1.4.1.2604', 'firewall', 'SOPHOS-XG-MIB'],
  ['1.3.6.1.4.1.21067', 'firewall', 'CYBEROAM-MIB'],
  ['1.3.6.1.4.1.25461', 'firewall', 'PAN-COMMON-MIB'],
  ['1.3.6.1.4.1.2620', 'firewall', 'CHECKPOINT-MIB'],
  ['1.3.6.1.4.1.8741', 'firewall', 'SONICWALL-FIREWALL-IP-STATISTICS-MIB'],
  ['1.3.6.1.4.1.10704', 'firewall', 'PHION-MIB (Barracuda)'],
  ['1.3.6.1.4.1.3224', 'firewall', 'NETSCREEN-SMI'],
  ['1.3.6.1.4.1.11256', 'firewall', 'STORMSHIELD-MIB'],
  ['1.3.6.1.4.1.6574', 'nas', 'SYNOLOGY-SYSTEM-MIB'],
  ['1.3.6.1.4.1.24681', 'nas', 'NAS-MIB (QNAP)'],
  ['1.3.6.1.4.1.50536', 'nas', 'TRUENAS-MIB'],
  ['1.3.6.1.4.1.4526.22', 'nas', 'READYNAS-MIB'],
  ['1.3.6.1.4.1.789', 'nas', 'NETAPP-MIB'],
  ['1.3.6.1.4.1.674.11000.2000', 'nas', 'DELL-STORAGE-SC-MIB (Compellent)'],
  ['1.3.6.1.4.1.42397.1.1', 'wireless', 'GRANDSTREAM-GWN-MIB (access points)'],
  ['1.3.6.1.4.1.42397.1.2', 'other', 'GRANDSTREAM-HT-MIB (phone adapters)', 'voip'],
  ['1.3.6.1.4.1.39165', 'other', 'HIKVISION-MIB (cameras)', 'camera'],
  ['1.3.6.1.4.1.13742', 'pdu', 'PDU2-MIB (Raritan)'],
  ['1.3.6.1.4.1.1718', 'pdu', 'Sentry3/Sentry4-MIB (Server Technology)'],
  ['1.3.6.1.4.1.534.6.6.7', 'pdu', 'EATON-EPDU-MIB'],
  ['1.3.6.1.4.1.850.1.1.3', 'ups', 'TRIPPLITE-PRODUCTS UPS'],
  ['1.3.6.1.4.1.3808.1.1.1', 'ups', 'CPS-MIB ups'],
  ['1.3.6.1.4.1.3808.1.1.3', 'pdu', 'CPS-MIB ePDU'],
  ['1.3.6.1.4.1.935', 'ups', 'PPC-MIB (UPS)'],
  ['1.3.6.1.4.1.476.1.42', 'ups', 'LIEBERT-GP'],
  ['1.3.6.1.4.1.705.1', 'ups', 'MG-SNMP-UPS-MIB'],
  ['1.3.6.1.4.1.534.1', 'ups', 'XUPS-MIB'],
];

/**
 * Product branches of vendors' sysObjectID registrations whose products are all of one kind (e.g. APC
 * registers its UPSes under 318.1.3.2 and its PDUs under 318.1.3.4). Public facts of the vendors' MIBs.
 */
export const CLASS_BY_PRODUCT_OID: readonly ClassByOid[] = [
  ['1.3.6.1.4.1.318.1.3.2', 'ups', 'APC UPS product OID'],
  ['1.3.6.1.4.1.318.1.3.4', 'pdu', 'APC PDU product OID'],
  ['1.3.6.1.4.1.318.1.3.15', 'pdu', 'APC PDU product OID'],
  ['1.3.6.1.4.1.318.1.3.14', 'environment', 'APC cooling (InRow, NetworkAIR) product OID'],
  ['1.3.6.1.4.1.2.3.1.2', 'server', 'IBM AIX product OID'],
  ['1.3.6.1.4.1.12356.121', 'router', 'FortiExtender (cellular WAN extender) product OID'],
  ['1.3.6.1.4.1.850.1.5', 'other', 'Tripp Lite console server product OID', 'console-server'],
  ['1.3.6.1.4.1.850.1.7', 'other', 'Tripp Lite console server product OID', 'console-server'],
  ['1.3.6.1.4.1.637.64.4400', 'other', 'Alcatel-Lucent OmniPCX Enterprise (telephony) product OID', 'voip'],
  ['1.3.6.1.4.1.674.10895', 'switch', 'Dell PowerConnect product OID'],
  ['1.3.6.1.4.1.674.10903.200', 'pdu', 'Dell rack PDU product OID'],
  ['1.3.6.1.4.1.674.10902', 'ups', 'Dell UPS product OID'],
  ['1.3.6.1.4.1.674.10893', 'nas', 'Dell storage product OID'],
  ['1.3.6.1.4.1.11.2.3.7.11', 'switch', 'HP ProCurve switch product OID'],
  ['1.3.6.1.4.1.11.2.3.9', 'printer', 'HP JetDirect product OID'],
  ['1.3.6.1.4.1.11.2.51', 'nas', 'HP storage product OID'],
  ['1.3.6.1.4.1.11.10.2', 'nas', 'HP storage product OID'],
  ['1.3.6.1.4.1.9.6.1', 'switch', 'Cisco Small Business switch product OID'],
  ['1.3.6.1.4.1.9.12.3.1.3', 'switch', 'Cisco Nexus product OID'],
  ['1.3.6.1.4.1.14823.1.1', 'wireless', 'Aruba WLAN product OID'],
  ['1.3.6.1.4.1.14823.1.2', 'wireless', 'Aruba AP product OID'],
  ['1.3.6.1.4.1.6486.800', 'wireless', 'Alcatel-Lucent OmniAccess WLAN product OID'],
  ['1.3.6.1.4.1.890.1.5', 'switch', 'Zyxel ZyNOS switch product OID'],
  ['1.3.6.1.4.1.21239.42', 'pdu', 'Vertiv/Geist PDU product OID'],
  ['1.3.6.1.4.1.21239.5', 'environment', 'Geist environment monitor product OID'],
  ['1.3.6.1.4.1.21239.2', 'environment', 'Geist environment monitor product OID'],
  ['1.3.6.1.4.1.10002.1', 'wireless', 'Ubiquiti airMAX product OID'],
  ['1.3.6.1.4.1.2356.13', 'wireless', 'LANCOM LCOS LX access point product OID'],
];
