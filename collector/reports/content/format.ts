import { DateTime } from 'luxon';

/** Percent to three decimals, the precision the report promises ("99.876 %"); "no data" for null. */
export function percentText(pct: number | null): string {
  return pct === null ? 'no data' : `${pct.toFixed(3)} %`;
}

/** A duration to the minute: "0 min", "47 min", "3 h 05 min", "2 d 4 h 10 min". Rounded to the nearest minute. */
export function durationText(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  const d = Math.floor(minutes / 1_440);
  const h = Math.floor((minutes % 1_440) / 60);
  const m = minutes % 60;
  if (d > 0) return `${d} d ${h} h ${String(m).padStart(2, '0')} min`;
  if (h > 0) return `${h} h ${String(m).padStart(2, '0')} min`;
  return `${m} min`;
}

/** A moment in the school's zone: "Thu 1 Oct 00:00". */
export function localTimeText(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toFormat('ccc d LLL HH:mm');
}

/** "October 2026". */
export function monthTitle(month: string): string {
  return DateTime.fromISO(`${month}-01`).toFormat('LLLL yyyy');
}

/** Signed percentage points: "+0.125 pp", "−0.010 pp" (a real minus sign). */
export function changeText(pp: number): string {
  const text = Math.abs(pp).toFixed(3);
  return `${pp < 0 && text !== '0.000' ? '\u2212' : '+'}${text} pp`;
}
