import mqtt, { type MqttClient } from 'mqtt';
import { SOFTWARE_VERSION, WIRE_VERSION, agentClientId, configTopic, encodeMessage, samplesTopic, statusTopic, type AgentStatus, type Sample, type SamplesBatch } from '../../contract/index.ts';
import type { SimAgent } from './registry.ts';

export interface SimFleet {
  /** Connect time of each agent, ms, from the start of connect(). */
  connectMs: number[];
  /** Publishes one poll's batch for every agent, spread evenly over `spreadMs`; resolves when all are acknowledged. */
  minute(samples: readonly Sample[], at: number, spreadMs: number): Promise<void>;
  published: number;
  close(): Promise<void>;
}

function status(a: SimAgent, state: 'online' | 'offline', at: number): Buffer {
  const message: AgentStatus = { v: WIRE_VERSION, agent: a.agent, site: a.site, state, version: SOFTWARE_VERSION, startedAt: at, at, uptimeSeconds: 0 };
  return encodeMessage(message);
}

/**
 * Agents as the real one behaves on the wire: its client id and credentials, an "offline" will on its status
 * topic, a retained "online" status, a subscription to its site's config, and one samples batch per poll.
 * All clients live in this process: the collector's side is what is measured.
 */
export async function connectSimFleet(url: string, agents: readonly SimAgent[]): Promise<SimFleet> {
  const clients = new Map<string, MqttClient>();
  const seqs = new Map<string, number>();
  const start = performance.now();
  const connectMs: number[] = [];
  await Promise.all(
    agents.map(async (a) => {
      const now = Date.now();
      const client = await mqtt.connectAsync(url, {
        clientId: agentClientId(a.agent),
        username: a.agent,
        password: a.password,
        protocolVersion: 4,
        clean: true,
        keepalive: 60,
        reconnectPeriod: 0,
        connectTimeout: 120_000,
        will: { topic: statusTopic(a.site, a.agent), payload: status(a, 'offline', now), qos: 1, retain: true },
      });
      connectMs.push(performance.now() - start);
      clients.set(a.agent, client);
      await client.subscribeAsync(configTopic(a.site), { qos: 1 });
      await client.publishAsync(statusTopic(a.site, a.agent), status(a, 'online', now), { qos: 1, retain: true });
    }),
  );
  const fleet: SimFleet = {
    connectMs,
    published: 0,
    async minute(samples, at, spreadMs) {
      const step = spreadMs / agents.length;
      await Promise.all(
        agents.map(async (a, i) => {
          await new Promise((resolve) => setTimeout(resolve, i * step));
          const client = clients.get(a.agent)!;
          const seq = seqs.get(a.agent) ?? 0;
          seqs.set(a.agent, seq + 1);
          const batch: SamplesBatch = { v: WIRE_VERSION, agent: a.agent, site: a.site, seq, sentAt: at + 1_000, samples: samples.map((s) => ({ ...s, time: at + (s.time % 60_000) })) };
          await client.publishAsync(samplesTopic(a.site), encodeMessage(batch), { qos: 1 });
          fleet.published++;
        }),
      );
    },
    async close() {
      await Promise.all([...clients.values()].map((c) => c.endAsync(true)));
    },
  };
  return fleet;
}
