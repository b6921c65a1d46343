import { NETWORK_KINDS, OTHER_KINDS } from '../../agent/checks/snmp/profiles/classify-kinds.ts';
import { CLASS_DISAGREEMENTS } from './oracle-disagreements.ts';

/**
 * The classification part of docs/devices.md (devices-page.ts puts it in the page): order of trust,
 * the mapping to LibreNMS's types with its reasons, and the justified disagreements.
 */
export function classificationSections(): string {
  const networkKinds = OTHER_KINDS.filter((k) => NETWORK_KINDS.has(k)).join(', ');
  const otherKinds = OTHER_KINDS.filter((k) => !NETWORK_KINDS.has(k)).join(', ');
  const justified = CLASS_DISAGREEMENTS.map((d) => `| ${d.name} | ${d.ours} | ${d.why.replaceAll('|', '/')} |`).join('\n');
  return `## Order of trust

Each step is tried in turn; the first that decides gives the class and the evidence stored with it.

1. **A standard MIB that settles the class**: Printer-MIB (RFC 3805) → printer; UPS-MIB battery group
   (RFC 1628) → ups; IEEE 802.11 MIB (\`1.2.840.10036\`) → wireless; a profile reading a Wi-Fi
   controller/AP, UPS or PDU table → that class.
2. **A vendor MIB the device answers** that only one kind of device has (APC's upsBasic vs rPDU vs
   environmental vs air-conditioner subtrees, UniFi/airMAX/airFiber, Aruba WLAN, FortiGate, Sophos,
   Synology, QNAP, TrueNAS, Dell Compellent, Raritan, ServerTech, Eaton ePDU, Grandstream's GWN (APs) vs
   HT (phone adapters) branches, Hikvision's camera MIB, ...), found by stepping GETNEXT over the
   enterprise subtrees. It outranks a radio interface: a firewall with Wi-Fi is a firewall.
3. **ENTITY-MIB chassis** (RFC 6933: the entity of class chassis(3) contained in nothing, never a module)
   description and name, then **sysDescr words** ("switch", "firewall", "access point", "PDU", "NAS", a
   Catalyst or GS1900 model, ...). A "transfer switch" is power, not a network switch; a kernel version
   ("800G.GS25700") or a firmware key ("eth_switch_fw") is no model or word. The bare word "UPS"/"USV"
   (which some devices let the user set) does not outweigh a maker of one other kind (step 4). Then words
   that name a kind of **other** gear: camera/NVR, VoIP (FXS, SBC, PBX, telephony gateway), load balancer,
   proxy/packet broker, optical transport (xWDM, EDFA, optical receiver, media converter, CMTS, modem),
   broadcast (transmitter, DVB, headend), radio base station, console server, PoE midspan, management
   controller (BMC, iLO, iDRAC, XClarity, IPMI, Onboard Administrator), IoT firmware (ESPHome).
4. **The product branch of the sysObjectID** where a vendor registers one kind of product under it (APC
   318.1.3.2 UPS, 318.1.3.4 PDU, 318.1.3.14 cooling; IBM AIX; HP 11.2.3.7.11 switches; FortiExtender
   cellular WAN; ...), then **the vendor of the sysObjectID** (IANA Private Enterprise Number,
   \`agent/checks/snmp/profiles/vendors.ts\`) when everything it makes is one kind (Fortinet, SonicWall,
   CyberPower, Brother, Gigamon, AudioCodes, ...), or the vendor of another enterprise MIB the device
   answers. A server maker's number (Lenovo) on an embedded CPU (ARM, MIPS) is not the server but its
   **management controller**: other, kind management-controller.
5. **Radio interfaces** (ifType ieee80211(71)) → wireless, unless the device also has a WAN link
   (ifType DSL, ATM, ISDN, PPP, cellular): then it is a router with Wi-Fi.
6. **Standard MIBs that describe a role without settling it**: a server OS in sysDescr (Windows, ESXi,
   BSD, AIX, Linux on x86); BRIDGE-MIB with 4 or more bridge ports, Q-BRIDGE or spanning tree → switch; 8
   or more Ethernet interfaces → switch; sysServices (RFC 3418) layer 2 only → switch; sysServices layer 3
   or ipForwarding (RFC 4293) forwarding(1) → router; LLDP without host resources → switch;
   HOST-RESOURCES (RFC 2790; weak: switches, firewalls and APs answer it too) on a non-embedded system →
   server.
7. **What most of the vendor's products are** (Cisco, HP: switches), but never "switch" for a device with
   one or two Ethernet ports. Otherwise **other**.

Vendor: the IANA enterprise number of the sysObjectID, unless that number belongs to agent software
(net-snmp 8072, UCD 2021, FreeBSD, OpenBSD) or a chip maker's stack (Broadcom FASTPATH 4413); then the
maker named in sysDescr, \`entPhysicalMfgName\` of the chassis, \`upsIdentManufacturer\`, the vendor of an
enterprise MIB the device answers. Model: the chassis entity's \`entPhysicalModelName\`, vendor MIB model
objects (PowerNet, Synology, UniFi, a printer's hrDeviceDescr), \`upsIdentModel\`, then sysDescr.

Evidence: every classification carries the step and the fact that decided it, e.g. \`answers
GRANDSTREAM-HT-MIB (phone adapters) (voip)\` or \`3 radio interface(s) beside 2 WAN interface(s) ...\`.
The agent stores it in the \`device_info\` sample (field \`class_evidence\`, tags \`class\`, \`vendor\`,
\`model\`), and \`discover\` prints it above each proposed device, with the kind beside the class.

## Classes and LibreNMS's types

| class | LibreNMS type | role proposed by discover |
|---|---|---|
| router | network | other |
| switch | network | switch |
| wireless (AP or controller) | wireless | access-point (wireless-controller for a WLC) |
| firewall | firewall | firewall |
| server | server | server |
| nas | storage | server |
| printer | printer | printer |
| ups | power | ups |
| pdu (also transfer switches, DC power distribution) | power | ups |
| environment (room sensors, cooling units) | environment | other |
| other, of a network kind (${networkKinds}) | network or appliance | other |
| other, of any other kind (${otherKinds}) or none | appliance | other |

Why the \`other\` row is split, decided once here rather than per device: LibreNMS's "network" type holds,
beside routers and switches, gear whose job is to carry other devices' traffic or signals (VoIP gateways
and phone adapters, load balancers and proxies, packet brokers, optical multiplexers and amplifiers,
cable and broadcast headends, radio base stations, console servers, PoE midspans, hotspot controllers).
Schools own few of these and no alert rule of ours is specific to them, so our class for them is
\`other\` with a kind, and the kind is what maps to LibreNMS's "network". LibreNMS files some of the same
kinds under "appliance" too (Cisco SPA phone adapters, OmniPCX), so any \`other\` counts as "appliance".
Cameras, recorders, management controllers and IoT boards are not network gear: where LibreNMS types a
camera "network", that is listed below as a disagreement with the recording's line. A kind is never
used to fit a type: the router, switch and wireless classes are never mapped to another type.

## Class disagreements settled by the recording (${CLASS_DISAGREEMENTS.length})

Each is checked by \`test/corpus/oracle.test.ts\`: our class is still what the classifier says, and the
recording still holds the line (in \`test/corpus/oracle-disagreements.ts\`) that shows LibreNMS's type is
wrong. They count as right in the table above.

| recording | our class | why |
|---|---|---|
${justified}
`;
}
