import { readFileSync } from 'node:fs';
import { writeAtomically } from '../files/atomic.ts';
import { z } from 'zod';

/**
 * Per school, the hour up to which its rollups are done (`rollups.json` in the collector's data folder), so
 * hours missed while the collector was down are rolled up on start. Small (one number per school) and
 * rewritten whole after each school (collector/files/atomic.ts: a temp file, fsync, rename).
 */
const watermarkFileSchema = z.strictObject({
  v: z.literal(1),
  /** site → ms since the epoch: every hour before it is rolled up. */
  rolledUntil: z.record(z.string(), z.number().int().nonnegative()),
});

export interface Watermarks {
  get(): ReadonlyMap<string, number>;
  /** Notes that `site` is rolled up until `until` (never moves back) and writes the file. */
  set(site: string, until: number): void;
  /** The same for several schools, with one write (a first round notes every new school's start). */
  setMany(entries: Iterable<readonly [string, number]>): void;
}

/** Reads the file; a missing or unreadable one starts empty (every school then starts at the last closed hour). */
export function openWatermarks(file: string, onUnreadable: (err: Error) => void): Watermarks {
  const marks = new Map<string, number>();
  try {
    const parsed = watermarkFileSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
    for (const [site, until] of Object.entries(parsed.rolledUntil)) marks.set(site, until);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') onUnreadable(err as Error);
  }
  const setMany = (entries: Iterable<readonly [string, number]>) => {
    let changed = false;
    for (const [site, until] of entries) {
      if ((marks.get(site) ?? Number.NEGATIVE_INFINITY) >= until) continue;
      marks.set(site, until);
      changed = true;
    }
    if (changed) writeAtomically(file, JSON.stringify({ v: 1, rolledUntil: Object.fromEntries(marks) }));
  };
  return { get: () => marks, set: (site, until) => setMany([[site, until]]), setMany };
}

