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
});
