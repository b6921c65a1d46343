import type { DeviceEvidence } from './evidence.ts';
import { VENDORS, tidyManufacturer } from './vendors.ts';
import { CLASS_BY_PRODUCT_OID, CLASS_BY_VENDOR_MIB } from './vendor-mibs.ts';
import { classFromWords, modelFromDescr, vendorFromDescr } from './descr-words.ts';
import { kindFromWords, type OtherKind } from './classify-kinds.ts';

/**
 * What a device is, in the words of a school's provider. LibreNMS's device types map onto them as
 * docs/devices.md says: network = router or switch, wireless = wireless (AP or controller), firewall,
 * server, storage = nas, printer, power = ups or pdu, environment, appliance = other.
 */
export const DEVICE_CLASSES = ['router', 'switch', 'wireless', 'firewall', 'server', 'nas', 'printer', 'ups', 'pdu', 'environment', 'other'] as const;
export type DeviceClass = (typeof DEVICE_CLASSES)[number];

export interface DeviceIdentity {
  objectId?: string | undefined;
  descr?: string | undefined;
  /** Names of the profiles whose MIBs answered (printer, ups_mib, apc_powernet, unifi, ...). */
  mibs: ReadonlySet<string>;
  /** Model names read from vendor MIBs (upsIdentModel, PowerNet, Synology, UniFi, hrDeviceDescr), in order of trust. */
  mibModels?: readonly string[];
  /** A printer's own name for itself (hrDeviceDescr of its first device), the last model source. */
  hostModel?: string | undefined;
  /** What the device said about itself (evidence.ts); absent before probing finished. */
  evidence?: DeviceEvidence | undefined;
}

export interface Classification {
  class: DeviceClass;
  /** For class `other`: what kind of gear it is (classify-kinds.ts), when the device said so. */
  kind?: OtherKind;
  vendor: string;
  model?: string;
  /** What decided the class, in a few words a tech can argue with ("Printer-MIB answered", ...). */
  evidence: string;
}

/** Profiles whose MIB settles the class whatever else the device says. */
const CLASS_BY_PROFILE: readonly [string, DeviceClass, string][] = [
  ['printer', 'printer', 'Printer-MIB (RFC 3805) supplies answered'],
  ['ups_mib', 'ups', 'UPS-MIB (RFC 1628) battery group answered'],
  ['apc_powernet', 'ups', 'APC PowerNet UPS group answered'],
  ['pdu', 'pdu', 'a PDU MIB answered outlet/bank load'],
  ['apc_pdu', 'pdu', 'APC PowerNet rPDU load table answered'],
  ['cyberpower_pdu', 'pdu', 'CyberPower ePDU load table answered'],
  ['unifi', 'wireless', 'UniFi VAP table answered'],
  ['aruba_instant', 'wireless', 'Aruba Instant radio table answered'],
  ['cisco_wlc', 'wireless', 'AIRESPACE WLC AP table answered'],
  ['ruckus_unleashed', 'wireless', 'Ruckus Unleashed stations answered'],
  ['wifi_clients', 'wireless', 'a vendor Wi-Fi client count answered'],
];

/** The IANA enterprise number in a sysObjectID, if it is under 1.3.6.1.4.1. */
export function enterpriseOf(objectId: string | undefined): number | undefined {
  const m = objectId === undefined ? null : /^\.?1\.3\.6\.1\.4\.1\.(\d+)(\.|$)/.exec(objectId);
  return m ? Number(m[1]) : undefined;
}

/** Enterprise numbers of software, not of a maker: net-snmp, UCD, FreeBSD's bsnmpd. */
const GENERIC_AGENTS = new Set([8072, 2021, 12325, 2238, 30155]);

/**
 * The class in a documented order of trust (docs/devices.md):
 * 1. a standard MIB that settles it: Printer-MIB → printer; UPS-MIB battery → ups; a profile whose MIB is
 *    a Wi-Fi, PDU or UPS one → that; IEEE 802.11 MIB → wireless;
 * 2. a vendor MIB the device answers that only one kind of device has (a FortiGate's, a Synology's);
 * 3. the ENTITY-MIB chassis description, and sysDescr, naming what the device is ("switch", "firewall",
 *    "access point", "NAS", ...), chassis first; then words naming a kind of other gear ("camera", "SBC");
 * 4. the product branch of the sysObjectID, then its vendor when all it makes is one kind (IANA number →
 *    vendors.ts); a server maker's number on an embedded CPU is the server's management controller;
 * 5. radio interfaces (ifType ieee80211): an access point, unless a WAN interface beside them says router;
 * 6. the standard MIBs that describe a role without settling it: ipForwarding 1 or sysServices layer 3
 *    without bridge ports → router; bridge ports (BRIDGE-MIB) or sysServices layer 2 only → switch;
 *    HOST-RESOURCES with sysServices end-to-end/application layers → server;
 * 7. what most of the vendor's products are; else other.
 */
export function classify(id: DeviceIdentity): Classification {
  const e = id.evidence ?? {};
  const descr = (id.descr ?? '').replace(/\s+/g, ' ').trim();
  const enterprise = enterpriseOf(id.objectId);
  const facts = enterprise === undefined ? undefined : VENDORS.get(enterprise);
  const decided = decideClass(id, e, descr, enterprise);
  const vendor = pickVendor(id, e, descr, enterprise, facts?.vendor);
  const model = pickModel(id, e, descr);
  return model === undefined ? { ...decided, vendor } : { ...decided, vendor, model };
}

type Decided = { class: DeviceClass; kind?: OtherKind; evidence: string };

/** An `other` device of a kind, with the evidence; the kind is shown beside the evidence. */
function other(kind: OtherKind | undefined, evidence: string): Decided {
  return kind === undefined ? { class: 'other', evidence } : { class: 'other', kind, evidence: `${evidence} (${kind})` };
}

function decideClass(id: DeviceIdentity, e: DeviceEvidence, descr: string, enterprise: number | undefined): Decided {
  for (const [profile, cls, why] of CLASS_BY_PROFILE) if (id.mibs.has(profile)) return { class: cls, evidence: why };
  if (e.printerMib) return { class: 'printer', evidence: 'Printer-MIB (RFC 3805) answered' };
  if (e.upsMib) return { class: 'ups', evidence: 'UPS-MIB (RFC 1628) battery group answered' };
  if (e.dot11) return { class: 'wireless', evidence: 'IEEE 802.11 MIB answered' };
  const vendorMib = (e.answeredSubtrees ?? []).map((oid) => CLASS_BY_VENDOR_MIB.find(([prefix]) => oid === prefix || oid.startsWith(`${prefix}.`))).find((m) => m !== undefined);
  if (vendorMib !== undefined) return vendorMib[1] === 'other' ? other(vendorMib[3], `answers ${vendorMib[2]}`) : { class: vendorMib[1], evidence: `answers ${vendorMib[2]}` };

  const chassisWords = [e.chassis?.descr, e.chassis?.name].filter((t): t is string => t !== undefined).join(' ');
  const fromChassis = classFromWords(chassisWords);
  if (fromChassis !== undefined) return { class: fromChassis.class, evidence: `ENTITY-MIB chassis says "${fromChassis.word}"` };
  const fromDescr = classFromWords(descr);
  const maker = enterprise === undefined ? undefined : VENDORS.get(enterprise);
  // A UPS answers a UPS MIB (step 1); the bare word in a sysDescr some devices let the user set ("server
  // room / UPS room") does not outweigh a maker of one other kind of device.
  const weakUps = fromDescr?.class === 'ups' && maker?.class !== undefined && maker.class !== 'ups';
  if (fromDescr !== undefined && !weakUps) return { class: fromDescr.class, evidence: `sysDescr says "${fromDescr.word}"` };
  const kindOfChassis = kindFromWords(chassisWords);
  if (kindOfChassis !== undefined) return other(kindOfChassis.kind, `ENTITY-MIB chassis says "${kindOfChassis.word}"`);
  const kindInDescr = kindFromWords(descr);
  if (kindInDescr !== undefined) return other(kindInDescr.kind, `sysDescr says "${kindInDescr.word}"`);

  const oid = (id.objectId ?? '').replace(/^\./, '');
  const product = CLASS_BY_PRODUCT_OID.find(([prefix]) => oid === prefix || oid.startsWith(`${prefix}.`));
  if (product !== undefined) return product[1] === 'other' ? other(product[3], `sysObjectID under the ${product[2]} branch`) : { class: product[1], evidence: `sysObjectID under the ${product[2]} branch` };
  const facts = enterprise === undefined ? undefined : VENDORS.get(enterprise);
  if (facts?.class === 'server' && EMBEDDED_ARCH.test(descr)) {
    // A server maker's SNMP agent on an ARM or MIPS CPU is not the server (x86 or POWER) but its
    // baseboard management controller (iLO, iDRAC, XClarity, IPMI), which answers on its own address.
    return other('management-controller', `sysObjectID of ${facts.vendor} (enterprise ${enterprise}), who make servers, on an embedded CPU ("${EMBEDDED_ARCH.exec(descr)![0]}")`);
  }
  if (facts?.class !== undefined) {
    const why = `sysObjectID of ${facts.vendor} (enterprise ${enterprise}), who make ${facts.kind ?? facts.class} devices`;
    return facts.class === 'other' ? other(facts.kind, why) : { class: facts.class, evidence: why };
  }
  for (const n of e.enterprises ?? []) {
    const maker = VENDORS.get(n);
    if (n !== enterprise && !GENERIC_AGENTS.has(n) && maker?.class !== undefined) {
      const why = `answers the MIB of ${maker.vendor} (enterprise ${n}), who make ${maker.kind ?? maker.class} devices`;
      return maker.class === 'other' ? other(maker.kind, why) : { class: maker.class, evidence: why };
    }
  }
  const radios = e.ifTypes?.[IEEE80211] ?? 0;
  if (radios > 0) {
    const wan = WAN_IF_TYPES.reduce((sum, t) => sum + (e.ifTypes?.[t] ?? 0), 0);
    if (wan > 0) return { class: 'router', evidence: `${radios} radio interface(s) beside ${wan} WAN interface(s) (DSL, ATM, ISDN, PPP, cellular): a router with Wi-Fi` };
    return { class: 'wireless', evidence: `${radios} interface(s) of ifType ieee80211(71)` };
  }
  const structural = structuralClass(e, descr);
  const ports = ETHERNET.reduce((sum, t) => sum + (e.ifTypes?.[t] ?? 0), 0);
  const tooFewPorts = facts?.usually === 'switch' && e.ifTypes !== undefined && Object.keys(e.ifTypes).length > 0 && ports <= 2;
  if (structural.class === 'other' && facts?.usually !== undefined && !tooFewPorts) {
    return { class: facts.usually, evidence: `nothing else said; most of what ${facts.vendor} (enterprise ${enterprise}) makes is ${facts.usually}` };
  }
  return structural;
}

/** IANAifType ieee80211(71): a radio interface of an 802.11 device. */
const IEEE80211 = 71;
/** IANAifTypes of Ethernet-like ports: ethernetCsmacd(6), iso88023Csmacd(7), fastEther(62), gigabitEthernet(117). */
const ETHERNET = [6, 7, 62, 117];
/**
 * IANAifTypes of WAN links a router terminates and an access point never has: ds1(18), isdn(20/63/75/76/77),
 * ppp(23), frameRelay(32), atm(37), adsl(94), vdsl(97), shdsl(169), adsl2(230), adsl2plus(238),
 * wwanPP(243), wwanPP2(244), vdsl2(251).
 */
const WAN_IF_TYPES = [18, 20, 23, 32, 37, 63, 75, 76, 77, 94, 97, 169, 230, 238, 243, 244, 251];

/**
 * The weakest evidence, from the standard MIBs that describe a role without settling it: a bridge with
 * ports (BRIDGE-MIB, Q-BRIDGE, spanning tree) or many Ethernet ports is a switch; sysServices/ipForwarding
 * saying it routes is a router; HOST-RESOURCES on a general-purpose OS is a server.
 */
function structuralClass(e: DeviceEvidence, descr: string): Decided {
  const services = e.services ?? 0;
  const layer = (n: number) => (services & (1 << (n - 1))) !== 0;
  const ethernet = ETHERNET.reduce((sum, t) => sum + (e.ifTypes?.[t] ?? 0), 0);
  const serverOs = SERVER_OS.exec(descr)?.[0];
  if (serverOs !== undefined) return { class: 'server', evidence: `sysDescr names a server OS ("${serverOs}")${e.hostResources ? ' and HOST-RESOURCES answered' : ''}` };
  if ((e.bridgePorts ?? 0) >= 4) return { class: 'switch', evidence: `BRIDGE-MIB: ${e.bridgePorts} bridge ports` };
  if (e.qBridge || e.stp) return { class: 'switch', evidence: e.qBridge ? 'Q-BRIDGE-MIB (VLANs) answered' : 'BRIDGE-MIB spanning tree answered' };
  if (ethernet >= 8 && !e.hostResources) return { class: 'switch', evidence: `${ethernet} Ethernet ports` };
  if (layer(2) && !layer(3) && !layer(4) && !layer(7)) return { class: 'switch', evidence: `sysServices ${services}: datalink layer only` };
  if ((layer(3) && !layer(4) && !layer(7)) || e.ipForwarding === 1) return { class: 'router', evidence: layer(3) ? `sysServices ${services}: internet layer` : 'ipForwarding is forwarding(1)' };
  if (e.lldp && !e.hostResources) return { class: 'switch', evidence: 'LLDP-MIB answered and no host resources' };
  if (e.hostResources && (e.services === undefined || layer(4) || layer(7)) && !EMBEDDED_ARCH.test(descr)) {
    return { class: 'server', evidence: 'HOST-RESOURCES answered (weak evidence)' };
  }
  return { class: 'other', evidence: 'nothing the device said settles its class' };
}

/** sysDescr of a general-purpose OS on PC hardware (a Linux on ARM or MIPS is an appliance, not a server). */
const SERVER_OS = /\b(windows|esxi|vmware esx|sunos|solaris|aix|os\/400|freebsd|openbsd|netbsd)\b|\blinux\b.*\b(x86_64|amd64|i[3-6]86)\b/i;
const EMBEDDED_ARCH = /\b(arm\w*|aarch64|mips\w*|ppc|powerpc|m68k|sh4|xtensa|esp32|esp8266)\b/i;

function pickVendor(id: DeviceIdentity, e: DeviceEvidence, descr: string, enterprise: number | undefined, fromPen: string | undefined): string {
  // A sysObjectID of generic agent software (net-snmp, FreeBSD's bsnmpd) or of a chip maker's stack
  // (4413, Broadcom FASTPATH, inside others' switches) says who wrote the agent, not who made the box.
  const generic = enterprise === undefined || GENERIC_AGENTS.has(enterprise) || enterprise === 4413;
  if (!generic && fromPen !== undefined) return fromPen;
  const inDescr = vendorFromDescr(descr);
  const osOnly = inDescr !== undefined && OS_NAMES.has(inDescr);
  if (inDescr !== undefined && !osOnly) return inDescr;
  const mfg = tidyManufacturer(e.chassis?.mfg) ?? tidyManufacturer(e.upsManufacturer);
  if (mfg !== undefined) return mfg;
  const vendorMib = (e.enterprises ?? []).find((n) => !GENERIC_AGENTS.has(n) && n !== 4413 && VENDORS.has(n));
  if (vendorMib !== undefined) return VENDORS.get(vendorMib)!.vendor;
  if (inDescr !== undefined) return inDescr;
  if (fromPen !== undefined) return fromPen;
  return enterprise !== undefined ? `enterprise ${enterprise}` : 'unknown';
}

/** Operating systems that sysDescr names: the maker of the box, if known any other way, comes first. */
const OS_NAMES = new Set(['Linux', 'FreeBSD', 'OpenBSD', 'OpenWrt']);

function pickModel(id: DeviceIdentity, e: DeviceEvidence, descr: string): string | undefined {
  // Model: the chassis entity, vendor MIB model objects, upsIdentModel, sysDescr, then hrDeviceDescr.
  // Placeholders ("Generic ...", "unknown") are no model.
  return [e.chassis?.model, ...(id.mibModels ?? []), e.upsModel, modelFromDescr(descr), id.hostModel]
    .map((m) => m?.trim())
    .find((m): m is string => m !== undefined && m !== '' && !/^(unknown|n\/?a|none|0|-+|generic\b.*)$/i.test(m));
}
