import { describe, expect, it } from 'vitest';
import { alertForOutage, median, responseTimes, type AlertRecord } from './response.ts';

const M = 60_000;
const alert = (over: Partial<AlertRecord>): AlertRecord => ({ id: 'a', site: 'north', rule: 'device-down', device: 'fw', since: 0, firingAt: 2 * M, notified: true, ...over });

describe('alertForOutage', () => {
  const outage = { device: 'fw', start: 10 * M, end: 40 * M };
  it('the fired outage alert of the same device whose problem overlapped, earliest first', () => {
    const alerts = [
      alert({ id: 'late', since: 30 * M, firingAt: 32 * M }),
      alert({ id: 'first', since: 10 * M, firingAt: 12 * M, resolvedAt: 25 * M }),
      alert({ id: 'other-device', device: 'sw', since: 5 * M }),
      alert({ id: 'other-site', site: 'south', since: 5 * M }),
      alert({ id: 'not-outage', rule: 'storage-full', since: 5 * M }),
      alert({ id: 'before', since: 0, resolvedAt: 10 * M }),
      alert({ id: 'after', since: 40 * M }),
      alert({ id: 'never-fired', since: 5 * M, firingAt: undefined }),
    ];
    expect(alertForOutage(outage, 'north', alerts)?.id).toBe('first');
    expect(alertForOutage(outage, 'north', alerts.filter((a) => a.id !== 'first' && a.id !== 'late'))).toBeUndefined();
  });
  it('a whole-site outage matches only site-offline', () => {
    const alerts = [alert({ id: 'dev', since: 10 * M }), alert({ id: 'site', rule: 'site-offline', device: undefined, since: 11 * M })];
    expect(alertForOutage({ device: undefined, start: 10 * M, end: 40 * M }, 'north', alerts)?.id).toBe('site');
    expect(alertForOutage(outage, 'north', [alerts[1]!])).toBeUndefined();
  });
});

describe('responseTimes', () => {
  const period = { start: 0, end: 1_000 * M };
  it('medians of acknowledgement (from the page) and fix (from the start of the problem), by hand', () => {
    const alerts = [
      // Acknowledged 4, 6, 20 minutes after paging; fixed 30, 50 minutes after the problem began.
      alert({ since: 0, firingAt: 2 * M, ackedAt: 6 * M, resolvedAt: 30 * M }),
      alert({ since: 100 * M, firingAt: 102 * M, ackedAt: 108 * M, resolvedAt: 150 * M }),
      alert({ since: 200 * M, firingAt: 202 * M, ackedAt: 222 * M }),
      // Paged no one: left out.
      alert({ since: 300 * M, firingAt: 302 * M, notified: false, muted: 'maintenance', resolvedAt: 400 * M }),
      // Fired before the period: left out.
      alert({ since: -50 * M, firingAt: -48 * M, ackedAt: -40 * M }),
      // Another school.
      alert({ site: 'south', since: 500 * M, firingAt: 501 * M, ackedAt: 503 * M, resolvedAt: 510 * M }),
      // Pending only.
      alert({ since: 600 * M, firingAt: undefined, notified: false }),
    ];
    expect(responseTimes(alerts, period, 'north')).toEqual({ pages: 3, sites: 1, acknowledged: 3, medianAckMs: 6 * M, resolved: 2, medianFixMs: 40 * M });
    expect(responseTimes(alerts, period)).toEqual({ pages: 4, sites: 2, acknowledged: 4, medianAckMs: 5 * M, resolved: 3, medianFixMs: 30 * M });
    expect(responseTimes(alerts, period, 'west')).toEqual({ pages: 0, sites: 0, acknowledged: 0, medianAckMs: null, resolved: 0, medianFixMs: null });
  });
  it('median', () => {
    expect([median([]), median([3]), median([5, 1, 3]), median([4, 1, 3, 2])]).toEqual([null, 3, 3, 2.5]);
  });
});
