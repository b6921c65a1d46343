import type { Command } from 'commander';
import { DateTime } from 'luxon';
import { ConfigError, createLogger, say } from '../../contract/index.ts';
import { monthInterval } from '../calendar/index.ts';
import { loadCollectorConfig, loadSites } from '../config/load.ts';
import { createInfluxClient } from '../storage/influx-client.ts';
import { smtpTransport } from '../notify/smtp-transport.ts';
import { alertsDbFile } from '../alerts/store.ts';
import { schoolStatusLink } from '../web/link.ts';
import { buildSiteReport } from './build.ts';
import { alertHistoryFromStore } from './data/alert-source.ts';
import type { DataSource } from './data/influx-source.ts';
import { reportMail, reportRecipients } from './delivery/message.ts';
import { renderReport, writeReport } from './outputs.ts';
import { pdfFonts } from './render/pdf.ts';
import { eachBounded } from './pool.ts';
import { startPacer } from './pace/pacer.ts';
import { readWriteCounters } from './pace/write-counters.ts';
import type { SiteFile } from '../config/schema.ts';
import { idOption, influxProblem, monthOption, outputFolder, writingInto } from '../cli/user-input.ts';

/** `hallmonitor-collector report`: one school's (or every school's) month as HTML, PDF and CSV files. */
export function addReportCommand(program: Command, configOption: readonly [string, string, string]): void {
  program
    .command('report')
    .description('write the monthly uptime report (HTML, PDF, CSV) of one school or of all')
    .option('--site <id>', 'the school\'s site id')
    .option('--all', 'every school in the sites folder')
    .option('--month <YYYY-MM>', 'the month (default: last month in each school\'s time zone)')
    .option('--out <dir>', 'folder for the files', '.')
    .option('--source <raw|rollup>', 'read raw samples or 5-minute rollups (default: raw while retained)')
    .option('--concurrency <n>', 'with --all: schools made at once (default: reports.concurrency in collector.yaml, 4)')
    .option('--send', 'also mail it now to the school\'s report contacts and the provider copy (smtp: in collector.yaml), e.g. after a failed delivery')
    .option(...configOption)
    .action(async (opts: { site?: string; all?: boolean; month?: string; out: string; source?: string; send?: boolean; concurrency?: string; config: string }) => {
      if ((opts.site === undefined) === (opts.all !== true)) throw new ConfigError('report: give either --site <id> or --all');
      if (opts.source !== undefined && opts.source !== 'raw' && opts.source !== 'rollup') throw new ConfigError(`--source: expected "raw" or "rollup", got "${opts.source}"`);
      if (opts.site !== undefined) idOption(opts.site, '--site');
      if (opts.month !== undefined) monthOption(opts.month);
      const config = loadCollectorConfig(opts.config);
      const all = loadSites(config.sitesDir);
      const sites = opts.all === true ? all : all.filter((s) => s.id === opts.site);
      if (sites.length === 0) throw new ConfigError(`${config.sitesDir}: no site "${opts.site}"`);
      if (opts.send === true && config.smtp === undefined) throw new ConfigError(`${opts.config}: --send needs an smtp section`);
      outputFolder(opts.out);
      const transport = opts.send === true ? smtpTransport(config.smtp!) : undefined;
      const client = createInfluxClient(config.influx);
      const fonts = pdfFonts(config.reports.pdfFont);
      const now = Date.now();
      const alerts = alertHistoryFromStore(alertsDbFile(config));
      const concurrency = opts.concurrency === undefined ? config.reports.concurrency : concurrencyOption(opts.concurrency);
      const one = async (site: SiteFile) => {
        const month = opts.month ?? DateTime.fromMillis(now, { zone: site.timezone }).minus({ months: 1 }).toFormat('yyyy-MM');
        // A month not begun has nothing to report; the current month is reported to date.
        if (monthInterval(month, site.timezone).start > now) throw new ConfigError(`--month ${month}: has not begun yet in ${site.id}'s time zone (${site.timezone})`);
        const view = await buildSiteReport(
          { client, database: config.influx.database, rawDays: config.retention.rawDays, now, alerts, ...(opts.source === undefined ? {} : { source: opts.source as DataSource }) },
          site,
          month,
          config.reports,
        ).catch((err: unknown) => {
          throw influxProblem(err, { file: config.file, url: config.influx.url, database: config.influx.database }) ?? err;
        });
        const report = await renderReport(view, fonts);
        for (const file of writingInto(opts.out, () => writeReport(opts.out, report))) say(file);
        if (transport !== undefined) {
          const to = reportRecipients(site.contacts);
          if (to.length === 0) throw new ConfigError(`${site.id}: no contact with role "report" and an email`);
          const sent = await transport.sendMail(reportMail(view, report, { from: config.smtp!.from, to, providerCopy: config.reports.providerCopy, statusLink: schoolStatusLink(config, site.id) }));
          say(`mailed ${site.id} ${month} to ${to.join(', ')}: ${String(sent.messageId)}`);
        }
      };
      try {
        if (opts.all !== true) return await one(sites[0]!);
        // Every school, a few at a time (pool.ts), fewer while InfluxDB's writes are slow (pace/); one
        // school's failure is told and the others still made.
        const log = createLogger('report', config.logLevel);
        const pace = config.reports.pace;
        const pacer = pace.enabled && concurrency > 1
          ? await startPacer({ max: concurrency, slowMs: pace.slowWriteMs, quickMs: pace.quickWriteMs, intervalMs: pace.everySeconds * 1000, read: () => readWriteCounters(config.influx), log })
          : undefined;
        const outcomes = await eachBounded(sites, concurrency, one, pacer).finally(() => pacer?.stop());
        // Said only when it mattered: a run that never narrowed leaves stderr clean, as before pacing.
        const paced = pacer?.summary();
        if (paced !== undefined && paced.narrowest < concurrency) log.info(paced, 'reports: paced by InfluxDB\'s write time');
        const failed = outcomes.filter((o) => !o.ok);
        if (failed.length === 0) return;
        for (const f of failed) process.stderr.write(`report ${f.item.id}: ${failureText(f.error)}\n`);
        process.stderr.write(`report --all: ${failed.length} of ${sites.length} schools failed: ${failed.map((f) => f.item.id).join(', ')}\n`);
        // Every failure a user mistake (month not begun, no report contact, InfluxDB unreachable): 2, as a single report would.
        process.exitCode = failed.every((f) => f.error instanceof ConfigError) ? 2 : 1;
      } finally {
        transport?.close();
      }
    });
}

/** `--concurrency <n>`: a whole number of schools at once, 1 to 32. */
function concurrencyOption(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 32) throw new ConfigError(`--concurrency: expected a whole number from 1 to 32, got "${text}"`);
  return n;
}

/** One line for a school that failed: a user mistake as it is, anything else with its name. */
function failureText(err: unknown): string {
  if (err instanceof ConfigError) return err.message;
  return err instanceof Error ? `${err.name}: ${err.message.split('\n')[0]}` : String(err);
}
