import { describe, expect, it } from 'vitest';
import { pollSamples, school, samplesPerPoll, switchesOf } from './schools.ts';

const seriesOf = (samples: { measurement: string; tags: Record<string, string> }[]) =>
  samples.map((s) => `${s.measurement},${Object.entries(s.tags).sort().map(([k, v]) => `${k}=${v}`).join(',')}`).sort();

describe('the fleet bench schools', () => {
  it('has issue 17\'s mix: 7 in 10 primaries of 15 devices, 3 in 10 secondaries of 50 with 8 switches', () => {
    const kinds = Array.from({ length: 1000 }, (_, i) => school(i).kind);
    expect(kinds.filter((k) => k === 'secondary').length).toBe(300);
    expect(school(0).devices.length).toBe(15);
    const secondary = school(3);
    expect(secondary.devices.length).toBe(50);
    expect(secondary.devices.filter((d) => d.role === 'switch' || d.role === 'core-switch').length).toBe(8);
    expect(secondary.devices.filter((d) => d.role === 'access-point').length).toBe(20);
    expect(secondary.devices.filter((d) => d.role === 'printer').length).toBe(8);
    expect(samplesPerPoll(school(0))).toBe(131);
    expect(samplesPerPoll(secondary)).toBe(491);
  });

  it('names the same series in every poll (stable interface, AP, supply and storage names)', () => {
    const s = school(6);
    expect(seriesOf(pollSamples(s, 7, 1_000_000))).toEqual(seriesOf(pollSamples(s, 0, 0)));
    expect(new Set(seriesOf(pollSamples(s, 0, 0))).size).toBe(samplesPerPoll(s));
  });

  it('a device that is down sends only ping up 0 and an SNMP failure, and every other device stays as it was', () => {
    const s = school(9);
    const [dead] = switchesOf(s);
    const samples = pollSamples(s, 1, 0, new Set([dead!]));
    const its = samples.filter((x) => x.tags.device === dead);
    expect(its.map((x) => [x.measurement, x.fields.up])).toEqual([['ping', 0], ['snmp', 0]]);
    expect(samples.filter((x) => x.tags.device !== dead)).toEqual(pollSamples(s, 1, 0).filter((x) => x.tags.device !== dead));
  });

  it('keeps every value inside the default alert thresholds', () => {
    for (const x of pollSamples(school(3), 2, 0)) {
      if (x.measurement === 'ups') expect(x.fields).toMatchObject({ on_battery: 0, battery_pct: 100 });
      if (x.measurement === 'printer_supply') expect(Number(x.fields.level_pct)).toBeGreaterThan(10);
      if (x.measurement === 'host_storage') expect(Number(x.fields.used_pct)).toBeLessThan(90);
      if (x.measurement === 'interface') expect(Number(x.fields.utilisation_pct)).toBeLessThan(90);
      if (x.measurement === 'ping') expect(Number(x.fields.rtt_avg_ms)).toBeLessThan(250);
    }
  });
});
