/**
 * The notify side of alerting: channels that format and send, the durable dispatcher that owns retries and
 * the record of deliveries, and acknowledgement links with their endpoint. The alert pipeline
 * (collector/alerts/) hands over `Delivery`s and supplies the `acknowledge` callback.
 */
import { join } from 'node:path';
import type { Clock } from '../../contract/clock.ts';
import type { Logger } from '../../contract/index.ts';
import type { SmtpConfig } from '../config/schema.ts';
import type { AckLinks } from './ack/link.ts';
import { createChannels } from './channels/index.ts';
import type { NotifyConfig } from './config.ts';
import { OutboxDispatcher, retryPolicy } from './dispatcher.ts';
import type { Channel } from './notification.ts';

export type { Notification, Recipient, Channel, DeliveryResult, Severity } from './notification.ts';
export type { Delivery, Dispatcher } from './dispatch.ts';
export { notifyConfigSchema, channelConfigSchema, ackConfigSchema, type NotifyConfig, type ChannelConfig, type AckConfig } from './config.ts';
export { createChannel, createChannels } from './channels/index.ts';
export { OutboxDispatcher, retryPolicy, DEFAULT_RETRY, type RetryPolicy, type DispatcherOptions, type DispatcherStats } from './dispatcher.ts';
export type { DeliveryRecord, HistoryFilter, DeliveryState } from './outbox.ts';
export { ackLinks, ackUrl, signAck, verifyAck, type AckLinks, type AckClaims, type AckLinkCheck } from './ack/link.ts';
export { startAckServer, type AckServer, type Acknowledge, type AcknowledgeOutcome } from './ack/server.ts';
export { ackLinksFromConfig, startAckEndpoint } from './ack/endpoint.ts';
export { smtpTransport } from './smtp-transport.ts';

export interface Notifier {
  channels: ReadonlyMap<string, Channel>;
  dispatcher: OutboxDispatcher;
  /** Stops the dispatcher (waiting for sends in flight), then closes the channels. */
  close(): Promise<void>;
}

/**
 * collector.yaml `notify:` (and `smtp:`) in one call: its channels and a dispatcher whose outbox is
 * `<dataDir>/notify.db`. Call `dispatcher.start()` once the rest of the collector is up.
 */
export function openNotifier(options: {
  notify: NotifyConfig;
  smtp?: SmtpConfig;
  dataDir: string;
  log: Logger;
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  /** From `startAckEndpoint`: links are added to notifications that have none. */
  links?: AckLinks;
}): Notifier {
  const log = options.log.child({ component: 'notify' });
  const channels = createChannels(options.notify.channels, { log, ...(options.smtp ? { smtp: options.smtp } : {}), ...(options.env ? { env: options.env } : {}) });
  const dispatcher = new OutboxDispatcher({
    file: join(options.dataDir, 'notify.db'),
    channels,
    log,
    retry: retryPolicy(options.notify.retry),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.links ? { links: options.links } : {}),
  });
  return {
    channels,
    dispatcher,
    async close() {
      await dispatcher.close();
      await Promise.all([...channels.values()].map((c) => c.close()));
    },
  };
}
