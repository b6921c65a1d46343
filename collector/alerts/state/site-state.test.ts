import { describe, expect, it } from 'vitest';
import type { AgentSeen } from '../observations.ts';
import { siteState } from './site-state.ts';

const T = 1_800_000_000_000;
const agent = (o: Partial<AgentSeen>): AgentSeen => ({ agent: 'a-1', site: 'a', state: 'online', heardAt: T, ...o });
const at = (now: number, agents: AgentSeen[], startedAt = T) => siteState({ agents, now, heartbeatTimeoutMs: 180_000, startedAt });

describe('site state', () => {
  it('online while an agent is connected and heard within the heartbeat timeout', () => {
    expect(at(T + 60_000, [agent({})])).toEqual({ state: 'online' });
    expect(at(T + 181_000, [agent({})])).toEqual({ state: 'offline', since: T });
  });
  it('offline at once on goodbye or will, since then', () => {
    expect(at(T + 5_000, [agent({ state: 'offline', offlineAt: T + 4_000 })])).toEqual({ state: 'offline', since: T + 4_000 });
  });
  it('online if any of its agents is', () => {
    expect(at(T + 5_000, [agent({ state: 'offline', offlineAt: T }), agent({ agent: 'a-2' })]).state).toBe('online');
  });
  it('never heard: unknown for a heartbeat timeout after the collector started, then offline', () => {
    expect(at(T + 60_000, [])).toEqual({ state: 'unknown' });
    expect(at(T + 180_000, [])).toEqual({ state: 'offline', since: T });
  });
});
