import mqtt, { type MqttClient } from 'mqtt';
import {
  WIRE_VERSION,
  agentClientId,
  configTopic,
  encodeMessage,
  eventsTopic,
  samplesTopic,
  statusTopic,
  type AgentStatus,
  type Logger,
} from '../../contract/index.ts';
import type { ResolvedAgentConfig } from '../config/load.ts';
import type { Clock } from '../../contract/clock.ts';
import { NoReplayStore } from './no-replay-store.ts';

export interface LinkOptions {
  url: string;
  agent: string;
  site: string;
  username: string;
  password: string;
  /** For mqtts:// URLs: the CA to trust instead of the system's, and whether to check the certificate at all. */
  tls?: { ca?: string | undefined; rejectUnauthorized: boolean };
  version: string;
  startedAt: number;
  clock: Clock;
  log: Logger;
  /** Raw payload of the retained site config; validated by the receiver. */
  onConfig(payload: Buffer): void;
  configRevision(): string | undefined;
  /** The spool's figures for the retained status. */
  spoolStatus?(): AgentStatus['spool'];
  /** After CONNACK (and the status), and after the connection is lost: the outbox starts and stops here. */
  onConnect?(): void;
  onClose?(): void;
}

/** Who the agent is and how it reaches the broker, as agent.yaml says: the part of LinkOptions from config. */
export function brokerLinkOptions(
  config: ResolvedAgentConfig,
): Pick<LinkOptions, 'url' | 'agent' | 'site' | 'username' | 'password' | 'tls'> {
  return {
    url: config.broker.url,
    agent: config.agent,
    site: config.site,
    username: config.broker.username,
    password: config.broker.password,
    tls: { ca: config.broker.caPem, rejectUnauthorized: config.broker.rejectUnauthorized },
  };
}

/**
 * The agent's MQTT connection: sample batches out at QoS 1, retained status with an offline will, the
 * site's retained config in. It holds no samples: the spool does, and resends what was in flight when a
 * connection died (mqtt.js's own resend is switched off, see NoReplayStore).
 */
export class Link {
  readonly stats = { connects: 0 };
  private readonly client: MqttClient;

  constructor(private readonly o: LinkOptions) {
    const will: AgentStatus = this.status('offline', o.startedAt);
    this.client = mqtt.connect(o.url, {
      clientId: agentClientId(o.agent),
      username: o.username,
      password: o.password,
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: 2_000,
      // A refused login (revoked, wrong password, collector's directory briefly unavailable) is retried like a
      // lost connection instead of ending the client and, with it, the agent; the broker slows retries down.
      reconnectOnConnackError: true,
      connectTimeout: 10_000,
      keepalive: 30,
      outgoingStore: new NoReplayStore(),
      // mqtt-packet otherwise makes 65,536 two-byte Buffers up front, one per packet id, to write ids
      // from a cache: 6 MB of heap kept for the process's life, a fifth of the agent's live heap. Writing
      // each id as it goes costs a 2-byte allocation per publish.
      writeCache: false,
      // [MQTT-3.1.2-8] the broker publishes this if the connection drops without a DISCONNECT.
      will: { topic: statusTopic(o.site, o.agent), payload: encodeMessage(will), qos: 1, retain: true },
      rejectUnauthorized: o.tls?.rejectUnauthorized ?? true,
      ...(o.tls?.ca !== undefined ? { ca: o.tls.ca } : {}),
    });
    this.client.on('connect', () => {
      this.o.log.info({ broker: o.url }, 'connected to broker');
      this.stats.connects++;
      this.publishStatus('online');
      this.client.subscribe(configTopic(o.site), { qos: 1 }, (err) => {
        if (err) this.o.log.error({ err: err.message }, 'subscribe to site config refused');
      });
      o.onConnect?.();
    });
    this.client.on('close', () => o.onClose?.());
    this.client.on('message', (topic, payload) => {
      if (topic === configTopic(o.site)) o.onConfig(payload);
    });
    this.client.on('error', (err) => {
      const code = (err as { code?: unknown }).code;
      if (isCertificateError(err.message, code)) {
        this.o.log.error({ broker: o.url, err: err.message, code }, 'broker certificate not trusted: check broker.ca in agent.yaml');
      } else this.o.log.warn({ broker: o.url, err: err.message }, 'broker connection error');
    });
    this.client.on('offline', () => this.o.log.warn({ broker: o.url }, 'broker unreachable; spooling samples to disk'));
  }

  get connected(): boolean {
    return this.client.connected;
  }

  private status(state: AgentStatus['state'], at: number): AgentStatus {
    const revision = this.o.configRevision();
    return {
      v: WIRE_VERSION,
      agent: this.o.agent,
      site: this.o.site,
      state,
      version: this.o.version,
      startedAt: this.o.startedAt,
      at,
      uptimeSeconds: Math.max(0, (at - this.o.startedAt) / 1000),
      ...(revision !== undefined ? { configRevision: revision } : {}),
    };
  }

  /** While offline there is nothing to do: each connect publishes a fresh status. */
  publishStatus(state: AgentStatus['state']): void {
    if (!this.client.connected) return;
    const spool = state === 'online' ? this.o.spoolStatus?.() : undefined;
    const payload = encodeMessage({ ...this.status(state, this.o.clock.now()), ...(spool ? { spool } : {}) });
    this.client.publish(statusTopic(this.o.site, this.o.agent), payload, { qos: 1, retain: true });
  }

  /** A device state-change event, at QoS 1 and only while connected: the next batch carries the same result. */
  publishEvent(payload: Buffer): void {
    if (this.client.connected) this.client.publish(eventsTopic(this.o.site), payload, { qos: 1 });
  }

  /** One encoded samples batch at QoS 1; `done` without an error once the broker's PUBACK came. */
  publishBatch(payload: Buffer, done: (err?: Error) => void): void {
    this.client.publish(samplesTopic(this.o.site), payload, { qos: 1 }, (err) => done(err ?? undefined));
  }

  /**
   * Says goodbye properly: an explicit offline status, then DISCONNECT (so the will is not sent). Bounded:
   * if the broker vanished meanwhile, the PUBACK never comes and we close anyway after `graceMs`.
   */
  async close(graceMs = 3_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const gone = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), graceMs)));
    const goodbye = async (): Promise<'done'> => {
      if (this.client.connected) {
        const payload = encodeMessage(this.status('offline', this.o.clock.now()));
        await this.client.publishAsync(statusTopic(this.o.site, this.o.agent), payload, { qos: 1, retain: true });
        await this.client.endAsync();
      }
      return 'done';
    };
    const outcome = await Promise.race([goodbye().catch(() => 'done' as const), gone]);
    clearTimeout(timer);
    if (outcome === 'timeout' || !this.client.disconnected) await this.client.endAsync(true);
  }
}

/** Node's codes for a certificate that does not verify (and mqtt.js's own message for the same case). */
function isCertificateError(message: string, code: unknown): boolean {
  if (message === 'TLS not authorized') return true;
  return typeof code === 'string' && /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|HOSTNAME|IP_ADDRESS/.test(code);
}
