import type { AgentStatus, DeviceEvent, Sample } from '../../contract/index.ts';
import { DeviceSeries, ShapeTable } from './device-series.ts';

/** What the collector last heard from one agent. */
export interface AgentSeen {
  agent: string;
  site: string;
  state: 'online' | 'offline';
  /** When the collector last heard anything from it (status or an accepted batch), by its own clock. */
  heardAt: number;
  /** When it went offline (goodbye or will), by the collector's clock. */
  offlineAt?: number;
  droppedSamples?: number;
  /** When its spool's dropped-sample count last grew. */
  droppedGrewAt?: number;
  /** The agent's own health sample (`agent_health`), the latest. */
  health?: Sample;
}

/** The last thing an agent said about a device's reachability by one check, as an event. */
export interface ReachabilityEvent {
  check: DeviceEvent['check'];
  state: DeviceEvent['state'];
  at: number;
}

const IDENTITY_TAGS = new Set(['site', 'device', 'role']);

/** The measurement plus the tags that tell one series of a device from another (interface, supply, cpu...). */
export function seriesKey(sample: Sample): string {
  const extra = Object.keys(sample.tags)
    .filter((k) => !IDENTITY_TAGS.has(k))
    .sort()
    .map((k) => `${k}=${sample.tags[k]}`);
  return [sample.measurement, ...extra].join(',');
}

/** The same tags in the same order (the order is kept: a reader may list them). */
function sameTags(a: Sample['tags'], b: Sample['tags']): boolean {
  let n = 0;
  for (const k in b) {
    if (a[k] !== b[k]) return false;
    n++;
  }
  if (n !== Object.keys(a).length) return false;
  // Same keys and values; the order too, as insertion order of string keys is what for-in and Object.keys give.
  const ka = Object.keys(a);
  let i = 0;
  for (const k in b) if (ka[i++] !== k) return false;
  return true;
}

/**
 * The latest facts the alert engine judges from: per device the newest sample of each series, the agents'
 * status and health, the agents' state-change events. Samples replayed late (after an outage) never
 * replace newer ones.
 */
export class Observations {
  private readonly devices = new Map<string, DeviceSeries>();
  private readonly events = new Map<string, Map<string, ReachabilityEvent>>();
  private readonly agents = new Map<string, AgentSeen>();
  /** The same agents by site: a site's view asks for its own, every evaluation. */
  private readonly bySite = new Map<string, AgentSeen[]>();
  private readonly strings = new Map<string, string>();
  private readonly shapes = new ShapeTable();
  private seriesCount = 0;

  addSamples(site: string, agent: string, samples: readonly Sample[], receivedAt: number): void {
    this.heard(site, agent, receivedAt);
    let series: DeviceSeries | undefined;
    let seriesOfDevice: string | undefined;
    let next = 0;
    for (const sample of samples) {
      if (sample.measurement === 'agent_health') {
        const seen = this.agents.get(agent)!;
        if (seen.health === undefined || seen.health.time <= sample.time) seen.health = sample;
        continue;
      }
      const device = sample.tags.device;
      if (device === undefined) continue;
      if (series === undefined || seriesOfDevice !== device) {
        const key = `${site}/${device}`;
        series = this.devices.get(key);
        if (series === undefined) this.devices.set(key, (series = new DeviceSeries()));
        seriesOfDevice = device;
        next = 0;
      }
      // A poll lists a device's series in the same order each time: the slot after the last one found is
      // tried first, by its measurement and tags, before the series key is made and looked up.
      let slot: number | undefined = series.sameSeries(next, sample.measurement, sample.tags, sameTags) ? next : undefined;
      let key: string | undefined;
      if (slot === undefined) {
        key = seriesKey(sample);
        slot = series.slotOf(key);
      }
      if (slot === undefined) {
        this.seriesCount++;
        next = series.add(this.interned(key!), series.shapeFor(undefined, sample, this.shapes), this.sharedTags(sample.tags), sample) + 1;
        continue;
      }
      next = slot + 1;
      if (series.time(slot) > sample.time) continue;
      const previous = series.tagsOf(slot);
      const tags = sameTags(previous, sample.tags) ? previous : this.sharedTags(sample.tags);
      series.set(slot, series.shapeFor(slot, sample, this.shapes), tags, sample);
    }
  }

  private sharedTags(tags: Sample['tags']): Sample['tags'] {
    const copy: Record<string, string> = {};
    for (const k of Object.keys(tags)) {
      // The contract refuses these keys (messages.ts); an assignment would not make them own keys.
      if (k === '__proto__') return tags;
      copy[k] = this.interned(tags[k]!);
    }
    return copy;
  }

  /**
   * One string for each measurement and tag value seen. Bounded by the series kept: a value that changes
   * every poll without making a new series (a role tag, say) would otherwise grow the table for ever.
   */
  private interned(s: string): string {
    const known = this.strings.get(s);
    if (known !== undefined) return known;
    if (this.strings.size < 2 * this.seriesCount + 1_024) this.strings.set(s, s);
    return s;
  }

  addStatus(status: AgentStatus, receivedAt: number): void {
    const seen = this.heard(status.site, status.agent, receivedAt);
    const wasOnline = seen.state === 'online';
    seen.state = status.state;
    if (status.state === 'offline' && (wasOnline || seen.offlineAt === undefined)) seen.offlineAt = receivedAt;
    if (status.state === 'online') delete seen.offlineAt;
    const dropped = status.spool?.droppedSamples;
    if (dropped !== undefined) {
      // The first figure after a start is a baseline: drops before it were already reported (or not ours).
      if (seen.droppedSamples !== undefined && dropped > seen.droppedSamples) seen.droppedGrewAt = receivedAt;
      seen.droppedSamples = dropped;
    }
  }

  addEvent(event: DeviceEvent): void {
    const key = `${event.site}/${event.device}`;
    let byCheck = this.events.get(key);
    if (byCheck === undefined) this.events.set(key, (byCheck = new Map()));
    const previous = byCheck.get(event.check);
    if (previous === undefined || previous.at <= event.at) byCheck.set(event.check, { check: event.check, state: event.state, at: event.at });
  }

  /** The newest sample of every series of a device, built anew from what is kept (device-series.ts). */
  series(site: string, device: string): Sample[] {
    return this.devices.get(`${site}/${device}`)?.samples() ?? [];
  }

  /** The newest sample of every series of one measurement of a device, in the same order as `series`. */
  seriesOfMeasurement(site: string, device: string, measurement: string): Sample[] {
    return this.devices.get(`${site}/${device}`)?.samplesOf(measurement) ?? [];
  }

  /** The same as `series`. */
  seriesOf(site: string, device: string): Iterable<Sample> {
    return this.series(site, device);
  }

  /** Each series' measurement and time, without building its sample. */
  eachTime(site: string, device: string, f: (measurement: string, time: number) => void): void {
    this.devices.get(`${site}/${device}`)?.eachTime(f);
  }

  event(site: string, device: string, check: DeviceEvent['check']): ReachabilityEvent | undefined {
    return this.events.get(`${site}/${device}`)?.get(check);
  }

  agentsOf(site: string): AgentSeen[] {
    return [...(this.bySite.get(site) ?? [])];
  }

  private heard(site: string, agent: string, at: number): AgentSeen {
    let seen = this.agents.get(agent);
    if (seen === undefined) {
      this.agents.set(agent, (seen = { agent, site, state: 'online', heardAt: at }));
      const ofSite = this.bySite.get(site);
      if (ofSite === undefined) this.bySite.set(site, [seen]);
      else ofSite.push(seen);
    }
    // A batch replayed from the write-ahead log after a restart says nothing about now.
    seen.heardAt = Math.max(seen.heardAt, at);
    return seen;
  }
}
