import { describe, expect, it } from 'vitest';
import { testSite } from '../testing.ts';
import type { DeviceState } from '../state/device-state.ts';
import { alertKey, type Alert, type AlertSubject } from './alert.ts';
import { mute, type MuteContext } from './mute.ts';

const site = testSite({
  maintenance: [
    { name: 'Firmware', devices: ['core-switch'], start: '2026-11-24T22:00', end: '2026-11-25T01:00' },
    { name: 'Nightly backup', weekly: { days: ['tue'], time: '23:30-00:30' } },
  ],
});
const at = (iso: string) => Date.parse(iso);

const alert = (subject: Partial<AlertSubject>, o: Partial<Alert> = {}): Alert => {
  const s: AlertSubject = { rule: 'device-down', site: site.id, ...subject };
  return { ...s, id: 'x', key: alertKey(s), severity: 'critical', period: 'always', title: '', facts: [], state: 'firing', since: 0, notified: false, level: 0, sent: 0, resolvedSent: false, recipients: [], ...o };
};

const snapshot = (devices: [string, DeviceState][]) => new Map([[site.id, { file: site, state: 'online' as const, devices: new Map(devices) }]]);
const ctx = (now: number, o: Partial<MuteContext> = {}): MuteContext => ({
  now,
  sites: snapshot([]),
  siteOffline: new Set(),
  silences: [],
  flap: { history: new Map(), settings: { windowMs: 600_000, changes: 3, quietMs: 300_000 } },
  ...o,
});

const noon = at('2026-11-24T12:00:00Z');

describe('mute stages', () => {
  it('inhibit: a device whose parent is down; everything but the site alert while the site is offline', () => {
    const [child, parent, site1] = mute([alert({ device: 'hall-ap' }), alert({ device: 'core-switch' }), alert({ rule: 'site-offline' })], ctx(noon, { sites: snapshot([['router', 'up'], ['core-switch', 'down'], ['hall-ap', 'unreachable']]) }));
    expect(child).toMatchObject({ muted: 'inhibited', mutedBy: 'core-switch down' });
    expect(parent!.muted).toBeUndefined();
    expect(site1!.muted).toBeUndefined();
    const [router, siteAlert] = mute([alert({ device: 'router' }), alert({ rule: 'site-offline' })], ctx(noon, { siteOffline: new Set([site.id]) }));
    expect(router).toMatchObject({ muted: 'inhibited', mutedBy: 'site offline' });
    expect(siteAlert!.muted).toBeUndefined();
  });

  it('silences match on every field they name, within their time', () => {
    const silences = [{ id: 7, device: 'router', startsAt: noon - 1, endsAt: noon + 1, by: 'Alice' }];
    expect(mute([alert({ device: 'router' })], ctx(noon, { silences }))[0]).toMatchObject({ muted: 'silenced', mutedBy: 'silence 7 by Alice' });
    expect(mute([alert({ device: 'router' })], ctx(noon + 1, { silences }))[0]!.muted).toBeUndefined();
    expect(mute([alert({ device: 'library-ap' })], ctx(noon, { silences }))[0]!.muted).toBeUndefined();
  });

  it('maintenance windows, one-off per device and weekly per site, in the site time zone; the window is kept on the alert', () => {
    const inFirmware = at('2026-11-24T22:30:00Z');
    const [sw, ap] = mute([alert({ device: 'core-switch' }), alert({ device: 'library-ap' })], ctx(inFirmware));
    expect(sw).toMatchObject({ muted: 'maintenance', maintenance: 'Firmware' });
    expect(ap!.muted).toBeUndefined();
    expect(mute([alert({ device: 'library-ap' })], ctx(at('2026-11-24T23:45:00Z')))[0]).toMatchObject({ muted: 'maintenance', maintenance: 'Nightly backup' });
    // After the window, the record of it stays; the mute goes.
    const after = mute([{ ...sw!, muted: undefined } as Alert], ctx(at('2026-11-25T02:00:00Z')))[0]!;
    expect(after).toMatchObject({ maintenance: 'Firmware' });
    expect(after.muted).toBeUndefined();
  });

  it('school-hours rules are muted outside school hours and term time', () => {
    const printer = alert({ device: 'library-ap' }, { period: 'school-hours' });
    expect(mute([printer], ctx(noon))[0]!.muted).toBeUndefined();
    expect(mute([printer], ctx(at('2026-11-24T17:00:00Z')))[0]!.muted).toBe('out-of-hours');
    expect(mute([printer], ctx(at('2026-11-28T12:00:00Z')))[0]!.muted).toBe('out-of-hours'); // Saturday
    expect(mute([printer], ctx(at('2026-12-22T12:00:00Z')))[0]!.muted).toBe('out-of-hours'); // holidays
  });

  it('flapping mutes a new incident, never one already told about', () => {
    const history = new Map([[alertKey({ rule: 'device-down', site: site.id, device: 'router' }), { active: true, changes: [noon - 60_000, noon - 30_000, noon], flapping: true }]]);
    const flap = { history, settings: { windowMs: 600_000, changes: 3, quietMs: 300_000 } };
    expect(mute([alert({ device: 'router' })], ctx(noon, { flap }))[0]!.muted).toBe('flapping');
    expect(mute([alert({ device: 'router' }, { notified: true })], ctx(noon, { flap }))[0]!.muted).toBeUndefined();
  });
});
