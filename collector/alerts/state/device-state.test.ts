import { describe, expect, it } from 'vitest';
import { pingSample, snmpSample, testSite, T0 } from '../testing.ts';
import { deviceStates, reachability, type Reachability } from './device-state.ts';

const site = testSite();
const dev = (name: string) => site.devices.find((d) => d.name === name)!;
const limits = () => ({ lossPct: 20, rttMs: 250 });
const states = (reach: Record<string, Reachability>, siteOnline = true) =>
  Object.fromEntries(deviceStates({ devices: site.devices, reach: new Map(Object.entries(reach)), siteOnline, limits }));
const up: Reachability = { answering: true, lossPct: 0, rttMs: 1 };
const down: Reachability = { answering: false };

describe('device state', () => {
  it('down when its parent answers; unreachable when anything it is reached through does not', () => {
    expect(states({ router: up, 'core-switch': down, 'hall-ap': down, 'library-ap': up, 'office-printer': { answering: undefined } })).toEqual({
      router: 'up',
      'core-switch': 'down',
      'hall-ap': 'unreachable',
      'library-ap': 'up',
      'office-printer': 'unknown',
    });
    // A grandparent down makes a grandchild unreachable even when the parent has no data.
    expect(states({ router: down, 'core-switch': { answering: undefined }, 'hall-ap': down }).router).toBe('down');
    expect(states({ router: down, 'core-switch': { answering: undefined }, 'hall-ap': down })['hall-ap']).toBe('unreachable');
  });

  it('degraded over the loss or latency limit; unknown while the site is offline', () => {
    expect(states({ router: { answering: true, lossPct: 25, rttMs: 1 }, 'core-switch': { answering: true, lossPct: 0, rttMs: 300 } })).toMatchObject({
      router: 'degraded',
      'core-switch': 'degraded',
    });
    expect(states({ router: up }, false).router).toBe('unknown');
  });

  it('reachability: ping decides where the device is pinged; a stale sample is no answer; a newer event wins', () => {
    const none = () => undefined;
    expect(reachability(dev('router'), [pingSample('router', true, T0)], none, T0 + 10_000, 3)).toMatchObject({ answering: true, lossPct: 0 });
    expect(reachability(dev('router'), [pingSample('router', true, T0)], none, T0 + 31_000, 3)).toEqual({ answering: undefined });
    // SNMP failing does not make a pinged device down.
    expect(reachability(dev('core-switch'), [pingSample('core-switch', true, T0), snmpSample('core-switch', false, T0)], none, T0, 3).answering).toBe(true);
    const event = { check: 'ping' as const, state: 'down' as const, at: T0 + 5_000 };
    expect(reachability(dev('router'), [pingSample('router', true, T0)], () => event, T0 + 6_000, 3).answering).toBe(false);
    expect(reachability(dev('router'), [pingSample('router', true, T0 + 8_000)], () => event, T0 + 9_000, 3).answering).toBe(true);
  });

  it('SNMP decides for a device without a ping check', () => {
    const snmpOnly = { ...dev('core-switch'), checks: { snmp: dev('core-switch').checks.snmp } };
    expect(reachability(snmpOnly, [snmpSample('core-switch', false, T0)], () => undefined, T0, 3).answering).toBe(false);
  });
});
