import type { Logger } from '../../contract/index.ts';
import type { ResolvedCollectorConfig } from '../config/load.ts';
import type { SiteFile } from '../config/schema.ts';
import type { LineSink } from '../ingest/index.ts';
import type { Dispatcher } from '../notify/dispatch.ts';
import { ackLinksFromConfig, openNotifier, startAckEndpoint, type AckServer } from '../notify/index.ts';
import { createAlertEngine, type AlertEngine } from './engine.ts';
import { AlertStore, alertsDbFile } from './store.ts';

export interface Alerting {
  engine: AlertEngine;
  /** The acknowledgement endpoint's port, when collector.yaml has notify.ack. */
  ackPort: number | undefined;
  /** Starts evaluating and sending (once the rest of the collector is up). */
  start(): void;
  close(): Promise<void>;
}

/**
 * The collector's alerting in one call: the store (`<dataDir>/alerts.db`), the channels and the durable
 * dispatcher of `notify:` (a test may bring its own dispatcher), the engine, and the acknowledgement
 * endpoint, whose links the dispatcher signs per recipient when it sends.
 */
export async function startAlerting(o: {
  config: ResolvedCollectorConfig;
  sites: readonly SiteFile[];
  dataDir: string;
  points: LineSink;
  log: Logger;
  now: () => number;
  dispatcher?: Dispatcher;
  env?: NodeJS.ProcessEnv;
}): Promise<Alerting> {
  const { config, log, now } = o;
  const env = o.env ? { env: o.env } : {};
  const store = new AlertStore(alertsDbFile(config));
  const links = config.notify.ack ? ackLinksFromConfig(config.notify.ack, o.env, now) : undefined;
  const notifier =
    o.dispatcher === undefined && config.notify.channels.length > 0
      ? openNotifier({ notify: config.notify, ...(config.smtp ? { smtp: config.smtp } : {}), dataDir: o.dataDir, log, ...(links ? { links } : {}), ...env })
      : undefined;
  const dispatcher = o.dispatcher ?? notifier?.dispatcher;
  const engine = createAlertEngine({
    config: config.alerts,
    sites: o.sites,
    store,
    ...(dispatcher ? { dispatcher } : {}),
    channels: config.alerts.channels ?? config.notify.channels.map((c) => c.id),
    points: o.points,
    log: log.child({ component: 'alerts' }),
    now,
  });
  let ack: AckServer | undefined;
  try {
    if (config.notify.ack) {
      ack = (
        await startAckEndpoint(config.notify.ack, {
          acknowledge: (id, by, at) => engine.acknowledge(id, by, at, 'link'),
          describe: async (id) => store.get(id)?.title,
          log,
          now,
          ...env,
        })
      ).server;
    }
  } catch (err) {
    await notifier?.close();
    store.close();
    throw err;
  }
  return {
    engine,
    ackPort: ack?.port,
    start() {
      engine.start();
      notifier?.dispatcher.start();
    },
    async close() {
      engine.stop();
      await ack?.close();
      store.close();
      await notifier?.close();
    },
  };
}
