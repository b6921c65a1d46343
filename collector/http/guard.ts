import type http from 'node:http';
import type { Socket } from 'node:net';

/**
 * The connection limits every HTTP server of the collector applies, whatever it serves: how long a client may
 * take to send its headers and its request, how many connections it may hold, and from one address.
 * Node enforces headersTimeout and requestTimeout only when it sweeps its connections, every
 * `connectionsCheckingInterval` (30 s by default), so a slowloris socket outlived its limit by up to 30 s;
 * the sweep here runs every second.
 */
export interface ConnectionLimits {
  /** Time to receive all headers (a slowloris trickling header bytes). */
  headersTimeoutMs: number;
  /** Time to receive the whole request, body included (a trickled body). */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** Open connections in total; further ones are closed at accept. */
  maxConnections: number;
  /** Open connections from one address: a single host cannot take all of maxConnections. */
  maxConnectionsPerAddress: number;
  /** Requests on one connection before it is closed. */
  maxRequestsPerSocket: number;
}

export const CONNECTION_LIMITS: ConnectionLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 20_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 256,
  // A browser opens up to 6 connections per host; a school's NAT may put a few dozen viewers behind one address.
  maxConnectionsPerAddress: 64,
  maxRequestsPerSocket: 100,
};

/** How often Node sweeps for connections past headersTimeout/requestTimeout. */
export const CONNECTIONS_CHECKING_INTERVAL_MS = 1_000;

/** Options for http.createServer that only take effect at construction. */
export function serverOptions(limits: ConnectionLimits): Pick<http.ServerOptions, 'requestTimeout' | 'connectionsCheckingInterval'> {
  return { requestTimeout: limits.requestTimeoutMs, connectionsCheckingInterval: Math.min(CONNECTIONS_CHECKING_INTERVAL_MS, limits.headersTimeoutMs) };
}

/**
 * Applies the limits to a server made with serverOptions(): timeouts, the total cap (Node's maxConnections) and a
 * per-address cap, counted in `refused` (a socket over it is closed before a byte is read).
 */
export function guardConnections(server: http.Server, limits: ConnectionLimits, refused: () => void): void {
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxConnections = limits.maxConnections;
  server.maxRequestsPerSocket = limits.maxRequestsPerSocket;
  const perAddress = new Map<string, number>();
  // Listens before Node's own 'connection' handler, which starts parsing: prepended.
  server.prependListener('connection', (socket: Socket) => {
    const remote = socket.remoteAddress ?? 'unknown';
    const held = perAddress.get(remote) ?? 0;
    if (held >= limits.maxConnectionsPerAddress) {
      refused();
      socket.on('error', () => undefined);
      socket.destroy();
      return;
    }
    perAddress.set(remote, held + 1);
    socket.once('close', () => {
      const left = (perAddress.get(remote) ?? 1) - 1;
      if (left <= 0) perAddress.delete(remote);
      else perAddress.set(remote, left);
    });
  });
  server.on('drop', () => refused());
}
