/** What a device is, for grouping on dashboards and in alerts. */
export const DEVICE_CLASSES = ['switch', 'wireless', 'firewall', 'server', 'printer', 'ups', 'other'] as const;
export type DeviceClass = (typeof DEVICE_CLASSES)[number];

export interface DeviceIdentity {
  objectId?: string | undefined;
  descr?: string | undefined;
  /** Names of the profiles whose MIBs answered, plus vendor MIBs seen (e.g. "synology"). */
  mibs: ReadonlySet<string>;
  /** Model names read from vendor MIBs (UPS-MIB upsIdentModel, PowerNet, Synology, UniFi, hrDeviceDescr), in order of trust. */
  mibModels?: readonly string[];
  /** ENTITY-MIB entPhysicalModelName of the first entity that has one. */
  entityModel?: string | undefined;
}

export interface Classification {
  class: DeviceClass;
  vendor: string;
  model?: string;
}

interface Rule {
  /** sysObjectID under 1.3.6.1.4.1.<enterprise> (IANA Private Enterprise Number). */
  enterprise?: number;
  /** sysObjectID starts with this (for one product line of a vendor). */
  oidPrefix?: string;
  descr?: RegExp;
  /** A profile or vendor MIB that answered. */
  mib?: string;
  vendor: string;
  /** Left out when the vendor makes several kinds; MIB evidence or host resources decide then. */
  class?: DeviceClass;
  /** Group 1 is the model, from sysDescr. */
  model?: RegExp;
}

/**
 * First matching rule wins. The specific rules (a product line, a telling sysDescr, a vendor MIB that
 * answered) come before the vendor's catch-all. Enterprise numbers: IANA PEN registry.
 */
const RULES: readonly Rule[] = [
  { mib: 'synology', vendor: 'Synology', class: 'server' },
  { mib: 'unifi', vendor: 'Ubiquiti', class: 'wireless', model: /^(U[A-Z0-9]*-\S+)/ },
  { descr: /^(UAP|U6|U7)-/, vendor: 'Ubiquiti', class: 'wireless', model: /^(\S+)/ },
  { oidPrefix: '1.3.6.1.4.1.41112.1.5', vendor: 'Ubiquiti', class: 'firewall' },
  { enterprise: 41112, vendor: 'Ubiquiti' },
  // Ubiquiti's EdgeSwitch and UniFi switches answer with Broadcom's FASTPATH enterprise number.
  { enterprise: 4413, descr: /^EdgeSwitch/, vendor: 'Ubiquiti', class: 'switch', model: /^(EdgeSwitch [^,]+)/ },
  { enterprise: 4413, descr: /^(US|USW)-/, vendor: 'Ubiquiti', class: 'switch', model: /^([^,]+)/ },
  { enterprise: 4413, vendor: 'Broadcom', class: 'switch' },
  { mib: 'cisco_wlc', vendor: 'Cisco', class: 'wireless' },
  { enterprise: 14179, vendor: 'Cisco', class: 'wireless' },
  { enterprise: 9, descr: /Wireless|Controller/i, vendor: 'Cisco', class: 'wireless' },
  { enterprise: 9, descr: /Adaptive Security Appliance|Firepower/i, vendor: 'Cisco', class: 'firewall' },
  { enterprise: 9, vendor: 'Cisco', class: 'switch' },
  { oidPrefix: '1.3.6.1.4.1.11.2.3.7.11', vendor: 'HP', class: 'switch', model: /^HP \S+ (\S+) Switch/ },
  { enterprise: 11, descr: /LaserJet|JETDIRECT|MULTI-ENVIRONMENT/i, vendor: 'HP', class: 'printer', model: /PID:([^,]+)/ },
  { enterprise: 11, vendor: 'HP' },
  { enterprise: 47196, vendor: 'Aruba', class: 'switch' },
  { enterprise: 14823, vendor: 'Aruba', class: 'wireless', model: /\(MODEL: ([^)]+)\)/ },
  { enterprise: 25053, vendor: 'Ruckus', class: 'wireless', model: /^Ruckus Wireless (\S+)/ },
  { enterprise: 1991, vendor: 'Ruckus', class: 'switch' },
  { enterprise: 45, vendor: 'Extreme', class: 'switch', model: /^Ethernet Routing Switch (\S+)/ },
  { enterprise: 1916, vendor: 'Extreme', class: 'switch' },
  { enterprise: 171, descr: /^(DAP|DWL)-/, vendor: 'D-Link', class: 'wireless', model: /^(\S+)/ },
  { enterprise: 171, vendor: 'D-Link', class: 'switch', model: /^(D[A-Z]{2}-\S+)/ },
  { enterprise: 4526, vendor: 'Netgear', class: 'switch' },
  { enterprise: 11863, vendor: 'TP-Link', class: 'switch' },
  { enterprise: 890, vendor: 'Zyxel', class: 'switch' },
  { enterprise: 2636, vendor: 'Juniper', class: 'switch' },
  { enterprise: 30065, vendor: 'Arista', class: 'switch' },
  { enterprise: 29671, descr: /^MR/, vendor: 'Meraki', class: 'wireless' },
  { enterprise: 29671, descr: /^MX/, vendor: 'Meraki', class: 'firewall' },
  { enterprise: 29671, vendor: 'Meraki', class: 'switch' },
  { enterprise: 7367, vendor: 'DrayTek', class: 'firewall', model: /Router Model: ([^,]+)/ },
  { enterprise: 2604, vendor: 'Sophos', class: 'firewall' },
  { enterprise: 12356, vendor: 'Fortinet', class: 'firewall' },
  { enterprise: 8741, vendor: 'SonicWall', class: 'firewall', model: /^SonicWALL (.+?) \(/i },
  // SonicOS 7 answers sysObjectID 1.0.3.0.6.0.1.0; its sysDescr still says what it is.
  { descr: /^SonicWALL/i, vendor: 'SonicWall', class: 'firewall', model: /^SonicWALL (.+?) \(/i },
  { descr: /pfSense/, vendor: 'Netgate', class: 'firewall' },
  { descr: /OPNsense/, vendor: 'Deciso', class: 'firewall' },
  { enterprise: 14988, vendor: 'MikroTik', class: 'firewall' },
  { enterprise: 12325, vendor: 'FreeBSD', class: 'server' },
  { enterprise: 311, vendor: 'Microsoft', class: 'server' },
  { enterprise: 6876, vendor: 'VMware', class: 'server' },
  { enterprise: 6574, vendor: 'Synology', class: 'server' },
  { enterprise: 24681, vendor: 'QNAP', class: 'server' },
  { enterprise: 2435, vendor: 'Brother', class: 'printer' },
  { enterprise: 367, vendor: 'Ricoh', class: 'printer', model: /^RICOH (.+?) \d[\d.]* \// },
  { enterprise: 18334, vendor: 'Konica Minolta', class: 'printer', model: /^KONICA MINOLTA (.+)/ },
  { enterprise: 1602, vendor: 'Canon', class: 'printer' },
  { enterprise: 1347, vendor: 'Kyocera', class: 'printer' },
  { enterprise: 641, vendor: 'Lexmark', class: 'printer' },
  { enterprise: 253, vendor: 'Xerox', class: 'printer' },
  { enterprise: 2385, vendor: 'Sharp', class: 'printer' },
  { enterprise: 1248, vendor: 'Epson', class: 'printer' },
  { enterprise: 318, vendor: 'APC' },
  { enterprise: 705, vendor: 'Eaton', class: 'ups', model: /^Eaton (.+)/ },
  { enterprise: 534, vendor: 'Eaton', class: 'ups' },
  { enterprise: 3808, vendor: 'CyberPower', class: 'ups' },
  { enterprise: 8072, descr: /^Linux/, vendor: 'Linux', class: 'server' },
  { descr: /Windows/, vendor: 'Microsoft', class: 'server' },
];

/** Profiles whose MIB settles the class whatever the vendor rule says. */
const CLASS_BY_MIB: readonly [string, DeviceClass][] = [
  ['printer', 'printer'],
  ['apc_powernet', 'ups'],
  ['ups_mib', 'ups'],
  ['unifi', 'wireless'],
  ['aruba_instant', 'wireless'],
  ['cisco_wlc', 'wireless'],
  ['ruckus_unleashed', 'wireless'],
];

/** The IANA enterprise number in a sysObjectID, if it is under 1.3.6.1.4.1. */
export function enterpriseOf(objectId: string | undefined): number | undefined {
  const m = objectId === undefined ? null : /^1\.3\.6\.1\.4\.1\.(\d+)(\.|$)/.exec(objectId);
  return m ? Number(m[1]) : undefined;
}

/**
 * Class, vendor and model of a device from its sysObjectID, sysDescr and the MIBs that answered. The
 * class comes from a MIB that settles it (a printer's supplies, a UPS's battery, an AP's clients), else
 * the vendor rule, else a host-resources agent means a server, else "other".
 */
export function classify(id: DeviceIdentity): Classification {
  const enterprise = enterpriseOf(id.objectId);
  const descr = id.descr ?? '';
  const rule = RULES.find(
    (r) =>
      (r.enterprise === undefined || r.enterprise === enterprise) &&
      (r.oidPrefix === undefined || id.objectId === r.oidPrefix || (id.objectId ?? '').startsWith(`${r.oidPrefix}.`)) &&
      (r.descr === undefined || r.descr.test(descr)) &&
      (r.mib === undefined || id.mibs.has(r.mib)),
  );
  const byMib = CLASS_BY_MIB.find(([mib]) => id.mibs.has(mib))?.[1];
  const cls = byMib ?? rule?.class ?? (id.mibs.has('host_resources') ? 'server' : 'other');
  const vendor = rule?.vendor ?? (enterprise !== undefined ? `enterprise ${enterprise}` : 'unknown');
  const model = [rule?.model?.exec(descr)?.[1], ...(id.mibModels ?? []), id.entityModel]
    .map((m) => m?.trim())
    .find((m): m is string => m !== undefined && m !== '');
  return model === undefined ? { class: cls, vendor } : { class: cls, vendor, model };
}
