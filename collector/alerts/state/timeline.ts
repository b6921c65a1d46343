import type { Device, Sample } from '../../../contract/index.ts';
import type { DeviceState } from './device-state.ts';

/** One `device_state` point: the state a device entered, stamped with when it was measured. */
export interface StatePoint {
  device: string;
  state: DeviceState;
  at: number;
}

interface Track {
  device: Device;
  /** The newest measurement of the deciding check. */
  reach?: { answering: boolean; at: number; lossPct?: number; rttMs?: number };
  /** When the measurement before `reach` was made. */
  previousAt?: number;
  /** The state the measurements say, and since when (the last point written from a measurement). */
  measured?: { state: DeviceState; at: number };
  /** Not answering, waiting for a parent's measurement of the same round to say down or unreachable. */
  waiting: boolean;
  /** An `unknown` point written at this collector time (no data, site offline), not yet followed by data. */
  unknownAt?: number;
}

export interface TimelineOptions {
  devices: readonly Device[];
  /** The loss and latency limits of each device (as for the live state: the high-loss and high-latency thresholds). */
  limits(device: Device): { lossPct: number; rttMs: number };
  /** How long a measurement speaks for its device: `staleAfterIntervals` check intervals. */
  staleAfterIntervals: number;
}

const intervalMs = (d: Device) => (d.checks.ping?.intervalSeconds ?? d.checks.snmp?.intervalSeconds ?? 60) * 1000;
const decidingCheck = (d: Device) => (d.checks.ping !== undefined ? 'ping' : d.checks.snmp !== undefined ? 'snmp' : undefined);
const num = (s: Sample, f: string) => (typeof s.fields[f] === 'number' ? (s.fields[f] as number) : undefined);

/**
 * The state history written as `device_state`, built from measurements in the order they were measured
 * (spool replays included), each point stamped with the time of the measurement that decided it — never
 * with the time the collector happened to process it. A device not answering behind a parent is decided
 * only from the parent's measurement of the same round (within half the parent's interval), so a child is
 * never written "down" for the second before its parent's own failure arrives. Pure: it returns the points.
 */
export class StateTimeline {
  private readonly tracks = new Map<string, Track>();
  private readonly children = new Map<string, string[]>();

  constructor(private readonly o: TimelineOptions) {
    for (const device of o.devices) {
      this.tracks.set(device.name, { device, waiting: false });
      if (device.parent !== undefined) this.children.set(device.parent, [...(this.children.get(device.parent) ?? []), device.name]);
    }
  }

  /** Samples of one batch (any order); the points their measurements decide. */
  samples(samples: readonly Sample[]): StatePoint[] {
    const deciding = samples
      .filter((s) => {
        const track = s.tags.device !== undefined ? this.tracks.get(s.tags.device) : undefined;
        return track !== undefined && decidingCheck(track.device) === s.measurement && typeof s.fields.up === 'number';
      })
      .sort((a, b) => a.time - b.time);
    const points: StatePoint[] = [];
    for (const s of deciding) {
      const track = this.tracks.get(s.tags.device!)!;
      // A measurement older than the newest one cannot be put into a history already written past it.
      if (track.reach !== undefined && s.time <= track.reach.at) continue;
      const loss = num(s, 'loss_pct');
      const rtt = num(s, 'rtt_avg_ms');
      if (track.reach !== undefined) track.previousAt = track.reach.at;
      track.reach = { answering: num(s, 'up') === 1, at: s.time, ...(loss !== undefined ? { lossPct: loss } : {}), ...(rtt !== undefined ? { rttMs: rtt } : {}) };
      this.decide(track, s.time, points);
      // Children waiting for this device's word, and children whose "down" this changes.
      for (const name of this.descendants(track.device.name)) {
        const child = this.tracks.get(name)!;
        if (child.reach !== undefined && !child.reach.answering) this.decide(child, child.reach.at, points);
      }
    }
    return points;
  }

  /**
   * The live view says a device is unknown now (no fresh data, or its site offline): the point, if it is
   * news. Measurements arriving later that cover this moment (a spool replay) overwrite it.
   */
  unknown(name: string, now: number): StatePoint[] {
    const track = this.tracks.get(name);
    if (track === undefined || track.unknownAt !== undefined) return [];
    track.unknownAt = now;
    return [{ device: name, state: 'unknown', at: now }];
  }

  private descendants(name: string): string[] {
    const out: string[] = [];
    for (const c of this.children.get(name) ?? []) out.push(c, ...this.descendants(c));
    return out;
  }

  /** The state of one device from its own and its parents' measurements; undefined while waiting for a parent. */
  private stateOf(track: Track): DeviceState | undefined {
    const r = track.reach!;
    if (r.answering) {
      const limits = this.o.limits(track.device);
      const degraded = (r.lossPct !== undefined && r.lossPct >= limits.lossPct) || (r.rttMs !== undefined && r.rttMs >= limits.rttMs);
      return degraded ? 'degraded' : 'up';
    }
    for (let p = track.device.parent; p !== undefined; p = this.tracks.get(p)?.device.parent) {
      const parent = this.tracks.get(p);
      const pr = parent?.reach;
      if (parent === undefined || pr === undefined) continue;
      // Too old to speak for the parent at all: as if it had no measurement.
      if (r.at - pr.at > intervalMs(parent.device) * this.o.staleAfterIntervals) continue;
      if (!pr.answering) return 'unreachable';
      // The parent's last word is from an earlier round: wait for this round's.
      if (pr.at < r.at - intervalMs(parent.device) / 2) return undefined;
      // Answering in this round: the path up to here works (the parent is reached through the rest of it).
      return 'down';
    }
    return 'down';
  }

  private decide(track: Track, at: number, points: StatePoint[]): void {
    const state = this.stateOf(track);
    track.waiting = state === undefined;
    if (state === undefined) return;
    const name = track.device.name;
    if (track.unknownAt !== undefined && at >= track.unknownAt) {
      const stale = intervalMs(track.device) * this.o.staleAfterIntervals;
      const before = track.previousAt;
      const covered = track.measured !== undefined && before !== undefined && at - track.unknownAt <= stale && track.unknownAt - before <= stale;
      // Measured on both sides of the "unknown" (a replay from the agent's spool): it was known after all.
      if (covered) points.push({ device: name, state: track.measured!.state, at: track.unknownAt });
      else points.push({ device: name, state, at });
      delete track.unknownAt;
      if (!covered) {
        track.measured = { state, at };
        return;
      }
    }
    if (track.measured?.state === state) return;
    track.measured = { state, at };
    points.push({ device: name, state, at });
  }
}
