import { push, type Timeline } from './timeline.ts';

/** One check result: the time it was measured and whether the device answered. */
export interface CheckResult {
  time: number;
  up: boolean;
}

/**
 * How long one result stands for. A result holds until the next one; when the next is more than
 * GAP_FACTOR check intervals away (or there is none), it holds for one interval and the rest is unknown.
 * So uptime is counted in time, not in heartbeats, and a missed check or two does not open a hole.
 */
export const GAP_FACTOR = 2;

/** Check results as a timeline of up / down / unknown over [from, to). */
export function observedTimeline(results: readonly CheckResult[], intervalMs: number, from: number, to: number): Timeline {
  const sorted = [...results].sort((a, b) => a.time - b.time);
  const out: Timeline = [];
  let at = from;
  for (let i = 0; i < sorted.length; i++) {
    const r = sorted[i]!;
    const next = sorted[i + 1]?.time;
    const holdsUntil = next !== undefined && next - r.time <= GAP_FACTOR * intervalMs ? next : r.time + intervalMs;
    const start = Math.max(r.time, from);
    const end = Math.min(holdsUntil, to);
    if (end <= start || end <= at) continue;
    if (start > at) push(out, { start: at, end: start, state: 'unknown' });
    push(out, { start: Math.max(start, at), end, state: r.up ? 'up' : 'down' });
    at = end;
  }
  if (at < to) push(out, { start: at, end: to, state: 'unknown' });
  return out;
}

/** A 5-minute rollup row (retention-cq.ts): the mean of `up` over the window and how many results it had. */
export interface RollupWindow {
  time: number;
  meanUp: number;
  samples: number;
}

export const ROLLUP_WINDOW_MS = 5 * 60_000;

/**
 * Check results rebuilt from rollups, once raw data has aged out: each window's results, a check interval
 * apart, with its down results placed next to the neighbouring window's down time so an outage stays one
 * piece, and a window with fewer results than it should have placed against the side where data goes on.
 * Durations come out exactly as in raw data; only where an edge falls inside a 5-minute window can it move,
 * by less than the window.
 */
export function resultsFromRollups(windows: readonly RollupWindow[], intervalMs: number, windowMs = ROLLUP_WINDOW_MS): CheckResult[] {
  const out: CheckResult[] = [];
  eachRollupResult(windows, intervalMs, windowMs, (time, up) => out.push({ time, up }));
  return out;
}

/** resultsFromRollups' results, oldest first, handed to `emit` one by one instead of kept. */
function eachRollupResult(windows: readonly RollupWindow[], intervalMs: number, windowMs: number, emit: (time: number, up: boolean) => void): void {
  const sorted = [...windows].filter((w) => w.samples > 0).sort((a, b) => a.time - b.time);
  const slots = Math.max(1, Math.floor(windowMs / intervalMs));
  let previous: { window: RollupWindow; lastUp: boolean } | undefined;
  let lastUp = true;
  for (let i = 0; i < sorted.length; i++) {
    const w = sorted[i]!;
    const n = Math.min(Math.round(w.samples), slots);
    const downs = Math.round((1 - w.meanUp) * n);
    const next = sorted[i + 1];
    const joinsPrevious = previous !== undefined && previous.window.time + windowMs === w.time;
    const joinsNext = next !== undefined && next.time === w.time + windowMs;
    // Which way the outage runs: on from the previous window, or into the next one.
    const downsFirst = joinsPrevious ? !previous!.lastUp : !(joinsNext && next!.meanUp < 1);
    const firstSlot = joinsPrevious || !joinsNext ? 0 : slots - n;
    const step = slots === 1 ? 0 : intervalMs;
    for (let k = 0; k < n; k++) {
      lastUp = !(downsFirst ? k < downs : k >= n - downs);
      emit(w.time + (firstSlot + k) * step, lastUp);
    }
    // The last result so far, this window's or (none in it) an earlier one's.
    previous = { window: w, lastUp };
  }
}

/**
 * observedTimeline(resultsFromRollups(windows, intervalMs), intervalMs, from, to), without the results: a
 * month of one-minute checks is ~45,000 results per device, and a school's report held them all at once
 * (and spent most of its time making them). The results come out oldest first, so each is judged as it
 * comes against the next one.
 */
export function timelineFromRollups(windows: readonly RollupWindow[], intervalMs: number, from: number, to: number, windowMs = ROLLUP_WINDOW_MS): Timeline {
  const out: Timeline = [];
  let at = from;
  let pending = false;
  let pTime = 0;
  let pUp = false;
  const judge = (time: number, up: boolean, next: number | undefined) => {
    const holdsUntil = next !== undefined && next - time <= GAP_FACTOR * intervalMs ? next : time + intervalMs;
    const start = Math.max(time, from);
    const end = Math.min(holdsUntil, to);
    if (end <= start || end <= at) return;
    if (start > at) push(out, { start: at, end: start, state: 'unknown' });
    push(out, { start: Math.max(start, at), end, state: up ? 'up' : 'down' });
    at = end;
  };
  let unordered = false;
  eachRollupResult(windows, intervalMs, windowMs, (time, up) => {
    if (pending && time < pTime) unordered = true;
    if (unordered) return;
    if (pending) judge(pTime, pUp, time);
    pending = true;
    pTime = time;
    pUp = up;
  });
  // Windows off the 5-minute grid (never from the collector's rollups) can place a result past the next window's first: sorted then.
  if (unordered) return observedTimeline(resultsFromRollups(windows, intervalMs, windowMs), intervalMs, from, to);
  if (pending) judge(pTime, pUp, undefined);
  if (at < to) push(out, { start: at, end: to, state: 'unknown' });
  return out;
}
