import { DateTime } from 'luxon';

/** "14:05" today, "yesterday 14:05", "Tue 3 Nov 14:05" within a week, else "3 Nov 2026 14:05", in the school's zone. */
export function whenText(ms: number, now: number, zone: string): string {
  const at = DateTime.fromMillis(ms, { zone });
  const today = DateTime.fromMillis(now, { zone }).startOf('day');
  const day = at.startOf('day');
  const days = Math.round(today.diff(day, 'days').days);
  if (days === 0) return at.toFormat('HH:mm');
  if (days === 1) return `yesterday ${at.toFormat('HH:mm')}`;
  if (days === -1) return `tomorrow ${at.toFormat('HH:mm')}`;
  if (Math.abs(days) < 7) return at.toFormat('ccc d LLL HH:mm');
  return at.toFormat('d LLL yyyy HH:mm');
}

/** ISO 8601 with offset, for <time datetime>. */
export const isoText = (ms: number, zone: string): string => DateTime.fromMillis(ms, { zone }).toISO({ suppressMilliseconds: true }) ?? '';

/** "99.95 %" with two decimals below 100, "100 %", or "no data". */
export function pctText(pct: number | null | undefined): string {
  if (pct === null || pct === undefined) return 'no data';
  if (pct >= 100) return '100 %';
  return `${(Math.floor(pct * 100) / 100).toFixed(2)} %`;
}

/** "just now", "3 min ago", "2 h 5 min ago", "4 days ago". */
export function agoText(ms: number): string {
  const min = Math.max(0, Math.round(ms / 60_000));
  if (min < 1) return 'just now';
  if (min < 60) return `${min} min ago`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h ${min % 60} min ago`;
  return `${Math.floor(h / 24)} days ago`;
}
