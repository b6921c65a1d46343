import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { monthInterval } from '../../calendar/index.ts';
import { siteAvailability, type SiteInput } from '../availability/site.ts';
import type { CheckResult } from '../availability/observed.ts';
import { renderCsv } from '../render/csv.ts';
import { buildReportView } from './view-model.ts';

/**
 * Whatever the data, the moment the report is made and the configured minimum, a report never says more
 * than it measured: its tallies cover exactly the reported period, the part of a month still to come is
 * never "unknown", no verdict is given below the minimum coverage, and days still to come carry no figure.
 */
const M = 60_000;
const STEP = 10 * M;
const ZONE = 'Europe/London';

const scenario = fc.record({
  month: fc.constantFrom('2026-02', '2026-03', '2026-10', '2026-12'),
  // Where in the month (0..1, beyond either end) the report is made; undefined: the month is over.
  asOfShare: fc.option(fc.double({ min: -0.1, max: 1.1, noNaN: true }), { nil: undefined }),
  // Monitoring began this far into the month (negative: before it); undefined: all along.
  startShare: fc.option(fc.double({ min: -0.2, max: 1.2, noNaN: true }), { nil: undefined }),
  // Runs of results: [length in steps, up, or a gap with no result].
  runs: fc.array(fc.tuple(fc.integer({ min: 1, max: 800 }), fc.constantFrom('up', 'down', 'gap')), { minLength: 1, maxLength: 20 }),
  minCoveragePct: fc.double({ min: 0, max: 100, noNaN: true }),
  unknown: fc.constantFrom('down', 'up', 'excluded' as const),
});

describe('a report never says more than it measured', () => {
  it('holds for any data, report time and minimum coverage', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const month = monthInterval(s.month, ZONE);
        const length = month.end - month.start;
        const asOf = s.asOfShare === undefined ? undefined : month.start + Math.round(s.asOfShare * length);
        const monitoredFrom = s.startShare === undefined ? undefined : month.start + Math.round(s.startShare * length);
        const range = { start: month.start - 86_400_000, end: month.end };
        const results: CheckResult[] = [];
        let t = Math.max(range.start, monitoredFrom ?? range.start);
        for (const [steps, kind] of s.runs) {
          for (let k = 0; k < steps && t < Math.min(range.end, asOf ?? range.end); k++, t += STEP) if (kind !== 'gap') results.push({ time: t, up: kind === 'up' });
        }
        const input: SiteInput = {
          month,
          asOf,
          range,
          zone: ZONE,
          devices: [{ name: 'line', role: 'internet', intervalMs: STEP, results, maintenance: [], monitoredFrom }],
          service: [range],
          agentOffline: [],
          policy: { servicePeriod: 'always', unreachable: 'down', unknown: s.unknown },
          coreRoles: ['firewall'],
        };
        const a = siteAvailability(input);
        const period = a.period;
        const d = a.devices[0]!;
        // The tallies cover the reported period exactly; nothing after it is counted at all.
        expect(Object.values(d.tally).reduce((x, y) => x + y, 0)).toBe(period.end - period.start);
        expect(d.coverage.notYetMs).toBe(month.end - period.end);
        expect(a.complete).toBe(period.end === month.end);
        if (monitoredFrom !== undefined) expect(d.tally.unmonitored).toBe(Math.max(0, Math.min(monitoredFrom, period.end) - period.start));
        const view = buildReportView({
          site: { id: 's', name: 'S', timezone: ZONE },
          month: s.month,
          monthInterval: month,
          availability: a,
          previous: undefined,
          sla: { internetPct: 99.5, coreServicesPct: 99.9 },
          policy: input.policy,
          minCoveragePct: s.minCoveragePct,
          alerts: [],
          coreRoles: ['firewall'],
          source: 'raw',
          link: { p50Ms: undefined, p95Ms: undefined, lossPct: undefined, readings: 0 },
          supplies: [],
          ups: new Map(),
          lowSupplyPct: 10,
          providerName: 'P',
          generatedAt: asOf ?? month.end,
        });
        for (const h of view.headline) {
          expect(h.coveragePct === null || (h.coveragePct >= 0 && h.coveragePct <= 100)).toBe(true);
          // A verdict only on enough measured time.
          if (h.met !== null) expect(h.coveragePct!).toBeGreaterThanOrEqual(s.minCoveragePct);
          expect(/target (met|missed)/.test(h.verdictText)).toBe(h.met !== null);
        }
        expect(view.title.endsWith('(month to date)')).toBe(!a.complete);
        expect(view.daily.filter((x) => x.future).every((x) => x.internetPct === null && x.coreServicesPct === null)).toBe(true);
        const csv = renderCsv(view);
        if (!a.complete) expect(csv).not.toContain('hours this month');
        if (view.headline.every((h) => h.met === null)) expect(csv).not.toMatch(/target (met|missed)/);
      }),
      { numRuns: 150 },
    );
  });
});
