import { describe, expect, it } from 'vitest';
import type { Alert } from '../alerts/pipeline/alert.ts';
import type { DeviceState } from '../alerts/state/device-state.ts';
import { siteFileSchema, type SiteFile } from '../config/schema.ts';
import { schoolView, type SchoolInput } from './school-view.ts';
import { nextSince, serviceState } from './services.ts';

const T0 = Date.UTC(2026, 10, 24, 9, 0, 0); // Tue 24 Nov 2026 09:00 London: term time, school hours
const ping = { intervalSeconds: 10 };

function site(extra: Record<string, unknown> = {}): SiteFile {
  return siteFileSchema.parse({
    id: 'north',
    name: 'North Primary',
    devices: [
      { name: 'router', address: '192.0.2.1', role: 'internet', checks: { ping } },
      { name: 'backup-4g', address: '192.0.2.9', role: 'internet', checks: { ping } },
      { name: 'hall-ap', address: '192.0.2.3', role: 'access-point', checks: { ping } },
      { name: 'library-ap', address: '192.0.2.4', role: 'access-point', checks: { ping } },
      { name: 'office-printer', address: '192.0.2.5', role: 'printer', checks: { ping } },
      { name: 'head-nas-7f3', address: '192.0.2.6', role: 'server', checks: { ping } },
      { name: 'pbx', address: '192.0.2.7', role: 'other', checks: { ping } },
      { name: 'cupboard-ups', address: '192.0.2.8', role: 'ups', checks: { ping } },
    ],
    calendar: { terms: [{ start: '2026-09-03', end: '2026-12-18' }], closures: [{ start: '2026-11-27', end: '2026-11-27', name: 'INSET day' }] },
    status: { private: ['head-nas-7f3'], phones: ['pbx'] },
    ...extra,
  });
}

const allUp = (s: SiteFile, over: Record<string, DeviceState> = {}) => new Map(s.devices.map((d) => [d.name, over[d.name] ?? ('up' as DeviceState)]));

function alert(o: Partial<Alert> & Pick<Alert, 'rule' | 'site'>): Alert {
  return { id: 'a1', key: 'k', severity: 'warning', period: 'always', title: 'North Primary: x', facts: [], state: 'firing', since: T0 - 600_000, notified: true, level: 0, sent: 1, resolvedSent: false, recipients: [], ...o };
}

function input(s: SiteFile, o: Partial<SchoolInput> = {}): SchoolInput {
  return { site: s, now: T0, siteState: { state: 'online' }, devices: allUp(s), alerts: [], notes: new Map(), since: new Map(), reports: [], ...o };
}

const words = (v: ReturnType<typeof schoolView>) => Object.fromEntries(v.services.map((s) => [s.label, s.word]));

describe('school view', () => {
  it('all up: every listed service working; phones only because pbx is listed; no network service without switches', () => {
    const v = schoolView(input(site()));
    expect(words(v)).toEqual({ Internet: 'Working', 'Wi-Fi': 'Working', Printers: 'Working', 'Servers and storage': 'Working', 'Power (UPS)': 'Working', Phones: 'Working' });
    expect(v.overall).toBe('working');
    expect(v.hours).toEqual({ openNow: true, text: 'School is open now, until 16:30.' });
    expect(v.offline).toBeUndefined();
  });

  it('one access point down: Wi-Fi not working since the alert began, naming it; the other services stay working', () => {
    const s = site();
    const v = schoolView(input(s, { devices: allUp(s, { 'hall-ap': 'down' }), alerts: [alert({ rule: 'device-down', site: 'north', device: 'hall-ap', since: T0 - 3_600_000 })] }));
    const wifi = v.services.find((x) => x.id === 'wifi')!;
    expect(wifi).toMatchObject({ word: 'Not working', detail: '1 of 2: hall-ap', sinceText: '08:00' });
    expect(words(v).Printers).toBe('Working');
    expect(v.overall).toBe('not-working');
    expect(v.incidents).toEqual([expect.objectContaining({ what: 'hall-ap is not working', acknowledgedBy: undefined, planned: false })]);
  });

  it('internet: working while any link answers; not working when none does; slow when the only answering link is degraded', () => {
    const s = site();
    expect(words(schoolView(input(s, { devices: allUp(s, { router: 'down' }) }))).Internet).toBe('Working');
    expect(words(schoolView(input(s, { devices: allUp(s, { router: 'down', 'backup-4g': 'down' }) }))).Internet).toBe('Not working');
    expect(words(schoolView(input(s, { devices: allUp(s, { router: 'down', 'backup-4g': 'degraded' }) }))).Internet).toBe('Slow');
  });

  it('a private device is never named: not in the service detail, the incident, or anywhere in the view', () => {
    const s = site();
    const v = schoolView(input(s, { devices: allUp(s, { 'head-nas-7f3': 'down' }), alerts: [alert({ rule: 'device-down', site: 'north', device: 'head-nas-7f3' })] }));
    expect(v.services.find((x) => x.id === 'servers')).toMatchObject({ word: 'Not working', detail: '1 other device' });
    expect(v.incidents[0]!.what).toBe('a device is not working');
    const text = JSON.stringify(v);
    expect(text).not.toContain('head-nas');
    expect(text).not.toMatch(/192\.0\.2/);
  });

  it('a device off inside its maintenance window: under maintenance, not "not working"; just outside the window: not working', () => {
    const window = { name: 'Printer swap', devices: ['office-printer'], start: '2026-11-24T08:30', end: '2026-11-24T10:00' };
    const s = site({ maintenance: [window] });
    const v = schoolView(input(s, { devices: allUp(s, { 'office-printer': 'down' }) }));
    expect(words(v).Printers).toBe('Under maintenance');
    expect(v.maintenance).toEqual([{ name: 'Printer swap', whenText: '08:30 to 10:00', scope: 'office-printer', now: true }]);
    const after = schoolView(input(s, { now: Date.UTC(2026, 10, 24, 10, 0, 0), devices: allUp(s, { 'office-printer': 'down' }) }));
    expect(words(after).Printers).toBe('Not working');
  });

  it('site offline: the banner, and no service claims to be working', () => {
    const s = site();
    const v = schoolView(input(s, { siteState: { state: 'offline', since: T0 - 120_000 } }));
    expect(v.offline).toEqual({ sinceText: '08:58' });
    expect(new Set(v.services.map((x) => x.word))).toEqual(new Set(['No recent information']));
  });

  it('no data yet for a device: the service says no recent information only when none of its devices has data', () => {
    const s = site();
    expect(words(schoolView(input(s, { devices: allUp(s, { 'hall-ap': 'unknown', 'library-ap': 'unknown' }) })))['Wi-Fi']).toBe('No recent information');
    expect(words(schoolView(input(s, { devices: allUp(s, { 'hall-ap': 'unknown' }) })))['Wi-Fi']).toBe('Working');
  });

  it("another school's alerts and internal rules never show; acknowledgement and the public note do", () => {
    const s = site();
    const v = schoolView(
      input(s, {
        devices: allUp(s, { 'office-printer': 'down' }),
        alerts: [
          alert({ id: 'b1', rule: 'device-down', site: 'south', device: 'office-printer', title: 'South School: office-printer is down' }),
          alert({ id: 'c1', rule: 'agent-disk-full', site: 'north' }),
          alert({ id: 'p1', rule: 'device-down', site: 'north', device: 'office-printer', ackedBy: 'Sam Tech', ackedAt: T0 - 60_000 }),
          alert({ id: 'q1', rule: 'device-down', site: 'north', device: 'hall-ap', state: 'pending' }),
        ],
        notes: new Map([['p1', { alertId: 'p1', site: 'north', text: 'New fuser ordered, here Thursday.', by: 'sam', at: T0 }]]),
      }),
    );
    expect(v.incidents).toEqual([
      { what: 'office-printer is not working', sinceText: '08:50', sinceIso: '2026-11-24T08:50:00+00:00', acknowledgedBy: 'Sam Tech', acknowledgedText: '08:59', note: 'New fuser ordered, here Thursday.', planned: false },
    ]);
    expect(JSON.stringify(v)).not.toContain('South');
  });

  it('school calendar: closure day, holiday, and before opening', () => {
    const s = site();
    expect(schoolView(input(s, { now: Date.UTC(2026, 10, 27, 10, 0) })).hours.text).toBe('Closed today (INSET day). Next open Mon 30 Nov 08:00.');
    expect(schoolView(input(s, { now: Date.UTC(2026, 11, 23, 10, 0) })).hours.text).toBe('School holiday.');
    expect(schoolView(input(s, { now: Date.UTC(2026, 10, 24, 7, 0) })).hours.text).toBe('Not open yet today. Next open 08:00.');
    expect(schoolView(input(s, { now: Date.UTC(2026, 10, 24, 17, 0) })).hours).toEqual({ openNow: false, text: 'Closed now. Next open tomorrow 08:00.' });
  });

  it('availability rows carry the service labels and "no data" for nothing counted', () => {
    const v = schoolView(input(site(), { availability: [{ service: 'internet', thisMonthPct: 99.987, lastMonthPct: 100 }, { service: 'wifi', thisMonthPct: null, lastMonthPct: 97.5 }] }));
    expect(v.availability).toEqual([
      { label: 'Internet', thisMonth: '99.98 %', lastMonth: '100 %' },
      { label: 'Wi-Fi', thisMonth: 'no data', lastMonth: '97.50 %' },
    ]);
  });
});

describe('service state and since', () => {
  it('all-mode: down beats slow beats maintenance; maintenance hides a planned outage', () => {
    const m = (name: string, state: DeviceState, maintenance = false) => ({ name, state, maintenance });
    expect(serviceState('all', [m('a', 'down'), m('b', 'degraded')]).state).toBe('not-working');
    expect(serviceState('all', [m('a', 'up'), m('b', 'degraded')]).state).toBe('slow');
    expect(serviceState('all', [m('a', 'down', true), m('b', 'up')]).state).toBe('maintenance');
    expect(serviceState('all', [m('a', 'unreachable'), m('b', 'up')]).state).toBe('not-working');
    expect(serviceState('all', []).state).toBe('unknown');
  });

  it('since: kept while the state holds, moved on a change, taken from the alert when it is earlier', () => {
    const first = nextSince(new Map(), 'k', 'working', 100, undefined);
    expect(first).toEqual({ state: 'working', since: undefined });
    const down = nextSince(new Map([['k', first]]), 'k', 'not-working', 200, 150);
    expect(down).toEqual({ state: 'not-working', since: 150 });
    expect(nextSince(new Map([['k', down]]), 'k', 'not-working', 300, 150)).toEqual({ state: 'not-working', since: 150 });
    expect(nextSince(new Map([['k', down]]), 'k', 'working', 400, undefined)).toEqual({ state: 'working', since: 400 });
  });
});

describe('power', () => {
  it('a UPS that answers but is on battery: Power (UPS) not working; printer supply low leaves Printers working', () => {
    const s = site();
    const v = schoolView(
      input(s, {
        alerts: [
          alert({ id: 'u1', rule: 'ups-on-battery', site: 'north', device: 'cupboard-ups', since: T0 - 300_000 }),
          alert({ id: 'p1', rule: 'printer-supply-low', site: 'north', device: 'office-printer', instance: 'toner' }),
        ],
      }),
    );
    expect(v.services.find((x) => x.id === 'power')).toMatchObject({ word: 'Not working', sinceText: '08:55', detail: 'cupboard-ups' });
    expect(words(v).Printers).toBe('Working');
    expect(v.incidents.map((i) => i.what).sort()).toEqual(['cupboard-ups is running on battery (mains power lost)', 'office-printer is running low on a supply']);
  });
});
