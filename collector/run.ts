import { dirname, join, resolve } from 'node:path';
import { SOFTWARE_VERSION, configTopic, encodeMessage, parseTopic, type Logger } from '../contract/index.ts';
import { openAgentDirectory } from './agents/directory.ts';
import type { AlertEngine } from './alerts/engine.ts';
import { startAlerting } from './alerts/start.ts';
import { startBrokerReport } from './broker/report.ts';
import { startEmbeddedBroker, type EmbeddedBroker } from './broker/embedded.ts';
import { connectExternalBroker, type ExternalBroker } from './broker/external.ts';
import type { OnPublish } from './broker/hooks.ts';
import { checkPlainListener } from './broker/plain-policy.ts';
import { readBrokerTls } from './broker/tls.ts';
import type { ResolvedCollectorConfig } from './config/load.ts';
import { ensurePrivateDir, makePrivate } from './files/private.ts';
import { loadSites } from './config/load.ts';
import type { SiteFile } from './config/schema.ts';
import { createIngest, ingestLimits, openLearnedState, startIngestReport, type Ingest } from './ingest/index.ts';
import { startReportDelivery } from './reports/delivery/service.ts';
import { siteConfigMessage } from './sites/config-message.ts';
import { startSchoolState } from './school-state/start.ts';
import { createStatusHandler } from './status/agent-status.ts';
import { createInfluxWriter, type InfluxWriter } from './storage/influx-writer.ts';
import { backfillRollups, ensureRetention } from './storage/retention.ts';
import type { Dispatcher } from './notify/dispatch.ts';
import { startWeb, type RunningWeb } from './web/start.ts';
import { createDurableLog, type DurableLog } from './wal/durable.ts';
import { startVitals } from './vitals/vitals.ts';
import { fillDailyInternet } from './rollups/daily-internet-fill.ts';
import { startLateBacklog } from './rollups/late-backlog.ts';
import { createInfluxClient } from './storage/influx-client.ts';
import { startRollupScheduler, type RollupScheduler } from './rollups/scheduler.ts';
import { openWatermarks } from './rollups/watermarks.ts';
import { openCollectorWal } from './wal/open.ts';
import type { WalStats } from './wal/wal.ts';

export interface CollectorParts {
  writer: InfluxWriter;
  /** Schools' spools replayed too late for the hourly rollups, waiting to be rolled up; runDue() does it now. */
  lateBacklog: { runDue(): Promise<void>; pending(): ReadonlyMap<string, unknown> };
  /** Each school's hourly rollups (collector/rollups/scheduler.ts). */
  rollups: RollupScheduler;
  ingest: Ingest;
  /** Writes the ingest's counts (`collector_ingest`) every interval; report() does it now. */
  ingestReport: { report(): unknown };
  /** Writes each school's `school_state` every interval; write() does it now. */
  schoolState: { write(): void };
  sites: readonly SiteFile[];
  /** Resolves once InfluxDB answered and the database exists. */
  storageReady: Promise<void>;
  /** Resolves once what the write-ahead log held at start is queued to the writer again. */
  replayed: Promise<{ entries: number; points: number }>;
  walStats(): WalStats;
  alerts: AlertEngine;
  /** The acknowledgement endpoint's port, when collector.yaml has notify.ack. */
  ackPort: number | undefined;
  /** The status pages' port, when collector.yaml has web:. */
  webPort: number | undefined;
  stop(): Promise<void>;
}

export interface CollectorExtras {
  /** Where alert messages go (tests pass their own). */
  dispatcher?: Dispatcher;
  /** Where secrets named by `...Env` keys are read (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** How long a school's replay must be quiet before its late backlog is rolled up (tests shorten it). */
  lateBacklogQuietMs?: number;
  /** The rollup scheduler's hour, check interval and retry delays (tests shorten them). */
  rollupTiming?: { hourMs?: number; checkEveryMs?: number; retryBaseMs?: number; retryMaxMs?: number };
}

/** The collector with its embedded broker (broker.mode: embedded). */
export interface RunningCollector extends CollectorParts {
  broker: EmbeddedBroker;
  /** Writes the broker's counts (`collector_broker`) every interval; report() does it now. */
  brokerReport: { report(): void };
}

/** The collector as a member of a shared subscription on an external broker (broker.mode: external). */
export interface RunningExternalCollector extends CollectorParts {
  external: ExternalBroker;
}

/** Whichever broker.mode says; what the CLI runs. */
export function startConfiguredCollector(config: ResolvedCollectorConfig, log: Logger, now: () => number = Date.now, extras: CollectorExtras = {}): Promise<CollectorParts> {
  return config.broker.mode === 'external' ? startExternalCollector(config, log, now, extras) : startCollector(config, log, now, extras);
}

/**
 * Starts the collector: the broker comes up at once so agents can connect, while the writer waits for
 * InfluxDB (retrying, logging the URL) and holds what arrives meanwhile.
 */
export async function startCollector(config: ResolvedCollectorConfig, log: Logger, now: () => number = Date.now, extras: CollectorExtras = {}): Promise<RunningCollector> {
  if (config.broker.mode !== 'embedded') throw new Error(`${config.file}: broker.mode is ${config.broker.mode}: use startExternalCollector`);
  const plainWarning = checkPlainListener(config.broker, config.file);
  if (plainWarning) log.warn({ host: config.broker.host, port: config.broker.port }, plainWarning);
  const core = await startCore(config, log, now, extras);
  let broker: EmbeddedBroker;
  try {
    broker = await startEmbeddedBroker({
      host: config.broker.host,
      port: config.broker.plain ? config.broker.port : null,
      tls: config.broker.tls && readBrokerTls(config.broker.tls, config.file),
      loginBackoff: config.broker.loginBackoff,
      revocationCheckMs: config.broker.revocationCheckMs,
      maxMessageBytes: config.broker.maxMessageBytes,
      now,
      agents: core.agents,
      log,
      onPublish: core.onPublish,
      onRefusal: (who, reason) => core.parts.ingest.refusedByBroker(who, reason),
    });
  } catch (err) {
    await core.stop();
    throw err;
  }
  const brokerReport = startBrokerReport({
    stats: broker.stats,
    connections: () => broker.connections(),
    writer: core.parts.writer,
    log: log.child({ component: 'broker' }),
    now,
    intervalMs: config.ingest.reportIntervalSeconds * 1_000,
  });
  for (const site of core.sites) await publishRetained(broker, configTopic(site.id), encodeMessage(siteConfigMessage(site, now())));
  core.startAlerting();
  log.info({ port: broker.port, tlsPort: broker.tlsPort, sites: core.sites.length, version: SOFTWARE_VERSION }, 'collector listening');
  return {
    ...core.parts,
    broker,
    brokerReport,
    stop: () =>
      core.stop(async () => {
        await broker.close();
        brokerReport.stop();
      }),
  };
}

/**
 * Starts the collector in external mode: it connects to the provider's broker (retrying while it is down) and
 * publishes each site's retained config there. Resolves at once; `external.subscribed` says when messages flow.
 */
export async function startExternalCollector(config: ResolvedCollectorConfig, log: Logger, now: () => number = Date.now, extras: CollectorExtras = {}): Promise<RunningExternalCollector> {
  const settings = config.broker.external;
  if (config.broker.mode !== 'external' || !settings) throw new Error(`${config.file}: broker.mode is not external`);
  const core = await startCore(config, log, now, extras);
  let external: ExternalBroker;
  try {
    external = connectExternalBroker({
      config: settings,
      configFile: config.file,
      agents: core.agents,
      log,
      onPublish: core.onPublish,
      maxMessageBytes: config.broker.maxMessageBytes,
    });
  } catch (err) {
    await core.stop();
    throw err;
  }
  for (const site of core.sites) {
    external.publishRetained(configTopic(site.id), encodeMessage(siteConfigMessage(site, now()))).catch((err: Error) =>
      log.error({ site: site.id, err: err.message }, 'site config not published to the external broker'),
    );
  }
  core.startAlerting();
  external.subscribed.then(
    () => log.info({ url: settings.url, group: settings.group, sites: core.sites.length, version: SOFTWARE_VERSION }, 'collector subscribed'),
    () => undefined,
  );
  return { ...core.parts, external, stop: () => core.stop(() => external.close()) };
}

/** What both modes share: sites, agents, the write-ahead log, the InfluxDB writer, the ingest and status handlers, alerting and reports. */
async function startCore(config: ResolvedCollectorConfig, log: Logger, now: () => number, extras: CollectorExtras) {
  const sites = loadSites(config.sitesDir);
  const agents = openAgentDirectory(config.agentsFile, {
    onReloadError: (err) => log.error({ err: err.message }, 'agents file unreadable; previous credentials stay in force'),
  });
  const retentionLog = log.child({ component: 'retention' });
  const dataDir = resolve(dirname(resolve(config.file)), config.dataDir);
  ensurePrivateDir(dataDir);
  const wal = openCollectorWal(dataDir);
  let durable: DurableLog | undefined;
  const writer = createInfluxWriter({
    onWritten: (chunks) => durable?.written(chunks),
    ...config.influx,
    log: log.child({ component: 'influx' }),
    now,
    // Without the policies, samples still go to the database's default policy: log, and keep collecting.
    prepare: (client) =>
      ensureRetention(client, config.influx.database, config.retention, retentionLog).then(
        () => {
          // In the background: the writer need not wait for days of an older version's rollups.
          fillDailyInternet(client, config.influx.database, join(dataDir, 'daily-internet.json'), retentionLog).catch((err: Error) =>
            retentionLog.warn({ err: err.message }, 'daily internet rollup not filled for earlier days; tried again at the next start'),
          );
        },
        (err: Error) => retentionLog.error({ err: err.message }, 'retention policies and rollups not set up'),
      ),
  });
  const storageReady = writer.start();
  storageReady.catch((err: Error) => log.error({ err: err.message }, 'InfluxDB writer stopped before it was ready'));
  const walLog = log.child({ component: 'wal' });
  durable = createDurableLog({ wal, target: writer, maxBytes: config.wal.maxBytes, log: walLog });
  // Before any new message: the log's entries go to the writer first, and agents' resends meet their seqs.
  const replayed = durable.replay();
  replayed.then(
    (r) => r.entries > 0 && walLog.info(r, 'write-ahead log replayed to InfluxDB writer'),
    (err: Error) => walLog.error({ err: err.message }, 'write-ahead log replay stopped; the rest is written on the next start'),
  );
  let alerting: Awaited<ReturnType<typeof startAlerting>>;
  try {
    alerting = await startAlerting({ config, sites, dataDir, points: writer, log, now, ...extras });
  } catch (err) {
    await writer.stop({ timeoutMs: 1_000 });
    wal.close();
    throw err;
  }
  const alerts = alerting.engine;
  let web: RunningWeb | undefined;
  try {
    web = await startWeb({ config, sites, engine: alerts, log, now, storageReady });
  } catch (err) {
    await alerting.close();
    await writer.stop({ timeoutMs: 1_000 });
    wal.close();
    throw err;
  }
  // The engine judges what the write-ahead log accepted: the same samples InfluxDB gets.
  const ingestLog = log.child({ component: 'ingest' });
  // Per school, its devices' last results as one point (docs/dashboards.md): the overview reads that.
  const schoolState = startSchoolState({ sites: () => sites.map((s) => s.id), writer, now, intervalMs: config.ingest.reportIntervalSeconds * 1_000 });
  // Every school's hourly rollups, one school at a time spread over the hour (collector/rollups/).
  const rollupClient = createInfluxClient(config.influx);
  const rollupLog = log.child({ component: 'rollups' });
  const rollups = startRollupScheduler({
    sites: () => sites.map((s) => s.id),
    roll: (t) => storageReady.then(() => backfillRollups(rollupClient, config.influx.database, t)),
    written: () => writer.flush(),
    watermarks: openWatermarks(join(dataDir, 'rollups.json'), (err) => rollupLog.warn({ err: err.message }, 'rollups.json unreadable; every school starts at the last closed hour')),
    log: rollupLog,
    now,
    settleMs: config.rollups.settleMinutes * 60_000,
    spreadMs: config.rollups.spreadMinutes * 60_000,
    rawMs: config.retention.rawDays * 86_400_000,
    ...extras.rollupTiming,
  });
  // A school's spool replayed into hours already rolled up: its rollups recomputed (collector/rollups/).
  const lateBacklog = startLateBacklog({
    rolledUntil: (site) => rollups.rolledUntil(site),
    backfill: (site, span) => backfillRollups(rollupClient, config.influx.database, { ...span, site }),
    // After an InfluxDB outage, every school over it, one after another: never one fleet-wide statement.
    sites: () => sites.map((s) => s.id),
    written: () => writer.flush(),
    writerOutageSince: () => writer.stats().outageSince,
    log: rollupLog,
    now,
    ...(extras.lateBacklogQuietMs !== undefined ? { quietMs: extras.lateBacklogQuietMs, checkEveryMs: Math.max(100, extras.lateBacklogQuietMs / 4) } : {}),
  });
  // Learned field types and per-site series outlive a restart (docs/security.md).
  const learned = openLearnedState(join(dataDir, 'ingest-learned.sqlite'), ingestLog);
  const ingest = createIngest({
    learned,
    writer,
    durable,
    log: ingestLog,
    now,
    onAccepted: (b) => {
      alerts.samples(b.site, b.agent, b.samples);
      schoolState.observe(b.site, b.samples);
      lateBacklog.observe(b.site, b.samples);
    },
    ...ingestLimits(config, sites),
  });
  const ingestReport = startIngestReport({ ingest, writer, log: ingestLog, now, intervalMs: config.ingest.reportIntervalSeconds * 1_000 });
  // The collector's own health, one log line per interval (collector/vitals/).
  const vitals = startVitals({ pendingPoints: () => writer.stats().pendingPoints, walBytes: () => wal.stats().bytes }, log.child({ component: 'vitals' }), config.ingest.reportIntervalSeconds * 1_000);
  const status = createStatusHandler({
    writer,
    log: log.child({ component: 'status' }),
    now,
    onStatus: (s) => {
      alerts.status(s);
      web?.status(s);
    },
  });

  const onPublish: OnPublish = async (packet, from) => {
    const kind = parseTopic(packet.topic)?.kind;
    if (kind === 'samples') return ingest.handle(packet.topic, packet.payload as Buffer, from);
    if (kind === 'status') return status.handle(packet.payload as Buffer, from);
    if (kind === 'events') alerts.event(packet.payload as Buffer, from);
  };

  // Monthly reports: mailed on each school's day, once (collector/reports/delivery/).
  const reports = startReportDelivery(config, () => sites, log.child({ component: 'reports' }), now);

  // Every database in the data folder is open now: 0600 each, whatever the umask (docs/security.md).
  makePrivate(dataDir);
  const finish = durable;
  return {
    sites,
    agents,
    onPublish,
    parts: { writer, lateBacklog, rollups, ingest, ingestReport, schoolState, sites, storageReady, replayed, walStats: () => wal.stats(), alerts, ackPort: alerting.ackPort, webPort: web?.port },
    /** Alerts start judging once the broker is up (a site not heard from yet is not declared offline before). */
    startAlerting: () => alerting.start(),
    /** Closes the broker side first (nothing new comes in), then alerts, reports, the writer and the log. */
    async stop(closeBroker: () => Promise<void> = async () => undefined) {
      await closeBroker();
      await web?.stop();
      alerting.engine.stop();
      ingestReport.stop();
      vitals.stop();
      lateBacklog.stop();
      rollups.stop();
      schoolState.stop();
      await reports?.stop();
      await writer.stop({ timeoutMs: 10_000 });
      // Let a last group commit finish: its messages were not acknowledged, but they are stored.
      await finish.settled().catch(() => undefined);
      wal.close();
      learned.close();
      await alerting.close();
    },
  };
}

/** Retained, so an agent that connects later (or reconnects after an outage) gets it at once. */
function publishRetained(broker: EmbeddedBroker, topic: string, payload: Buffer): Promise<void> {
  return new Promise((resolve, reject) =>
    broker.aedes.publish({ cmd: 'publish', topic, payload, qos: 1, retain: true, dup: false }, (err?: Error) => (err ? reject(err) : resolve())),
  );
}
