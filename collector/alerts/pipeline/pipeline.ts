import type { Alert } from './alert.ts';
import type { Evaluated } from './evaluate.ts';
import { recordChange } from './flap.ts';
import { advance } from './lifecycle.ts';
import { mute, type MuteContext } from './mute.ts';
import { plan, type Decision, type PlanContext } from './plan.ts';

export type AlertEventKind = 'firing' | 'resolved' | 'notified' | 'escalated' | 'acknowledged';

/** A change worth a mark on a dashboard (written to InfluxDB as `alert_event`). */
export interface AlertEvent {
  kind: AlertEventKind;
  alert: Alert;
  at: number;
}

export interface StepInput {
  now: number;
  /** The working set: open alerts and resolved ones whose resolved message is not decided yet. */
  alerts: readonly Alert[];
  /** Every site's findings, from evaluate(). */
  evaluated: readonly Evaluated[];
  mute: Omit<MuteContext, 'now' | 'siteOffline'>;
  plan: Omit<PlanContext, 'now'>;
}

export interface StepOutput {
  /** Every alert of the working set after this step, changed or not. */
  alerts: Alert[];
  /** Keys whose flap history changed (to be saved). */
  flapChanged: string[];
  dropped: Alert[];
  decisions: Decision[];
  events: AlertEvent[];
}

/** An alert is done once it is resolved and owes no message. */
export const isClosed = (a: Alert): boolean => a.state === 'resolved' && (!a.notified || a.resolvedSent);

/**
 * One turn of the pipeline, pure: evaluate's findings → lifecycle (pending time) → group by site →
 * inhibit → silences and maintenance → flap damping → dedup and notify decisions. The caller records
 * the result and hands the decisions to the dispatcher.
 */
export function step(input: StepInput): StepOutput {
  const { now } = input;
  const flapChanged = input.evaluated
    .filter((f) => f.status !== 'hold' && recordChange(input.mute.flap.history, f.key, f.status === 'active', now, input.mute.flap.settings))
    .map((f) => f.key);
  const { alerts: advanced, dropped } = advance(input.alerts, input.evaluated, now);
  // Grouped by site: inhibition looks only within a site (its offline alert, its device tree).
  const siteOffline = new Set(advanced.filter((a) => a.rule === 'site-offline' && a.state !== 'resolved').map((a) => a.site));
  const muted = mute(advanced, { ...input.mute, now, siteOffline });
  const { alerts, decisions } = plan(muted, { ...input.plan, now });

  const before = new Map(input.alerts.map((a) => [a.key, a]));
  const events: AlertEvent[] = [];
  for (const a of alerts) {
    const was = before.get(a.key);
    if (a.state === 'firing' && was?.state !== 'firing') events.push({ kind: 'firing', alert: a, at: now });
    if (a.state === 'resolved' && was?.state !== 'resolved') events.push({ kind: 'resolved', alert: a, at: now });
    if (a.level > (was?.level ?? 0)) events.push({ kind: 'escalated', alert: a, at: now });
    else if (a.sent > (was?.sent ?? 0) && a.state === 'firing') events.push({ kind: 'notified', alert: a, at: now });
  }
  return { alerts, dropped, decisions, events, flapChanged };
}
