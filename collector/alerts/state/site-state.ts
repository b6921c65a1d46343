import type { AgentSeen } from '../observations.ts';

/** online: an agent of the site is connected and heard recently; offline: none is; unknown: too early to say. */
export type SiteState = 'online' | 'offline' | 'unknown';

export interface SiteStateInput {
  agents: readonly AgentSeen[];
  now: number;
  heartbeatTimeoutMs: number;
  /** When the collector started: a site none of whose agents is heard within a heartbeat timeout of it is offline. */
  startedAt: number;
}

/**
 * A site is offline when every agent of it said goodbye, its MQTT will fired ([MQTT-3.1.2-8]), or it has not
 * been heard for a heartbeat timeout; `since` is when that became true, as far as the collector knows.
 */
export function siteState(input: SiteStateInput): { state: SiteState; since?: number } {
  const { agents, now, heartbeatTimeoutMs } = input;
  const alive = agents.filter((a) => a.state === 'online' && now - a.heardAt <= heartbeatTimeoutMs);
  if (alive.length > 0) return { state: 'online' };
  if (agents.length === 0) {
    const deadline = input.startedAt + heartbeatTimeoutMs;
    return now >= deadline ? { state: 'offline', since: input.startedAt } : { state: 'unknown' };
  }
  const since = Math.max(...agents.map((a) => a.offlineAt ?? a.heardAt));
  return { state: 'offline', since };
}
