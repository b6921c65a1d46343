import type { Interval } from '../../calendar/index.ts';

/**
 * What a device (or a group of devices) was doing at each moment:
 * - up / down: a check said so;
 * - unreachable: it did not answer while a device it is reached through was down;
 * - unknown: no check result (the agent was offline, or the device was not yet monitored);
 * - maintenance: inside a planned window, so it neither helps nor hurts;
 * - outside: outside the school's service period (school hours only), so it does not count;
 * - unmonitored: before its monitoring started (its first check result ever), so it does not count and is
 *   not "unknown" either: nobody was looking yet.
 */
export type State = 'up' | 'down' | 'unreachable' | 'unknown' | 'maintenance' | 'outside' | 'unmonitored';
export const STATES: readonly State[] = ['up', 'down', 'unreachable', 'unknown', 'maintenance', 'outside', 'unmonitored'];

export interface Segment extends Interval {
  state: State;
}

/** Sorted, touching segments that cover a range exactly once; neighbours differ in state. */
export type Timeline = Segment[];

/** A timeline over [from, to): `state` inside the intervals, `otherwise` elsewhere. */
export function fromIntervals(from: number, to: number, intervals: readonly Interval[], state: State, otherwise: State): Timeline {
  const out: Timeline = [];
  let at = from;
  for (const i of [...intervals].sort((a, b) => a.start - b.start)) {
    const start = Math.max(i.start, at);
    const end = Math.min(i.end, to);
    if (end <= start) continue;
    if (start > at) push(out, { start: at, end: start, state: otherwise });
    push(out, { start, end, state });
    at = end;
  }
  if (at < to) push(out, { start: at, end: to, state: otherwise });
  return out;
}

/** Appends, joining with the last segment when it has the same state and touches. */
export function push(timeline: Timeline, segment: Segment): void {
  if (segment.end <= segment.start) return;
  const last = timeline[timeline.length - 1];
  if (last !== undefined && last.state === segment.state && last.end === segment.start) last.end = segment.end;
  else timeline.push({ ...segment });
}

/**
 * Timelines over the same range merged moment by moment: `decide` gets each one's state and says the
 * result's. A sweep over the union of their boundaries.
 */
export function combine(timelines: readonly Timeline[], decide: (states: State[]) => State): Timeline {
  const out: Timeline = [];
  if (timelines.length === 0) return out;
  const index = timelines.map(() => 0);
  const first = timelines[0]!;
  if (first.length === 0) return out;
  let at = first[0]!.start;
  const end = first[first.length - 1]!.end;
  while (at < end) {
    let next = end;
    const states: State[] = [];
    for (let k = 0; k < timelines.length; k++) {
      const t = timelines[k]!;
      while (index[k]! < t.length && t[index[k]!]!.end <= at) index[k]!++;
      const segment = t[index[k]!];
      if (segment === undefined) throw new Error(`timeline ${k} ends at ${t[t.length - 1]?.end}, before ${end}`);
      states.push(segment.state);
      next = Math.min(next, segment.end);
    }
    push(out, { start: at, end: next, state: decide(states) });
    at = next;
  }
  return out;
}

export type Tally = Record<State, number>;

/** Milliseconds in each state within `within`. */
export function tally(timeline: Timeline, within: Interval): Tally {
  const sum: Tally = { up: 0, down: 0, unreachable: 0, unknown: 0, maintenance: 0, outside: 0, unmonitored: 0 };
  for (const s of timeline) {
    const ms = Math.min(s.end, within.end) - Math.max(s.start, within.start);
    if (ms > 0) sum[s.state] += ms;
  }
  return sum;
}

/** Maximal intervals where `match` holds. */
export function runs(timeline: Timeline, match: (state: State) => boolean): Interval[] {
  const out: Interval[] = [];
  for (const s of timeline) {
    if (!match(s.state)) continue;
    const last = out[out.length - 1];
    if (last !== undefined && last.end === s.start) last.end = s.end;
    else out.push({ start: s.start, end: s.end });
  }
  return out;
}

/** The state at an instant (undefined outside the timeline). */
export function stateAt(timeline: Timeline, at: number): State | undefined {
  return timeline.find((s) => s.start <= at && at < s.end)?.state;
}
