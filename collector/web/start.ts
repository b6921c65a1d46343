import { DateTime } from 'luxon';
import type { AgentStatus, Logger } from '../../contract/index.ts';
import type { AlertEngine } from '../alerts/engine.ts';
import { previousMonth } from '../calendar/index.ts';
import type { ResolvedCollectorConfig } from '../config/load.ts';
import type { SiteFile } from '../config/schema.ts';
import { buildSiteReport } from '../reports/build.ts';
import { pdfFonts, renderPdf } from '../reports/render/pdf.ts';
import { createInfluxClient } from '../storage/influx-client.ts';
import { loadServiceAvailability } from './availability.ts';
import { overviewView, technicianView } from './provider-view.ts';
import { schoolView, type SchoolView, type ServiceAvailability } from './school-view.ts';
import { startWebServer, type WebModel } from './server.ts';
import type { ServiceState } from './services.ts';
import { WebStore, webFiles } from './store.ts';

/** How many finished months of report PDFs a school page offers. */
const REPORT_MONTHS = 3;
const PDF_CACHE = 16;

export interface RunningWeb {
  port: number;
  url: string;
  status(status: AgentStatus): void;
  stop(): Promise<void>;
}

/**
 * The web side of the collector (collector.yaml `web:`): it reads the alert engine's states and alerts, keeps
 * its own copy of the newest samples and agent statuses (for "last seen" and key numbers), re-reads this
 * month's availability from InfluxDB every `availabilityMinutes`, and serves the pages.
 */
export async function startWeb(o: {
  config: ResolvedCollectorConfig;
  sites: readonly SiteFile[];
  engine: AlertEngine;
  log: Logger;
  now: () => number;
  /** Resolves when InfluxDB answered and the database exists: availability is read from then on. */
  storageReady?: Promise<void>;
}): Promise<RunningWeb | undefined> {
  const web = o.config.web;
  if (web === undefined) return undefined;
  const log = o.log.child({ component: 'web' });
  const { engine, now } = o;
  const sites = new Map(o.sites.map((s) => [s.id, s]));
  const store = new WebStore(webFiles(o.config));
  // Planned windows added through the API join the site's own list in memory: the site objects are the ones the
  // alert engine, this month's availability and the report delivery read, so such a window mutes alerts and is
  // not counted against availability, as one written in sites/<id>.yaml. Kept in web.db and joined again at start.
  const yamlWindows = new Map(o.sites.map((s) => [s.id, s.maintenance]));
  const applyWindows = (id: string) => {
    const site = sites.get(id);
    if (site !== undefined) site.maintenance = [...(yamlWindows.get(id) ?? []), ...store.windows(id).map((w) => w.window)];
  };
  for (const id of sites.keys()) applyWindows(id);
  // The engine's: the newest sample of every series is the collector's biggest holder of memory (docs/sizing.md, "Memory").
  const obs = engine.observations();
  const statuses = new Map<string, AgentStatus>();
  const since = new Map<string, { state: ServiceState; since: number | undefined }>();
  const availability = new Map<string, ServiceAvailability[]>();
  const client = createInfluxClient(o.config.influx);
  const sources = () => ({ client, database: o.config.influx.database, rawDays: o.config.retention.rawDays, now: now() });

  // Availability in the background, one school at a time, so InfluxDB is never asked for everything at once.
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const refreshAvailability = async () => {
    for (const site of sites.values()) {
      if (stopped) return;
      try {
        availability.set(site.id, await loadServiceAvailability(sources(), site));
      } catch (err) {
        log.warn({ site: site.id, err: (err as Error).message }, 'web: availability not read; the last figures stay');
      }
    }
  };
  const loop = () => {
    refreshAvailability().finally(() => {
      if (!stopped) timer = setTimeout(loop, web.availabilityMinutes * 60_000);
      timer?.unref?.();
    });
  };
  (o.storageReady ?? Promise.resolve()).then(loop, () => undefined);

  const reportMonths = (site: SiteFile) => {
    let month = previousMonth(DateTime.fromMillis(now(), { zone: site.timezone }).toFormat('yyyy-LL'));
    const out: string[] = [];
    for (let i = 0; i < REPORT_MONTHS; i++, month = previousMonth(month)) out.push(month);
    return out;
  };
  const fonts = pdfFonts(o.config.reports.pdfFont);
  const pdfs = new Map<string, Promise<Buffer>>();
  let building: Promise<unknown> = Promise.resolve();
  const reportPdf = (site: SiteFile, month: string): Promise<Buffer> => {
    const key = `${site.id}/${month}`;
    const cached = pdfs.get(key);
    if (cached) return cached;
    // One report at a time: each reads a month from InfluxDB.
    const made = building.then(async () => renderPdf(await buildSiteReport(sources(), site, month, o.config.reports), fonts));
    building = made.catch(() => undefined);
    pdfs.set(key, made);
    made.catch(() => pdfs.delete(key));
    if (pdfs.size > PDF_CACHE) pdfs.delete(pdfs.keys().next().value!);
    return made;
  };

  const siteStateOf = (site: string) => {
    const state = engine.siteState(site);
    const agents = obs.agentsOf(site);
    const offlineSince = agents.length === 0 ? undefined : Math.max(...agents.map((a) => a.offlineAt ?? a.heardAt));
    return { state, since: state === 'offline' ? offlineSince : undefined };
  };
  const school = (id: string): SchoolView => {
    const site = sites.get(id)!;
    const token = store.currentLink(id);
    const view = schoolView({
      site,
      now: now(),
      siteState: siteStateOf(id),
      devices: engine.deviceStates(id),
      alerts: engine.alerts(),
      notes: store.notes(id),
      since,
      availability: availability.get(id),
      reports: token === undefined ? [] : reportMonths(site).map((m) => ({ month: m, href: `/s/${token}/reports/${m}.pdf` })),
    });
    // In place: copying the whole map per school made the overview (one view per school) quadratic in schools.
    for (const [key, record] of view.since) since.set(key, record);
    return view;
  };
  const agentsOf = (site: string) => [...statuses.values()].filter((s) => s.site === site);

  const model: WebModel = {
    siteExists: (id) => sites.has(id),
    siteDevices: (id) => sites.get(id)?.devices.map((d) => d.name) ?? [],
    maintenanceChanged: applyWindows,
    school,
    overview: (query) =>
      overviewView(
        [...sites.values()].map((site) => ({
          site,
          // An offline school is a problem for the provider even though its page can only say "no recent information".
          worst: engine.siteState(site.id) === 'offline' ? 'not-working' : school(site.id).overall,
          alerts: engine.alerts(),
          agents: agentsOf(site.id),
          heardAt: new Map(obs.agentsOf(site.id).map((a) => [a.agent, a.heardAt])),
          siteOnline: engine.siteState(site.id) === 'online',
          internetPct: availability.get(site.id)?.find((a) => a.service === 'internet')?.thisMonthPct,
        })),
        query,
        now(),
      ),
    technician: (id) => {
      const site = sites.get(id);
      if (site === undefined) return undefined;
      return technicianView({
        site,
        now: now(),
        devices: engine.deviceStates(id),
        series: (device) => obs.series(id, device),
        alerts: engine.alerts(),
        agents: agentsOf(id),
        grafanaUrl: web.grafanaUrl,
      });
    },
    reportMonths: (id) => (sites.has(id) ? reportMonths(sites.get(id)!) : []),
    reportPdf: (id, month) => reportPdf(sites.get(id)!, month),
    alertSite: (alertId) => engine.alerts().find((a) => a.id === alertId && a.state !== 'resolved')?.site,
  };

  // Each service's "since" is kept by watching: look at every school every few seconds, seen or not.
  const watch = setInterval(() => {
    for (const id of sites.keys()) {
      try {
        school(id);
      } catch (err) {
        log.warn({ site: id, err: (err as Error).message }, 'web: school state not updated');
      }
    }
  }, Math.min(5, web.refreshSeconds) * 1_000);
  watch.unref?.();

  let server;
  try {
    server = await startWebServer({
      host: web.host,
      port: web.port,
      secure: web.publicUrl.startsWith('https:'),
      refreshSeconds: web.refreshSeconds,
      sessionHours: web.sessionHours,
      publicUrl: web.publicUrl,
      store,
      model,
      log,
      now,
    });
  } catch (err) {
    stopped = true;
    if (timer) clearTimeout(timer);
    clearInterval(watch);
    store.close();
    throw err;
  }
  const running = server;
  return {
    port: running.port,
    url: running.url,
    status: (status) => {
      // Only what the broker's ACL let through reaches here: one entry per real agent.
      statuses.set(status.agent, status);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      clearInterval(watch);
      await running.close();
      for (const [id, windows] of yamlWindows) sites.get(id)!.maintenance = windows;
      await building.catch(() => undefined);
      store.close();
    },
  };
}
