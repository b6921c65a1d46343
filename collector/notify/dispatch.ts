import type { Notification, Recipient } from './notification.ts';

/** One message to one recipient over one channel. */
export interface Delivery {
  notification: Notification;
  /** A channel id from collector.yaml `notify.channels`. */
  channel: string;
  to: Recipient;
}

/**
 * The last stage of the alert pipeline: it owns retries with backoff and the record of what was sent.
 * `enqueue` is durable: once it returns, each delivery survives a collector restart and is tried until
 * delivered or refused for good. Enqueuing the same (notification id, channel, recipient) again does nothing,
 * so a pipeline that re-runs after a restart never sends twice.
 */
export interface Dispatcher {
  enqueue(deliveries: readonly Delivery[]): void;
}
