import { agentClientId } from '../../contract/index.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { PublishPacket } from 'aedes';
import { createLogger } from '../../contract/index.ts';
import { openAgentDirectory } from '../agents/directory.ts';
import { addAgent } from '../agents/store.ts';
import { type AgentIdentity } from './acl.ts';
import { startEmbeddedBroker, type EmbeddedBrokerOptions } from './embedded.ts';

type Overrides = Partial<Pick<EmbeddedBrokerOptions, 'port' | 'tls' | 'loginBackoff' | 'revocationCheckMs' | 'maxMessageBytes' | 'now'>>;

/**
 * Test-only: a broker on a free loopback port with three agents at two sites, logs captured in memory. The
 * login backoff is a few milliseconds unless given, so tests that fail logins on purpose stay fast.
 */
export async function startTestBroker(overrides: Overrides = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'hm-broker-'));
  const file = join(dir, 'agents.yaml');
  const creds = {
    north1: { id: 'north-1', site: 'north', ...(await addAgent(file, { id: 'north-1', site: 'north' })) },
    north2: { id: 'north-2', site: 'north', ...(await addAgent(file, { id: 'north-2', site: 'north' })) },
    south1: { id: 'south-1', site: 'south', ...(await addAgent(file, { id: 'south-1', site: 'south' })) },
  };
  const logLines: string[] = [];
  const log = createLogger('test', 'debug', new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(chunk.toString());
      done();
    },
  }));
  const published: Array<{ packet: PublishPacket; from: AgentIdentity }> = [];
  const hook = { onPublish: async (_p: PublishPacket, _f: AgentIdentity): Promise<void> => {} };
  const agents = openAgentDirectory(file);
  const broker = await startEmbeddedBroker({
    host: '127.0.0.1',
    port: 0,
    loginBackoff: { baseMs: 1, maxMs: 8, quietMs: 1_000 },
    ...overrides,
    agents,
    log,
    onPublish: (packet, from) => {
      published.push({ packet, from });
      return hook.onPublish(packet, from);
    },
  });
  const clients: MqttClient[] = [];

  /** Connects as the given agent (or with overrides); rejects with the CONNACK error if refused. */
  const connect = async (who: { id: string; password: string } | undefined, opts: IClientOptions = {}) => {
    const options: IClientOptions = {
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: 5_000,
      ...(who ? { clientId: agentClientId(who.id), username: who.id, password: who.password } : {}),
      ...opts,
    };
    const url = broker.port !== null ? `mqtt://127.0.0.1:${broker.port}` : `mqtts://127.0.0.1:${broker.tlsPort}`;
    const client = mqtt.connect(url, options);
    clients.push(client);
    return new Promise<MqttClient>((resolve, reject) => {
      client.once('connect', () => resolve(client));
      client.once('error', reject);
      client.once('close', () => reject(new Error('closed before CONNACK')));
    });
  };

  return {
    file,
    creds,
    agents,
    broker,
    log,
    logLines,
    /** The captured log, one parsed pino record per line. */
    records: (): Array<Record<string, unknown>> => logLines.map((l) => JSON.parse(l) as Record<string, unknown>),
    published,
    hook,
    connect,
    async stop() {
      await Promise.all(clients.map((c) => c.endAsync(true)));
      await broker.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type TestBroker = Awaited<ReturnType<typeof startTestBroker>>;

/** Resolves when cond() holds, polling; fails after `ms`. */
export async function until(cond: () => boolean, ms = 3_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > ms) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
