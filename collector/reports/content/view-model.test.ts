import { describe, expect, it } from 'vitest';
import { siteAvailability, type SiteInput } from '../availability/site.ts';
import type { CheckResult } from '../availability/observed.ts';
import { buildReportView, type ReportInput } from './view-model.ts';
import type { AlertRecord } from './response.ts';

const M = 60_000;
const DEC = { start: Date.parse('2026-12-01T00:00:00Z'), end: Date.parse('2027-01-01T00:00:00Z') };
const at = (iso: string) => Date.parse(`${iso}Z`);

/** One result a minute over [from, to), down inside `down`. */
function results(from: number, to: number, down: { start: number; end: number }[] = []): CheckResult[] {
  const out: CheckResult[] = [];
  for (let t = from; t < to; t += M) out.push({ time: t, up: !down.some((d) => d.start <= t && t < d.end) });
  return out;
}

function view(o: { line: CheckResult[]; fw?: CheckResult[]; asOf?: number; monitoredFrom?: number; minCoveragePct?: number; alerts?: AlertRecord[] }) {
  const site: SiteInput = {
    month: DEC,
    asOf: o.asOf,
    range: { start: DEC.start - 86_400_000, end: DEC.end },
    zone: 'UTC',
    devices: [
      { name: 'line', role: 'internet', intervalMs: M, results: o.line, maintenance: [], monitoredFrom: o.monitoredFrom },
      { name: 'fw', role: 'firewall', intervalMs: M, results: o.fw ?? o.line.map((r) => ({ ...r, up: true })), maintenance: [], monitoredFrom: o.monitoredFrom },
    ],
    service: [{ start: DEC.start - 86_400_000, end: DEC.end }],
    agentOffline: [],
    policy: { servicePeriod: 'always', unreachable: 'down', unknown: 'excluded' },
    coreRoles: ['firewall'],
  };
  const input: ReportInput = {
    site: { id: 'north', name: 'North Primary', timezone: 'UTC' },
    month: '2026-12',
    monthInterval: DEC,
    availability: siteAvailability(site),
    previous: undefined,
    sla: { internetPct: 99.5, coreServicesPct: 99.9 },
    policy: site.policy,
    minCoveragePct: o.minCoveragePct ?? 90,
    alerts: o.alerts,
    coreRoles: ['firewall'],
    source: 'raw',
    link: { p50Ms: undefined, p95Ms: undefined, lossPct: undefined, readings: 0 },
    supplies: [],
    ups: new Map(),
    lowSupplyPct: 10,
    providerName: 'Northfield IT',
    generatedAt: o.asOf ?? DEC.end,
  };
  return buildReportView(input);
}

describe('a complete month', () => {
  // The agent offline 2 hours on the 9th: 44,520 of 44,640 minutes measured (99.731 %); the line down 3 hours.
  const offline = { start: at('2026-12-09T10:00'), end: at('2026-12-09T12:00') };
  const line = results(DEC.start - 86_400_000, DEC.end, [{ start: at('2026-12-15T08:00'), end: at('2026-12-15T11:00') }]).filter((r) => r.time < offline.start || r.time >= offline.end);

  it('judges the target when enough was measured: met, and missed', () => {
    const v = view({ line });
    expect([v.complete, v.title, v.periodText, v.periodNotes]).toEqual([true, 'Monthly uptime report \u2014 December 2026', 'Whole month: Tue 1 Dec 00:00 to Fri 1 Jan 00:00 (UTC), 744 hours', []]);
    // Internet: 44,340 up of 44,520 (99.596 %) against 99.5 %: met. Core services: 100 %.
    expect(v.headline.map((h) => [h.pctText, h.met, h.verdictText, h.coverageText])).toEqual([
      ['99.596 %', true, 'target met', '99.7 % of the month measured'],
      ['100.000 %', true, 'target met', '99.7 % of the month measured'],
    ]);
    expect(view({ line: line.map((r) => (r.time >= at('2026-12-20T00:00') && r.time < at('2026-12-20T01:00') ? { ...r, up: false } : r)) }).headline[0]).toMatchObject({ met: false, verdictText: 'target missed' });
    expect(v.howWeCount.join('\n')).toContain('(744 hours this month)');
  });

  it('just under the minimum coverage: no verdict, either way', () => {
    // 99.731 % measured: judged at a minimum of 99.73 %, not at 99.74 %.
    expect(view({ line, minCoveragePct: 99.73 }).headline[0]!.met).toBe(true);
    const v = view({ line, minCoveragePct: 99.74 });
    expect(v.headline.map((h) => [h.met, h.verdictText])).toEqual([
      [null, 'not judged: 99.7 % of the month measured, 99.74 % needed'],
      [null, 'not judged: 99.7 % of the month measured, 99.74 % needed'],
    ]);
  });

  it('the lowest day is named under the chart; every day at 100 %: nothing to name', () => {
    // 15 Dec: 180 of 1,440 minutes down: 87.500 %.
    expect(view({ line }).lowestDayText).toBe('Lowest day: internet Tue 15 Dec 87.500 %.');
    expect(view({ line }).chart.breakAt).toBe(87);
    expect(view({ line: results(DEC.start, DEC.end) }).lowestDayText).toBeUndefined();
  });
});

describe('a month in progress', () => {
  const asOf = at('2026-12-06T14:05');
  const line = results(DEC.start - 86_400_000, asOf, [{ start: at('2026-12-03T08:00'), end: at('2026-12-03T08:30') }]);

  it('is "month to date" with its period; never "target met" below coverage; no "744 hours this month"', () => {
    const v = view({ line, asOf });
    expect([v.complete, v.title]).toEqual([false, 'Monthly uptime report \u2014 December 2026 (month to date)']);
    // 5 d 14 h 05 min = 8,045 minutes of 44,640: 18.02 %.
    expect(v.periodText).toBe('Month to date: Tue 1 Dec 00:00 to Sun 6 Dec 14:05 (UTC), 5 d 14 h 05 min of the month\u2019s 744 hours');
    expect(v.periodNotes).toEqual([
      'The month is in progress: this report covers it to Sun 6 Dec 14:05; the remaining 25 d 9 h 55 min of its 744 hours are still to come and not counted. No target is judged until 90 % of the month is measured.',
    ]);
    // 8,015 up of 8,045.
    expect(v.headline.map((h) => [h.pctText, h.met, h.verdictText])).toEqual([
      [((100 * 8_015) / 8_045).toFixed(3) + ' %', null, 'not judged yet: 18.0 % of the month measured, 90 % needed'],
      ['100.000 %', null, 'not judged yet: 18.0 % of the month measured, 90 % needed'],
    ]);
    expect(v.howWeCount.join('\n')).not.toContain('hours this month');
    expect(v.howWeCount.join('\n')).toContain('the month to date, 5 d 14 h 05 min of its 744 hours');
    // The future is neither unknown nor not monitored.
    expect(v.devices.map((d) => [d.unknownText, d.notMonitoredText])).toEqual([
      ['0 min', '0 min'],
      ['0 min', '0 min'],
    ]);
    expect(v.daily.filter((d) => d.future).map((d) => d.label)).toEqual(Array.from({ length: 25 }, (_, i) => String(i + 7)));
  });

  it('with the minimum coverage at 0: judged, and said to be so far', () => {
    expect(view({ line, asOf, minCoveragePct: 0 }).headline[0]!.verdictText).toBe('target met so far');
  });
});

describe('a school first monitored on the 20th', () => {
  const start = at('2026-12-20T09:12');
  const line = results(start, DEC.end, [{ start: at('2026-12-22T10:00'), end: at('2026-12-22T13:59') }]);

  it('says so on page 1, counts only the monitored time, and judges nothing', () => {
    const v = view({ line, monitoredFrom: start });
    expect(v.periodNotes).toEqual(['Monitoring of this school began Sun 20 Dec 09:12: the 19 d 9 h 12 min before it were not monitored and are not counted.']);
    // Monitored: 11 d 14 h 48 min = 16,728 minutes, 239 of them down; 37.47 % of the month.
    expect(v.headline[0]).toMatchObject({ pctText: `${((100 * (16_728 - 239)) / 16_728).toFixed(3)} %`, met: null, verdictText: 'not judged: 37.4 % of the month measured, 90 % needed' });
    expect(v.devices[0]).toMatchObject({ unknownText: '0 min', notMonitoredText: '19 d 9 h 12 min' });
    // The days before are "no counted time", the 22nd 1,201 of 1,440 minutes.
    expect(v.daily.slice(0, 19).every((d) => d.internetPct === null && !d.future)).toBe(true);
    expect(v.lowestDayText).toBe('Lowest day: internet Tue 22 Dec 83.403 %.');
  });
});

describe('response to incidents', () => {
  const outage = { start: at('2026-12-22T10:00'), end: at('2026-12-22T13:59') };
  const line = results(DEC.start - 86_400_000, DEC.end, [outage, { start: at('2026-12-23T09:00'), end: at('2026-12-23T09:03') }]);
  const alert = (over: Partial<AlertRecord>): AlertRecord => ({ id: 'x', site: 'north', rule: 'device-down', device: 'line', since: 0, notified: true, ...over });
  const alerts = [
    // Paged 10:02, acknowledged 10:09 (7 min), resolved 13:59: fixed 239 minutes after it began.
    alert({ since: outage.start, firingAt: at('2026-12-22T10:02'), ackedAt: at('2026-12-22T10:09'), resolvedAt: outage.end }),
    alert({ device: 'fw', since: at('2026-12-27T09:00'), firingAt: at('2026-12-27T09:02'), ackedAt: at('2026-12-27T09:05'), resolvedAt: at('2026-12-27T09:20') }),
    // Two other schools.
    alert({ site: 'south', since: at('2026-12-02T09:00'), firingAt: at('2026-12-02T09:02'), ackedAt: at('2026-12-02T09:22'), resolvedAt: at('2026-12-02T10:00') }),
    alert({ site: 'west', since: at('2026-12-04T09:00'), firingAt: at('2026-12-04T09:02'), ackedAt: at('2026-12-04T09:32'), resolvedAt: at('2026-12-04T10:30') }),
    alert({ site: 'west', since: at('2026-12-05T09:00'), firingAt: at('2026-12-05T09:02'), ackedAt: at('2026-12-05T09:42'), resolvedAt: at('2026-12-05T11:00') }),
  ];

  it('each outage shows when its alert was acknowledged and resolved; one too short to alert says so', () => {
    const v = view({ line, alerts });
    expect(v.incidents.map((i) => [i.device, i.startText, i.acknowledgedText, i.resolvedText])).toEqual([
      ['line', 'Tue 22 Dec 10:00', 'Tue 22 Dec 10:09 (7 min after the alert)', 'Tue 22 Dec 13:59'],
      ['line', 'Wed 23 Dec 09:00', 'no alert raised', '\u2013'],
    ]);
    expect(v.incidents[0]!.responseText).toBe('acknowledged Tue 22 Dec 10:09 (7 min after the alert); resolved Tue 22 Dec 13:59');
  });

  it('page 1: this school\'s medians beside the provider\'s over all its schools, by hand', () => {
    // This school: acknowledged after 7 and 3 min (median 5); fixed after 239 and 20 min (129.5, shown 2 h 10 min).
    // All: 7, 3, 20, 30, 40 (median 20); 239, 20, 60, 90, 120 (median 90).
    expect(view({ line, alerts }).response?.lines).toEqual([
      'Time to acknowledge (median): 5 min for this school, 20 min across all our schools.',
      'Time to fix (median): 2 h 10 min for this school, 1 h 30 min across all our schools.',
      'From 2 alerts that paged our on-call staff about this school (2 acknowledged, 2 resolved); 5 across 3 schools.',
    ]);
  });

  it('no alert record: said so, not "no alerts"', () => {
    const v = view({ line });
    expect([v.response, v.incidents[0]!.acknowledgedText]).toEqual([undefined, 'no alert record']);
  });

  it('a muted alert paged no one, and is left out of the medians', () => {
    const muted = [alert({ since: outage.start, firingAt: at('2026-12-22T10:02'), notified: false, muted: 'maintenance', resolvedAt: outage.end })];
    const v = view({ line, alerts: muted });
    expect(v.incidents[0]!.acknowledgedText).toBe('not paged (planned maintenance)');
    expect(v.response?.lines[0]).toBe('No alert about this school paged our on-call staff in this period.');
  });
});
