import { learnTopology, type Device, type NeighbourRow, type Sample } from '../../contract/index.ts';

/**
 * The site's devices with the parents their neighbour tables give, where the site file names none (the
 * file always wins). A learned parent that would close a loop with the file's parents is not used.
 * `samplesOf` gives a device's fresh samples: its `neighbour` rows and its `snmp` sample (sys_name,
 * lldp_chassis_id), so each row can be matched to a listed device.
 */
export function withLearnedParents(
  devices: readonly Device[],
  samplesOf: (device: string, measurement: string) => readonly Sample[],
  known: Map<string, { sysName?: string | undefined; chassisId?: string | undefined }> = new Map(),
): readonly Device[] {
  const rows: NeighbourRow[] = [];
  const topology = devices.map((d) => {
    for (const s of samplesOf(d.name, 'neighbour')) {
      rows.push({
        device: d.name,
        protocol: s.tags.protocol ?? 'lldp',
        localPort: s.tags.interface ?? '',
        chassisId: text(s.fields.chassis_id),
        sysName: text(s.fields.sys_name),
        address: text(s.fields.address),
      });
    }
    // A poll that did not get as far as the LLDP tables (a timeout, the poll's time budget) names no chassis
    // id: the last one the device gave stands, so its neighbours' rows still find it.
    const snmp = samplesOf(d.name, 'snmp')[0];
    const last = known.get(d.name) ?? {};
    const identity = { sysName: text(snmp?.fields.sys_name) ?? last.sysName, chassisId: text(snmp?.fields.lldp_chassis_id) ?? last.chassisId };
    known.set(d.name, identity);
    return { name: d.name, address: d.address, role: d.role, ...identity };
  });
  if (rows.length === 0) return devices;
  const learned = new Map(learnTopology(topology, rows).parents.map((p) => [p.device, p.parent]));
  const parentOf = new Map(devices.map((d) => [d.name, d.parent]));
  const loops = (device: string, parent: string) => {
    for (let p: string | undefined = parent, hops = 0; p !== undefined && hops <= devices.length; p = parentOf.get(p), hops++) {
      if (p === device) return true;
    }
    return false;
  };
  let changed = false;
  const out = devices.map((d) => {
    const parent = learned.get(d.name);
    if (d.parent !== undefined || parent === undefined || loops(d.name, parent)) return d;
    parentOf.set(d.name, parent);
    changed = true;
    return { ...d, parent };
  });
  return changed ? out : devices;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
