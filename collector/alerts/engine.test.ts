import { afterEach, describe, expect, it } from 'vitest';
import { WIRE_VERSION, encodeMessage } from '../../contract/index.ts';
import { agentStatus, engineRig, testConfig, testSite, T0 } from './testing.ts';

let rig: ReturnType<typeof engineRig> | undefined;
afterEach(() => rig?.close());
const setup = (o: Parameters<typeof engineRig>[0] = {}) => (rig = engineRig(o));

describe('alert engine (manual clock, in-memory dispatcher)', () => {
  it('a healthy school raises nothing', () => {
    const r = setup();
    r.run(120_000);
    expect(r.dispatcher.deliveries).toEqual([]);
    expect([...r.engine.deviceStates('north-primary').values()]).toEqual(['up', 'up', 'up', 'up', 'up']);
    expect(r.engine.siteState('north-primary')).toBe('online');
  });

  it('school offline: one notification for the site, none for its devices, one resolved when it returns', () => {
    const r = setup();
    r.run(30_000);
    r.engine.status(agentStatus('offline', r.clock.t));
    for (let i = 0; i < 30; i++) {
      r.clock.t += 10_000;
      r.engine.tick();
    }
    expect(r.engine.siteState('north-primary')).toBe('offline');
    expect([...r.engine.deviceStates('north-primary').values()].every((s) => s === 'unknown')).toBe(true);
    expect(r.dispatcher.kinds()).toEqual(['firing:north-primary:Alice']);
    expect(r.dispatcher.deliveries[0]!.notification.title).toBe('North Primary is offline since 09:00');
    r.run(60_000);
    expect(r.dispatcher.kinds()).toEqual(['firing:north-primary:Alice', 'resolved:north-primary:Alice']);
  });

  it('site offline by heartbeat timeout when the agent vanishes without a will', () => {
    const r = setup();
    r.run(20_000);
    for (let i = 0; i < 30; i++) {
      r.clock.t += 10_000;
      r.engine.tick();
    }
    expect(r.engine.siteState('north-primary')).toBe('offline');
    expect(r.dispatcher.kinds()).toEqual(['firing:north-primary:Alice']);
  });

  it('core switch down: one alert for it, the devices behind it unreachable, not down', () => {
    const r = setup();
    r.run(20_000);
    r.run(120_000, ['core-switch', 'hall-ap', 'library-ap', 'office-printer']);
    const states = Object.fromEntries(r.engine.deviceStates('north-primary'));
    expect(states).toEqual({ router: 'up', 'core-switch': 'down', 'hall-ap': 'unreachable', 'library-ap': 'unreachable', 'office-printer': 'unreachable' });
    expect(r.dispatcher.kinds()).toEqual(['firing:core-switch:Alice']);
    expect(r.engine.alerts().map((a) => `${a.rule}:${a.device}:${a.state}`)).toEqual(['device-down:core-switch:firing']);
  });

  it('children that fail first are dropped, not fired, once the parent is seen down', () => {
    const r = setup();
    r.run(20_000);
    r.run(20_000, ['hall-ap']);
    r.run(120_000, ['core-switch', 'hall-ap', 'library-ap', 'office-printer']);
    expect(r.dispatcher.kinds()).toEqual(['firing:core-switch:Alice']);
  });

  it('a device flapping every 30 s for 10 minutes gives at most 2 notifications', () => {
    const r = setup({ config: testConfig({ rules: { 'device-down': { for: '0s' } }, roles: {} }) });
    r.run(20_000);
    for (let i = 0; i < 20; i++) r.run(30_000, i % 2 === 0 ? ['hall-ap'] : []);
    expect(r.dispatcher.deliveries.length).toBeLessThanOrEqual(2);
    expect(r.dispatcher.kinds()).toEqual(['firing:hall-ap:Alice', 'resolved:hall-ap:Alice']);
    // Once it stays down past the quiet time, it pages again.
    r.run(6 * 60_000, ['hall-ap']);
    expect(r.dispatcher.kinds().at(-1)).toBe('firing:hall-ap:Alice');
  });

  it('a maintenance window covering an outage: no notification, the outage marked as in maintenance', () => {
    const site = testSite({ maintenance: [{ name: 'Switch firmware', devices: ['core-switch'], start: '2026-11-24T09:00', end: '2026-11-24T10:00' }] });
    const r = setup({ site });
    r.run(20_000);
    r.run(5 * 60_000, ['core-switch', 'hall-ap', 'library-ap', 'office-printer']);
    r.run(60_000);
    expect(r.dispatcher.deliveries).toEqual([]);
    const [alert] = r.store.list({ all: true });
    expect(alert).toMatchObject({ rule: 'device-down', device: 'core-switch', state: 'resolved', maintenance: 'Switch firmware', notified: false });
    expect(r.points.some((l) => l.startsWith('alert_event,') && l.includes('maintenance="Switch firmware"'))).toBe(true);
  });

  it('unacknowledged: repeats, then the next on-call contact is told; acknowledged: neither', () => {
    const r = setup({ config: testConfig({ escalateAfter: '10m', repeatInterval: '5m' }) });
    r.run(20_000);
    r.run(60_000, ['router']);
    r.run(11 * 60_000, ['router']);
    expect(r.dispatcher.kinds()).toEqual(['firing:router:Alice', 'repeat:router:Alice', 'escalation:router:Bob']);
    const id = r.engine.alerts()[0]!.id;
    return r.engine.acknowledge(id, 'Bob', r.clock.t).then(async (result) => {
      expect(result).toBe('acknowledged');
      expect(await r.engine.acknowledge(id, 'Alice', r.clock.t)).toBe('already');
      expect(await r.engine.acknowledge('nope', 'Alice', r.clock.t)).toBe('unknown');
      r.run(60 * 60_000, ['router']);
      expect(r.dispatcher.deliveries.length).toBe(3);
      r.run(30_000);
      expect(r.dispatcher.kinds().slice(3)).toEqual(['resolved:router:Alice', 'resolved:router:Bob']);
      expect(await r.engine.acknowledge(id, 'Alice', r.clock.t)).toBe('already');
    });
  });

  it('a collector restart mid-incident sends nothing twice and still sends the resolved message', () => {
    const r = setup();
    r.run(20_000);
    r.run(60_000, ['router']);
    expect(r.dispatcher.kinds()).toEqual(['firing:router:Alice']);
    r.restart();
    r.run(60_000, ['router']);
    expect(r.dispatcher.kinds()).toEqual(['firing:router:Alice']);
    r.run(20_000);
    expect(r.dispatcher.kinds()).toEqual(['firing:router:Alice', 'resolved:router:Alice']);
  });

  it('a notified alert later silenced still gets its resolved message (Alertmanager #226)', () => {
    const r = setup();
    r.run(20_000);
    r.run(60_000, ['router']);
    r.store.addSilence({ site: 'north-primary', device: 'router', startsAt: r.clock.t, endsAt: r.clock.t + 3_600_000, by: 'Alice' }, r.clock.t);
    r.run(60_000, ['router']);
    expect(r.engine.alerts()[0]).toMatchObject({ muted: 'silenced' });
    r.run(20_000);
    expect(r.dispatcher.kinds()).toEqual(['firing:router:Alice', 'resolved:router:Alice']);
  });

  it('a notified alert later inhibited (site went offline) still gets its resolved message', () => {
    const r = setup();
    r.run(20_000);
    r.run(60_000, ['hall-ap']);
    r.engine.status(agentStatus('offline', r.clock.t));
    for (let i = 0; i < 12; i++) {
      r.clock.t += 10_000;
      r.engine.tick();
    }
    expect(r.engine.alerts().find((a) => a.device === 'hall-ap')).toMatchObject({ muted: 'inhibited', state: 'firing' });
    r.run(30_000);
    expect(r.dispatcher.kinds()).toEqual(['firing:hall-ap:Alice', 'firing:north-primary:Alice', 'resolved:north-primary:Alice', 'resolved:hall-ap:Alice']);
  });

  it('a printer down outside school hours pages no one until the school opens', () => {
    const evening = Date.UTC(2026, 10, 24, 18, 0, 0);
    const r = setup({ start: evening });
    r.run(20_000);
    r.run(10 * 60_000, ['office-printer']);
    expect(r.dispatcher.deliveries).toEqual([]);
    expect(r.engine.alerts()[0]).toMatchObject({ device: 'office-printer', state: 'firing', muted: 'out-of-hours' });
  });

  it('an agent event marks a device down before the next batch', () => {
    const r = setup({ config: testConfig({ rules: { 'device-down': { for: '0s' } } }) });
    r.run(20_000);
    const event = { v: WIRE_VERSION, agent: 'north-primary-1', site: 'north-primary', device: 'router', check: 'ping', state: 'down', at: r.clock.t + 1_000 };
    r.clock.t += 2_000;
    expect(r.engine.event(encodeMessage(event as never), { agent: 'north-primary-1', site: 'north-primary' })).toBe(true);
    r.engine.tick();
    expect(r.dispatcher.kinds()).toEqual(['firing:router:Alice']);
    expect(r.engine.event(encodeMessage({ ...event, device: 'ghost' } as never), { agent: 'north-primary-1', site: 'north-primary' })).toBe(false);
    expect(r.engine.event(encodeMessage(event as never), { agent: 'other-1', site: 'north-primary' })).toBe(false);
    expect(r.engine.event(Buffer.from('{'), { agent: 'north-primary-1', site: 'north-primary' })).toBe(false);
    expect(r.engine.stats().eventsRejected).toBe(3);
  });

  it('agent dropping spooled data raises an alert', () => {
    const r = setup();
    r.run(20_000);
    r.engine.status(agentStatus('online', r.clock.t, 0));
    r.clock.t += 1_000;
    r.engine.status(agentStatus('online', r.clock.t, 500));
    r.engine.tick();
    expect(r.engine.alerts().map((a) => `${a.rule}:${a.instance}:${a.state}`)).toEqual(['agent-spool-drops:north-primary-1:firing']);
    expect(T0).toBeLessThan(r.clock.t);
  });
});

describe('alert engine: config changes', () => {
  it('an open alert resolves when its rule is switched off for it', () => {
    const r = setup();
    r.run(20_000);
    r.run(60_000, ['router']);
    r.restart({ config: testConfig({ rules: { 'device-down': { enabled: false } } }) });
    r.run(10_000, ['router']);
    expect(r.dispatcher.kinds()).toEqual(['firing:router:Alice', 'resolved:router:Alice']);
  });

  it('an open alert resolves when its device leaves the config', () => {
    const r = setup();
    r.run(20_000);
    r.run(60_000, ['library-ap']);
    const site = testSite();
    r.restart({ site: { ...site, devices: site.devices.filter((d) => d.name !== 'library-ap') } });
    r.run(10_000);
    expect(r.dispatcher.kinds()).toEqual(['firing:library-ap:Alice', 'resolved:library-ap:Alice']);
  });
});

describe('alert engine: flap damping across a restart', () => {
  it('a device flapping through a collector restart still gives at most 2 notifications', () => {
    const r = setup({ config: testConfig({ rules: { 'device-down': { for: '0s' } }, roles: {} }) });
    r.run(20_000);
    for (let i = 0; i < 10; i++) r.run(30_000, i % 2 === 0 ? ['hall-ap'] : []);
    r.restart();
    for (let i = 10; i < 20; i++) r.run(30_000, i % 2 === 0 ? ['hall-ap'] : []);
    expect(r.dispatcher.kinds()).toEqual(['firing:hall-ap:Alice', 'resolved:hall-ap:Alice']);
  });
});

describe('alert engine: acknowledgement from another process', () => {
  it('an acknowledgement written to the file (as the CLI does) stops escalation at the next turn', () => {
    const r = setup({ config: testConfig({ escalateAfter: '10m' }) });
    r.run(20_000);
    r.run(60_000, ['router']);
    const id = r.engine.alerts()[0]!.id;
    expect(r.store.acknowledge(id, 'Alice', r.clock.t, 'cli')).toBe('acknowledged');
    r.run(30 * 60_000, ['router']);
    expect(r.dispatcher.kinds()).toEqual(['firing:router:Alice']);
    expect(r.engine.alerts()[0]).toMatchObject({ ackedBy: 'Alice' });
  });
});
