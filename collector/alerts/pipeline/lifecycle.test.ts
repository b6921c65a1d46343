import { describe, expect, it } from 'vitest';
import { alertKey } from './alert.ts';
import type { Evaluated } from './evaluate.ts';
import { advance } from './lifecycle.ts';

const T = 1_800_000_000_000;
const finding = (status: Evaluated['status'], forMs = 60_000): Evaluated => {
  const subject = { rule: 'device-down' as const, site: 's', device: 'd' };
  return { ...subject, key: alertKey(subject), status, title: 'd is down', facts: [], forMs, severity: 'critical', period: 'always' };
};

describe('lifecycle (pending time)', () => {
  it('pending, then firing once the condition held for `for`, then resolved on clear', () => {
    let { alerts } = advance([], [finding('active')], T);
    expect(alerts[0]).toMatchObject({ state: 'pending', since: T });
    ({ alerts } = advance(alerts, [finding('active')], T + 59_000));
    expect(alerts[0]!.state).toBe('pending');
    ({ alerts } = advance(alerts, [finding('active')], T + 60_000));
    expect(alerts[0]).toMatchObject({ state: 'firing', firingAt: T + 60_000 });
    // A firing alert stays firing through a gap in data.
    ({ alerts } = advance(alerts, [], T + 70_000));
    expect(alerts[0]!.state).toBe('firing');
    ({ alerts } = advance(alerts, [finding('hold')], T + 80_000));
    expect(alerts[0]!.state).toBe('firing');
    ({ alerts } = advance(alerts, [finding('clear')], T + 90_000));
    expect(alerts[0]).toMatchObject({ state: 'resolved', resolvedAt: T + 90_000 });
  });

  it('a pending alert whose condition clears or cannot be judged is dropped', () => {
    const { alerts } = advance([], [finding('active')], T);
    expect(advance(alerts, [finding('clear')], T + 1).dropped).toHaveLength(1);
    expect(advance(alerts, [finding('hold')], T + 1)).toEqual({ alerts: [], dropped: alerts });
  });

  it('`for` 0 fires at once; the id is stable for the same subject and start', () => {
    const a = advance([], [finding('active', 0)], T).alerts[0]!;
    expect(a.state).toBe('firing');
    expect(advance([], [finding('active', 0)], T).alerts[0]!.id).toBe(a.id);
    expect(a.id).toMatch(/^[0-9a-f]{10}$/);
  });

  it('item 3: a pending alert does not count its pending time through a gap in data; it starts again after it', () => {
    let { alerts } = advance([], [finding('active')], T);
    let dropped;
    ({ alerts, dropped } = advance(alerts, [], T + 10_000)); // no data: device unknown, agent offline
    expect(alerts).toEqual([]);
    expect(dropped.map((a) => a.state)).toEqual(['pending']);
    ({ alerts } = advance(alerts, [finding('active')], T + 300_000));
    expect(alerts[0]).toMatchObject({ state: 'pending', since: T + 300_000 });
    ({ alerts } = advance(alerts, [finding('active')], T + 359_000));
    expect(alerts[0]!.state).toBe('pending');
    ({ alerts } = advance(alerts, [finding('active')], T + 360_000));
    expect(alerts[0]).toMatchObject({ state: 'firing', firingAt: T + 360_000 });
  });
});
