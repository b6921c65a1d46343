import { describe, expect, it } from 'vitest';
import { kindState, RECENT_MS, SchoolResults, schoolStateFields } from './summary.ts';

const T = 1_800_000_000_000;
const ping = (device: string, up: number, time = T) => ({ measurement: 'ping', tags: { device }, fields: { up }, time });
const snmp = (device: string, up: number, time = T) => ({ measurement: 'snmp', tags: { device }, fields: { up }, time });

describe('kindState: 1 − the mean of the distinct last results', () => {
  it('0 all up, 1 all down, 0.5 mixed, nothing without devices', () => {
    expect(kindState([1, 1, 1])).toBe(0);
    expect(kindState([0, 0])).toBe(1);
    expect(kindState([1, 0, 1, 1])).toBe(0.5);
    expect(kindState([])).toBeUndefined();
  });
});

describe('SchoolResults', () => {
  const one = (r: SchoolResults, site: string, now = T, sites: string[] = []) => r.summarise(now, sites).find((s) => s.site === site);

  it('up, degraded, down per kind; the worst kind is the tile', () => {
    const r = new SchoolResults();
    r.observe('up', [ping('a', 1), snmp('a', 1)]);
    r.observe('degraded', [ping('a', 1), ping('b', 0), snmp('a', 1)]);
    r.observe('snmp-down', [ping('a', 1), snmp('a', 0), snmp('b', 0)]);
    expect(one(r, 'up')?.state).toBe(0);
    expect(one(r, 'degraded')).toMatchObject({ state: 0.5, kinds: { ping: { devices: 2, failed: 1, state: 0.5 }, snmp: { devices: 1, failed: 0, state: 0 } } });
    expect(one(r, 'snmp-down')).toMatchObject({ state: 1, kinds: { snmp: { devices: 2, failed: 2 } } });
  });

  it('the later result wins, also when an old batch is replayed after a new one', () => {
    const r = new SchoolResults();
    r.observe('s', [ping('a', 0, T - 60_000)]);
    r.observe('s', [ping('a', 1, T)]);
    r.observe('s', [ping('a', 0, T - 120_000)]);
    expect(one(r, 's')?.state).toBe(0);
  });

  it('a result exactly 5 minutes old no longer counts; just under still does (time > now() - 5m)', () => {
    const r = new SchoolResults();
    r.observe('s', [ping('a', 0, T - RECENT_MS + 1)]);
    expect(one(r, 's')?.state).toBe(1);
    expect(one(r, 's', T + 1)).toMatchObject({ state: -1, kinds: { ping: { devices: 0, failed: 0 } } });
  });

  it('a configured school never heard from has counts 0 and no state; one heard from but silent says -1', () => {
    const r = new SchoolResults();
    r.observe('quiet', [ping('a', 1, T - 10 * 60_000)]);
    const never = one(r, 'never', T, ['never']);
    expect(never?.state).toBeUndefined();
    expect(schoolStateFields(never!)).toEqual({ ping_devices: 0, ping_failed: 0, snmp_devices: 0, snmp_failed: 0 });
    expect(one(r, 'quiet')?.state).toBe(-1);
  });

  it('ignores what is not a check result: other measurements, no device tag, a non-numeric up', () => {
    const r = new SchoolResults();
    r.observe('s', [
      { measurement: 'interface', tags: { device: 'a' }, fields: { up: 0 }, time: T },
      { measurement: 'ping', tags: {}, fields: { up: 0 }, time: T },
      { measurement: 'ping', tags: { device: 'a' }, fields: { up: 'no' }, time: T },
      { measurement: 'snmp', tags: { device: 'a' }, fields: { up: Number.NaN }, time: T },
    ]);
    expect(r.summarise(T)).toEqual([]);
  });

  it('forgets devices silent for 5 minutes: memory stays bounded by the recent ones', () => {
    const r = new SchoolResults();
    for (let i = 0; i < 1000; i++) r.observe('s', [ping(`d${i}`, 1, T + i)]);
    r.observe('s', [ping('late', 1, T + RECENT_MS + 2_000)]);
    expect(one(r, 's', T + RECENT_MS + 2_000)?.kinds.ping.devices).toBe(1);
  });

  it('a site is never mixed into another', () => {
    const r = new SchoolResults();
    r.observe('a', [ping('x', 0)]);
    r.observe('b', [ping('x', 1)]);
    expect(r.summarise(T).map((s) => [s.site, s.state])).toEqual([
      ['a', 1],
      ['b', 0],
    ]);
  });
});
