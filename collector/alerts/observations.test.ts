import { describe, expect, it } from 'vitest';
import { Observations, seriesKey } from './observations.ts';
import { agentStatus, pingSample, T0 } from './testing.ts';

describe('observations', () => {
  it('keeps the newest sample per series; a late replay does not replace it', () => {
    const obs = new Observations();
    obs.addSamples('north-primary', 'north-primary-1', [pingSample('router', false, T0 + 10_000)], T0 + 10_000);
    obs.addSamples('north-primary', 'north-primary-1', [pingSample('router', true, T0)], T0 + 20_000);
    expect(obs.series('north-primary', 'router').map((s) => s.fields.up)).toEqual([0]);
    expect(obs.agentsOf('north-primary')[0]!.heardAt).toBe(T0 + 20_000);
  });

  it('tells series of one device apart by their extra tags', () => {
    const a = { measurement: 'interface', tags: { device: 'sw', role: 'switch', site: 's', interface: 'A1', if_index: '1' }, fields: { oper_status: 1 }, time: T0 };
    expect(seriesKey(a)).toBe('interface,if_index=1,interface=A1');
  });

  it('spool drops: the first figure is a baseline; growth after it is recorded', () => {
    const obs = new Observations();
    obs.addStatus(agentStatus('online', T0, 40), T0);
    expect(obs.agentsOf('north-primary')[0]!.droppedGrewAt).toBeUndefined();
    obs.addStatus(agentStatus('online', T0 + 1, 40), T0 + 1);
    expect(obs.agentsOf('north-primary')[0]!.droppedGrewAt).toBeUndefined();
    obs.addStatus(agentStatus('online', T0 + 2, 41), T0 + 2);
    expect(obs.agentsOf('north-primary')[0]!.droppedGrewAt).toBe(T0 + 2);
  });

  it('offline since the goodbye; online again clears it', () => {
    const obs = new Observations();
    obs.addStatus(agentStatus('online', T0), T0);
    obs.addStatus(agentStatus('offline', T0 + 5), T0 + 5);
    expect(obs.agentsOf('north-primary')[0]).toMatchObject({ state: 'offline', offlineAt: T0 + 5 });
    obs.addStatus(agentStatus('online', T0 + 9), T0 + 9);
    expect(obs.agentsOf('north-primary')[0]!.offlineAt).toBeUndefined();
  });
  it('keeps each sample equal to what arrived, its tags shared with the previous poll only when they are the same, in the same order', () => {
    const obs = new Observations();
    const at = (time: number, tags: Record<string, string>) => ({ measurement: 'interface', tags, fields: { oper_status: 1, in_bps: 0.5 }, time });
    const first = at(T0, { device: 'sw', role: 'switch', interface: 'A1', if_index: '1' });
    obs.addSamples('s', 'a', [first], T0);
    const kept1 = obs.series('s', 'sw')[0]!;
    expect(kept1).toEqual(first);
    obs.addSamples('s', 'a', [at(T0 + 1, { device: 'sw', role: 'switch', interface: 'A1', if_index: '1' })], T0 + 1);
    const kept2 = obs.series('s', 'sw')[0]!;
    expect(kept2.time).toBe(T0 + 1);
    expect(kept2.tags).toBe(kept1.tags);
    // Same series, the role changed and the keys came in another order: kept as they came.
    const third = at(T0 + 2, { if_index: '1', interface: 'A1', role: 'core-switch', device: 'sw' });
    obs.addSamples('s', 'a', [third], T0 + 2);
    const kept3 = obs.series('s', 'sw')[0]!;
    expect(kept3).toEqual(third);
    expect(Object.keys(kept3.tags)).toEqual(['if_index', 'interface', 'role', 'device']);
    expect(obs.series('s', 'sw')).toHaveLength(1);
  });
});
