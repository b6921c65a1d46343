import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Logger } from '../../../contract/index.ts';
import type { ResolvedCollectorConfig } from '../../config/load.ts';
import type { SiteFile } from '../../config/schema.ts';
import { smtpTransport } from '../../notify/smtp-transport.ts';
import { createInfluxClient } from '../../storage/influx-client.ts';
import { alertsDbFile } from '../../alerts/store.ts';
import { schoolStatusLink } from '../../web/link.ts';
import { buildSiteReport } from '../build.ts';
import { alertHistoryFromStore } from '../data/alert-source.ts';
import { renderReport } from '../outputs.ts';
import { pdfFonts } from '../render/pdf.ts';
import { openReportLedger } from './ledger.ts';
import { createReportScheduler, type ReportScheduler } from './scheduler.ts';

/**
 * The collector's monthly report delivery: the scheduler with its ledger (`reports.db` in the data folder),
 * InfluxDB and the shared SMTP transport. Undefined when reports are off or there is no `smtp:`.
 */
export function startReportDelivery(config: ResolvedCollectorConfig, sites: () => readonly SiteFile[], log: Logger, now: () => number = Date.now): ReportScheduler | undefined {
  if (!config.reports.enabled) return undefined;
  if (config.smtp === undefined) {
    log.info('monthly reports are not mailed: collector.yaml has no smtp section');
    return undefined;
  }
  const ledger = openReportLedger(join(resolve(dirname(resolve(config.file)), config.dataDir), 'reports.db'));
  const transport = smtpTransport(config.smtp);
  const client = createInfluxClient(config.influx);
  const fonts = pdfFonts(config.reports.pdfFont);
  const scheduler = createReportScheduler({
    sites,
    config: config.reports,
    from: config.smtp.from,
    ledger,
    send: async (mail) => ({ messageId: String((await transport.sendMail(mail)).messageId) }),
    build: async (site, month) => {
      // Looked up at each report: the alert engine makes its store on its first start.
      const alerts = alertHistoryFromStore(alertsDbFile(config));
      const view = await buildSiteReport({ client, database: config.influx.database, rawDays: config.retention.rawDays, now: now(), alerts }, site, month, config.reports);
      return { view, report: await renderReport(view, fonts) };
    },
    statusLink: (site) => schoolStatusLink(config, site, now()),
    owner: `${hostname()}:${process.pid}`,
    now,
    log,
  });
  scheduler.start();
  return {
    tick: scheduler.tick,
    start: scheduler.start,
    async stop() {
      await scheduler.stop();
      transport.close();
      ledger.close();
    },
  };
}
