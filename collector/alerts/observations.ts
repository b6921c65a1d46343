import type { AgentStatus, DeviceEvent, Sample } from '../../contract/index.ts';

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
  private readonly devices = new Map<string, Map<string, Sample>>();
  private readonly events = new Map<string, Map<string, ReachabilityEvent>>();
  private readonly agents = new Map<string, AgentSeen>();
  /** The same agents by site: a site's view asks for its own, every evaluation. */
  private readonly bySite = new Map<string, AgentSeen[]>();
  private readonly strings = new Map<string, string>();
  private seriesCount = 0;

  addSamples(site: string, agent: string, samples: readonly Sample[], receivedAt: number): void {
    this.heard(site, agent, receivedAt);
    for (const sample of samples) {
      if (sample.measurement === 'agent_health') {
        const seen = this.agents.get(agent)!;
        if (seen.health === undefined || seen.health.time <= sample.time) seen.health = sample;
        continue;
      }
      const device = sample.tags.device;
      if (device === undefined) continue;
      const key = `${site}/${device}`;
      let series = this.devices.get(key);
      if (series === undefined) this.devices.set(key, (series = new Map()));
      const k = seriesKey(sample);
      const previous = series.get(k);
      if (previous === undefined) this.seriesCount++;
      if (previous === undefined || previous.time <= sample.time) series.set(k, this.kept(sample, previous));
    }
  }

  /**
   * The sample as kept: equal in every member, but its tags are the series' tag object of the previous poll
   * when they are the same, or a copy made of shared strings. A decoded batch gives each sample a tag object
   * of its own shape and fresh strings (~200 bytes per series of V8 hidden classes alone, measured with
   * bench/support/series-memory.ts); at 267,000 series that was a third of the engine's memory.
   */
  private kept(sample: Sample, previous: Sample | undefined): Sample {
    const tags = previous !== undefined && sameTags(previous.tags, sample.tags) ? previous.tags : this.sharedTags(sample.tags);
    return { measurement: this.interned(sample.measurement), tags, fields: sample.fields, time: sample.time };
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

  /** The newest sample of every series of a device. */
  series(site: string, device: string): Sample[] {
    return [...this.seriesOf(site, device)];
  }

  /** The same, without a copy: to read at once, not to keep. */
  seriesOf(site: string, device: string): Iterable<Sample> {
    return this.devices.get(`${site}/${device}`)?.values() ?? [];
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
