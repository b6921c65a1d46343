import type { SiteFile } from '../../config/schema.ts';
import type { Notification, Recipient } from '../../notify/notification.ts';
import type { Alert } from './alert.ts';
import { notificationFor } from './message.ts';

/** A message decided for an alert and who it goes to (each over every alert channel). */
export interface Decision {
  notification: Notification;
  to: Recipient[];
}

export interface PlanContext {
  now: number;
  repeatIntervalMs: number;
  escalateAfterMs: number;
  site(id: string): SiteFile | undefined;
  /** Who is called for this site, first to last, now. */
  order(site: SiteFile): Recipient[];
}

const sameRecipient = (a: Recipient, b: Recipient) => a.name === b.name && a.email === b.email;

/**
 * Stage 6–7, dedup and notify: what each alert needs sent now. Each alert's messages are numbered, so
 * deciding again after a restart gives the same ids (and the dispatcher drops what it already has).
 * A resolved message goes to everyone told, even when the alert is now muted (Alertmanager #226).
 */
export function plan(alerts: readonly Alert[], ctx: PlanContext): { alerts: Alert[]; decisions: Decision[] } {
  const decisions: Decision[] = [];
  const out = alerts.map((alert) => {
    const site = ctx.site(alert.site);
    if (site === undefined) return alert;
    const send = (next: Alert, kind: Notification['kind'], to: Recipient[]): Alert => {
      // The acknowledge link is signed per recipient by the dispatcher, when it sends.
      const notification = notificationFor(next, kind, next.sent + 1, site, ctx.now);
      decisions.push({ notification, to });
      const recipients = [...next.recipients, ...to.filter((r) => !next.recipients.some((x) => sameRecipient(x, r)))];
      return { ...next, sent: next.sent + 1, lastSentAt: ctx.now, recipients };
    };
    if (alert.state === 'resolved') {
      return alert.notified && !alert.resolvedSent ? { ...send(alert, 'resolved', alert.recipients), resolvedSent: true } : alert;
    }
    if (alert.state !== 'firing' || alert.muted !== undefined) return alert;
    const order = ctx.order(site);
    if (!alert.notified) {
      return { ...send(alert, 'firing', order.slice(0, 1)), notified: true, level: 0, levelAt: ctx.now };
    }
    if (alert.ackedAt !== undefined) return alert;
    const next = order[alert.level + 1];
    if (next !== undefined && ctx.now - (alert.levelAt ?? alert.lastSentAt ?? ctx.now) >= ctx.escalateAfterMs) {
      return { ...send(alert, 'escalation', [next]), level: alert.level + 1, levelAt: ctx.now };
    }
    if (ctx.now - (alert.lastSentAt ?? ctx.now) >= ctx.repeatIntervalMs) {
      const current = order[Math.min(alert.level, order.length - 1)];
      return send(alert, 'repeat', current !== undefined ? [current] : []);
    }
    return alert;
  });
  return { alerts: out, decisions };
}
