import type { DeviceClass } from './classify.ts';

/**
 * Words a device uses for itself in sysDescr (RFC 3418: "a textual description of the entity ... should
 * include the full name and version identification of the system's hardware type") or in its chassis
 * entPhysicalDescr. Checked in this order: phrases naming a product kind beat brand words, and a power
 * "transfer switch" is not a network switch.
 */
const CLASS_WORDS: readonly [RegExp, DeviceClass][] = [
  [/\b(printer|laserjet|officejet|designjet|jetdirect|bizhub|imagerunner|workcentre|versalink|altalink|ecosys|taskalfa|aficio)\b/i, 'printer'],
  [/(automatic transfer switch|transfer switch|power distribution unit|switched cdu|pdu|redundant power (supply|system)|\brps\b)/i, 'pdu'],
  [/\b(uninterruptible power|ups|usv|upscontroller|smart-ups|symmetra|galaxy \d+|powerware|powernet)\b/i, 'ups'],
  [/\b(environment(al)? monitor(ing)?|netbotz|sensorprobe|sensor probe|thermometer|humidity|temperature monitor|room alert|climate)\b/i, 'environment'],
  [/\b(firewall|utm|adaptive security appliance|fortigate|fortios|pfsense|opnsense|sonicwall|sonicos|sophos|cyberoam|pan-os|palo alto|watchguard|fireware|stormshield|gaia|check ?point|zywall|vigor\w*|usg\d+\w*|srx\d+|secure gateway|security appliance|security gateway)\b/i, 'firewall'],
  [/\b(access point|wireless (lan )?controller|wlan controller|mobility controller|wlc|aironet|hiveos|aerohive|airos|unifi ap|instant on ap|wi-?fi|wireless access|wireless ap|wireless router|airmax|airfiber|cnpilot|epmp|ptp\s?\d+|arubaos(?!-)|aos-w|mini-link|packet radio|microwave radio|mesh point|canopy|lcos[- ]lx|ap\d*|ap-\w+)\b/i, 'wireless'],
  [/\b(nas|network attached storage|storage|diskstation|rackstation|readynas|truenas|freenas|qnap|qts|data ?domain|powervault|equallogic|compellent|netapp|ontap|purity|exagrid|rubrik\w*|san|msa|tape library|powervault|me[45]\d{3}|powerstore|isilon|unity)\b/i, 'nas'],
  [/((?<!_)switch|\b(commutateur|catalyst|nexus|nx-os|procurve|powerconnect|comware|edgeswitch|netiron|fastiron|jetstream|omniswitch|omnistack|icx\d+\w*|c(29|35|36|37|38|45|65|92|93|94|95)\d\d\w*|usw-\w+|(?<![.\w-])(dgs|des|dxs|gs|xgs|mgs|es|xs|sg|sf|tl-sg|tl-sf|cbs|usw?)-?\d{1,4}\w*)\b)/i, 'switch'],
  [/\b(router|routing|routeros|edgerouter|edgeos|vyos|openwrt|tomato\w*|asuswrt|dd-wrt|ios|ios xr|ios-xe|junos|adtran|netvanta|isr\d*|asr\d*)\b/i, 'router'],
  [/\b(wireless|wlan)\b/i, 'wireless'],
];

export function classFromWords(text: string): { class: DeviceClass; word: string } | undefined {
  if (text.trim() === '') return undefined;
  for (const [pattern, cls] of CLASS_WORDS) {
    const m = pattern.exec(text);
    if (m !== null) return { class: cls, word: m[0].trim() };
  }
  return undefined;
}

/**
 * Maker names as they appear in sysDescr, for devices whose sysObjectID is that of agent software
 * (net-snmp, FreeBSD) or absent. First match wins; the product word names its maker (EdgeSwitch: Ubiquiti).
 */
const VENDOR_WORDS: readonly [RegExp, string][] = [
  [/\b(EdgeSwitch|EdgeRouter|EdgeOS|UniFi|UAP|U6|U7|USW|US-\d+|airOS|airMAX|airFiber)\b/, 'Ubiquiti'],
  [/\bpfSense\b/i, 'Netgate'],
  [/\bOPNsense\b/i, 'Deciso'],
  [/\bSonicWALL\b/i, 'SonicWall'],
  [/\bSynology\b|\bDiskStation\b|\bRackStation\b/i, 'Synology'],
  [/\bQNAP\b/i, 'QNAP'],
  [/\bTrueNAS\b|\bFreeNAS\b/i, 'iXsystems'],
  [/\bReadyNAS\b|\bNetgear\b/i, 'Netgear'],
  [/\bFortiGate\b|\bFortinet\b/i, 'Fortinet'],
  [/\bSophos\b/i, 'Sophos'],
  [/\bBarracuda\b/i, 'Barracuda'],
  [/\bMikroTik\b|\bRouterOS\b/i, 'MikroTik'],
  [/\bOpenWrt\b/i, 'OpenWrt'],
  [/\bTeltonika\b|\bRUT[XM]?\d/i, 'Teltonika'],
  [/\bGrandstream\b/i, 'Grandstream'],
  [/\bDell\b/i, 'Dell'],
  [/\bCisco\b/i, 'Cisco'],
  [/\bAruba\b/i, 'Aruba'],
  [/\bJuniper\b|\bJUNOS\b/i, 'Juniper'],
  [/\bHewlett|\bHPE?\b/, 'HP'],
  [/\bWindows\b/, 'Microsoft'],
  [/\bVMware\b/i, 'VMware'],
  [/\bFreeBSD\b/, 'FreeBSD'],
  [/\bOpenBSD\b/, 'OpenBSD'],
  [/\bLinux\b/, 'Linux'],
];

export function vendorFromDescr(descr: string): string | undefined {
  return VENDOR_WORDS.find(([pattern]) => pattern.test(descr))?.[1];
}

/** Model names in sysDescr where the maker puts them; group 1 is the model. Used after ENTITY-MIB and vendor MIB models. */
const MODEL_PATTERNS: readonly RegExp[] = [
  /^((?:UAP|U6|U7|USW|US)-[^\s,]+)/,
  /^(EdgeSwitch [^,]+)/,
  /^HP \S+ (\S+) Switch/,
  /PID:([^,]+)/,
  /^RICOH (.+?) \d[\d.]* \//,
  /^KONICA MINOLTA (.+)/,
  /^Eaton (.+)/,
  /Router Model: ([^,]+)/,
  /^SonicWALL (.+?) \(/i,
  /^Ethernet Routing Switch (\S+)/,
  /^(D[A-Z]{2}-\d[^\s,]*)/,
  /^Ruckus Wireless (\S+)/,
  /\(MODEL: ([^)]+)\)/,
  /\bModel: ([A-Za-z0-9][\w-]*)/,
  // "; AXIS P1354; Network Camera; 5.90.1.2; ..." (fields separated by semicolons, the first the model)
  /^;\s*([^;]{2,40});/,
];

/**
 * The whole sysDescr as "<product> <version>": "Room Alert 12E v3.3.0", "MPU2032DAC 2.10.0.25829",
 * "CentreCOM 9924Ts, version 3.2.1-04, built ...". The product is a model only if it has a digit and is
 * not the name of an OS, firmware or SNMP agent ("Ubuntu 18.04", "EdgeOS v4.4", "IMCO SNMP Agent 10.10").
 */
const PRODUCT_AND_VERSION = /^([A-Za-z][\w\-/+. ]{1,40}?),? (?:v|ver\.? ?|version )?\d+(?:\.\d+)+[\w-]*(?:,? \S+)*$/i;
const NOT_A_MODEL = /\b(linux|freebsd|openbsd|netbsd|windows|sunos|vxworks|ubuntu|debian|os|snmp|agent|software|firmware|supervisor|version|build|sn|serial)\b|os$/i;

export function modelFromDescr(descr: string): string | undefined {
  for (const pattern of MODEL_PATTERNS) {
    const m = pattern.exec(descr)?.[1]?.trim();
    if (m !== undefined && m !== '') return m;
  }
  const product = PRODUCT_AND_VERSION.exec(descr)?.[1]?.trim();
  return product !== undefined && /\d/.test(product) && !NOT_A_MODEL.test(product) ? product : undefined;
}
