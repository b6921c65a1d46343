import { describe, expect, it } from 'vitest';
import { observedTimeline, resultsFromRollups, type CheckResult } from './observed.ts';
import { availabilityPct, siteAvailability, type DeviceInput, type SiteInput } from './site.ts';
import { combine, fromIntervals, tally } from './timeline.ts';

const M = 60_000;
/** Results every minute over [from, to) minutes, down where `down` says. */
const every = (from: number, to: number, down: (minute: number) => boolean = () => false, skip: (minute: number) => boolean = () => false): CheckResult[] => {
  const out: CheckResult[] = [];
  for (let m = from; m < to; m++) if (!skip(m)) out.push({ time: m * M, up: !down(m) });
  return out;
};

describe('observedTimeline', () => {
  it('a result stands until the next; a gap over two intervals is unknown after one interval', () => {
    const results = [...every(0, 10, (m) => m >= 3 && m < 5), ...every(12, 20), ...every(30, 40)];
    expect(observedTimeline(results, M, -5 * M, 45 * M).map((s) => [s.start / M, s.end / M, s.state])).toEqual([
      [-5, 0, 'unknown'],
      [0, 3, 'up'],
      [3, 5, 'down'],
      // The next result after minute 9 is at 12, three intervals later: 9 stands for one minute.
      [5, 10, 'up'],
      [10, 12, 'unknown'],
      [12, 20, 'up'],
      [20, 30, 'unknown'],
      [30, 40, 'up'],
      [40, 45, 'unknown'],
    ]);
  });
  it('a missed check (gap of two intervals) leaves no hole', () => {
    const results = every(0, 10, () => false, (m) => m === 5);
    expect(observedTimeline(results, M, 0, 10 * M)).toEqual([{ start: 0, end: 10 * M, state: 'up' }]);
  });
});

describe('resultsFromRollups', () => {
  it('rebuilds an outage that starts and ends inside 5-minute windows with its exact length', () => {
    // Down 07..19 (13 minutes): windows 5 (3 down at its end), 10 (all), 15 (5 down), 20 (none).
    const windows = [0, 5, 10, 15, 20].map((w) => {
      const minutes = [0, 1, 2, 3, 4].map((k) => w + k);
      const downs = minutes.filter((m) => m >= 7 && m < 20).length;
      return { time: w * M, meanUp: 1 - downs / 5, samples: 5 };
    });
    const rebuilt = observedTimeline(resultsFromRollups(windows, M), M, 0, 25 * M);
    expect(rebuilt.map((s) => [s.start / M, s.end / M, s.state])).toEqual([
      [0, 7, 'up'],
      [7, 20, 'down'],
      [20, 25, 'up'],
    ]);
  });
  it('a window with fewer results than it should have sits against the side where data goes on', () => {
    const windows = [
      { time: 0, meanUp: 1, samples: 5 },
      // The agent came back at minute 12.
      { time: 10 * M, meanUp: 1, samples: 3 },
      { time: 15 * M, meanUp: 1, samples: 5 },
    ];
    expect(observedTimeline(resultsFromRollups(windows, M), M, 0, 20 * M).map((s) => [s.start / M, s.end / M, s.state])).toEqual([
      [0, 5, 'up'],
      [5, 12, 'unknown'],
      [12, 20, 'up'],
    ]);
  });
});

describe('timelines', () => {
  it('combine sweeps the union of boundaries', () => {
    const a = fromIntervals(0, 10, [{ start: 2, end: 5 }], 'down', 'up');
    const b = fromIntervals(0, 10, [{ start: 4, end: 8 }], 'maintenance', 'up');
    const both = combine([a, b], ([x, y]) => (y === 'maintenance' ? 'maintenance' : x!));
    expect(both.map((s) => [s.start, s.end, s.state])).toEqual([
      [0, 2, 'up'],
      [2, 4, 'down'],
      [4, 8, 'maintenance'],
      [8, 10, 'up'],
    ]);
    expect(tally(both, { start: 3, end: 9 })).toEqual({ up: 1, down: 1, unreachable: 0, unknown: 0, maintenance: 4, outside: 0, unmonitored: 0 });
  });
  it('availability under each policy', () => {
    const t = { up: 900, down: 50, unreachable: 30, unknown: 20, maintenance: 100, outside: 0, unmonitored: 0 };
    expect(availabilityPct(t, { unreachable: 'down', unknown: 'excluded' })).toBeCloseTo((100 * 900) / 980, 10);
    expect(availabilityPct(t, { unreachable: 'up', unknown: 'down' })).toBeCloseTo((100 * 930) / 1_000, 10);
    expect(availabilityPct(t, { unreachable: 'excluded', unknown: 'up' })).toBeCloseTo((100 * 920) / 970, 10);
    expect(availabilityPct({ ...t, up: 0, down: 0, unreachable: 0, unknown: 0 }, { unreachable: 'down', unknown: 'excluded' })).toBeNull();
  });
});

describe('siteAvailability', () => {
  // A day of minutes; the switch hangs off the firewall, the AP off the switch.
  const day = { start: 0, end: 1_440 * M };
  const device = (name: string, role: string, parent: string | undefined, results: CheckResult[], maintenance = [] as { start: number; end: number }[]): DeviceInput => ({ name, role, parent, intervalMs: M, results, maintenance });
  const input = (over: Partial<SiteInput> = {}): SiteInput => ({
    month: { start: 60 * M, end: day.end },
    range: day,
    zone: 'UTC',
    devices: [
      device('fw', 'firewall', undefined, every(0, 1_440, (m) => m >= 100 && m < 130)),
      device('sw', 'core-switch', 'fw', every(0, 1_440, (m) => (m >= 100 && m < 130) || (m >= 600 && m < 660)), [{ start: 590 * M, end: 700 * M }]),
      device('ap', 'access-point', 'sw', every(0, 1_440, (m) => (m >= 100 && m < 130) || (m >= 600 && m < 660) || (m >= 50 && m < 70))),
    ],
    service: [day],
    agentOffline: [],
    policy: { servicePeriod: 'always', unreachable: 'down', unknown: 'excluded' },
    coreRoles: ['firewall', 'core-switch'],
    ...over,
  });

  it('down, unreachable (parent down), maintenance (its own, or its parent\'s while unreachable)', () => {
    const a = siteAvailability(input());
    const ap = a.devices.find((d) => d.name === 'ap')!;
    // The month starts at minute 60: the AP's outage 50..70 counts 10 minutes and started before it.
    expect(ap.tally).toEqual({ up: (1_380 - 10 - 30 - 60) * M, down: 10 * M, unreachable: 30 * M, unknown: 0, maintenance: 60 * M, outside: 0, unmonitored: 0 });
    expect(ap.outages.map((o) => [o.start / M, o.end / M, o.durationMs / M, o.countedMs / M, o.cause, o.parent, o.inMaintenance, o.startedBeforeMonth])).toEqual([
      [50, 70, 10, 10, 'device down', undefined, false, true],
      [100, 130, 30, 30, 'parent', 'fw', false, false],
      [600, 660, 60, 0, 'parent', 'sw', true, false],
    ]);
    expect(ap.mttrMs).toBe(20 * M);
    // Core services: the firewall's 30 minutes; the switch's 110-minute window is left out.
    expect(a.coreServices.tally.down / M).toBe(30);
    expect(a.coreServices.tally.maintenance / M).toBe(110);
  });

  it('unreachable left out, or counted up, by policy', () => {
    const excluded = siteAvailability(input({ policy: { servicePeriod: 'always', unreachable: 'excluded', unknown: 'excluded' } }));
    const ap = excluded.devices.find((d) => d.name === 'ap')!;
    expect(ap.downtimeMs / M).toBe(10);
    expect(ap.availabilityPct).toBeCloseTo((100 * 1_280) / 1_290, 10);
  });

  it('school hours only: time outside does not count, an outage outside counts 0', () => {
    const a = siteAvailability(input({ service: [{ start: 480 * M, end: 960 * M }] }));
    const fw = a.devices.find((d) => d.name === 'fw')!;
    expect(fw.tally.outside / M).toBe(1_380 - 480);
    expect(fw.availabilityPct).toBe(100);
    expect(fw.outages.map((o) => o.countedMs)).toEqual([0]);
  });

  it('no data from any device while the agent said offline: one "site offline" outage, counted by the unknown policy', () => {
    const skip = (m: number) => m >= 300 && m < 420;
    const devices = input().devices.map((d) => ({ ...d, results: d.results.filter((r) => !skip(r.time / M)) }));
    const a = siteAvailability(input({ devices, agentOffline: [{ start: 300 * M, end: 420 * M }], policy: { servicePeriod: 'always', unreachable: 'down', unknown: 'down' } }));
    expect(a.siteOffline.map((o) => [o.start / M, o.end / M, o.cause, o.countedMs / M])).toEqual([[300, 420, 'site offline', 120]]);
    expect(a.devices[0]!.tally.unknown / M).toBe(120);
    expect(a.devices[0]!.downtimeMs / M).toBe(30 + 120);
  });

  it('an outage still going at the end of the month is marked so', () => {
    const devices = [device('line', 'internet', undefined, every(0, 1_440, (m) => m >= 1_400))];
    const [outage] = siteAvailability(input({ devices })).devices[0]!.outages;
    expect([outage!.durationMs / M, outage!.endedAfterMonth, outage!.startedBeforeMonth]).toEqual([40, true, false]);
  });

  it('internet is up while any link is up', () => {
    const devices = [device('line-a', 'internet', undefined, every(0, 1_440, (m) => m < 200)), device('line-b', 'internet', undefined, every(0, 1_440, (m) => m >= 150 && m < 300))];
    const a = siteAvailability(input({ devices, coreRoles: ['firewall'] }));
    expect(a.internet.tally.down / M).toBe(50);
    expect(a.coreServices.availabilityPct).toBeNull();
  });

  it('a complete month: coverage over the counted period, the agent\'s offline hour unknown', () => {
    const skip = (m: number) => m >= 300 && m < 360;
    const devices = input().devices.map((d) => ({ ...d, results: d.results.filter((r) => !skip(r.time / M)) }));
    const a = siteAvailability(input({ devices }));
    expect([a.complete, a.period, a.monitoringStartedInMonth]).toEqual([true, { start: 60 * M, end: day.end }, undefined]);
    // The firewall: 1,380 minutes in the month, 60 of them without data.
    expect(a.devices[0]!.coverage).toEqual({ measuredMs: 1_320 * M, unknownMs: 60 * M, unmonitoredMs: 0, notYetMs: 0, pct: (100 * 1_320) / 1_380 });
    // Core services: the switch's window (590..700) is left out of both sides.
    expect(a.coreServices.coverage.pct).toBeCloseTo((100 * (1_380 - 110 - 60)) / (1_380 - 110), 10);
  });

  it('a month in progress: figures up to the report, the rest "not yet", never "unknown"', () => {
    // Made at minute 400 of a month running 60..1,440; data stops there.
    const devices = input().devices.map((d) => ({ ...d, results: d.results.filter((r) => r.time < 400 * M) }));
    const a = siteAvailability(input({ devices, asOf: 400 * M }));
    expect([a.complete, a.period]).toEqual([false, { start: 60 * M, end: 400 * M }]);
    const fw = a.devices[0]!;
    // 340 minutes reported, 30 down; the 1,040 minutes still to come are neither unknown nor counted.
    expect([fw.tally.up / M, fw.tally.down / M, fw.tally.unknown, fw.availabilityPct]).toEqual([310, 30, 0, (100 * 310) / 340]);
    expect(fw.coverage).toEqual({ measuredMs: 340 * M, unknownMs: 0, unmonitoredMs: 0, notYetMs: 1_040 * M, pct: (100 * 340) / 1_380 });
    // The switch's maintenance window (590..700) is still to come: not "not yet" time.
    expect(a.devices[1]!.coverage.notYetMs / M).toBe(1_040 - 110);
  });

  it('a month in progress: days still to come are marked, the day of the report is partial', () => {
    const days = { start: Date.parse('2026-12-01T00:00:00Z'), end: Date.parse('2027-01-01T00:00:00Z') };
    const asOf = Date.parse('2026-12-06T12:00:00Z');
    const results = every(days.start / M, asOf / M, (m) => m * M >= Date.parse('2026-12-06T06:00:00Z'));
    const a = siteAvailability(
      input({ month: days, range: days, asOf, service: [days], coreRoles: ['firewall'], devices: [device('line', 'internet', undefined, results)] }),
    );
    expect(a.daily).toHaveLength(31);
    expect(a.daily.slice(4, 7).map((d) => [d.date, d.internetPct, d.future, d.partial])).toEqual([
      ['2026-12-05', 100, false, false],
      // 6 of the 12 hours so far down.
      ['2026-12-06', 50, false, true],
      ['2026-12-07', null, true, false],
    ]);
    expect(a.devices[0]!.tally.unknown).toBe(0);
  });

  it('a site first monitored inside the month: the time before is unmonitored, not unknown, and not counted', () => {
    // Its first result ever at minute 500 (the month runs 60..1,440).
    const devices = input().devices.map((d) => ({ ...d, results: d.results.filter((r) => r.time >= 500 * M), monitoredFrom: 500 * M }));
    const a = siteAvailability(input({ devices, policy: { servicePeriod: 'always', unreachable: 'down', unknown: 'down' } }));
    expect(a.monitoringStartedInMonth).toBe(500 * M);
    const fw = a.devices[0]!;
    // Unknown counts as down under this policy; unmonitored time never does.
    expect([fw.tally.unmonitored / M, fw.tally.unknown, fw.availabilityPct]).toEqual([440, 0, 100]);
    expect(fw.coverage.pct).toBeCloseTo((100 * 940) / 1_380, 10);
    // No internet device at this site: nothing measured.
    expect([a.internet.coverage.pct, a.internet.availabilityPct]).toEqual([0, null]);
    // The firewall's outage at 100..130 was before monitoring: not an outage of this report.
    expect(fw.outages).toEqual([]);
  });

  it('a device added later is unmonitored until its first result; the rest of core services is judged without it', () => {
    const devices = [
      device('fw', 'firewall', undefined, every(0, 1_440)),
      { ...device('srv', 'server', 'fw', every(700, 1_440, (m) => m >= 800 && m < 810)), monitoredFrom: 700 * M },
    ];
    const a = siteAvailability(input({ devices, coreRoles: ['firewall', 'server'] }));
    expect(a.monitoringStartedInMonth).toBeUndefined();
    expect([a.coreServices.tally.up / M, a.coreServices.tally.down / M, a.coreServices.tally.unmonitored]).toEqual([1_370, 10, 0]);
    expect(a.devices[1]!.tally.unmonitored / M).toBe(640);
  });
});
