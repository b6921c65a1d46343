import { describe, expect, it } from 'vitest';
import { learnTopology, type NeighbourRow, type TopologyDevice } from './topology.ts';

const devices: TopologyDevice[] = [
  { name: 'gw', address: '10.0.0.1', role: 'firewall', sysName: 'gw.school.local' },
  { name: 'core', address: '10.0.0.2', role: 'core-switch', chassisId: '00:11:22:33:44:55' },
  { name: 'edge-1', address: '10.0.0.3', role: 'switch', sysName: 'EDGE-1' },
  { name: 'edge-2', address: '10.0.0.4', role: 'switch' },
  { name: 'ap-hall', address: '10.0.1.10', role: 'access-point' },
  { name: 'printer', address: '10.0.1.20', role: 'printer' },
];
const row = (device: string, localPort: string, r: Partial<NeighbourRow>): NeighbourRow => ({ device, localPort, protocol: 'lldp', ...r });

describe('learnTopology', () => {
  it('gives the uplink tree rooted at the firewall, matching by address, chassis id and sysName', () => {
    const t = learnTopology(devices, [
      row('gw', 'port2', { chassisId: '0011.2233.4455' }),
      row('core', 'Gi1/0/1', { sysName: 'edge-1.school.local' }),
      row('core', 'Gi1/0/2', { address: '10.0.0.4' }),
      row('edge-1', 'Gi1/0/24', { chassisId: '00-11-22-33-44-55' }),
      row('edge-2', 'Gi1/0/7', { address: '10.0.1.10' }),
      row('edge-2', 'Gi1/0/9', { sysName: 'SEP001122334455', address: '10.9.9.9' }),
    ]);
    expect(t.root).toBe('gw');
    expect(t.parents.map((p) => [p.device, p.parent])).toEqual([
      ['core', 'gw'],
      ['edge-1', 'core'],
      ['edge-2', 'core'],
      ['ap-hall', 'edge-2'],
    ]);
    expect(t.parents[3]!.why).toBe('edge-2 sees ap-hall on Gi1/0/7 (LLDP)');
    expect(t.unmatched.map((r) => r.sysName)).toEqual(['SEP001122334455']);
  });

  it('an AP that reports its switch gives the same edge as the switch reporting the AP', () => {
    const t = learnTopology(devices, [row('core', 'Gi1/0/2', { address: '10.0.0.4' }), row('ap-hall', 'eth0', { sysName: 'edge-2', protocol: 'cdp' })]);
    expect(t.root).toBe('core');
    expect(t.parents.map((p) => [p.device, p.parent, p.why])).toEqual([
      ['edge-2', 'core', 'core sees edge-2 on Gi1/0/2 (LLDP)'],
      ['ap-hall', 'edge-2', 'ap-hall sees edge-2 on eth0 (CDP)'],
    ]);
  });

  it('no neighbours, no tree; a device seeing itself is no edge; rows of unlisted devices are ignored', () => {
    expect(learnTopology(devices, [])).toEqual({ parents: [], unmatched: [] });
    expect(learnTopology(devices, [row('core', 'Gi1/0/5', { address: '10.0.0.2' }), row('stranger', 'x', { address: '10.0.0.2' })]).parents).toEqual([]);
  });

  it('a loop in the cabling (two uplinks) still gives each device one parent, the nearer one', () => {
    const t = learnTopology(devices, [
      row('gw', 'p1', { address: '10.0.0.2' }),
      row('core', 'g1', { address: '10.0.0.3' }),
      row('core', 'g2', { address: '10.0.0.4' }),
      row('edge-1', 'g9', { address: '10.0.0.4' }),
    ]);
    expect(t.parents.map((p) => [p.device, p.parent])).toEqual([
      ['core', 'gw'],
      ['edge-1', 'core'],
      ['edge-2', 'core'],
    ]);
  });
});
