import { existsSync } from 'node:fs';
import type { Interval } from '../../calendar/index.ts';
import { AlertStore } from '../../alerts/store.ts';
import type { AlertRecord } from '../content/response.ts';

/** Every school's alerts around a period, from wherever the alert engine keeps them. */
export type AlertHistory = (range: Interval) => AlertRecord[];

/** How far before the period an alert may have begun and still fire inside it (pending time, flap damping). */
const LOOK_BACK_MS = 7 * 86_400_000;

/**
 * The alert engine's store (`<dataDir>/alerts.db`), opened read-only in spirit for each report: the
 * collector may be writing it (SQLite WAL lets both). Undefined when there is no store yet, so the report
 * says "no alert record" rather than "no alerts". A period read once is kept for the life of the returned
 * function: `report --all` asks it once per school, mostly for the same month, and each read parsed every
 * school's alerts of the month again (1,000 schools: 1,000 reads of the whole fleet's alerts).
 */
export function alertHistoryFromStore(file: string): AlertHistory | undefined {
  if (!existsSync(file)) return undefined;
  const read = new Map<string, AlertRecord[]>();
  return (range) => {
    const key = `${range.start}:${range.end}`;
    let records = read.get(key);
    if (records === undefined) {
      records = readStore(file, range);
      // A few time zones' months at most; bounded all the same.
      if (read.size >= 32) read.clear();
      read.set(key, records);
    }
    return [...records];
  };
}

function readStore(file: string, range: Interval): AlertRecord[] {
  const store = new AlertStore(file);
  try {
    return store
      .list({ all: true, from: range.start - LOOK_BACK_MS })
      .filter((a) => a.since < range.end)
      .map((a) => ({
        id: a.id,
        site: a.site,
        rule: a.rule,
        device: a.device,
        since: a.since,
        firingAt: a.firingAt,
        resolvedAt: a.resolvedAt,
        ackedAt: a.ackedAt,
        notified: a.notified,
        muted: a.muted,
      }));
  } finally {
    store.close();
  }
}
