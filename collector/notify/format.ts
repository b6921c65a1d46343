import { DateTime } from 'luxon';
import type { Notification } from './notification.ts';

/** "CRITICAL", "WARNING", "INFO", or "RESOLVED": what a tech sees first on a lock screen. */
export function headline(n: Notification): string {
  if (n.kind === 'resolved') return 'RESOLVED';
  return n.severity.toUpperCase();
}

/** The subject or card title: "[CRITICAL] North Primary is offline since 08:42", with escalations and repeats marked. */
export function subjectOf(n: Notification): string {
  const tag = n.kind === 'escalation' ? ' (escalated)' : n.kind === 'repeat' ? ' (reminder)' : '';
  return `[${headline(n)}] ${n.title}${tag}`;
}

/** A time in the site's own zone, the way the school and the tech read it: "Mon 12 Jan 08:42 GMT". */
export function siteTime(ms: number, timezone: string): string {
  return DateTime.fromMillis(ms, { zone: timezone, locale: 'en-GB' }).toFormat('ccc d LLL HH:mm ZZZZ');
}

/** The rows every channel shows: the alert's own facts, then site, start and (when resolved) end. */
export function allFacts(n: Notification): { label: string; value: string }[] {
  const rows = [{ label: 'Site', value: n.site.name }];
  if (n.device !== undefined) rows.push({ label: 'Device', value: n.interface !== undefined ? `${n.device} ${n.interface}` : n.device });
  rows.push(...n.facts);
  rows.push({ label: 'Since', value: siteTime(n.startedAt, n.site.timezone) });
  if (n.resolvedAt !== undefined) rows.push({ label: 'Resolved', value: siteTime(n.resolvedAt, n.site.timezone) });
  return rows;
}

/** Colour per headline, for cards and the email's banner. */
export const COLOURS: Record<string, string> = { CRITICAL: '#c62828', WARNING: '#ef6c00', INFO: '#1565c0', RESOLVED: '#2e7d32' };
