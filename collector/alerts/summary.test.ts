import { describe, expect, it } from 'vitest';
import type { Alert } from './pipeline/alert.ts';
import { everyFiringAlert, sameSummary, summariseBySite } from './summary.ts';

const alert = (over: Partial<Alert>): Alert =>
  ({ id: 'a', key: 'k', rule: 'device-down', site: 'north', severity: 'warning', period: 'always', title: 't', facts: [], state: 'firing', since: 0, notified: true, level: 0, sent: 1, resolvedSent: false, recipients: [], ...over }) as Alert;

describe('summariseBySite', () => {
  it('counts firing alerts per site, critical, acknowledged and muted ones; pending and resolved do not count', () => {
    const rows = summariseBySite(
      [
        alert({ severity: 'critical' }),
        alert({ ackedAt: 5, ackedBy: 'Sam' }),
        alert({ muted: 'maintenance' as Alert['muted'] }),
        alert({ state: 'pending' }),
        alert({ state: 'resolved' }),
        alert({ site: 'south', severity: 'critical' }),
        alert({ site: 'gone' }),
      ],
      ['north', 'south', 'west'],
    );
    expect(rows.get('north')).toEqual({ firing: 3, critical: 1, acknowledged: 1, muted: 1 });
    expect(rows.get('south')).toEqual({ firing: 1, critical: 1, acknowledged: 0, muted: 0 });
    expect(rows.get('west')).toEqual({ firing: 0, critical: 0, acknowledged: 0, muted: 0 });
    expect(rows.has('gone')).toBe(false);
  });
  it('tells a change from a repeat', () => {
    const row = { firing: 1, critical: 0, acknowledged: 0, muted: 0 };
    expect(sameSummary(undefined, row)).toBe(false);
    expect(sameSummary({ ...row }, row)).toBe(true);
    expect(sameSummary({ ...row, muted: 1 }, row)).toBe(false);
  });
});

describe('every firing alert, for summaries', () => {
  it('one line each, worst first, muted ones included with why; pending and resolved left out', () => {
    const base = { key: 'k', site: 's', period: 'always' as const, facts: [], notified: false, level: 0, sent: 0, resolvedSent: false, recipients: [] };
    const T = Date.UTC(2026, 11, 6, 9, 14);
    const lines = everyFiringAlert([
      { ...base, id: '1', key: 'a', rule: 'printer-supply-low', severity: 'info', title: 'S: printer Black Toner at 3 % (limit 10 %)', state: 'firing', since: T, muted: 'out-of-hours' },
      { ...base, id: '2', key: 'b', rule: 'ups-on-battery', severity: 'critical', title: 'S: ups is on battery (mains power lost)', state: 'firing', since: T + 60_000 },
      { ...base, id: '3', key: 'c', rule: 'device-down', severity: 'critical', title: 'S: ap is down', state: 'pending', since: T },
      { ...base, id: '4', key: 'd', rule: 'device-down', severity: 'critical', title: 'S: sw is up', state: 'resolved', since: T },
    ]);
    expect(lines).toEqual([
      'critical  S: ups is on battery (mains power lost)  [ups-on-battery, since 2026-12-06 09:15 UTC]',
      'info      S: printer Black Toner at 3 % (limit 10 %)  [printer-supply-low, since 2026-12-06 09:14 UTC, muted: out-of-hours]',
    ]);
  });
});
