import type { Logger } from '../../../contract/index.ts';
import type { SiteFile } from '../../config/schema.ts';
import type { ReportsConfig } from '../config.ts';
import type { ReportView } from '../content/view-model.ts';
import type { RenderedReport } from '../outputs.ts';
import type { ReportLedger } from './ledger.ts';
import { reportMail, reportRecipients, type ReportMail } from './message.ts';
import { dueReport } from './schedule.ts';

export interface ReportSchedulerOptions {
  sites: () => readonly SiteFile[];
  config: ReportsConfig;
  /** The From address (collector.yaml smtp.from). */
  from: string;
  ledger: ReportLedger;
  /** Hands the mail to the SMTP server; rejects when it was not accepted. */
  send: (mail: ReportMail) => Promise<{ messageId: string }>;
  build: (site: SiteFile, month: string) => Promise<{ view: ReportView; report: RenderedReport }>;
  /** The school's status page link for its mail (collector/web/link.ts); undefined when the pages are off. */
  statusLink?: (site: string) => string | undefined;
  /** Who claims, in the ledger (host and process), so two collectors tell their claims apart. */
  owner: string;
  now: () => number;
  log: Logger;
  /** A claim still `sending` after this long belongs to a sender that died. Default 1 hour. */
  leaseMs?: number;
}

export interface DeliveryOutcome {
  site: string;
  month: string;
  result: 'sent' | 'retry' | 'failed';
  attempt: number;
  error?: string;
}

export interface ReportScheduler {
  /** One pass: every school whose report is due and not yet claimed is built and mailed. */
  tick(): Promise<DeliveryOutcome[]>;
  start(everyMs?: number): void;
  stop(): Promise<void>;
}

/** Mails each school's monthly report on its day (see schedule.ts), once (see ledger.ts). */
export function createReportScheduler(o: ReportSchedulerOptions): ReportScheduler {
  const leaseMs = o.leaseMs ?? 3_600_000;
  const warned = new Set<string>();
  let running: Promise<DeliveryOutcome[]> | undefined;
  let timer: NodeJS.Timeout | undefined;

  const deliver = async (site: SiteFile, month: string, to: string[]): Promise<DeliveryOutcome | undefined> => {
    const now = o.now();
    const attempt = o.ledger.claim(site.id, month, o.owner, now);
    if (attempt === undefined) return undefined;
    const fields = { site: site.id, month, attempt };
    try {
      const { view, report } = await o.build(site, month);
      const { messageId } = await o.send(reportMail(view, report, { from: o.from, to, providerCopy: o.config.providerCopy, statusLink: o.statusLink?.(site.id) }));
      o.ledger.sent(site.id, month, o.owner, o.now(), messageId);
      o.log.info({ ...fields, recipients: to.length, messageId }, 'monthly report sent');
      return { site: site.id, month, result: 'sent', attempt };
    } catch (err) {
      const error = (err as Error).message;
      const state = o.ledger.failed(site.id, month, o.owner, error, { now: o.now(), delayMs: o.config.retry.delayMinutes * 60_000, maxAttempts: o.config.retry.attempts });
      const result = state === 'retry' ? 'retry' : 'failed';
      if (result === 'retry') o.log.warn({ ...fields, err: error, retryInMinutes: o.config.retry.delayMinutes }, 'monthly report not sent; will try again');
      else o.log.error({ ...fields, err: error }, `monthly report not sent after ${attempt} attempts; giving up: send it with \`hallmonitor-collector report --site ${site.id} --month ${month} --send\``);
      return { site: site.id, month, result, attempt, error };
    }
  };

  const pass = async (): Promise<DeliveryOutcome[]> => {
    for (const r of o.ledger.interruptStale(o.now(), leaseMs)) {
      o.log.error({ site: r.site, month: r.month, claimedBy: r.claimedBy }, `monthly report interrupted while sending; not re-sent automatically, as it may have gone out: check with the school, and if needed send it with \`hallmonitor-collector report --site ${r.site} --month ${r.month} --send\``);
    }
    const outcomes: DeliveryOutcome[] = [];
    for (const site of o.sites()) {
      if (!site.report.enabled) continue;
      const due = dueReport(site.timezone, site.report.schedule ?? o.config.schedule, o.config.catchUpDays, o.now());
      if (due === undefined) continue;
      const to = reportRecipients(site.contacts);
      if (to.length === 0) {
        const key = `${site.id}/${due.month}`;
        if (!warned.has(key)) o.log.warn({ site: site.id, month: due.month }, 'monthly report due but the site has no contact with role "report" and an email');
        warned.add(key);
        continue;
      }
      const outcome = await deliver(site, due.month, to);
      if (outcome !== undefined) outcomes.push(outcome);
    }
    return outcomes;
  };

  const tick = (): Promise<DeliveryOutcome[]> => {
    // One pass at a time: a slow build must not overlap the next timer tick.
    running ??= pass().finally(() => {
      running = undefined;
    });
    return running;
  };

  return {
    tick,
    start(everyMs = 60_000) {
      const run = () => void tick().catch((err: Error) => o.log.error({ err: err.message }, 'report scheduler pass failed'));
      run();
      timer = setInterval(run, everyMs);
      timer.unref();
    },
    async stop() {
      if (timer !== undefined) clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
