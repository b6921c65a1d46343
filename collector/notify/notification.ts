/**
 * What the alert pipeline hands to a channel, and what a channel answers. A channel only formats and
 * sends: retries, backoff, dedup and routing live once, in the pipeline (collector/alerts/).
 */
export type Severity = 'critical' | 'warning' | 'info';

export interface Notification {
  /** Unique per message; receivers may use it to drop a duplicate delivery. */
  id: string;
  /** The alert this is about: one problem of one rule on one subject, from firing to resolved. */
  alertId: string;
  kind: 'firing' | 'repeat' | 'escalation' | 'resolved';
  severity: Severity;
  site: { id: string; name: string; timezone: string };
  /** The device (and interface) the alert is about; absent for a site-wide alert. */
  device?: string;
  interface?: string;
  /** One line a tech reads on a lock screen: "North Primary is offline since 08:42". */
  title: string;
  /** A few short paragraphs of plain text. */
  body: string[];
  /** Label/value rows: device, address, since, loss, ... */
  facts: { label: string; value: string }[];
  startedAt: number;
  resolvedAt?: number;
  /** Signed, expiring link that acknowledges this alert; absent on resolved messages. */
  acknowledgeUrl?: string;
}

/** Who a message is for; channels with a fixed destination (a Teams or Slack webhook) ignore it. */
export interface Recipient {
  name: string;
  email?: string;
}

/**
 * `retryAfterMs`: the receiver asked to wait at least this long (HTTP 429/503 Retry-After, RFC 9110 §10.2.3);
 * the dispatcher waits the longer of it and its own backoff.
 */
export type DeliveryResult = { ok: true } | { ok: false; retryable: boolean; reason: string; retryAfterMs?: number };

export interface Channel {
  /** The id from collector.yaml, used in logs and records. */
  readonly id: string;
  readonly type: 'email' | 'teams' | 'slack' | 'webhook';
  /** Never rejects: a failure is a result, with a reason that holds no secret. */
  send(notification: Notification, to: Recipient): Promise<DeliveryResult>;
  close(): Promise<void>;
}
