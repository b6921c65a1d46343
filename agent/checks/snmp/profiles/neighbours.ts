import { toTagValue, type Sample } from '../../../../contract/index.ts';
import type { SnmpSession, Varbind } from '../session.ts';
import { asNumber, asText } from '../values.ts';
import type { Profile } from './profile.ts';
import { readTable } from './table.ts';

/**
 * Who is plugged into which port, as the device itself learned it: LLDP (IEEE 802.1AB LLDP-MIB,
 * lldpRemTable) and Cisco's CDP (CISCO-CDP-MIB cdpCacheTable). One `neighbour` sample per neighbour on a
 * local port; the collector and `discover` build the site's uplink tree from them.
 */
const LLDP = '1.0.8802.1.1.2.1';
const LLDP_REM = {
  chassisIdSubtype: `${LLDP}.4.1.1.4`,
  chassisId: `${LLDP}.4.1.1.5`,
  portIdSubtype: `${LLDP}.4.1.1.6`,
  portId: `${LLDP}.4.1.1.7`,
  portDesc: `${LLDP}.4.1.1.8`,
  sysName: `${LLDP}.4.1.1.9`,
  sysDesc: `${LLDP}.4.1.1.10`,
} as const;
const LLDP_LOC_PORT = { idSubtype: `${LLDP}.3.7.1.2`, id: `${LLDP}.3.7.1.3`, desc: `${LLDP}.3.7.1.4` } as const;
/** lldpRemManAddrIfSubtype: present for every management address, which sits in the row's index. */
const LLDP_REM_MAN_ADDR_IF_SUBTYPE = `${LLDP}.4.2.1.3`;
/** lldpLocChassisId: how neighbours name this device. */
export const LLDP_LOC_CHASSIS = { subtype: `${LLDP}.3.1.0`, id: `${LLDP}.3.2.0` } as const;

const CDP_CACHE = {
  addressType: '1.3.6.1.4.1.9.9.23.1.2.1.1.3',
  address: '1.3.6.1.4.1.9.9.23.1.2.1.1.4',
  deviceId: '1.3.6.1.4.1.9.9.23.1.2.1.1.6',
  devicePort: '1.3.6.1.4.1.9.9.23.1.2.1.1.7',
  platform: '1.3.6.1.4.1.9.9.23.1.2.1.1.8',
} as const;
const IF_NAME = '1.3.6.1.2.1.31.1.1.1.1';
const IF_DESCR = '1.3.6.1.2.1.2.2.1.2';

/** LldpChassisIdSubtype / LldpPortIdSubtype values whose ids are MAC or network addresses (IEEE 802.1AB §9.5.2). */
const CHASSIS_MAC = 4;
const CHASSIS_NETWORK = 5;
const PORT_MAC = 3;
const PORT_NETWORK = 4;
const PORT_INTERFACE_NAME = 5;
const PORT_LOCAL = 7;

/** One neighbour as read, before it becomes a sample; also what `discover` uses. */
export interface Neighbour {
  protocol: 'lldp' | 'cdp';
  /** The local port, named as the device names it (lldpLocPortId/Desc, or ifName for CDP). */
  localPort: string;
  localPortNum: number;
  chassisId: string;
  portId: string;
  portDesc?: string;
  sysName?: string;
  sysDesc?: string;
  /** An IPv4 or IPv6 management address the neighbour advertised. */
  address?: string;
}

export async function readNeighbours(session: SnmpSession): Promise<Neighbour[]> {
  return [...(await readLldp(session)), ...(await readCdp(session))];
}

async function readLldp(session: SnmpSession): Promise<Neighbour[]> {
  const rows = await readTable(session, LLDP_REM);
  if (rows.length === 0) return [];
  const ports = new Map((await readTable(session, LLDP_LOC_PORT)).map((r) => [r.index, r]));
  const addresses = new Map<string, string>();
  for (const vb of await session.walk(LLDP_REM_MAN_ADDR_IF_SUBTYPE)) {
    // Index: lldpRemTimeMark.lldpRemLocalPortNum.lldpRemIndex.lldpRemManAddrSubtype.<length>.<octets>
    const parts = vb.oid.slice(LLDP_REM_MAN_ADDR_IF_SUBTYPE.length + 1).split('.').map(Number);
    const address = ianaAddress(parts[3]!, parts.slice(5, 5 + (parts[4] ?? 0)));
    const key = parts.slice(0, 3).join('.');
    if (address !== undefined && !addresses.has(key)) addresses.set(key, address);
  }
  const out: Neighbour[] = [];
  for (const row of rows) {
    // lldpRemTimeMark.lldpRemLocalPortNum.lldpRemIndex; some firmware leaves out the time mark.
    const index = row.index.split('.').map(Number);
    const [localPortNum, remIndex] = index.slice(-2);
    if (index.length < 2 || !Number.isInteger(localPortNum) || !Number.isInteger(remIndex)) continue;
    // A chassis id subtype outside LldpChassisIdSubtype (1..7) or an all-zero id is a placeholder row.
    const chassisSubtype = asNumber(row.chassisIdSubtype);
    if ((chassisSubtype !== undefined && (chassisSubtype < 1 || chassisSubtype > 7)) || allZero(row.chassisId)) continue;
    const chassisId = idText(row.chassisId, asNumber(row.chassisIdSubtype) === CHASSIS_MAC, asNumber(row.chassisIdSubtype) === CHASSIS_NETWORK);
    const portSubtype = asNumber(row.portIdSubtype);
    const portId = idText(row.portId, portSubtype === PORT_MAC, portSubtype === PORT_NETWORK);
    if (chassisId === undefined || portId === undefined) continue;
    const local = ports.get(String(localPortNum));
    const localSubtype = asNumber(local?.idSubtype);
    const localId = clean(asText(local?.id));
    const localName = (localSubtype === PORT_INTERFACE_NAME || localSubtype === PORT_LOCAL ? localId : undefined) ?? clean(asText(local?.desc)) ?? localId;
    const n: Neighbour = { protocol: 'lldp', localPort: localName ?? `port ${localPortNum}`, localPortNum: localPortNum!, chassisId, portId };
    const portDesc = clean(asText(row.portDesc));
    const sysName = clean(asText(row.sysName));
    const sysDesc = clean(asText(row.sysDesc));
    const address = addresses.get(row.index);
    if (portDesc !== undefined) n.portDesc = portDesc;
    if (sysName !== undefined) n.sysName = sysName;
    if (sysDesc !== undefined) n.sysDesc = sysDesc.slice(0, 200);
    if (address !== undefined) n.address = address;
    out.push(n);
  }
  return out;
}

async function readCdp(session: SnmpSession): Promise<Neighbour[]> {
  const rows = await readTable(session, CDP_CACHE);
  if (rows.length === 0) return [];
  const ifIndexes = [...new Set(rows.map((r) => Number(r.index.split('.')[0])).filter((i) => Number.isInteger(i) && i > 0))];
  const names = new Map<number, string>();
  if (ifIndexes.length > 0 && ifIndexes.length <= 64) {
    const got = await session.get(ifIndexes.flatMap((i) => [`${IF_NAME}.${i}`, `${IF_DESCR}.${i}`]));
    ifIndexes.forEach((i, k) => {
      const name = clean(asText(got[2 * k])) ?? clean(asText(got[2 * k + 1]));
      if (name !== undefined) names.set(i, name);
    });
  }
  const out: Neighbour[] = [];
  for (const row of rows) {
    const ifIndex = Number(row.index.split('.')[0]);
    const chassisId = clean(asText(row.deviceId));
    if (chassisId === undefined || !Number.isInteger(ifIndex)) continue;
    const n: Neighbour = { protocol: 'cdp', localPort: names.get(ifIndex) ?? `ifIndex ${ifIndex}`, localPortNum: ifIndex, chassisId, portId: clean(asText(row.devicePort)) ?? '' };
    n.sysName = chassisId;
    const platform = clean(asText(row.platform));
    if (platform !== undefined) n.sysDesc = platform.slice(0, 200);
    // cdpCacheAddressType 1 = ip (CISCO-TC CiscoNetworkProtocol): four octets.
    const bytes = octets(row.address);
    if (asNumber(row.addressType) === 1 && bytes?.length === 4) n.address = bytes.join('.');
    out.push(n);
  }
  return out;
}

/** IANA address family numbers: 1 IPv4, 2 IPv6. */
function ianaAddress(family: number, bytes: number[]): string | undefined {
  if (family === 1 && bytes.length === 4 && bytes.every((b) => b >= 0 && b <= 255)) return bytes.join('.');
  if (family === 2 && bytes.length === 16) {
    const groups = [];
    for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
    return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
  }
  return undefined;
}

function octets(vb: Varbind | undefined): number[] | undefined {
  return Buffer.isBuffer(vb?.value) ? [...vb.value] : undefined;
}

/** A MAC as aa:bb:cc:dd:ee:ff, a network address as text, anything else as its text (hex when unprintable). */
function idText(vb: Varbind | undefined, mac: boolean, network: boolean): string | undefined {
  const bytes = octets(vb);
  if (bytes === undefined) return clean(asText(vb));
  if (mac && bytes.length === 6) return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
  if (network && bytes.length >= 5) return ianaAddress(bytes[0]!, bytes.slice(1)) ?? hex(bytes);
  const text = asText(vb);
  return text !== undefined && !/[\u0000-\u001f\u007f\uFFFD]/.test(text) ? clean(text) : bytes.length > 0 ? hex(bytes) : undefined;
}

const allZero = (vb: Varbind | undefined) => {
  const bytes = octets(vb);
  return bytes !== undefined && bytes.every((b) => b === 0);
};

const hex = (bytes: number[]) => bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');

function clean(text: string | undefined): string | undefined {
  const t = text?.replace(/\u0000+$/, '').trim();
  return t === undefined || t === '' ? undefined : t;
}

export function neighbourSample(n: Neighbour, tags: Readonly<Record<string, string>>, time: number): Sample {
  const fields: Sample['fields'] = { chassis_id: n.chassisId.slice(0, 256), port_id: n.portId.slice(0, 256), local_port_num: n.localPortNum };
  if (n.portDesc !== undefined) fields.port_desc = n.portDesc.slice(0, 256);
  if (n.sysName !== undefined) fields.sys_name = n.sysName.slice(0, 256);
  if (n.sysDesc !== undefined) fields.sys_desc = n.sysDesc;
  if (n.address !== undefined) fields.address = n.address;
  return {
    measurement: 'neighbour',
    tags: {
      ...tags,
      protocol: n.protocol,
      interface: toTagValue(n.localPort, `port ${n.localPortNum}`),
      neighbour: toTagValue(n.sysName ?? n.chassisId, 'unnamed'),
    },
    fields,
    time,
  };
}

/** lldpLocChassisId, as neighbours' rows give it: lets their rows be matched to this device. */
export async function readLocalChassisId(session: SnmpSession): Promise<string | undefined> {
  const [subtype, id] = await session.get([LLDP_LOC_CHASSIS.subtype, LLDP_LOC_CHASSIS.id]);
  return idText(id, asNumber(subtype) === CHASSIS_MAC, asNumber(subtype) === CHASSIS_NETWORK);
}

export const neighboursProfile: Profile = {
  name: 'neighbours',
  probes: [LLDP_REM.chassisId, CDP_CACHE.deviceId],
  detect: (_system, answered) => answered(LLDP_REM.chassisId) || answered(CDP_CACHE.deviceId),
  async poll(session, ctx) {
    const neighbours = await readNeighbours(session);
    const time = ctx.now();
    const chassis = await readLocalChassisId(session);
    return {
      samples: neighbours.map((n) => neighbourSample(n, ctx.tags, time)),
      summary: { neighbours: neighbours.length, ...(chassis !== undefined ? { lldp_chassis_id: chassis.slice(0, 256) } : {}) },
    };
  },
};
