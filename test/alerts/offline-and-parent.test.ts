import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryDispatcher } from '../../collector/alerts/testing.ts';
import { waitFor } from '../harness/index.ts';
import { SITE, startAlertRig, type AlertRig } from './rig.ts';

/**
 * Real agent → collector → InfluxDB. The core switch and the access points behind it are addresses that
 * never answer; the router answers. Then the agent stops (the school goes offline) and comes back.
 */
const ping = { intervalSeconds: 1, probes: 1, timeoutSeconds: 0.5 };
const localNow = (offsetMs: number) => DateTime.fromMillis(Date.now() + offsetMs, { zone: 'Europe/London' }).toFormat("yyyy-LL-dd'T'HH:mm");
const dispatcher = new MemoryDispatcher();
let rig: AlertRig;

beforeAll(async () => {
  rig = await startAlertRig({
    devices: (dead) => {
      const base = dead.address.split('.').slice(0, 3).join('.');
      return [
        { name: 'router', address: '127.0.0.2', role: 'internet', checks: { ping } },
        { name: 'core-switch', address: `${base}.2`, role: 'core-switch', parent: 'router', checks: { ping } },
        { name: 'hall-ap', address: `${base}.3`, role: 'access-point', parent: 'core-switch', checks: { ping } },
        { name: 'library-ap', address: `${base}.4`, role: 'access-point', parent: 'core-switch', checks: { ping } },
        { name: 'office-printer', address: `${base}.5`, role: 'printer', parent: 'router', checks: { ping } },
      ];
    },
    alerts: {
      contacts: [{ name: 'Alice', email: 'alice@provider.example' }],
      rules: { 'device-down': { for: '2s' }, 'site-offline': { for: '1s' } },
      roles: { 'access-point': { 'device-down': { for: '2s' } }, printer: { 'device-down': { for: '2s', period: 'always' } } },
    },
    // The printer's outage falls inside planned work (local date-times in the site's zone).
    site: { maintenance: [{ name: 'Printer swap', devices: ['office-printer'], start: localNow(-86_400_000), end: localNow(86_400_000) }] },
    extras: () => ({ dispatcher }),
  });
});
afterAll(() => rig?.stop());

const kinds = () => dispatcher.kinds();

describe('alerts end to end', () => {
  it('core switch down: one alert for it, the access points behind it unreachable; a printer down in maintenance pages no one', async () => {
    await waitFor(() => kinds().length > 0, { timeoutMs: 30_000, what: 'the first notification', intervalMs: 200, service: rig.agent });
    // Long enough for the children's pending time to have passed too.
    await new Promise((r) => setTimeout(r, 4_000));
    expect(kinds()).toEqual(['firing:core-switch:Alice']);
    // The agent told the collector at once, by event, about each device it found down.
    expect(rig.collector.alerts.stats()).toMatchObject({ eventsRejected: 0 });
    expect(rig.collector.alerts.stats().eventsAccepted).toBeGreaterThanOrEqual(4);
    expect(Object.fromEntries(rig.collector.alerts.deviceStates(SITE))).toEqual({
      router: 'up',
      'core-switch': 'down',
      'hall-ap': 'unreachable',
      'library-ap': 'unreachable',
      'office-printer': 'down',
    });
    // A maintenance window covers the printer's outage: no message, and the outage is marked as planned.
    expect(rig.collector.alerts.alerts().find((a) => a.device === 'office-printer')).toMatchObject({ state: 'firing', muted: 'maintenance', maintenance: 'Printer swap', notified: false });
    await rig.collector.writer.flush();
    const events = await rig.select(`SELECT alert_id, "event", device FROM alert_event WHERE site='${SITE}'`);
    expect(events.map((e) => `${e[2]} ${e[3]}`).sort()).toEqual(['firing core-switch', 'firing office-printer', 'notified core-switch']);
    const states = await rig.select(`SELECT last(state) FROM device_state WHERE site='${SITE}' AND device='hall-ap'`);
    expect(states[0]?.[1]).toBe('unreachable');
  });

  it('school offline: exactly one notification for the site, none for its devices; one resolved when it returns', async () => {
    const before = kinds().length;
    await rig.stopAgent();
    await waitFor(() => kinds().length > before, { timeoutMs: 20_000, what: 'the site offline notification', intervalMs: 200 });
    await new Promise((r) => setTimeout(r, 3_000));
    expect(kinds().slice(before)).toEqual([`firing:${SITE}:Alice`]);
    expect(dispatcher.deliveries.at(-1)!.notification.title).toMatch(/^Alert School is offline since \d\d:\d\d$/);
    expect(rig.collector.alerts.siteState(SITE)).toBe('offline');

    await rig.startAgent();
    await waitFor(() => kinds().length > before + 1, { timeoutMs: 30_000, what: 'the site resolved notification', intervalMs: 200, service: rig.agent });
    await new Promise((r) => setTimeout(r, 4_000));
    // The core switch is still down: its alert stayed open all along, so nothing new for it.
    expect(kinds().slice(before)).toEqual([`firing:${SITE}:Alice`, `resolved:${SITE}:Alice`]);
  });
});
