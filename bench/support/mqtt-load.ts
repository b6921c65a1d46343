import mqtt, { type MqttClient } from 'mqtt';
import { agentClientId, samplesTopic } from '../../contract/index.ts';

export interface LoadAgent {
  agent: string;
  site: string;
  password: string;
  /** Encoded SamplesBatch messages, seq increasing. */
  messages: readonly Buffer[];
}

export interface AgentFleet {
  /** Publishes every agent's messages at QoS 1, at most `window` unacknowledged per agent; rejects after `timeoutMs`. */
  publishAll(window: number, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * One mqtt.js client per agent, logged in as the agent would be (its client id, id as username, its
 * password). A connection that drops fails the run: there is no reconnect, so nothing is silently resent.
 */
export async function connectFleet(brokerUrl: string, agents: readonly LoadAgent[]): Promise<AgentFleet> {
  const clients: MqttClient[] = [];
  let dropped: Error | undefined;
  const onDrop: ((err: Error) => void)[] = [];
  try {
    for (const a of agents) {
      const client = mqtt.connect(brokerUrl, {
        clientId: agentClientId(a.agent),
        username: a.agent,
        password: a.password,
        protocolVersion: 4,
        clean: true,
        reconnectPeriod: 0,
        connectTimeout: 10_000,
      });
      clients.push(client);
      await new Promise<void>((resolve, reject) => {
        client.once('connect', () => resolve());
        client.once('error', reject);
      });
      client.on('close', () => {
        dropped ??= new Error(`agent ${a.agent}: connection to ${brokerUrl} closed during the run`);
        for (const fail of onDrop) fail(dropped);
      });
    }
  } catch (err) {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    throw err;
  }

  const publishAgent = (client: MqttClient, a: LoadAgent, window: number) =>
    new Promise<void>((resolve, reject) => {
      const topic = samplesTopic(a.site);
      let sent = 0;
      let acked = 0;
      onDrop.push(reject);
      const pump = () => {
        while (sent < a.messages.length && sent - acked < window) {
          client.publish(topic, a.messages[sent++]!, { qos: 1 }, (err) => {
            if (err) return reject(err);
            acked++;
            if (acked === a.messages.length) resolve();
            else pump();
          });
        }
      };
      pump();
    });

  return {
    async publishAll(window, timeoutMs) {
      if (dropped) throw dropped;
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`not every message acknowledged after ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([Promise.all(clients.map((client, i) => publishAgent(client, agents[i]!, window))), late]);
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      onDrop.length = 0;
      await Promise.all(clients.map((c) => c.endAsync()));
    },
  };
}
