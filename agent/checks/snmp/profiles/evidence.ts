import { SnmpFailure, type SnmpSession, type Varbind } from '../session.ts';
import { asNumber, asText, rowIndex } from '../values.ts';
import { CLASS_BY_VENDOR_MIB } from './vendor-mibs.ts';

/**
 * What a device says about itself, gathered once per detection for the classifier (classify.ts). Each
 * item is read with a GET or one GETNEXT, except the ENTITY-MIB class column (one short walk), so a
 * detection costs about a dozen requests whatever the device.
 */
export interface DeviceEvidence {
  /** sysServices (RFC 3418): bit 2 (value 2) datalink/bridge, 4 internet/router, 8 end-to-end, 64 applications. */
  services?: number | undefined;
  /** ipForwarding (RFC 4293): 1 forwarding (a router), 2 notForwarding (a host). */
  ipForwarding?: number | undefined;
  /** dot1dBaseNumPorts (RFC 4188): ports of the device's bridge. */
  bridgePorts?: number | undefined;
  /** Q-BRIDGE-MIB (RFC 4363) answered. */
  qBridge?: boolean | undefined;
  /** BRIDGE-MIB spanning tree group (RFC 4188 dot1dStp) answered. */
  stp?: boolean | undefined;
  /** LLDP-MIB (IEEE 802.1AB, 1.0.8802.1.1.2) answered. */
  lldp?: boolean | undefined;
  /** How many interfaces of each IANAifType (ifType, RFC 2863): 6 ethernetCsmacd, 71 ieee80211, 24 softwareLoopback, ... */
  ifTypes?: Readonly<Record<number, number>> | undefined;
  /** Printer-MIB (RFC 3805) answered: prtGeneral or prtMarkerSupplies. */
  printerMib?: boolean | undefined;
  /** UPS-MIB (RFC 1628) upsBattery answered. */
  upsMib?: boolean | undefined;
  /** IEEE 802.11 MIB (1.2.840.10036, IEEE Std 802.11 Annex C) answered. */
  dot11?: boolean | undefined;
  /** HOST-RESOURCES-MIB (RFC 2790) answered: hrSystem or hrStorage. */
  hostResources?: boolean | undefined;
  /** Private enterprise numbers whose subtree answered (one GETNEXT per subtree, at most MAX_ENTERPRISES). */
  enterprises?: readonly number[] | undefined;
  /** Vendor MIB subtrees of CLASS_BY_VENDOR_MIB (vendor-mibs.ts) that answered, under the enterprises that did. */
  answeredSubtrees?: readonly string[] | undefined;
  /** ENTITY-MIB (RFC 6933) chassis entity: the top entPhysicalClass chassis(3), else the first stack(11). */
  chassis?: EntityFacts | undefined;
  /** upsIdentManufacturer and upsIdentModel (RFC 1628). */
  upsManufacturer?: string | undefined;
  upsModel?: string | undefined;
}

export interface EntityFacts {
  index: string;
  descr?: string | undefined;
  name?: string | undefined;
  model?: string | undefined;
  mfg?: string | undefined;
}

const OIDS = {
  sysServices: '1.3.6.1.2.1.1.7.0',
  ipForwarding: '1.3.6.1.2.1.4.1.0',
  dot1dBaseNumPorts: '1.3.6.1.2.1.17.1.2.0',
  upsIdentManufacturer: '1.3.6.1.2.1.33.1.1.1.0',
  upsIdentModel: '1.3.6.1.2.1.33.1.1.2.0',
} as const;
/** Subtrees whose presence is asked with one GETNEXT. */
const SUBTREES = {
  printer: '1.3.6.1.2.1.43',
  upsBattery: '1.3.6.1.2.1.33.1.2',
  dot11: '1.2.840.10036',
  hrSystem: '1.3.6.1.2.1.25.1',
  hrStorage: '1.3.6.1.2.1.25.2',
  qBridge: '1.3.6.1.2.1.17.7',
  stp: '1.3.6.1.2.1.17.2',
  lldp: '1.0.8802.1.1.2',
} as const;
const IF_TYPE = '1.3.6.1.2.1.2.2.1.3';
const DOT1D_BASE_PORT_IFINDEX = '1.3.6.1.2.1.17.1.4.1.2';
const ENTERPRISES = '1.3.6.1.4.1';
/** Enough for a device's own MIBs plus the net-snmp/ucd ones a Linux inside answers. */
const MAX_ENTERPRISES = 12;
// ENTITY-MIB entPhysicalTable columns (RFC 6933).
const ENT = '1.3.6.1.2.1.47.1.1.1.1';
const ENT_CLASS = `${ENT}.5`;
const ENT_CONTAINED_IN = `${ENT}.4`;
/** entPhysicalClass chassis(3), stack(11). */
const CHASSIS = 3;
const STACK = 11;

/** A subtree that fails with garbage counts as absent; a device that stops answering ends detection. */
async function tolerant<T>(read: () => Promise<T>, absent: T): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof SnmpFailure && error.message !== 'timeout' && error.message !== 'poll budget exceeded') return absent;
    throw error;
  }
}

async function answers(session: SnmpSession, subtree: string): Promise<boolean> {
  return tolerant(async () => (await session.next(subtree))?.oid.startsWith(`${subtree}.`) === true, false);
}

/**
 * The enterprise subtrees a device answers, in order, found by stepping GETNEXT from one enterprise to
 * the start of the next (1.3.6.1.4.1.N → 1.3.6.1.4.1.N+1), so a vendor MIB is seen without walking it.
 */
export async function answeredEnterprises(session: SnmpSession, max = MAX_ENTERPRISES): Promise<number[]> {
  const found: number[] = [];
  let cursor = ENTERPRISES;
  while (found.length < max) {
    const vb = await tolerant(() => session.next(cursor), undefined);
    const m = vb === undefined ? null : /^1\.3\.6\.1\.4\.1\.(\d+)(\.|$)/.exec(vb.oid);
    if (m === null) break;
    const n = Number(m[1]);
    if (found.length > 0 && n <= found[found.length - 1]!) break; // not increasing: stop rather than loop
    found.push(n);
    cursor = `${ENTERPRISES}.${n + 1}`;
  }
  return found;
}

/**
 * The chassis: an entity of class chassis(3) contained in nothing (entPhysicalContainedIn 0) or, failing
 * that, the first chassis, else the first stack(11). Modules, ports and power supplies are never taken,
 * even when they come first in the table and carry a model name.
 */
export async function chassisEntity(session: SnmpSession): Promise<EntityFacts | undefined> {
  const classes = await tolerant(() => session.walk(ENT_CLASS), [] as Varbind[]);
  const rows = classes
    .map((vb) => ({ index: rowIndex(ENT_CLASS, vb.oid), cls: asNumber(vb) }))
    .filter((r): r is { index: string; cls: number } => r.index !== undefined && r.cls !== undefined);
  const chassis = rows.filter((r) => r.cls === CHASSIS);
  let pick: string | undefined;
  if (chassis.length > 1) {
    const parents = await tolerant(() => session.get(chassis.map((c) => `${ENT_CONTAINED_IN}.${c.index}`)), []);
    pick = chassis.find((_, i) => asNumber(parents[i]) === 0)?.index;
  }
  pick ??= chassis[0]?.index ?? rows.find((r) => r.cls === STACK)?.index;
  if (pick === undefined) pick = await topEntityWithModel(session, rows.length > 0);
  if (pick === undefined) return undefined;
  const [descr, name, mfg, model] = await tolerant(
    () => session.get([`${ENT}.2.${pick}`, `${ENT}.7.${pick}`, `${ENT}.12.${pick}`, `${ENT}.13.${pick}`]),
    [] as (Varbind | undefined)[],
  );
  return { index: pick, descr: clean(asText(descr)), name: clean(asText(name)), mfg: clean(asText(mfg)), model: clean(asText(model)) };
}

/**
 * An agent that leaves out entPhysicalClass: the first entity with a model name that is contained in
 * nothing (entPhysicalContainedIn 0), else (when no entPhysicalClass at all) the first with a model name.
 * With classes known but no chassis, only a top-level entity is taken, never a module.
 */
async function topEntityWithModel(session: SnmpSession, topOnly: boolean): Promise<string | undefined> {
  const [models, parents] = await tolerant(() => session.walkColumns([`${ENT}.13`, ENT_CONTAINED_IN]), [[], []] as Varbind[][]);
  const named = (models ?? []).filter((vb) => (asText(vb) ?? '').trim() !== '').map((vb) => rowIndex(`${ENT}.13`, vb.oid)).filter((i): i is string => i !== undefined);
  const top = new Set((parents ?? []).filter((vb) => asNumber(vb) === 0).map((vb) => rowIndex(ENT_CONTAINED_IN, vb.oid)));
  return named.find((i) => top.has(i)) ?? (topOnly ? undefined : named[0]);
}

function clean(text: string | undefined): string | undefined {
  const t = text?.replace(/[\u0000-\u001f]+/g, ' ').trim();
  return t === undefined || t === '' ? undefined : t;
}

/** Reads every item of DeviceEvidence; rejects with SnmpFailure only when the device stops answering. */
export async function gatherEvidence(session: SnmpSession): Promise<DeviceEvidence> {
  const keys = Object.keys(OIDS) as (keyof typeof OIDS)[];
  const values = await tolerant(() => session.get(keys.map((k) => OIDS[k])), [] as (Varbind | undefined)[]);
  const v = Object.fromEntries(keys.map((k, i) => [k, values[i]])) as Record<keyof typeof OIDS, Varbind | undefined>;
  const present: Partial<Record<keyof typeof SUBTREES, boolean>> = {};
  for (const [key, oid] of Object.entries(SUBTREES) as [keyof typeof SUBTREES, string][]) present[key] = await answers(session, oid);
  const [types, basePorts] = await tolerant(() => session.walkColumns([IF_TYPE, DOT1D_BASE_PORT_IFINDEX]), [[], []] as Varbind[][]);
  const enterprises = await answeredEnterprises(session);
  const answeredSubtrees: string[] = [];
  for (const [prefix] of CLASS_BY_VENDOR_MIB) {
    const n = Number(prefix.split('.')[6]);
    if (enterprises.includes(n) && (await answers(session, prefix))) answeredSubtrees.push(prefix);
  }
  const ifTypes: Record<number, number> = {};
  for (const vb of types ?? []) {
    const t = asNumber(vb);
    if (t !== undefined) ifTypes[t] = (ifTypes[t] ?? 0) + 1;
  }
  return {
    services: asNumber(v.sysServices),
    ipForwarding: asNumber(v.ipForwarding),
    bridgePorts: Math.max(asNumber(v.dot1dBaseNumPorts) ?? 0, basePorts?.length ?? 0),
    qBridge: present.qBridge,
    stp: present.stp,
    lldp: present.lldp,
    ifTypes,
    printerMib: present.printer,
    upsMib: present.upsBattery,
    dot11: present.dot11,
    hostResources: present.hrSystem === true || present.hrStorage === true,
    enterprises,
    answeredSubtrees,
    chassis: await chassisEntity(session),
    upsManufacturer: clean(asText(v.upsIdentManufacturer)),
    upsModel: clean(asText(v.upsIdentModel)),
  };
}

