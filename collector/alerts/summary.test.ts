import { describe, expect, it } from 'vitest';
import type { Alert } from './pipeline/alert.ts';
import { sameSummary, summariseBySite } from './summary.ts';

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
