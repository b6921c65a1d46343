import { alertId, subjectOf, type Alert } from './alert.ts';
import type { Evaluated } from './evaluate.ts';

export interface LifecycleResult {
  /** Every alert still open, plus those resolved in this step. */
  alerts: Alert[];
  /** Pending alerts whose condition went away before their pending time was up. */
  dropped: Alert[];
}

/**
 * Stage 2: pending → firing once the condition held for the rule's `for`, judged at every step; firing →
 * resolved when the rule says clear. "hold" (cannot be judged, e.g. unreachable) and no finding at all (no
 * data) drop a pending alert and keep a firing one.
 */
export function advance(open: readonly Alert[], evaluated: readonly Evaluated[], now: number): LifecycleResult {
  const byKey = new Map(open.filter((a) => a.state !== 'resolved').map((a) => [a.key, a]));
  const alerts: Alert[] = [];
  const dropped: Alert[] = [];
  const seen = new Set<string>();
  for (const f of evaluated) {
    if (seen.has(f.key)) continue;
    seen.add(f.key);
    const current = byKey.get(f.key);
    if (f.status === 'active') {
      const since = current?.since ?? Math.min(f.since ?? now, now);
      const base: Alert = current ?? {
        id: alertId(f.key, since),
        key: f.key,
        ...subjectOf(f.rule, f.site, f),
        severity: f.severity,
        period: f.period,
        title: f.title,
        facts: f.facts,
        state: 'pending',
        since,
        notified: false,
        level: 0,
        sent: 0,
        resolvedSent: false,
        recipients: [],
      };
      const next: Alert = { ...base, facts: f.facts, severity: f.severity, period: f.period };
      if (next.state === 'pending') next.title = f.title;
      if (next.state === 'pending' && now - next.since >= f.forMs) {
        next.state = 'firing';
        next.firingAt = now;
      }
      alerts.push(next);
    } else if (current !== undefined) {
      if (current.state === 'pending') dropped.push(current);
      else if (f.status === 'clear') alerts.push({ ...current, state: 'resolved', resolvedAt: now });
      else alerts.push(current);
    }
  }
  // No finding: no fresh data to judge by (the device unknown, the agent offline, the series gone). A
  // pending alert cannot go on counting its pending time through that gap: it is dropped, and starts
  // again from the first active finding after it. A firing alert stays as it is.
  for (const a of byKey.values()) {
    if (seen.has(a.key)) continue;
    if (a.state === 'pending') dropped.push(a);
    else alerts.push(a);
  }
  return { alerts, dropped };
}
