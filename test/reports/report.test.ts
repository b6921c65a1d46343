import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { DateTime } from 'luxon';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monthInterval } from '../../collector/calendar/index.ts';
import { buildSiteReport, type ReportSources } from '../../collector/reports/build.ts';
import { reportsConfigSchema } from '../../collector/reports/config.ts';
import type { ReportView } from '../../collector/reports/content/view-model.ts';
import { openReportLedger } from '../../collector/reports/delivery/ledger.ts';
import { createReportScheduler } from '../../collector/reports/delivery/scheduler.ts';
import { smtpTransport } from '../../collector/notify/smtp-transport.ts';
import { loadCollectorConfig } from '../../collector/config/load.ts';
import { startCollector } from '../../collector/run.ts';
import { renderReport, writeReport } from '../../collector/reports/outputs.ts';
import { escapeHtml } from '../../collector/reports/render/html.ts';
import { createInfluxClient } from '../../collector/storage/influx-client.ts';
import { backfillRollups, ensureRetention } from '../../collector/storage/retention.ts';
import { capturingLogger } from '../../collector/storage/test-support.ts';
import { freeTcpPort, makeTempDir, startInflux, waitFor, type InfluxServer, type TempDir } from '../harness/index.ts';
import { alertHistoryFromStore } from '../../collector/reports/data/alert-source.ts';
import { outageAlert, writeAlertStore } from './alert-fixtures.ts';
import { DATA_END, DATA_START, SCHOOL, ZONE, jitterLines, jitterSite, site, siteYaml, syntheticLines, writeLines } from './synthetic-month.ts';

const DB = 'hm_reports';
const alert = (school: string, device: string, since: string, o: Parameters<typeof outageAlert>[4]) => outageAlert(ZONE, school, device, since, o);
/** What the alert engine recorded for the outages of synthetic-month.ts, and for another school. */
const ALERTS = [
  alert('st-marys', 'broadband', '2026-09-30T23:30', { firing: '2026-09-30T23:32', ack: '2026-09-30T23:50', resolved: '2026-10-01T00:45' }),
  alert('st-marys', 'hall-ap', '2026-10-12T09:00', { firing: '2026-10-12T09:02', resolved: '2026-10-12T09:25' }),
  alert('st-marys', 'core-switch', '2026-10-14T22:10', { firing: '2026-10-14T22:12', resolved: '2026-10-14T23:40', notified: false, muted: 'maintenance' }),
  alert('st-marys', 'firewall', '2026-10-20T14:00', { firing: '2026-10-20T14:02', ack: '2026-10-20T14:06', resolved: '2026-10-20T14:30' }),
  alert('st-marys', 'core-switch', '2026-10-20T14:00', { firing: '2026-10-20T14:02', resolved: '2026-10-20T14:30', notified: false, muted: 'inhibited' }),
  alert('st-marys', 'hall-ap', '2026-10-20T14:00', { firing: '2026-10-20T14:02', resolved: '2026-10-20T14:30', notified: false, muted: 'inhibited' }),
  // 00:30 BST to 01:30 GMT: two real hours.
  alert('st-marys', 'broadband', '2026-10-25T00:30', { firing: '2026-10-25T00:32', ack: '2026-10-25T00:41', resolved: '2026-10-25T01:30+00:00' }),
  alert('north', 'router', '2026-10-05T10:00', { firing: '2026-10-05T10:02', ack: '2026-10-05T10:12', resolved: '2026-10-05T10:40' }),
  alert('north', 'router', '2026-10-06T10:00', { firing: '2026-10-06T10:02', ack: '2026-10-06T10:14', resolved: '2026-10-06T10:50' }),
];
const REPORTS = reportsConfigSchema.parse({ providerName: 'Northfield IT Services' });
let influx: InfluxServer;
let temp: TempDir;
let sources: ReportSources;
let raw: ReportView;
let rollup: ReportView;

beforeAll(async () => {
  influx = await startInflux();
  temp = makeTempDir('reports');
  await influx.query(`CREATE DATABASE "${DB}"`);
  const client = createInfluxClient({ url: influx.url, database: DB });
  // Long retention: the synthetic month is older than the default 45 days on this machine's clock.
  await ensureRetention(client, DB, { rawDays: 3_650, rollupDays: 3_650 }, capturingLogger().log);
  await writeLines(influx, DB, [...syntheticLines(), ...jitterLines()]);
  // The rollups the collector's hourly rounds would have made, made at once.
  await backfillRollups(client, DB, { from: DATA_START - 86_400_000, to: DATA_END });
  sources = { client, database: DB, rawDays: 45, now: Date.parse('2026-11-01T07:00:00Z') };
  const alertsFile = join(temp.path, 'alerts.db');
  writeAlertStore(alertsFile, ALERTS);
  raw = await buildSiteReport({ ...sources, source: 'raw', alerts: alertHistoryFromStore(alertsFile) }, site, '2026-10', REPORTS);
  rollup = await buildSiteReport({ ...sources, source: 'rollup' }, site, '2026-10', REPORTS);
}, 120_000);

afterAll(async () => {
  await influx?.stop();
  await temp?.remove();
});

const row = (view: ReportView, device: string) => view.devices.find((d) => d.device === device)!;

describe('October 2026 at a school in London, from raw samples', () => {
  it('is 745 hours long (clocks went back on the 25th)', () => {
    const oct = monthInterval('2026-10', ZONE);
    expect((oct.end - oct.start) / 60_000).toBe(44_700);
    expect(raw.howWeCount.join('\n')).toContain('(745 hours this month)');
  });

  it('headline figures equal the hand-computed ones, against the SLA and last month', () => {
    // Internet (broadband): down 45 min after midnight on the 1st + 120 min across the DST change; the
    // agent's 120 min offline are unknown and left out: 44,415 up / 44,580 counted.
    // Core services: the firewall's 30 min down; the core switch's firmware window (22:00-00:30, 150 min)
    // is left out, as are the 120 min unknown: 44,400 up / 44,430 counted.
    expect(raw.headline.map((h) => [h.label, h.pctText, h.met, h.previousText, h.changeText])).toEqual([
      // September: from the 25th (earlier: no data, left out), 60 + 30 min down: 8,550 / 8,640.
      ['Internet', '99.630 %', true, '98.958 %', '+0.672 pp'],
      ['Core services', '99.932 %', false, '100.000 %', '\u22120.068 pp'],
    ]);
  });

  it('per device: availability, downtime, outages, longest, MTTR', () => {
    expect(raw.devices.map((d) => [d.device, d.availabilityText, d.downtimeText, d.outages, d.longestText, d.mttrText, d.unknownText, d.maintenanceText])).toEqual([
      ['broadband', '99.630 %', '2 h 45 min', 2, '2 h 00 min', '1 h 23 min', '2 h 00 min', '0 min'],
      ['firewall', '99.933 %', '30 min', 1, '30 min', '30 min', '2 h 00 min', '0 min'],
      // Unreachable while the firewall was down counts as down (the default); its firmware window does not count.
      // Its whole window is maintenance (150 min), not just the 90 min it was down: 44,400 / 44,430.
      ['core-switch', '99.932 %', '30 min', 1, '30 min', '30 min', '2 h 00 min', '2 h 30 min'],
      // Its own 25 min and 30 min unreachable; the 90 min while its parent was in maintenance are maintenance too.
      ['hall-ap', '99.876 %', '55 min', 2, '30 min', '28 min', '2 h 00 min', '1 h 30 min'],
    ]);
  });

  it('lists every outage with its cause, to the minute, in local time', () => {
    expect(raw.incidents.map((i) => [i.device, i.startText, i.endText, i.durationText, i.countedText, i.cause, i.inMaintenance])).toEqual([
      ['broadband', 'Wed 30 Sep 23:30 (before the month)', 'Thu 1 Oct 00:45', '45 min', '45 min', 'down', false],
      ['whole site', 'Thu 8 Oct 10:00', 'Thu 8 Oct 12:00', '2 h 00 min', '0 min', 'site offline (no data from the school\u2019s agent)', false],
      ['hall-ap', 'Mon 12 Oct 09:00', 'Mon 12 Oct 09:25', '25 min', '25 min', 'down', false],
      ['core-switch', 'Wed 14 Oct 22:10', 'Wed 14 Oct 23:40', '1 h 30 min', '0 min', 'down', true],
      ['hall-ap', 'Wed 14 Oct 22:10', 'Wed 14 Oct 23:40', '1 h 30 min', '0 min', 'unreachable (core-switch down)', true],
      ['core-switch', 'Tue 20 Oct 14:00', 'Tue 20 Oct 14:30', '30 min', '30 min', 'unreachable (firewall down)', false],
      ['firewall', 'Tue 20 Oct 14:00', 'Tue 20 Oct 14:30', '30 min', '30 min', 'down', false],
      ['hall-ap', 'Tue 20 Oct 14:00', 'Tue 20 Oct 14:30', '30 min', '30 min', 'unreachable (firewall down)', false],
      // 00:30 BST to 01:30 GMT: an hour on the clock, two real hours.
      ['broadband', 'Sun 25 Oct 00:30', 'Sun 25 Oct 01:30', '2 h 00 min', '2 h 00 min', 'down', false],
    ]);
  });

  it('each outage with its alert\'s acknowledgement and resolution; page 1 medians beside the provider\'s', () => {
    expect(raw.incidents.map((i) => [i.device, i.startText.slice(0, 16), i.acknowledgedText, i.resolvedText])).toEqual([
      ['broadband', 'Wed 30 Sep 23:30', 'Wed 30 Sep 23:50 (18 min after the alert)', 'Thu 1 Oct 00:45'],
      ['whole site', 'Thu 8 Oct 10:00', 'no alert raised', '\u2013'],
      ['hall-ap', 'Mon 12 Oct 09:00', 'not acknowledged', 'Mon 12 Oct 09:25'],
      ['core-switch', 'Wed 14 Oct 22:10', 'not paged (planned maintenance)', 'Wed 14 Oct 23:40'],
      ['hall-ap', 'Wed 14 Oct 22:10', 'no alert raised', '\u2013'],
      ['core-switch', 'Tue 20 Oct 14:00', 'not paged (the device it is reached through was down)', 'Tue 20 Oct 14:30'],
      ['firewall', 'Tue 20 Oct 14:00', 'Tue 20 Oct 14:06 (4 min after the alert)', 'Tue 20 Oct 14:30'],
      ['hall-ap', 'Tue 20 Oct 14:00', 'not paged (the device it is reached through was down)', 'Tue 20 Oct 14:30'],
      ['broadband', 'Sun 25 Oct 00:30', 'Sun 25 Oct 00:41 (9 min after the alert)', 'Sun 25 Oct 01:30'],
    ]);
    // Paged in October about St Mary's: hall-ap (not acknowledged; fixed in 25 min), firewall (4; 30),
    // broadband (9; 120). The September page and the muted ones are left out. Medians 6.5 min (shown 7) and
    // 30 min. With North's (10; 40) and (12; 50): 9.5 min (shown 10) and 40 min.
    expect(raw.response?.lines).toEqual([
      'Time to acknowledge (median): 7 min for this school, 10 min across all our schools.',
      'Time to fix (median): 30 min for this school, 40 min across all our schools.',
      'From 3 alerts that paged our on-call staff about this school (2 acknowledged, 3 resolved); 5 across 2 schools.',
    ]);
  });

  it('daily chart: 31 local days, the DST day with its 25 hours', () => {
    expect(raw.daily).toHaveLength(31);
    const day = (date: string) => raw.daily.find((d) => d.date === date)!;
    // 1 Oct: 45 of 1,440 min down. 25 Oct: 120 of 1,500 min. 8 Oct: 120 min unknown, left out.
    expect(day('2026-10-01').internetPct?.toFixed(3)).toBe(((100 * 1_395) / 1_440).toFixed(3));
    expect(day('2026-10-25').internetPct?.toFixed(3)).toBe(((100 * 1_380) / 1_500).toFixed(3));
    expect(day('2026-10-08').internetPct).toBe(100);
    expect(day('2026-10-20').coreServicesPct?.toFixed(3)).toBe(((100 * 1_410) / 1_440).toFixed(3));
  });

  it('internet latency p50/p95 and loss; printer and UPS notes', () => {
    // 12 ms, but 40 ms every 10th minute; loss 100 % on the 165 down checks of 44,580.
    expect(raw.latency).toEqual({ p50Text: '12.0 ms', p95Text: '40.0 ms', lossText: '0.37 %', basis: 'every check of the internet link' });
    expect(raw.notes).toEqual([
      'Printer office-printer: Black Toner Cartridge at 4 % (Fri 30 Oct 09:00).',
      'UPS server-ups ran on battery once (first Tue 20 Oct 14:00, about 12 min in all).',
    ]);
  });
});

describe('from the 5-minute rollups', () => {
  it('the same figures as from raw samples, to three decimals', () => {
    expect(rollup.headline.map((h) => h.pctText)).toEqual(raw.headline.map((h) => h.pctText));
    expect(rollup.devices.map((d) => [d.availabilityText, d.downtimeText])).toEqual(raw.devices.map((d) => [d.availabilityText, d.downtimeText]));
    expect(rollup.incidents.map((i) => [i.startText, i.durationText])).toEqual(raw.incidents.map((i) => [i.startText, i.durationText]));
    expect(rollup.howWeCount.at(-1)).toMatch(/5-minute rollups/);
  });

  it('agree within 0.01 percentage points where edges fall inside a 5-minute window (school hours, unknown as down)', async () => {
    const a = await buildSiteReport({ ...sources, source: 'raw' }, jitterSite, '2026-10', REPORTS);
    const b = await buildSiteReport({ ...sources, source: 'rollup' }, jitterSite, '2026-10', REPORTS);
    const figures = (v: ReportView) => [...v.headline.map((h) => h.pct), ...v.devices.map((d) => d.availabilityPct)];
    const diffs = figures(a).map((x, i) => Math.abs(x! - figures(b)[i]!));
    expect(figures(a).every((x) => x !== null && x < 100)).toBe(true);
    expect(Math.max(...diffs)).toBeLessThan(0.01);
  });
});

describe('outputs', () => {
  it('PDF: its text holds the school and the figures; page 1 renders to a PNG', async () => {
    const rendered = await renderReport(raw);
    const [html, pdf, csv] = writeReport(temp.path, rendered);
    expect([html, pdf, csv].map((f) => f!.slice(temp.path.length + 1))).toEqual(['st-marys-2026-10.html', 'st-marys-2026-10.pdf', 'st-marys-2026-10.csv']);
    const text = execFileSync('pdftotext', ['-layout', pdf!, '-'], { encoding: 'utf8' });
    // A long name wraps onto a second line.
    expect(text.replace(/\s+/g, ' ')).toContain(SCHOOL);
    for (const figure of ['99.630 %', '99.932 %', '99.933 %', '99.876 %', 'target missed', '2 h 45 min', 'Sun 25 Oct 00:30', '745 hours', 'Black Toner Cartridge at 4 %']) expect(text).toContain(figure);
    execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', '-singlefile', pdf!, join(temp.path, 'page1')]);
    const png = join(temp.path, 'page1.png');
    expect(statSync(png).size).toBeGreaterThan(10_000);
    // The sample in the README: HM_UPDATE_SAMPLE=1 npx vitest run test/reports/report.test.ts
    if (process.env['HM_UPDATE_SAMPLE'] === '1') copyFileSync(png, new URL('../../docs/sample-report.png', import.meta.url));
  });

  it('HTML: the name escaped, nothing of it read as markup', async () => {
    const { html } = await renderReport(raw);
    expect(html).toContain(`<h1 style="font-size:21px;margin:4px 0;">${escapeHtml(SCHOOL)}</h1>`);
    expect(escapeHtml(SCHOOL)).toBe('St Mary&#39;s &amp; St John&#39;s &quot;\u00c9glise&quot; Primary \u2014 Ysgol Gymraeg');
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).not.toMatch(/<style|<link/);
  });

  it('CSV: the name in one quoted field, read back whole', async () => {
    const { csv } = await renderReport(raw);
    const lines = csv.replace(/^\ufeff/, '').split('\r\n');
    // Measured: 44,580 of 44,700 minutes (the agent's 2 hours offline), rounded down.
    expect(lines[1]).toBe(
      `"St Mary's & St John's ""\u00c9glise"" Primary \u2014 Ysgol Gymraeg",st-marys,2026-10,Internet,99.630,99.5,true,98.958 %,whole month,"Whole month: Thu 1 Oct 00:00 to Sun 1 Nov 00:00 (Europe/London), 745 hours",99.731,target met`,
    );
    expect(lines).toContain('hall-ap,access-point,99.876,55,2,30 min,28 min,2 h 00 min,1 h 30 min,0 min');
  });
});

describe('hallmonitor-collector report', () => {
  it('writes the three files of one school, or of all, from collector.yaml; --send mails it', async () => {
    const smtp = await startSmtpServer({ refuseFirst: 0 });
    try {
      const dir = join(temp.path, 'cli');
      mkdirSync(join(dir, 'sites'), { recursive: true });
      const smtpConfig = { host: '127.0.0.1', port: smtp.port, from: 'noc@northfield.example' };
      writeFileSync(join(dir, 'collector.yaml'), stringify({ influx: { url: influx.url, database: DB }, smtp: smtpConfig, reports: { providerName: 'Northfield IT Services' } }));
      writeFileSync(join(dir, 'sites', 'st-marys.yaml'), stringify(siteYaml));
      const bin = new URL('../../bin/hallmonitor-collector.js', import.meta.url).pathname;
      // Asynchronous: the SMTP server answers from this process.
      const run = (args: string[]) => spawnAsync(process.execPath, [bin, 'report', '-c', join(dir, 'collector.yaml'), ...args]);
      const one = await run(['--site', 'st-marys', '--month', '2026-10', '--out', join(dir, 'out'), '--source', 'raw', '--send']);
      expect(one.stderr).toBe('');
      const lines = one.stdout.trim().split('\n');
      expect(lines.slice(0, 3)).toEqual(['html', 'pdf', 'csv'].map((ext) => join(dir, 'out', `st-marys-2026-10.${ext}`)));
      expect(lines[3]).toMatch(/^mailed st-marys 2026-10 to sbm@st-marys.example, head@st-marys.example: </);
      expect(smtp.received.map((r) => r.mail.attachments[0]?.filename)).toEqual(['st-marys-2026-10.pdf']);
      expect(readFileSync(join(dir, 'out', 'st-marys-2026-10.csv'), 'utf8')).toContain('hall-ap,access-point,99.876,55,');
      // Without --source the month's age picks raw data or rollups (45 days of raw by default): the same figures.
      const all = await run(['--all', '--month', '2026-10', '--out', join(dir, 'all')]);
      expect(all.status).toBe(0);
      expect(readFileSync(join(dir, 'all', 'st-marys-2026-10.csv'), 'utf8')).toContain('hall-ap,access-point,99.876,55,');
      const wrong = await run(['--month', '2026-10']);
      expect(wrong.status).toBe(2);
      expect(wrong.stderr).toContain('give either --site <id> or --all');
      // The month in progress, by the real clock: month to date, never judged on so little.
      const current = DateTime.now().setZone(ZONE).toFormat('yyyy-MM');
      const toDate = await run(['--site', 'st-marys', '--month', current, '--out', join(dir, 'now')]);
      expect(toDate.status).toBe(0);
      const csv = readFileSync(join(dir, 'now', `st-marys-${current}.csv`), 'utf8');
      expect(csv).toContain(',month to date,"Month to date: ');
      expect(csv).not.toMatch(/target met|target missed|hours this month/);
      for (const [month, error] of [
        ['2026-13', '--month: expected a month as YYYY-MM (e.g. "2026-10"), got "2026-13"'],
        ['2999-01', "--month 2999-01: has not begun yet in st-marys's time zone (Europe/London)"],
      ]) {
        const refused = await run(['--site', 'st-marys', '--month', month!, '--out', join(dir, 'none')]);
        expect([refused.status, refused.stderr.trim()]).toEqual([2, error]);
      }
    } finally {
      await smtp.stop();
    }
    // Seven runs of the CLI, each a new process on a shared machine.
  }, 240_000);
});

describe('delivery', () => {
  it('mails the report contacts with the PDF, a copy to the provider; a refused send is retried; never twice', async () => {
    const smtp = await startSmtpServer({ refuseFirst: 1 });
    const ledgerFile = join(temp.path, 'reports.db');
    let clock = Date.parse('2026-11-01T07:00:00Z');
    const config = reportsConfigSchema.parse({ providerName: 'Northfield IT Services', providerCopy: 'reports@northfield.example', retry: { attempts: 3, delayMinutes: 15 } });
    const transport = smtpTransport({ host: '127.0.0.1', port: smtp.port, secure: false, from: 'Northfield NOC <noc@northfield.example>', allowSelfSigned: false });
    const { log, records } = capturingLogger();
    const collector = (owner: string) => {
      const ledger = openReportLedger(ledgerFile);
      const scheduler = createReportScheduler({
        sites: () => [site],
        config,
        from: 'Northfield NOC <noc@northfield.example>',
        ledger,
        send: async (mail) => ({ messageId: String((await transport.sendMail(mail)).messageId) }),
        build: async (s, month) => {
          const view = await buildSiteReport({ ...sources, now: clock }, s, month, config);
          return { view, report: await renderReport(view) };
        },
        owner,
        now: () => clock,
        log,
      });
      return { scheduler, ledger };
    };
    const a = collector('collector-a');
    const b = collector('collector-b');
    try {
      expect(await a.scheduler.tick()).toEqual([{ site: 'st-marys', month: '2026-10', result: 'retry', attempt: 1, error: expect.stringMatching(/451/) }]);
      expect(await b.scheduler.tick()).toEqual([]);
      clock += 15 * 60_000;
      expect(await b.scheduler.tick()).toEqual([{ site: 'st-marys', month: '2026-10', result: 'sent', attempt: 2 }]);
      expect(await a.scheduler.tick()).toEqual([]);
      // A restart of collector A on the same file, later the same day.
      a.ledger.close();
      const restarted = collector('collector-a');
      clock += 3_600_000;
      expect(await restarted.scheduler.tick()).toEqual([]);
      restarted.ledger.close();
      expect(records.filter((r) => r.msg === 'monthly report not sent; will try again').map((r) => [r.site, r.attempt])).toEqual([['st-marys', 1]]);

      expect(smtp.received).toHaveLength(1);
      const [{ mail, rcptTo }] = smtp.received as [ReceivedMail];
      expect(rcptTo.sort()).toEqual(['head@st-marys.example', 'reports@northfield.example', 'sbm@st-marys.example']);
      expect(mail.subject).toBe(`Uptime report October 2026: ${SCHOOL}`);
      expect((mail.cc as AddressObject).text).toBe('reports@northfield.example');
      expect(mail.html).toContain(escapeHtml(SCHOOL));
      expect(mail.text).toContain('Internet: 99.630 % (target 99.5 %, met)');
      expect(mail.attachments.map((x) => [x.filename, x.contentType])).toEqual([['st-marys-2026-10.pdf', 'application/pdf']]);
      const pdf = join(temp.path, 'mailed.pdf');
      writeFileSync(pdf, mail.attachments[0]!.content);
      const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
      expect(text.replace(/\s+/g, ' ')).toContain(SCHOOL);
      expect(text).toContain('99.630 %');
    } finally {
      b.ledger.close();
      transport.close();
      await smtp.stop();
    }
  });
});

describe('a running collector', () => {
  it('mails the report that is due when it starts, and records it', async () => {
    const smtp = await startSmtpServer({ refuseFirst: 0 });
    const dir = join(temp.path, 'collector');
    mkdirSync(join(dir, 'sites'), { recursive: true });
    writeFileSync(join(dir, 'sites', 'st-marys.yaml'), stringify(siteYaml));
    writeFileSync(join(dir, 'agents.yaml'), 'agents: []\n');
    writeFileSync(
      join(dir, 'collector.yaml'),
      stringify({
        broker: { host: '127.0.0.1', port: await freeTcpPort() },
        influx: { url: influx.url, database: DB },
        retention: { rawDays: 3_650, rollupDays: 3_650 },
        smtp: { host: '127.0.0.1', port: smtp.port, from: 'noc@northfield.example' },
        reports: { providerCopy: 'reports@northfield.example' },
      }),
    );
    const collector = await startCollector(loadCollectorConfig(join(dir, 'collector.yaml')), capturingLogger().log, () => Date.parse('2026-11-02T09:00:00Z'));
    try {
      await waitFor(() => smtp.received.length === 1, { timeoutMs: 30_000, what: 'the report mail' });
      expect(smtp.received[0]!.mail.attachments[0]?.filename).toBe('st-marys-2026-10.pdf');
    } finally {
      await collector.stop();
      await smtp.stop();
    }
    const ledger = openReportLedger(join(dir, 'data', 'reports.db'));
    expect(ledger.get('st-marys', '2026-10')).toMatchObject({ state: 'sent', attempts: 1 });
    ledger.close();
  });
});

function spawnAsync(command: string, args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
      if (err !== null && typeof err.code !== 'number') reject(err);
      else resolve({ status: err === null ? 0 : (err.code as number), stdout, stderr });
    });
  });
}

interface ReceivedMail {
  mail: ParsedMail;
  rcptTo: string[];
}

/** An in-process SMTP server that refuses the first `refuseFirst` messages with 451 (try again later). */
async function startSmtpServer(o: { refuseFirst: number }): Promise<{ port: number; received: ReceivedMail[]; stop(): Promise<void> }> {
  const received: ReceivedMail[] = [];
  let refuse = o.refuseFirst;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (refuse > 0) {
          refuse--;
          return callback(Object.assign(new Error('mailbox busy, try again later'), { responseCode: 451 }));
        }
        simpleParser(Buffer.concat(chunks)).then(
          (mail) => {
            received.push({ mail, rcptTo: session.envelope.rcptTo.map((r) => r.address) });
            callback();
          },
          (err: Error) => callback(err),
        );
      });
    },
  });
  const port = await freeTcpPort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { port, received, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
