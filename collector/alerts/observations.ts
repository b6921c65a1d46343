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
      if (previous === undefined || previous.time <= sample.time) series.set(k, sample);
    }
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
