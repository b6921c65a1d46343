/**
 * When a job first runs: spread over the first interval (at most `maxSpreadMs`) so that two hundred
 * devices added at once are not all polled in the same second.
 */
export function firstRunDelay(intervalMs: number, maxSpreadMs: number, random: () => number): number {
  return Math.floor(random() * Math.min(intervalMs, maxSpreadMs));
}

/**
 * Fixed-rate schedule: the next run is one interval after the previous *planned* time, so a slow poll
 * does not make the series drift. If we fell behind by whole intervals (laptop asleep, long stall),
 * skip them rather than firing a burst; `skipped` counts them.
 */
export function nextRun(plannedAt: number, intervalMs: number, now: number): { at: number; skipped: number } {
  let at = plannedAt + intervalMs;
  let skipped = 0;
  if (at <= now) {
    skipped = Math.floor((now - at) / intervalMs) + 1;
    at += skipped * intervalMs;
  }
  return { at, skipped };
}
