import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes, type Client } from 'aedes';
import { MAX_PAYLOAD_BYTES, type Logger } from '../../contract/index.ts';
import type { AgentDirectory } from '../agents/directory.ts';
import type { AgentIdentity } from './acl.ts';
import { createHooks, type BrokerStats, type OnPublish } from './hooks.ts';
import { LOGIN_BACKOFF_DEFAULTS, createLoginPenalty, type LoginBackoffConfig } from './penalty.ts';
import { watchRevocations } from './revocation.ts';
import type { BrokerTls } from './tls.ts';

export interface EmbeddedBrokerOptions {
  host: string;
  /** Plain TCP port; 0 picks a free one (the chosen one is in the result); null: no plain listener. */
  port: number | null;
  /** A TLS listener as well (port 0 picks a free one); see tls.ts. */
  tls?: BrokerTls | undefined;
  agents: AgentDirectory;
  log: Logger;
  onPublish: OnPublish;
  loginBackoff?: LoginBackoffConfig;
  /** How often the agents file is checked for revocations of connected agents. Default 5 s. */
  revocationCheckMs?: number;
  /** Largest PUBLISH payload passed on; bigger ones are acknowledged, counted and dropped. Default: the wire contract's limit. */
  maxMessageBytes?: number;
  now?: () => number;
}

export interface EmbeddedBroker {
  /** The plain TCP port, or null if there is no plain listener. */
  port: number | null;
  tlsPort: number | null;
  /** For the collector's own traffic: aedes.publish (retained site config) and aedes.subscribe need no login. */
  aedes: Aedes;
  /** Live counters of rejected connections, publishes and subscriptions. */
  stats: Readonly<BrokerStats>;
  close(): Promise<void>;
}

export const DEFAULT_MAX_MESSAGE_BYTES = MAX_PAYLOAD_BYTES;

/**
 * How much of a connection's unread input is taken at once. aedes handles the PUBLISHes of one read
 * together and reads again only once all of them are acknowledged (its `_parsingBatch`), so this bounds how
 * many of one agent's messages share a write-ahead-log commit: at the socket default of 64 KiB, about two
 * replayed batches, and a backlog then drains at one fsync per two messages. 1 MiB holds an agent's whole
 * default window of 20 in-flight batches; it is a bound on buffered input, not an allocation.
 */
export const READ_HIGH_WATER_MARK = 1024 * 1024;

/**
 * The collector's in-process MQTT 3.1.1 broker: every agent logs in with its own credential and is confined
 * to its site's topics (see acl.ts). Plain TCP, TLS, or both.
 */
export async function startEmbeddedBroker(o: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  if (o.port === null && !o.tls) throw new Error('broker: neither a plain nor a TLS listener is configured');
  const log = o.log.child({ component: 'broker' });
  const stats: BrokerStats = {
    authFailures: 0, authDelayed: 0, revokedDisconnects: 0, oversizeRejected: 0, publishDenied: 0, subscribeDenied: 0, publishFailed: 0,
  };
  let closing = false;
  const penalty = createLoginPenalty(o.loginBackoff ?? LOGIN_BACKOFF_DEFAULTS, o.now ?? Date.now);
  const hooks = createHooks({
    agents: o.agents, log, onPublish: o.onPublish, stats, penalty, maxMessageBytes: o.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES, closing: () => closing,
  });
  const { identityOf, ...handlers } = hooks;
  const aedes = await Aedes.createBroker(handlers);
  const connected = new Set<Client>();

  aedes.on('client', (client) => connected.add(client));
  aedes.on('clientError', (client, err) => {
    log.debug({ ...identityOf(client), err: err.message }, 'client connection closed on error');
  });
  aedes.on('connectionError', (_client, err) => log.debug({ err: err.message }, 'connection closed before login'));
  aedes.on('clientDisconnect', (client) => {
    connected.delete(client);
    const who = identityOf(client);
    if (who) log.info(who, 'agent disconnected');
  });
  const stopWatch = watchRevocations({
    agents: o.agents,
    log,
    stats,
    intervalMs: o.revocationCheckMs ?? 5_000,
    *connected() {
      for (const client of connected) {
        const who: AgentIdentity | undefined = identityOf(client);
        if (who && !client.closed) yield [client, who];
      }
    },
  });

  // Sockets that never complete CONNECT are not aedes clients; track them so close() does not wait on them.
  const sockets = new Set<Socket>();
  const accept = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    aedes.handle(socket);
  };
  const servers: Server[] = [];
  const listen = async (server: Server, port: number, kind: string): Promise<number> => {
    servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, o.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => log.error({ err: err.message, listener: kind }, 'broker listener error'));
    const chosen = (server.address() as AddressInfo).port;
    log.info({ host: o.host, port: chosen, listener: kind }, 'MQTT broker listening');
    return chosen;
  };
  let port: number | null = null;
  let tlsPort: number | null = null;
  try {
    if (o.port !== null) port = await listen(createServer({ highWaterMark: READ_HIGH_WATER_MARK }, accept), o.port, 'mqtt');
    if (o.tls) {
      const { cert, key, ca } = o.tls;
      const server = createTlsServer({ cert, key, ...(ca ? { ca } : {}), highWaterMark: READ_HIGH_WATER_MARK }, accept);
      // A failed handshake (an agent that does not trust our certificate) never reaches aedes.
      server.on('tlsClientError', (err, socket) => log.info({ remote: socket.remoteAddress, err: err.message }, 'TLS handshake failed'));
      tlsPort = await listen(server, o.tls.port, 'mqtts');
    }
  } catch (err) {
    stopWatch();
    for (const server of servers) server.close();
    await new Promise<void>((resolve) => aedes.close(resolve));
    throw err;
  }

  return {
    port,
    tlsPort,
    aedes,
    stats,
    async close() {
      if (closing) return;
      closing = true;
      stopWatch();
      const stopped = Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
      await new Promise<void>((resolve) => aedes.close(resolve));
      for (const socket of sockets) socket.destroy();
      await stopped;
      log.info({ port, tlsPort }, 'MQTT broker closed');
    },
  };
}
