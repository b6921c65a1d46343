import { describe, expect, it } from 'vitest';
import { testSite } from '../testing.ts';
import type { Alert } from './alert.ts';
import { plan, type PlanContext } from './plan.ts';

const site = testSite();
const T = Date.parse('2026-11-24T08:42:00Z');
const alice = { name: 'Alice', email: 'a@p.example' };
const bob = { name: 'Bob', email: 'b@p.example' };
const ctx = (now: number): PlanContext => ({
  now,
  repeatIntervalMs: 3_600_000,
  escalateAfterMs: 900_000,
  site: () => site,
  order: () => [alice, bob],
});
const firing: Alert = {
  id: 'abc', key: 'k', rule: 'site-offline', site: site.id, severity: 'critical', period: 'always', title: 'North Primary is offline', facts: [],
  state: 'firing', since: T, firingAt: T, notified: false, level: 0, sent: 0, resolvedSent: false, recipients: [],
};

describe('notify plan', () => {
  it('first message to the first contact, with a stable id', () => {
    const { alerts, decisions } = plan([firing], ctx(T));
    expect(decisions).toHaveLength(1);
    expect(decisions[0]!.to).toEqual([alice]);
    expect(decisions[0]!.notification).toMatchObject({ id: 'abc-1-firing', kind: 'firing', title: 'North Primary is offline since 08:42' });
    expect(alerts[0]).toMatchObject({ notified: true, sent: 1, recipients: [alice] });
    // Nothing more until escalation or repeat is due: this is the dedup.
    expect(plan(alerts, ctx(T + 60_000)).decisions).toEqual([]);
  });

  it('escalates after escalateAfter, repeats after repeatInterval, stops when acknowledged', () => {
    let { alerts } = plan([firing], ctx(T));
    let d;
    ({ alerts, decisions: d } = plan(alerts, ctx(T + 900_000)));
    expect(d.map((x) => `${x.notification.kind} ${x.to[0]!.name}`)).toEqual(['escalation Bob']);
    ({ alerts, decisions: d } = plan(alerts, ctx(T + 900_000 + 3_600_000)));
    expect(d.map((x) => `${x.notification.kind} ${x.to[0]!.name}`)).toEqual(['repeat Bob']);
    expect(plan([{ ...alerts[0]!, ackedAt: T, ackedBy: 'Bob' }], ctx(T + 99 * 3_600_000)).decisions).toEqual([]);
  });

  it('resolved goes to everyone told, even while muted; never for an alert nobody was told about', () => {
    let { alerts } = plan([firing], ctx(T));
    ({ alerts } = plan(alerts, ctx(T + 900_000)));
    const resolved = { ...alerts[0]!, state: 'resolved' as const, resolvedAt: T + 1_000_000, muted: 'silenced' as const };
    const { decisions, alerts: after } = plan([resolved], ctx(T + 1_000_000));
    expect(decisions[0]!.to).toEqual([alice, bob]);
    expect(decisions[0]!.notification).toMatchObject({ kind: 'resolved', title: 'North Primary is offline (08:42 – 08:58)' });
    expect(plan(after, ctx(T + 2_000_000)).decisions).toEqual([]);
    expect(plan([{ ...firing, state: 'resolved', resolvedAt: T }], ctx(T)).decisions).toEqual([]);
  });

  it('a muted firing alert sends nothing', () => {
    expect(plan([{ ...firing, muted: 'maintenance' }], ctx(T)).decisions).toEqual([]);
  });
});
