import { learnTopology, type NeighbourRow } from '../../contract/index.ts';
import type { FoundHost, ProposedDevice } from './propose.ts';

/**
 * `parent:` for each proposed device from the neighbour tables discovery read (the uplink tree rooted at
 * the router or firewall, contract/topology.ts), with the row that justifies each choice, for the comment
 * beside the entry. Devices no neighbour table mentions get no parent: a guess would be worse than none.
 */
export function proposeParents(devices: readonly ProposedDevice[], hosts: readonly FoundHost[]): Map<string, { parent: string; why: string }> {
  const byAddress = new Map(hosts.map((h) => [h.address, h]));
  const rows: NeighbourRow[] = [];
  const topology = devices.map((d) => {
    const host = byAddress.get(d.address);
    for (const n of host?.snmp?.neighbours ?? []) {
      rows.push({ device: d.name, protocol: n.protocol, localPort: n.localPort, chassisId: n.chassisId, sysName: n.sysName, address: n.address });
    }
    return { name: d.name, address: d.address, role: d.role, sysName: host?.snmp?.system.name, chassisId: host?.snmp?.chassisId };
  });
  const learned = learnTopology(topology, rows);
  return new Map(learned.parents.map((p) => [p.device, { parent: p.parent, why: p.why }]));
}
