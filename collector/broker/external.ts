import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { PublishPacket } from 'aedes';
import { ALL_EVENTS, ALL_SAMPLES, ALL_STATUS, ConfigError, type Logger } from '../../contract/index.ts';
import type { AgentDirectory } from '../agents/directory.ts';
import type { ExternalBrokerConfig } from '../config/schema.ts';
import { quote } from './acl.ts';
import { identifySender, type ExternalRejectReason } from './external-identity.ts';
import type { OnPublish } from './hooks.ts';

export interface ExternalBrokerOptions {
  config: ExternalBrokerConfig;
  /** collector.yaml, for the CA path and for errors. */
  configFile: string;
  agents: AgentDirectory;
  log: Logger;
  onPublish: OnPublish;
  /** Larger messages are acknowledged, counted and dropped (as the embedded broker does). */
  maxMessageBytes: number;
}

export interface ExternalBrokerStats {
  received: number;
  acknowledged: number;
  rejected: Record<ExternalRejectReason, number>;
  /** onPublish failed (the write-ahead log did not commit): not acknowledged, the connection is dropped. */
  publishFailed: number;
  connects: number;
}

export interface ExternalBroker {
  readonly stats: Readonly<ExternalBrokerStats>;
  /** Resolves at the first SUBACK: from then on this collector gets its share of the agents' messages. */
  readonly subscribed: Promise<void>;
  /** QoS 1, retained; resolves at the broker's PUBACK (mqtt.js keeps it and sends it once connected). */
  publishRetained(topic: string, payload: Buffer): Promise<void>;
  close(): Promise<void>;
}

/**
 * The filters, each in the shared group: every message goes to one collector of the group. Shared subscriptions
 * are MQTT 5.0 §4.8.2; Mosquitto, EMQX, HiveMQ and VerneMQ offer them to 3.1.1 clients as well.
 */
export function sharedFilters(group: string): string[] {
  return [ALL_SAMPLES, ALL_STATUS, ALL_EVENTS].map((filter) => `$share/${group}/${filter}`);
}

/**
 * The collector as an MQTT 3.1.1 client of a broker the provider runs. The session is persistent (clean
 * session 0, a fixed client id), so what the broker holds for this collector while it is down or restarting
 * waits for it ([MQTT-3.1.2-4]); messages it had sent and this collector had not acknowledged are sent again
 * when the same session reconnects ([MQTT-4.4.0-1]).
 *
 * Each PUBACK is sent only after onPublish resolved, i.e. the message is in the write-ahead log. mqtt.js handles
 * incoming packets one at a time, so a collector takes one message per commit of its log: the way to more
 * throughput is more collectors in the group. While the log is at its bound (InfluxDB away for long), the wait
 * also holds back PINGRESPs, so mqtt.js may reconnect; the broker then resends the unacknowledged messages,
 * which the ingest counts as duplicates.
 *
 * Mosquitto 2.0.11 hands a shared group's messages round-robin to its members, a member whose persistent
 * session is offline included: what it had in flight and its share of what arrives while it is down wait for
 * that session to connect again (measured; see test/external-broker/). So a collector that dies must come
 * back with the same client id (systemd restarts it) for those messages to be stored.
 */
export function connectExternalBroker(o: ExternalBrokerOptions): ExternalBroker {
  const log = o.log.child({ component: 'broker', broker: o.config.url });
  const stats: ExternalBrokerStats = {
    received: 0,
    acknowledged: 0,
    rejected: { topic: 0, 'unknown-agent': 0, 'revoked-agent': 0, 'foreign-agent': 0, oversize: 0 },
    publishFailed: 0,
    connects: 0,
  };
  let closing = false;

  const handle = async (topic: string, payload: Buffer, packet: { qos: 0 | 1 | 2; retain: boolean; dup: boolean; messageId?: number }): Promise<void> => {
    if (closing) throw new Error('collector is shutting down');
    stats.received++;
    const refuse = (reason: ExternalRejectReason, detail: string): void => {
      stats.rejected[reason]++;
      log.warn({ topic: quote(topic), reason, detail }, 'message from the external broker rejected');
    };
    if (payload.length > o.maxMessageBytes) return refuse('oversize', `${payload.length} bytes, limit ${o.maxMessageBytes}`);
    const sender = identifySender(topic, payload, o.agents);
    if (!sender.ok) return refuse(sender.reason, sender.detail);
    const publish = { cmd: 'publish', topic, payload, qos: packet.qos, retain: packet.retain, dup: packet.dup, messageId: packet.messageId } as PublishPacket;
    await o.onPublish(publish, sender.who);
  };

  const options: IClientOptions = {
    protocolVersion: 4,
    clientId: o.config.clientId ?? o.config.username,
    username: o.config.username,
    password: o.config.password,
    clean: false,
    keepalive: o.config.keepaliveSeconds,
    reconnectPeriod: 1_000,
    connectTimeout: 10_000,
    resubscribe: false,
    ...(o.config.ca !== undefined ? { ca: readCa(o.config.ca, o.configFile) } : {}),
  };
  const client: MqttClient = mqtt.connect(o.config.url, options);
  // For MQTT 3.1.1 mqtt.js sends the PUBACK when handleMessage calls back (customHandleAcks is MQTT 5 only).
  client.handleMessage = (packet, callback) => {
    if (packet.cmd !== 'publish') return callback();
    const topic = packet.topic.toString();
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    handle(topic, payload, packet).then(
      () => {
        stats.acknowledged++;
        callback();
      },
      (err: Error) => {
        if (!closing) {
          stats.publishFailed++;
          log.error({ topic: quote(topic), err: err.message }, 'message not accepted; reconnecting so the broker sends it again');
        }
        // An error skips the PUBACK. The broker sends the message again only on this session's next
        // connection ([MQTT-4.4.0-1]), so this one is dropped (mqtt.js reconnects).
        callback(err);
        if (!closing) client.stream?.destroy();
      },
    );
  };

  let firstSubscribe: () => void;
  const subscribed = new Promise<void>((resolve) => (firstSubscribe = resolve));
  client.on('connect', (connack) => {
    stats.connects++;
    log.info({ clientId: options.clientId, sessionPresent: connack.sessionPresent }, 'connected to the external broker');
    // Subscribing again on a present session changes nothing ([MQTT-3.8.4-3]); it restores a lost one.
    client.subscribe(sharedFilters(o.config.group), { qos: 1 }, (err, granted) => {
      if (err) return log.error({ err: err.message }, 'subscription failed');
      const refused = (granted ?? []).filter((g) => g.qos === 128).map((g) => g.topic);
      if (refused.length > 0) return log.error({ filters: refused }, 'the broker refused these subscriptions: check its ACL for this user');
      log.info({ filters: sharedFilters(o.config.group) }, 'subscribed to the shared group');
      firstSubscribe();
    });
  });
  // Failures are frequent while the broker is down: logged once per outage, the client keeps retrying.
  let down = false;
  client.on('error', (err) => {
    if (closing) return;
    if (!down) log.warn({ err: err.message }, 'external broker connection error; retrying');
    down = true;
  });
  client.on('connect', () => (down = false));
  client.on('offline', () => {
    if (!closing && !down) log.warn('external broker unreachable; retrying');
    down = true;
  });

  return {
    stats,
    subscribed,
    publishRetained: (topic, payload) => client.publishAsync(topic, payload, { qos: 1, retain: true }).then(() => undefined),
    async close() {
      if (closing) return;
      closing = true;
      // DISCONNECT keeps the session: what arrives until the next start waits at the broker.
      await client.endAsync(false);
      log.info('disconnected from the external broker');
    },
  };
}

function readCa(path: string, configFile: string): Buffer {
  const full = resolve(dirname(resolve(configFile)), path);
  try {
    return readFileSync(full);
  } catch (err) {
    throw new ConfigError(`${configFile}: broker.external.ca: cannot read ${full}: ${(err as NodeJS.ErrnoException).code}`);
  }
}
