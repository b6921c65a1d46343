import { DateTime } from 'luxon';
import { WEEKDAYS } from '../../calendar/index.ts';
import type { Contact, SiteFile } from '../../config/schema.ts';
import type { Recipient } from '../../notify/notification.ts';
import type { AlertContact, RotaShift } from '../config.ts';

export interface Rota {
  timezone: string;
  contacts: readonly AlertContact[];
  shifts: readonly RotaShift[];
}

/** The start of the latest occurrence of a weekly hand-over ("fri 17:00") at or before `now`, in `zone`. */
function lastHandOver(from: string, now: number, zone: string): number {
  const [day, time] = from.split(' ') as [string, string];
  const [hour, minute] = time.split(':').map(Number) as [number, number];
  const weekday = WEEKDAYS.indexOf(day as (typeof WEEKDAYS)[number]) + 1;
  const local = DateTime.fromMillis(now, { zone });
  // luxon keeps the wall time across a DST change, so a hand-over at 08:00 stays at 08:00 local.
  let at = local.set({ weekday: weekday as 1, hour, minute, second: 0, millisecond: 0 });
  if (at.toMillis() > now) at = at.minus({ weeks: 1 });
  return at.toMillis();
}

/** Who is called, first to last, at `now`: the shift whose hand-over came last; without shifts, every contact in order. */
export function onCallOrder(rota: Rota, now: number): Recipient[] {
  const byName = new Map(rota.contacts.map((c) => [c.name, c]));
  let order: readonly string[] = rota.contacts.map((c) => c.name);
  if (rota.shifts.length > 0) {
    const current = [...rota.shifts].sort((a, b) => lastHandOver(b.from, now, rota.timezone) - lastHandOver(a.from, now, rota.timezone))[0]!;
    order = current.order;
  }
  return order.map((name) => toRecipient(byName.get(name) ?? { name }));
}

/**
 * The site's own on-call contacts (role on-call, with an email) when it has any, else the provider's rota:
 * a school with its own on-call arrangement (a trust's in-house team) is called first by its own people.
 */
export function escalationOrder(site: SiteFile, rota: Rota, now: number): Recipient[] {
  const own = site.contacts.filter((c: Contact) => c.roles.includes('on-call') && c.email !== undefined);
  return own.length > 0 ? own.map(toRecipient) : onCallOrder(rota, now);
}

const toRecipient = (c: { name: string; email?: string | undefined }): Recipient => ({ name: c.name, ...(c.email !== undefined ? { email: c.email } : {}) });
