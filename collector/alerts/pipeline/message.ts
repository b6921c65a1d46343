import { DateTime } from 'luxon';
import type { SiteFile } from '../../config/schema.ts';
import type { Notification } from '../../notify/notification.ts';
import type { Alert } from './alert.ts';

/** "08:42" on the same local day as `reference`, else "Tue 24 Nov 08:42", in the site's time zone. */
export function localTime(at: number, zone: string, reference: number): string {
  const t = DateTime.fromMillis(at, { zone });
  return t.hasSame(DateTime.fromMillis(reference, { zone }), 'day') ? t.toFormat('HH:mm') : t.toFormat('ccc d LLL HH:mm');
}

/** The message for one alert; `number` makes its id unique and stable across restarts. */
export function notificationFor(
  alert: Alert,
  kind: Notification['kind'],
  number: number,
  site: SiteFile,
  now: number,
): Notification {
  const since = localTime(alert.since, site.timezone, now);
  const resolved = kind === 'resolved' && alert.resolvedAt !== undefined;
  // The channels mark the kind ("[RESOLVED]", "(escalated)", "(reminder)"), so the title does not.
  const title = resolved ? `${alert.title} (${since} – ${localTime(alert.resolvedAt!, site.timezone, alert.since)})` : `${alert.title} since ${since}`;
  const body = resolved
    ? [`This alert is over. It began at ${since} and ended at ${localTime(alert.resolvedAt!, site.timezone, now)}.`]
    : [
        `${alert.title}, since ${since} (${site.timezone}).`,
        ...(kind === 'escalation' ? ['Nobody has acknowledged this alert yet, so it now comes to you.'] : []),
        ...(kind === 'repeat' ? ['This alert is still firing and nobody has acknowledged it.'] : []),
      ];
  return {
    id: `${alert.id}-${number}-${kind}`,
    alertId: alert.id,
    kind,
    severity: alert.severity,
    site: { id: site.id, name: site.name, timezone: site.timezone },
    ...(alert.device !== undefined ? { device: alert.device } : {}),
    ...(alert.interface !== undefined ? { interface: alert.interface } : {}),
    title,
    body,
    facts: [{ label: 'Rule', value: alert.rule }, ...alert.facts, { label: 'Alert', value: alert.id }],
    startedAt: alert.since,
    ...(alert.resolvedAt !== undefined ? { resolvedAt: alert.resolvedAt } : {}),
  };
}
