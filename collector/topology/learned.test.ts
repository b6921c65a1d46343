import { describe, expect, it } from 'vitest';
import { deviceListSchema, type Sample } from '../../contract/index.ts';
import { withLearnedParents } from './learned.ts';

const devices = deviceListSchema.parse([
  { name: 'gw', address: '10.0.0.1', role: 'firewall' },
  { name: 'core', address: '10.0.0.2', role: 'core-switch' },
  { name: 'edge', address: '10.0.0.3', role: 'switch', parent: 'core' },
  { name: 'ap', address: '10.0.0.4', role: 'access-point' },
]);
const nb = (device: string, port: string, fields: Record<string, string>): Sample => ({
  measurement: 'neighbour',
  tags: { device, protocol: 'lldp', interface: port, neighbour: 'x' },
  fields: { chassis_id: 'x', port_id: 'p', local_port_num: 1, ...fields },
  time: 1,
});

describe('withLearnedParents', () => {
  const samples: Record<string, Sample[]> = {
    core: [nb('core', 'p1', { address: '10.0.0.1' }), nb('core', 'p2', { address: '10.0.0.3' })],
    edge: [nb('edge', 'p5', { sys_name: 'AP.school.local' })],
  };
  const of = (device: string, m: string) => (m === 'neighbour' ? (samples[device] ?? []) : []);

  it('fills in parents the file does not give; the file wins where it does', () => {
    const out = withLearnedParents(devices, of);
    expect(out.map((d) => [d.name, d.parent ?? null])).toEqual([
      ['gw', null],
      ['core', 'gw'],
      ['edge', 'core'],
      ['ap', 'edge'],
    ]);
    const fileSaysOtherwise = deviceListSchema.parse(devices.map((d) => (d.name === 'ap' ? { ...d, parent: 'core' } : d)));
    expect(withLearnedParents(fileSaysOtherwise, of).find((d) => d.name === 'ap')!.parent).toBe('core');
  });

  it('a poll that named no chassis id (it timed out before the LLDP tables) keeps the last one the device gave', () => {
    const rows: Record<string, Sample[]> = { core: [nb('core', 'p2', { chassis_id: '02:00:00:00:00:03' })] };
    const snmp = (chassis?: string): Sample => ({ measurement: 'snmp', tags: { device: 'edge' }, fields: { up: 1, ...(chassis ? { lldp_chassis_id: chassis } : {}) }, time: 1 });
    const unlisted = deviceListSchema.parse(devices.map((d) => (d.name === 'edge' ? { ...d, parent: undefined } : d)));
    const known = new Map();
    const withChassis = (m: string, d: string) => (m === 'neighbour' ? (rows[d] ?? []) : d === 'edge' ? [snmp('0200.0000.0003')] : []);
    const without = (m: string, d: string) => (m === 'neighbour' ? (rows[d] ?? []) : d === 'edge' ? [snmp()] : []);
    expect(withLearnedParents(unlisted, (d, m) => withChassis(m, d), known).find((d) => d.name === 'edge')!.parent).toBe('core');
    expect(withLearnedParents(unlisted, (d, m) => without(m, d), known).find((d) => d.name === 'edge')!.parent).toBe('core');
    expect(withLearnedParents(unlisted, (d, m) => without(m, d)).find((d) => d.name === 'edge')!.parent).toBeUndefined();
  });

  it('no neighbour rows: the list as it was; a learned parent closing a loop with the file is not used', () => {
    expect(withLearnedParents(devices, () => [])).toBe(devices);
    // The file makes gw a child of edge; learning core → gw would close gw → edge → core → gw.
    const loop = deviceListSchema.parse(devices.map((d) => (d.name === 'gw' ? { ...d, parent: 'edge' } : d)));
    const out = withLearnedParents(loop, of);
    expect(out.find((d) => d.name === 'core')!.parent).toBeUndefined();
  });
});
