import { describe, expect, it } from 'vitest';
import { siteAvailability, type SiteInput } from '../availability/site.ts';
import type { CheckResult } from '../availability/observed.ts';
import { buildReportView } from '../content/view-model.ts';
import { pdfFonts, renderPdf } from './pdf.ts';

const M = 60_000;
const DEC = { start: Date.parse('2026-12-01T00:00:00Z'), end: Date.parse('2027-01-01T00:00:00Z') };

/** One school's month: the line down `downHours` on the 15th (so the two schools' PDFs use different glyphs). */
function view(id: string, name: string, downHours: number) {
  const results: CheckResult[] = [];
  const down = { start: Date.parse('2026-12-15T08:00:00Z'), end: Date.parse('2026-12-15T08:00:00Z') + downHours * 3_600_000 };
  for (let t = DEC.start - 86_400_000; t < DEC.end; t += M) results.push({ time: t, up: !(t >= down.start && t < down.end) });
  const site: SiteInput = {
    month: DEC,
    range: { start: DEC.start - 86_400_000, end: DEC.end },
    zone: 'UTC',
    devices: [{ name: 'line', role: 'internet', intervalMs: M, results, maintenance: [] }],
    service: [{ start: DEC.start - 86_400_000, end: DEC.end }],
    agentOffline: [],
    policy: { servicePeriod: 'always', unreachable: 'down', unknown: 'excluded' },
    coreRoles: ['firewall'],
  };
  return buildReportView({
    site: { id, name, timezone: 'UTC' },
    month: '2026-12',
    monthInterval: DEC,
    availability: siteAvailability(site),
    previous: undefined,
    sla: { internetPct: 99.5, coreServicesPct: 99.9 },
    policy: site.policy,
    minCoveragePct: 90,
    alerts: undefined,
    coreRoles: ['firewall'],
    source: 'raw',
    link: { p50Ms: undefined, p95Ms: undefined, lossPct: undefined, readings: 0 },
    supplies: [],
    ups: new Map(),
    lowSupplyPct: 10,
    providerName: 'Northfield IT',
    generatedAt: DEC.end,
  });
}

/** The file without what differs on every run: its creation date and the trailer's ID made from it. */
const content = (pdf: Buffer) => pdf.toString('latin1').replace(/\(D:\d+Z\)/g, '').split('trailer')[0];

describe('PDFs made one after another share the parsed font', () => {
  it('and each comes out as when made on its own: same bytes before and after another school\'s', async () => {
    const fonts = pdfFonts();
    const a = view('north', 'North Primary', 3);
    const b = view('ysgol', 'Ysgol Gynradd Llanfair — Łódź Ćwiczenia', 30);
    const first = await renderPdf(a, fonts);
    const other = await renderPdf(b, fonts);
    const again = await renderPdf(a, fonts);
    expect(content(again)).toBe(content(first));
    expect(content(other)).not.toBe(content(first));
    expect(content(await renderPdf(b, fonts))).toBe(content(other));
  });
});
