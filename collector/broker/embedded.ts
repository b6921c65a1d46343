import { createServer, type AddressInfo, type Socket } from 'node:net';
import { Aedes } from 'aedes';
import type { Logger } from '../../contract/index.ts';
import type { AgentDirectory } from '../agents/directory.ts';
import { createHooks, type BrokerStats, type OnPublish } from './hooks.ts';

export interface EmbeddedBrokerOptions {
  host: string;
  /** 0 picks a free port; the chosen one is in the result. */
  port: number;
  agents: AgentDirectory;
  log: Logger;
  onPublish: OnPublish;
}

export interface EmbeddedBroker {
  port: number;
  /** For the collector's own traffic: aedes.publish (retained site config) and aedes.subscribe need no login. */
  aedes: Aedes;
  /** Live counters of rejected connections, publishes and subscriptions. */
  stats: Readonly<BrokerStats>;
  close(): Promise<void>;
}

/**
 * The collector's in-process MQTT 3.1.1 broker: every agent logs in with its own credential and is confined
 * to its site's topics (see acl.ts). Plain TCP; TLS sits in front of it or comes with the listener config.
 */
export async function startEmbeddedBroker(o: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const log = o.log.child({ component: 'broker' });
  const stats: BrokerStats = { authFailures: 0, publishDenied: 0, subscribeDenied: 0, publishFailed: 0 };
  let closing = false;
  const hooks = createHooks({ agents: o.agents, log, onPublish: o.onPublish, stats, closing: () => closing });
  const { identityOf, ...handlers } = hooks;
  const aedes = await Aedes.createBroker(handlers);

  aedes.on('clientError', (client, err) => {
    log.debug({ ...identityOf(client), err: err.message }, 'client connection closed on error');
  });
  aedes.on('connectionError', (_client, err) => log.debug({ err: err.message }, 'connection closed before login'));
  aedes.on('clientDisconnect', (client) => {
    const who = identityOf(client);
    if (who) log.info(who, 'agent disconnected');
  });

  // Sockets that never complete CONNECT are not aedes clients; track them so close() does not wait on them.
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    aedes.handle(socket);
  });
  server.on('error', (err) => log.error({ err: err.message }, 'broker listener error'));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.port, o.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await new Promise<void>((resolve) => aedes.close(resolve));
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  log.info({ host: o.host, port }, 'MQTT broker listening');

  return {
    port,
    aedes,
    stats,
    async close() {
      if (closing) return;
      closing = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => aedes.close(resolve));
      for (const socket of sockets) socket.destroy();
      await stopped;
      log.info({ port }, 'MQTT broker closed');
    },
  };
}
