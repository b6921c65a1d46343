import { dirname, resolve } from 'node:path';
import { SOFTWARE_VERSION, configTopic, encodeMessage, parseTopic, type Logger } from '../contract/index.ts';
import { openAgentDirectory } from './agents/directory.ts';
import type { AlertEngine } from './alerts/engine.ts';
import { startAlerting } from './alerts/start.ts';
import { startEmbeddedBroker, type EmbeddedBroker } from './broker/embedded.ts';
import { readBrokerTls } from './broker/tls.ts';
import type { ResolvedCollectorConfig } from './config/load.ts';
import { loadSites } from './config/load.ts';
import type { SiteFile } from './config/schema.ts';
import { createIngest, type Ingest } from './ingest/index.ts';
import { siteConfigMessage } from './sites/config-message.ts';
import { createStatusHandler } from './status/agent-status.ts';
import { createInfluxWriter, type InfluxWriter } from './storage/influx-writer.ts';
import { ensureRetention } from './storage/retention.ts';
import type { Dispatcher } from './notify/dispatch.ts';
import { createDurableLog, type DurableLog } from './wal/durable.ts';
import { openCollectorWal } from './wal/open.ts';
import type { WalStats } from './wal/wal.ts';

export interface RunningCollector {
  broker: EmbeddedBroker;
  writer: InfluxWriter;
  ingest: Ingest;
  sites: readonly SiteFile[];
  alerts: AlertEngine;
  /** The acknowledgement endpoint's port, when collector.yaml has notify.ack. */
  ackPort: number | undefined;
  /** Resolves once InfluxDB answered and the database exists. */
  storageReady: Promise<void>;
  /** Resolves once what the write-ahead log held at start is queued to the writer again. */
  replayed: Promise<{ entries: number; points: number }>;
  walStats(): WalStats;
  stop(): Promise<void>;
}

/**
 * Starts the collector: the broker comes up at once so agents can connect, while the writer waits for
 * InfluxDB (retrying, logging the URL) and holds what arrives meanwhile.
 */
export interface CollectorExtras {
  /** Where alert messages go (tests pass their own). */
  dispatcher?: Dispatcher;
  /** Where secrets named by `...Env` keys are read (default: process.env). */
  env?: NodeJS.ProcessEnv;
}

export async function startCollector(config: ResolvedCollectorConfig, log: Logger, now: () => number = Date.now, extras: CollectorExtras = {}): Promise<RunningCollector> {
  const sites = loadSites(config.sitesDir);
  const agents = openAgentDirectory(config.agentsFile, {
    onReloadError: (err) => log.error({ err: err.message }, 'agents file unreadable; previous credentials stay in force'),
  });
  const retentionLog = log.child({ component: 'retention' });
  const dataDir = resolve(dirname(resolve(config.file)), config.dataDir);
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
        () => undefined,
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
  const alerting = await startAlerting({ config, sites, dataDir, points: writer, log, now, ...extras });
  const alerts = alerting.engine;
  // The engine judges what the write-ahead log accepted: the same samples InfluxDB gets.
  const ingest = createIngest({ writer, durable, log: log.child({ component: 'ingest' }), now, onAccepted: (b) => alerts.samples(b.site, b.agent, b.samples) });
  const status = createStatusHandler({ writer, log: log.child({ component: 'status' }), now, onStatus: (s) => alerts.status(s) });

  const broker = await startEmbeddedBroker({
    host: config.broker.host,
    port: config.broker.plain ? config.broker.port : null,
    tls: config.broker.tls && readBrokerTls(config.broker.tls, config.file),
    loginBackoff: config.broker.loginBackoff,
    revocationCheckMs: config.broker.revocationCheckMs,
    maxMessageBytes: config.broker.maxMessageBytes,
    now,
    agents,
    log,
    onPublish: async (packet, from) => {
      const kind = parseTopic(packet.topic)?.kind;
      if (kind === 'samples') return ingest.handle(packet.topic, packet.payload as Buffer, from);
      if (kind === 'status') return status.handle(packet.payload as Buffer, from);
      if (kind === 'events') alerts.event(packet.payload as Buffer, from);
    },
  });

  for (const site of sites) await publishSiteConfig(broker, site, now());
  alerting.start();
  log.info({ port: broker.port, tlsPort: broker.tlsPort, sites: sites.length, version: SOFTWARE_VERSION }, 'collector listening');

  return {
    broker,
    writer,
    ingest,
    sites,
    alerts,
    storageReady,
    replayed,
    walStats: () => wal.stats(),
    ackPort: alerting.ackPort,
    stop: async () => {
      alerting.engine.stop();
      await broker.close();
      await writer.stop({ timeoutMs: 10_000 });
      // Let a last group commit finish: its messages were not acknowledged, but they are stored.
      await durable?.settled().catch(() => undefined);
      wal.close();
      await alerting.close();
    },
  };
}

/** Retained, so an agent that connects later (or reconnects after an outage) gets it at once. */
function publishSiteConfig(broker: EmbeddedBroker, site: SiteFile, at: number): Promise<void> {
  const payload = encodeMessage(siteConfigMessage(site, at));
  return new Promise((resolve, reject) =>
    broker.aedes.publish(
      { cmd: 'publish', topic: configTopic(site.id), payload, qos: 1, retain: true, dup: false },
      (err?: Error) => (err ? reject(err) : resolve()),
    ),
  );
}
