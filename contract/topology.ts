/**
 * A site's uplink tree from what its switches and access points say about their neighbours (LLDP, CDP):
 * each device's parent is the next device towards the site's edge (the router, else the firewall, else
 * the core switch). Shared by `discover` (which proposes `parent:`) and the collector (which uses the tree
 * for inhibition where the site file names no parent). Pure: no I/O.
 */
export interface TopologyDevice {
  name: string;
  address?: string | undefined;
  role?: string | undefined;
  /** sysName as the device gives it. */
  sysName?: string | undefined;
  /** lldpLocChassisId: how LLDP neighbours name this device. */
  chassisId?: string | undefined;
}

/** One row of a device's neighbour table. */
export interface NeighbourRow {
  /** The device whose table this is. */
  device: string;
  protocol: string;
  /** Its port the neighbour is on. */
  localPort: string;
  chassisId?: string | undefined;
  sysName?: string | undefined;
  address?: string | undefined;
}

export interface LearnedParent {
  device: string;
  parent: string;
  /** "core sees edge-1 on Gi1/0/1 (LLDP)". */
  why: string;
}

export interface LearnedTopology {
  root?: string;
  parents: LearnedParent[];
  /** Neighbour rows that matched no listed device (a phone, an unlisted switch): shown, not guessed at. */
  unmatched: NeighbourRow[];
}

/** The edge of the site first: the internet router, then the firewall, then the core. */
const ROOT_ROLES = ['internet', 'router', 'firewall', 'core-switch'];

export function learnTopology(devices: readonly TopologyDevice[], rows: readonly NeighbourRow[]): LearnedTopology {
  const match = matcher(devices);
  const names = new Set(devices.map((d) => d.name));
  /** adjacency: a → b → why (the first row that links them, from a's side if a saw b). */
  const links = new Map<string, Map<string, string>>();
  const link = (a: string, b: string, why: string) => {
    if (!links.has(a)) links.set(a, new Map());
    if (!links.get(a)!.has(b)) links.get(a)!.set(b, why);
  };
  const unmatched: NeighbourRow[] = [];
  for (const row of [...rows].sort(byRow)) {
    if (!names.has(row.device)) continue;
    const other = match(row);
    if (other === undefined) {
      unmatched.push(row);
      continue;
    }
    if (other === row.device) continue;
    const protocol = row.protocol.toUpperCase();
    link(row.device, other, `${row.device} sees ${other} on ${row.localPort} (${protocol})`);
    link(other, row.device, `${row.device} sees ${other} on ${row.localPort} (${protocol})`);
  }
  const root = chooseRoot(devices, links);
  if (root === undefined) return { parents: [], unmatched };
  const parents: LearnedParent[] = [];
  const seen = new Set([root]);
  let frontier = [root];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const node of frontier) {
      for (const [child, why] of [...(links.get(node) ?? new Map<string, string>())].sort(([a], [b]) => a.localeCompare(b))) {
        if (seen.has(child)) continue;
        seen.add(child);
        parents.push({ device: child, parent: node, why });
        next.push(child);
      }
    }
    frontier = next;
  }
  return { root, parents, unmatched };
}

function chooseRoot(devices: readonly TopologyDevice[], links: ReadonlyMap<string, ReadonlyMap<string, string>>): string | undefined {
  const linked = devices.filter((d) => (links.get(d.name)?.size ?? 0) > 0);
  const rank = (d: TopologyDevice) => {
    const r = ROOT_ROLES.indexOf(d.role ?? '');
    return r < 0 ? ROOT_ROLES.length : r;
  };
  const best = [...linked].sort((a, b) => rank(a) - rank(b) || (links.get(b.name)!.size - links.get(a.name)!.size) || a.name.localeCompare(b.name));
  return best[0]?.name;
}

/** Finds the listed device a neighbour row names: by management address, chassis id, then sysName. */
function matcher(devices: readonly TopologyDevice[]): (row: NeighbourRow) => string | undefined {
  const byAddress = new Map<string, string>();
  const byChassis = new Map<string, string>();
  const byName = new Map<string, string>();
  for (const d of devices) {
    if (d.address) byAddress.set(d.address.toLowerCase(), d.name);
    const chassis = normaliseId(d.chassisId);
    if (chassis) byChassis.set(chassis, d.name);
    for (const n of [d.sysName, d.name]) {
      const key = hostLabel(n);
      if (key && !byName.has(key)) byName.set(key, d.name);
    }
  }
  return (row) =>
    (row.address ? byAddress.get(row.address.toLowerCase()) : undefined) ??
    (normaliseId(row.chassisId) ? byChassis.get(normaliseId(row.chassisId)!) : undefined) ??
    (hostLabel(row.sysName) ? byName.get(hostLabel(row.sysName)!) : undefined);
}

/** MAC addresses compare whatever their spelling: aa:bb:.., AA-BB-.., aabb.ccdd.eeff. */
export function normaliseId(id: string | undefined): string | undefined {
  const t = id?.trim().toLowerCase();
  if (!t) return undefined;
  const hex = t.replace(/[:.\- ]/g, '');
  return /^[0-9a-f]{12}$/.test(hex) ? hex : t;
}

/** A host name's first label, lower case: "Core-SW.school.local" and "core-sw" are one device. */
function hostLabel(name: string | undefined): string | undefined {
  const label = name?.trim().split('.')[0]?.toLowerCase();
  return label ? label : undefined;
}

const byRow = (a: NeighbourRow, b: NeighbourRow) =>
  a.device.localeCompare(b.device) || a.localPort.localeCompare(b.localPort, undefined, { numeric: true }) || (a.sysName ?? '').localeCompare(b.sysName ?? '');
