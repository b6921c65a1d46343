import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { siteFileSchema, type SiteFile } from '../../collector/config/schema.ts';
import { buildSiteReport, type ReportSources } from '../../collector/reports/build.ts';
import { reportsConfigSchema } from '../../collector/reports/config.ts';
import type { ReportView } from '../../collector/reports/content/view-model.ts';
import { alertHistoryFromStore } from '../../collector/reports/data/alert-source.ts';
import { renderReport, writeReport, type RenderedReport } from '../../collector/reports/outputs.ts';
import { createInfluxClient } from '../../collector/storage/influx-client.ts';
import { toLine } from '../../collector/storage/line.ts';
import { ensureRetention } from '../../collector/storage/retention.ts';
import { capturingLogger } from '../../collector/storage/test-support.ts';
import { makeTempDir, startInflux, type InfluxServer, type TempDir } from '../harness/index.ts';
import { CHART_COLOURS } from '../../collector/reports/content/chart.ts';
import { outageAlert, writeAlertStore } from './alert-fixtures.ts';

/**
 * Reports that say what they know (issue 12, item 5), through real InfluxDB, the alert engine's SQLite store
 * and the rendered PDF:
 * - Riverside Infant, first monitored on Tue 20 Oct 2026 09:12, its October report made on 1 November:
 *   the 19 days before are "not monitored", no verdict on 37.5 % of the month, a day at 83.4 % visible.
 * - Hillside Junior, its December report made on Sun 6 Dec 14:05, "month to date".
 * Every figure is worked out by hand below.
 */
const ZONE = 'Europe/London';
const DB = 'hm_month_so_far';
const MINUTE = 60_000;
const local = (text: string) => DateTime.fromISO(text, { zone: ZONE }).toMillis();
const REPORTS = reportsConfigSchema.parse({ providerName: 'Northfield IT Services' });

const siteOf = (id: string, name: string, devices: object[]): SiteFile => siteFileSchema.parse({ id, name, timezone: ZONE, devices });
const riverside = siteOf('riverside', 'Riverside Infant', [
  { name: 'broadband', address: '127.0.0.1', role: 'internet' },
  { name: 'firewall', address: '127.0.0.2', role: 'firewall' },
  { name: 'core-switch', address: '127.0.0.3', role: 'core-switch', parent: 'firewall' },
]);
const hillside = siteOf('hillside', 'Hillside Junior', [
  { name: 'line', address: '127.0.0.1', role: 'internet' },
  { name: 'firewall', address: '127.0.0.2', role: 'firewall' },
]);

/** [start, end) of each device's outages. */
const DOWN: Record<string, Record<string, [number, number][]>> = {
  riverside: {
    // 239 of the 22nd's 1,440 minutes: 83.403 %.
    broadband: [[local('2026-10-22T10:00'), local('2026-10-22T13:59')]],
    firewall: [[local('2026-10-27T09:00'), local('2026-10-27T09:20')]],
    'core-switch': [[local('2026-10-27T09:00'), local('2026-10-27T09:20')]],
  },
  hillside: { line: [[local('2026-12-03T08:00'), local('2026-12-03T08:30')]] },
};

const RIVERSIDE_FIRST = local('2026-10-20T09:12');
const RIVERSIDE_NOW = Date.parse('2026-11-01T07:00:00Z');
const HILLSIDE_FIRST = local('2026-11-25T00:00');
const HILLSIDE_NOW = local('2026-12-06T14:05');

function lines(site: SiteFile, from: number, to: number): string[] {
  const out: string[] = [];
  for (let t = from; t < to; t += MINUTE) {
    for (const d of site.devices) {
      const down = (DOWN[site.id]?.[d.name] ?? []).some(([s, e]) => s <= t && t < e);
      out.push(toLine({ measurement: 'ping', tags: { device: d.name, role: d.role }, fields: down ? { up: 0, loss_pct: 100 } : { up: 1, loss_pct: 0, rtt_avg_ms: 9 }, time: t }, site.id));
    }
  }
  return out;
}

const alert = (site: string, device: string, since: string, o: Parameters<typeof outageAlert>[4]) => outageAlert(ZONE, site, device, since, o);

const ALERTS = [
  // Riverside: paged 10:02, acknowledged 10:09 (7 min), resolved 13:59 (239 min after it began).
  alert('riverside', 'broadband', '2026-10-22T10:00', { firing: '2026-10-22T10:02', ack: '2026-10-22T10:09', resolved: '2026-10-22T13:59' }),
  // Acknowledged after 3 min, fixed after 20.
  alert('riverside', 'firewall', '2026-10-27T09:00', { firing: '2026-10-27T09:02', ack: '2026-10-27T09:05', resolved: '2026-10-27T09:20' }),
  // Its parent was down: inhibited, paged no one.
  alert('riverside', 'core-switch', '2026-10-27T09:00', { firing: '2026-10-27T09:02', resolved: '2026-10-27T09:20', notified: false, muted: 'inhibited' }),
  // Two other schools: acknowledged after 20, 30, 40 min; fixed after 60, 90, 120 min.
  alert('south', 'router', '2026-10-02T09:00', { firing: '2026-10-02T09:02', ack: '2026-10-02T09:22', resolved: '2026-10-02T10:00' }),
  alert('west', 'router', '2026-10-04T09:00', { firing: '2026-10-04T09:02', ack: '2026-10-04T09:32', resolved: '2026-10-04T10:30' }),
  alert('west', 'router', '2026-10-05T09:00', { firing: '2026-10-05T09:02', ack: '2026-10-05T09:42', resolved: '2026-10-05T11:00' }),
  // Hillside: paged, not acknowledged, resolved.
  alert('hillside', 'line', '2026-12-03T08:00', { firing: '2026-12-03T08:02', resolved: '2026-12-03T08:30' }),
];

let influx: InfluxServer;
let temp: TempDir;
let sources: ReportSources;
const out: Record<string, { view: ReportView; report: RenderedReport; pdfText: string; pdf: string }> = {};

async function make(site: SiteFile, month: string, now: number) {
  const view = await buildSiteReport({ ...sources, now }, site, month, REPORTS);
  const report = await renderReport(view);
  const [, pdf] = writeReport(temp.path, report);
  const pdfText = execFileSync('pdftotext', ['-layout', pdf!, '-'], { encoding: 'utf8' });
  // HM_KEEP_PAGE1=<dir>: page 1 as a PNG there, to look at.
  const keep = process.env['HM_KEEP_PAGE1'];
  if (keep !== undefined) execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', '-singlefile', pdf!, join(keep, `${site.id}-${month}`)]);
  return { view, report, pdfText, pdf: pdf! };
}

beforeAll(async () => {
  influx = await startInflux();
  temp = makeTempDir('month-so-far');
  await influx.query(`CREATE DATABASE "${DB}"`);
  const client = createInfluxClient({ url: influx.url, database: DB });
  await ensureRetention(client, DB, { rawDays: 3_650, rollupDays: 3_650 }, capturingLogger().log);
  const all = [...lines(riverside, RIVERSIDE_FIRST, RIVERSIDE_NOW), ...lines(hillside, HILLSIDE_FIRST, HILLSIDE_NOW)];
  for (let i = 0; i < all.length; i += 20_000) await influx.write(DB, all.slice(i, i + 20_000), 'ms');

  const file = join(temp.path, 'alerts.db');
  writeAlertStore(file, ALERTS);
  sources = { client, database: DB, rawDays: 45, now: 0, alerts: alertHistoryFromStore(file) };
  out.riverside = await make(riverside, '2026-10', RIVERSIDE_NOW);
  out.hillside = await make(hillside, '2026-12', HILLSIDE_NOW);
}, 180_000);

afterAll(async () => {
  await influx?.stop();
  await temp?.remove();
});

const flat = (text: string) => text.replace(/\s+/g, ' ');
const csvOf = (r: RenderedReport) => r.csv.replace(/^\ufeff/, '').split('\r\n');

describe('a month in progress (Hillside, 6 December 14:05)', () => {
  const PERIOD = 'Month to date: Tue 1 Dec 00:00 to Sun 6 Dec 14:05 (Europe/London), 5 d 14 h 05 min of the month\u2019s 744 hours';

  it('says "month to date" with its covered period on page 1 of the HTML, the PDF and the CSV', () => {
    const { view, report, pdfText } = out.hillside!;
    expect(view.periodText).toBe(PERIOD);
    expect(report.html).toContain(PERIOD);
    const page1 = execFileSync('pdftotext', ['-layout', '-f', '1', '-l', '1', out.hillside!.pdf, '-'], { encoding: 'utf8' });
    expect(flat(page1)).toContain(PERIOD);
    expect(flat(page1)).toContain('Monthly uptime report \u2014 December 2026 (month to date)');
    expect(csvOf(report)[1]).toContain(`,month to date,"${PERIOD}",`);
    expect(flat(pdfText)).toContain('the remaining 25 d 9 h 55 min of its 744 hours are still to come and not counted');
  });

  it('never "target met" on 18 % of the month; never "744 hours this month"', () => {
    const { view, report, pdfText } = out.hillside!;
    // 8,045 minutes so far, 30 down: 99.627 %; 8,045 of 44,640 measured: 18.0 %.
    expect(view.headline.map((h) => [h.pctText, h.met, h.verdictText])).toEqual([
      ['99.627 %', null, 'not judged yet: 18.0 % of the month measured, 90 % needed'],
      ['100.000 %', null, 'not judged yet: 18.0 % of the month measured, 90 % needed'],
    ]);
    for (const text of [report.html, pdfText, report.csv]) {
      expect(text).not.toMatch(/target met|target missed/);
      expect(text).not.toContain('hours this month');
      expect(flat(text)).toContain('not judged yet');
    }
  });

  it('the CSV claims no unknown or unmonitored time for the rest of the month; days to come are "future"', () => {
    const rows = csvOf(out.hillside!.report);
    const devices = rows.slice(rows.indexOf('device,role,availability_pct,downtime_min,outages,longest,mttr,unknown,maintenance,not_monitored') + 1);
    expect(devices.slice(0, 2)).toEqual(['line,internet,99.627,30,1,30 min,30 min,0 min,0 min,0 min', 'firewall,firewall,100.000,0,0,\u2013,\u2013,0 min,0 min,0 min']);
    expect(rows).toContain('2026-12-06,100.000,100.000,to date');
    expect(rows).toContain('2026-12-07,,,future');
    expect(rows.filter((r) => r.endsWith(',future'))).toHaveLength(25);
    expect(out.hillside!.view.response?.lines.slice(0, 2)).toEqual([
      'Time to acknowledge (median): none acknowledged for this school, none acknowledged across all our schools.',
      'Time to fix (median): 30 min for this school, 30 min across all our schools.',
    ]);
    // The paged, unacknowledged alert.
    expect(rows.find((r) => r.startsWith('line,Thu 3 Dec 08:00'))).toBe('line,Thu 3 Dec 08:00,Thu 3 Dec 08:30,30,30 min,down,false,not acknowledged,Thu 3 Dec 08:30');
  });
});

describe('a school first monitored on the 20th (Riverside, October)', () => {
  it('says when monitoring began, counts only monitored time, and judges nothing on 37.5 %', () => {
    const { view, report, pdfText } = out.riverside!;
    const note = 'Monitoring of this school began Tue 20 Oct 09:12: the 19 d 9 h 12 min before it were not monitored and are not counted.';
    expect(view.periodNotes).toEqual([note]);
    for (const text of [report.html, pdfText, report.csv]) expect(flat(text)).toContain(note);
    // Monitored from 20 Oct 09:12 BST to 1 Nov 00:00 GMT: 16,788 minutes (the clocks went back), 239 down;
    // 16,788 of October's 44,700 minutes: 37.557 %, said as 37.5 %.
    expect(view.headline[0]).toMatchObject({ pctText: '98.576 %', met: null, verdictText: 'not judged: 37.5 % of the month measured, 90 % needed' });
    expect(view.devices.map((d) => [d.device, d.unknownText, d.notMonitoredText])).toEqual([
      ['broadband', '0 min', '19 d 9 h 12 min'],
      ['firewall', '0 min', '19 d 9 h 12 min'],
      ['core-switch', '0 min', '19 d 9 h 12 min'],
    ]);
    expect(view.headline[0]!.previousText).toBe('no report');
  });

  it('each outage shows when the provider acknowledged its alert and when it was resolved', () => {
    const { view, report } = out.riverside!;
    expect(view.incidents.map((i) => [i.device, i.startText, i.acknowledgedText, i.resolvedText])).toEqual([
      ['broadband', 'Thu 22 Oct 10:00', 'Thu 22 Oct 10:09 (7 min after the alert)', 'Thu 22 Oct 13:59'],
      ['core-switch', 'Tue 27 Oct 09:00', 'not paged (the device it is reached through was down)', 'Tue 27 Oct 09:20'],
      ['firewall', 'Tue 27 Oct 09:00', 'Tue 27 Oct 09:05 (3 min after the alert)', 'Tue 27 Oct 09:20'],
    ]);
    expect(report.html).toContain('<th style="padding:6px 8px;border-bottom:1px solid #e2e8f0;text-align:left;vertical-align:top;background:#f7fafc;font-weight:600;font-size:12px;color:#4a5568;">Acknowledged</th>');
    expect(flat(out.riverside!.pdfText)).toContain('Our response');
  });

  it('page 1 gives the median time to acknowledge and to fix beside the provider\'s over all its schools', () => {
    // Riverside: 7 and 3 min (median 5); 239 and 20 min (129.5, shown 2 h 10 min). All: 7, 3, 20, 30, 40 (20);
    // 239, 20, 60, 90, 120 (90). The inhibited core switch paged no one: left out.
    const lines = [
      'Time to acknowledge (median): 5 min for this school, 20 min across all our schools.',
      'Time to fix (median): 2 h 10 min for this school, 1 h 30 min across all our schools.',
      'From 2 alerts that paged our on-call staff about this school (2 acknowledged, 2 resolved); 5 across 3 schools.',
    ];
    expect(out.riverside!.view.response?.lines).toEqual(lines);
    const page1 = flat(execFileSync('pdftotext', ['-layout', '-f', '1', '-l', '1', out.riverside!.pdf, '-'], { encoding: 'utf8' }));
    for (const l of lines) expect(page1).toContain(l);
  });

  it('the low day (83.4 %) has a bar of over a quarter of the chart in the HTML and the PDF; the PDF explains the axis', () => {
    const { view, report, pdfText, pdf } = out.riverside!;
    expect(view.daily.find((d) => d.date === '2026-10-22')?.internetPct?.toFixed(3)).toBe('83.403');
    expect(view.lowestDayText).toBe('Lowest day: internet Thu 22 Oct 83.403 %; core services Tue 27 Oct 98.611 %.');
    // HTML: 100 px of chart.
    const html = /title="83\.403 %" style="[^"]*height:(\d+)px/.exec(report.html);
    expect(Number(html?.[1])).toBeGreaterThanOrEqual(25);
    expect(flat(pdfText)).toContain('Bars start at 0 %. The axis is broken at 83 %');
    expect(flat(pdfText)).toContain('Lowest day: internet Thu 22 Oct 83.403 %');
    // PDF: page 1 as pixels; the internet bars are the runs of columns in the internet blue.
    const bars = barHeights(pdf, CHART_COLOURS.internet);
    if (process.env['HM_SHOW_BARS'] === '1') process.stderr.write(`internet bars (px): ${bars.join(' ')}\n`);
    // 20 to 31 October: twelve days with data, the 22nd the third.
    expect(bars).toHaveLength(12);
    const tallest = Math.max(...bars);
    expect(bars[2]! / tallest).toBeGreaterThan(0.22);
    expect(bars[2]! / tallest).toBeLessThan(0.32);
    expect(bars.filter((_, i) => i !== 2).every((h) => h >= tallest - 1)).toBe(true);
  });

  it('"How we count" says in every output how a broadband cut\'s spooled samples count', () => {
    const { report, pdfText } = out.riverside!;
    const rule = 'They count as measured, at the time they were measured, so a cut shows as \u201cinternet down\u201d, not as \u201cunknown\u201d.';
    expect(flat(report.html)).toContain(rule);
    expect(flat(pdfText)).toContain(rule);
    // Quoted: the rule has commas (RFC 4180).
    expect(csvOf(report)).toContain(`how we count,"A broadband cut does not stop the checks: the school\u2019s agent keeps measuring, keeps the results in its spool and delivers them when the line is back. ${rule}"`);
  });
});

/** Heights in pixels of the bars of one colour on page 1 (pdftoppm at 100 dpi, read as PPM). */
function barHeights(pdf: string, colour: string): number[] {
  const base = join(temp.path, `bars-${Date.now()}`);
  execFileSync('pdftoppm', ['-r', '100', '-f', '1', '-l', '1', '-singlefile', pdf, base]);
  const ppm = readFileSync(`${base}.ppm`);
  const header = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(ppm.subarray(0, 50).toString('latin1'))!;
  const [w, h, offset] = [Number(header[1]), Number(header[2]), header[0].length];
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(colour.slice(i, i + 2), 16));
  const matches = (x: number, y: number) => {
    const p = offset + 3 * (y * w + x);
    return Math.abs(ppm[p]! - r!) < 12 && Math.abs(ppm[p + 1]! - g!) < 12 && Math.abs(ppm[p + 2]! - b!) < 12;
  };
  // Per column, the longest vertical run of the colour; bars are runs of columns taller than the legend square.
  const column = Array.from({ length: w }, (_, x) => {
    let best = 0;
    let run = 0;
    for (let y = 0; y < h; y++) {
      run = matches(x, y) ? run + 1 : 0;
      best = Math.max(best, run);
    }
    return best;
  });
  const bars: number[] = [];
  let current = 0;
  for (const c of [...column, 0]) {
    if (c > 12) current = Math.max(current, c);
    else if (current > 0) {
      bars.push(current);
      current = 0;
    }
  }
  return bars;
}
