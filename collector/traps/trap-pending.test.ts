import { describe, expect, it } from 'vitest';
import type { Sample } from '../../contract/index.ts';
import { siteAlertsSchema } from '../alerts/config.ts';
import { Observations } from '../alerts/observations.ts';
import { evaluate } from '../alerts/pipeline/evaluate.ts';
import { RULES } from '../alerts/rules/index.ts';
import { siteView } from '../alerts/site-view.ts';
import { pingSample, snmpSample, testConfig, testSite, T0 } from '../alerts/testing.ts';

/** A trap that states a fault pages after the rule's `trapFor` (default 0 s), not its `for` (1 min for interface-down). */
const port = (oper: number, time: number): Sample => ({ measurement: 'interface', tags: { device: 'core-switch', interface: 'A24', if_index: '24' }, fields: { oper_status: oper, admin_status: 1 }, time });
const trap = (event: string, state: string, time: number): Sample => ({
  measurement: 'snmp_trap',
  tags: { device: 'core-switch', event, interface: 'A24' },
  fields: { condition: 'link-down', state, severity: 'critical', text: '', trap_oid: '1.3.6.1.6.3.1.1.5.3', version: '2c', inform: false, varbinds: '[]' },
  time,
});

function interfaceDown(samples: Sample[], rules: Record<string, unknown> = {}) {
  const site = testSite({ alerts: siteAlertsSchema.parse({ uplinks: { 'core-switch': ['A24'] }, rules }) });
  const obs = new Observations();
  const base = site.devices.flatMap((d) => [pingSample(d.name, true, T0), ...(d.checks.snmp ? [snmpSample(d.name, true, T0)] : [])]);
  obs.addSamples(site.id, 'north-primary-1', [...base, ...samples], T0);
  const ctx = siteView(site, obs, { config: testConfig(), heartbeatTimeoutMs: 180_000, startedAt: T0 - 600_000, now: T0 + 2_000 });
  return evaluate(ctx, RULES.filter((r) => r.id === 'interface-down')).map((f) => ({ status: f.status, forMs: f.forMs, fromTrap: f.fromTrap === true }));
}

describe('pending time after a trap', () => {
  it('a linkDown newer than the poll: active at once (trapFor 0s), not after for: 1m', () => {
    expect(interfaceDown([port(1, T0), trap('link-down', 'fault', T0 + 500)])).toEqual([{ status: 'active', forMs: 0, fromTrap: true }]);
  });
  it('trapFor is set per rule like any setting', () => {
    expect(interfaceDown([port(1, T0), trap('link-down', 'fault', T0 + 500)], { 'interface-down': { trapFor: '30s' } })).toEqual([{ status: 'active', forMs: 30_000, fromTrap: true }]);
  });
  it('a trap delivered late (replayed after a broken link) waits the rule\'s own for, so a newer poll still on its way can drop it', () => {
    // Received 20 s before it is judged (more than trapFor 0s + 15 s): the agent could not reach the collector meanwhile.
    expect(interfaceDown([port(1, T0 - 25_000), trap('link-down', 'fault', T0 - 18_000)])).toEqual([{ status: 'active', forMs: 60_000, fromTrap: false }]);
    // The poll made after it arrives: the poll wins, nothing to page.
    expect(interfaceDown([port(1, T0 - 25_000), trap('link-down', 'fault', T0 - 18_000), port(1, T0 - 15_000)])).toEqual([{ status: 'clear', forMs: 60_000, fromTrap: false }]);
  });
  it('quiet side: the poll is newer than the trap, so the poll decides with the rule\'s own for', () => {
    expect(interfaceDown([trap('link-down', 'fault', T0 - 500), port(1, T0)])).toEqual([{ status: 'clear', forMs: 60_000, fromTrap: false }]);
    expect(interfaceDown([port(2, T0)])).toEqual([{ status: 'active', forMs: 60_000, fromTrap: false }]);
  });
});
