import { describe, expect, it } from 'vitest';
import type { Sample } from '../../contract/index.ts';
import { siteFileSchema } from '../config/schema.ts';
import { Observations } from '../alerts/observations.ts';
import { evaluate } from '../alerts/pipeline/evaluate.ts';
import { inhibitor } from '../alerts/pipeline/mute.ts';
import type { Alert } from '../alerts/pipeline/alert.ts';
import { RULES } from '../alerts/rules/index.ts';
import { siteView } from '../alerts/site-view.ts';
import { agentStatus, pingSample, testConfig, T0 } from '../alerts/testing.ts';

/**
 * The learned tree where it matters: when a switch stops answering, its neighbour rows stop coming, and the
 * tree they gave must still hold, so the devices behind it are unreachable (no page), not down.
 */
const ping = { intervalSeconds: 10, probes: 1 };
const site = (apParent?: string) =>
  siteFileSchema.parse({
    id: 'north-primary',
    name: 'North Primary',
    devices: [
      { name: 'router', address: '192.0.2.1', role: 'internet', checks: { ping } },
      { name: 'core', address: '192.0.2.2', role: 'core-switch', checks: { ping, snmp: { intervalSeconds: 10 } } },
      { name: 'hall-ap', address: '192.0.2.3', role: 'access-point', checks: { ping }, ...(apParent ? { parent: apParent } : {}) },
      { name: 'library-ap', address: '192.0.2.4', role: 'access-point', checks: { ping } },
    ],
  });
const row = (device: string, port: string, address: string, time: number): Sample => ({
  measurement: 'neighbour',
  tags: { device, protocol: 'lldp', interface: port, neighbour: address },
  fields: { chassis_id: `local-${port}`, port_id: 'p', address, local_port_num: 1 },
  time,
});

/** The core's rows were read once, long ago (a poll before it died); then it and both APs stop answering. */
function world(down: string[], apParent?: string) {
  const s = site(apParent);
  const obs = new Observations();
  obs.addStatus(agentStatus('online', T0 - 60_000), T0 - 60_000);
  const longAgo = T0 - 3_600_000;
  obs.addSamples(s.id, 'north-primary-1', [row('core', 'A1', '192.0.2.1', longAgo), row('core', 'A2', '192.0.2.3', longAgo), row('core', 'A3', '192.0.2.4', longAgo)], longAgo);
  obs.addSamples(s.id, 'north-primary-1', s.devices.map((d) => pingSample(d.name, !down.includes(d.name), T0)), T0);
  const ctx = siteView(s, obs, { config: testConfig({ rules: { 'device-down': { for: '0s' } } }), heartbeatTimeoutMs: 180_000, startedAt: T0 - 600_000, now: T0 + 1_000 });
  const states = Object.fromEntries(ctx.devices.map((d) => [d.device.name, d.state]));
  const active = evaluate(ctx, RULES.filter((r) => r.id === 'device-down')).filter((f) => f.status === 'active').map((f) => f.device);
  const muted = (device: string) =>
    inhibitor.mutes({ rule: 'interface-down', site: s.id, device } as Alert, {
      now: T0,
      sites: new Map([[s.id, { file: { ...s, devices: ctx.devices.map((d) => d.device) }, state: 'online', devices: new Map(Object.entries(states)) }]]),
      siteOffline: new Set(),
      silences: [],
      flap: { history: new Map(), settings: { windowMs: 1, threshold: 99 } },
    } as never);
  return { states, active, muted };
}

describe('inhibition follows the learned tree', () => {
  it('core down: only the core is down; the APs behind it (learned, not in the file) are unreachable and their other alerts inhibited', () => {
    const w = world(['core', 'hall-ap', 'library-ap']);
    expect(w.states).toEqual({ router: 'up', core: 'down', 'hall-ap': 'unreachable', 'library-ap': 'unreachable' });
    expect(w.active).toEqual(['core']);
    expect(w.muted('hall-ap')).toBe('core down');
  });
  it('both sides: an AP down alone is down (its learned parent answers)', () => {
    const w = world(['hall-ap']);
    expect(w.active).toEqual(['hall-ap']);
    expect(w.muted('hall-ap')).toBeUndefined();
  });
  it('the site file wins: an AP the file hangs off the router is down, not unreachable, when the core dies', () => {
    const w = world(['core', 'hall-ap', 'library-ap'], 'router');
    expect(w.states['hall-ap']).toBe('down');
    expect(w.active.sort()).toEqual(['core', 'hall-ap']);
  });
});
