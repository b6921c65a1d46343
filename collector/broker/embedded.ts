import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes, type Client } from 'aedes';
import { MAX_PAYLOAD_BYTES, type Logger } from '../../contract/index.ts';
import type { AgentDirectory } from '../agents/directory.ts';
import type { AgentIdentity } from './acl.ts';
import { ADMISSION_DEFAULTS, connectionHeadroom, createAdmission, type AdmissionLimits } from './admission.ts';
import { createFraming, type Framing } from './framing.ts';
import { createHooks, type BrokerStats, type HookContext, type OnPublish } from './hooks.ts';
import { createLimitedLog } from './log-limit.ts';
import { LOGIN_BACKOFF_DEFAULTS, createLoginPenalty, type LoginBackoffConfig } from './penalty.ts';
import { AGENT_RATE_DEFAULTS, createAgentRates, type AgentRateLimits } from './rate.ts';
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
  /** Largest CONNECT, and the most read from a connection before its login succeeded. Default 64 KiB (EMQX's and RabbitMQ's CONNECT cap). */
  connectMaxBytes?: number;
  /** Largest PUBLISH packet after login; a bigger one closes the connection. Default: the largest message plus room for its topic. */
  maxPacketBytes?: number;
  /** Connection caps (admission.ts); maxConnections defaults to the descriptor limit less a reserve. */
  connections?: Partial<AdmissionLimits>;
  /** Per-agent message and byte budgets (rate.ts). */
  agentRates?: Partial<AgentRateLimits>;
  /** A logged-in agent's publish, subscribe, message or packet was refused (the collector counts it per agent). */
  onRefusal?: HookContext['onRefusal'];
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
  /** Connections held now, and how many of them have not logged in. */
  connections(): { total: number; unauthenticated: number };
  close(): Promise<void>;
}

interface Door {
  remote: string;
  framing: Framing;
  loggedIn: boolean;
  /** Already counted out of the admission (closed to make room), so its close event counts nothing. */
  released: boolean;
  socket: Socket;
  /** Reads are stopped until this time (rate.ts). */
  heldUntil: number;
  holdTimer?: NodeJS.Timeout | undefined;
  /** Reads are stopped until resumed (hooks.ts MAX_IN_INGEST). */
  paused: boolean;
  /** While the ingest holds any of its messages: keeps aedes' keepalive timer from running out. */
  keepaliveGuard?: NodeJS.Timeout | undefined;
  /** The packet parser, once aedes has the connection: framing forwards what it reads to it. */
  parse?: (bytes: Buffer) => void;
  /** Payload bytes framing dropped from the PUBLISH it is handing the parser now (framing.ts FramingSink). */
  dropping?: number;
}

/** aedes' keepalive timer of a client (lib/handlers/connect.js): refreshed by every packet it handles. */
interface KeepaliveOf {
  _keepaliveTimer: NodeJS.Timeout | null;
  _keepaliveInterval: number;
}

/**
 * [MQTT-3.1.2-24] closes a client the server received no packet from within 1.5 × its keepalive. While the
 * ingest holds any of a client's messages (waiting for the write-ahead log, or behind a regional drain's
 * backlog), aedes reads no more of its connection (it reads again once a read's PUBLISHes are acknowledged),
 * and the collector may pause it too: its PINGREQ or next PUBLISH waits in the socket unread, by the
 * collector's doing. So meanwhile its keepalive timer is kept from running out, and it starts a whole period
 * again when the last message is done (run 15 closed a replaying school mid-drain; run 16, 902 agents while
 * the monthly reports loaded influxd).
 */
function guardKeepalive(door: Door, client: KeepaliveOf, paused: boolean): void {
  clearInterval(door.keepaliveGuard);
  door.keepaliveGuard = undefined;
  if (!(client._keepaliveInterval > 0)) return;
  client._keepaliveTimer?.refresh();
  if (!paused) return;
  door.keepaliveGuard = setInterval(() => client._keepaliveTimer?.refresh(), Math.max(100, Math.floor(client._keepaliveInterval / 3)));
  door.keepaliveGuard.unref();
}

export const DEFAULT_MAX_MESSAGE_BYTES = MAX_PAYLOAD_BYTES;
export const DEFAULT_CONNECT_MAX_BYTES = 64 * 1024;
/**
 * Twice the largest payload the contract allows, plus a topic (at most 64 KiB, §1.5.3) and packet id: a
 * message somewhat over the limit is still read, acknowledged and dropped (an agent would otherwise resend it
 * from its spool for ever); only a packet no agent could have made closes the connection.
 */
export const DEFAULT_MAX_PACKET_BYTES = 2 * MAX_PAYLOAD_BYTES + 64 * 1024 + 4;
/** SUBSCRIBE and UNSUBSCRIBE after login: room for a few dozen filters, not for thousands. */
const CONTROL_MAX_BYTES = 4 * 1024;
/** Output a client has not read (its kernel buffers full) beyond which nothing more is read from it. */
const UNSENT_MAX_BYTES = 64 * 1024;
/** Packets the broker answers itself (PINGREQ, SUBSCRIBE, …) allowed in one read after login (framing.ts). */
const ANSWERED_PER_READ_MAX = 64;
/** What a connection may have buffered unread before its login: a CONNECT's worth, not READ_HIGH_WATER_MARK. */
const PRE_LOGIN_HIGH_WATER_MARK = 16 * 1024;

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
    connectionsRefused: 0, packetsRefused: 0, publishesSlowed: 0,
  };
  let closing = false;
  const now = o.now ?? Date.now;
  const penalty = createLoginPenalty(o.loginBackoff ?? LOGIN_BACKOFF_DEFAULTS, now);
  const limited = createLimitedLog(log);
  // Refuses to start (ConfigError, exit 2) when the descriptors cannot hold every registered agent with a margin.
  const maxConnections = connectionHeadroom({ registered: o.agents.registered(), ...(o.connections?.maxConnections !== undefined ? { maxConnections: o.connections.maxConnections } : {}) });
  const admission = createAdmission({ ...ADMISSION_DEFAULTS, ...o.connections, maxConnections }, now);
  const maxMessageBytes = o.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const framingLimits = {
    connectMaxBytes: o.connectMaxBytes ?? DEFAULT_CONNECT_MAX_BYTES,
    publishMaxBytes: o.maxPacketBytes ?? DEFAULT_MAX_PACKET_BYTES,
    controlMaxBytes: CONTROL_MAX_BYTES,
    dropPayloadAbove: maxMessageBytes,
    answeredPerReadMax: ANSWERED_PER_READ_MAX,
  };
  /** PUBLISHes whose payload framing dropped, with its size: the hooks count and charge them as too large. */
  const dropped = new WeakMap<object, number>();
  /** Per live connection, by its remote address and port: the same key for a TLS socket and the TCP socket under it. */
  const doors = new Map<string, Door>();
  /** The doors not logged in yet, oldest first: the one to close when the before-login pool is full. */
  const waiting = new Map<string, Door>();
  const doorKey = (socket: { remoteAddress?: string | undefined; remotePort?: number | undefined }) => `${socket.remoteAddress}|${socket.remotePort}`;
  const hooks = createHooks({
    agents: o.agents, log, onPublish: o.onPublish, stats, penalty, maxMessageBytes, closing: () => closing,
    payloadBytes: (packet) => dropped.get(packet),
    limited,
    ...(o.onRefusal ? { onRefusal: o.onRefusal } : {}),
    rates: createAgentRates({ ...AGENT_RATE_DEFAULTS, ...o.agentRates }, now),
    onLogin(client) {
      const conn = client.conn as Socket;
      const door = doors.get(doorKey(conn));
      if (!door || door.loggedIn) return;
      door.loggedIn = true;
      waiting.delete(doorKey(conn));
      door.framing.loggedIn();
      admission.loggedIn(door.remote);
      // Node reads on while less than the high-water mark is buffered; after login an agent may send batches.
      (conn as unknown as { _readableState: { highWaterMark: number } })._readableState.highWaterMark = READ_HIGH_WATER_MARK;
    },
    pauseReads(client, paused) {
      const conn = client.conn as Socket;
      const door = doors.get(doorKey(conn));
      if (!door || door.paused === paused) return;
      door.paused = paused;
      if (!paused && door.heldUntil === 0 && !conn.destroyed) conn.emit('readable');
    },
    holdingMessages(client, holding) {
      const door = doors.get(doorKey(client.conn as Socket));
      if (door) guardKeepalive(door, client as unknown as KeepaliveOf, holding);
    },
    holdReads(client, ms) {
      const conn = client.conn as Socket;
      const door = doors.get(doorKey(conn));
      if (!door) return;
      // Over its budget, an agent is read in small pieces from now on: a 1 MiB read of its flood would be
      // parsed (a thousand small packets) in one turn of the loop, and every other school's PUBACK waits for it.
      (conn as unknown as { _readableState: { highWaterMark: number } })._readableState.highWaterMark = PRE_LOGIN_HIGH_WATER_MARK;
      const until = now() + ms;
      if (until <= door.heldUntil) return;
      door.heldUntil = until;
      clearTimeout(door.holdTimer);
      door.holdTimer = setTimeout(() => {
        door.heldUntil = 0;
        // Wake aedes' reader: what arrived meanwhile is waiting in the socket.
        if (!conn.destroyed && !door.paused) conn.emit('readable');
      }, ms);
      door.holdTimer.unref();
    },
  });
  const { identityOf, ...handlers } = hooks;
  const aedes = await Aedes.createBroker(handlers);
  const connected = new Set<Client>();

  aedes.on('client', (client) => connected.add(client));
  aedes.on('clientError', (client, err) => {
    // Info, not debug: a reset, a write that did not drain in aedes' drainTimeout, a keepalive: why it closed.
    log.info({ ...identityOf(client), err: err.message }, 'client connection closed on error');
  });
  aedes.on('connectionError', (_client, err) => log.debug({ err: err.message }, 'connection closed before login'));
  // [MQTT-3.1.2-24]: aedes closes a client it read nothing from in 1.5 × its keepalive. Named, so a wave of
  // closes is told apart from the agents' own (a stalled collector shows as many of these at once).
  aedes.on('keepaliveTimeout', (client) => log.warn(identityOf(client) ?? { client: client.id }, 'agent connection closed: nothing read from it within 1.5 × its keepalive'));
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
  /** Every TCP connection, plain or TLS, before a byte is read from it: admitted, or closed with a counted reason. */
  const admit = (socket: Socket): boolean => {
    const remote = socket.remoteAddress ?? 'unknown';
    socket.on('error', () => undefined);
    const verdict = closing ? { admitted: false as const, reason: 'shutting down' } : admission.admit(remote);
    if (!verdict.admitted) {
      stats.connectionsRefused++;
      limited.warn({ remote }, verdict.reason, {}, 'connection refused before login');
      socket.destroy();
      return false;
    }
    if (verdict.evictOldest) {
      for (const [key, door] of waiting) {
        door.released = true;
        doors.delete(key);
        waiting.delete(key);
        admission.closed(door.remote, false);
        stats.connectionsRefused++;
        limited.warn({ remote: door.remote }, 'oldest waiting for login', {}, 'connection closed to make room for a new one');
        door.socket.destroy();
        break;
      }
    }
    const key = doorKey(socket);
    // The framing forwards what it reads to the parser, less the payloads over the limit: a flood of oversized
    // messages is never buffered (issue 11: 4 MiB each was read whole, copied and collected).
    const door: Door = { remote, loggedIn: false, released: false, socket, heldUntil: 0, paused: false } as Door;
    door.framing = createFraming(framingLimits, {
      pass: (bytes) => door.parse?.(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)),
      skipped: (bytes) => (door.dropping = bytes),
    });
    doors.set(key, door);
    waiting.set(key, door);
    socket.once('close', () => {
      if (door.released) return;
      door.released = true;
      doors.delete(key);
      waiting.delete(key);
      clearTimeout(door.holdTimer);
      clearInterval(door.keepaliveGuard);
      admission.closed(remote, door.loggedIn);
    });
    return true;
  };
  const accept = (socket: Socket): void => {
    const door = doors.get(doorKey(socket));
    if (!door) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // While a door is held its socket gives aedes nothing: the data stays in the socket (bounded by its
    // high-water mark), then in the kernel, and TCP slows the sender down.
    const read = socket.read.bind(socket);
    // Nor while the client leaves unread more than UNSENT_MAX_BYTES of what it was sent (PINGRESPs, PUBACKs): a
    // client flooding PINGREQs without reading the answers otherwise grew the collector by 147 MiB in 5 s.
    socket.read = (size?: number) => (door.heldUntil > 0 || door.paused || socket.writableLength > UNSENT_MAX_BYTES ? null : read(size));
    socket.on('drain', () => {
      if (!socket.destroyed && door.heldUntil === 0 && !door.paused) socket.emit('readable');
    });
    const client = aedes.handle(socket);
    // aedes reads each batch with conn.read() and hands it to mqtt-packet's parser, which would buffer a packet
    // of any declared length; the fixed header is checked first here, before any body byte is kept.
    const parser = (client as unknown as { _parser: { parse(buf: Buffer): number; prependListener(event: 'packet', f: (packet: { cmd: string }) => void): void } })._parser;
    const parse = parser.parse.bind(parser);
    door.parse = (bytes) => void parse(bytes);
    // The payload-less PUBLISH framing hands over is parsed at once, so it is the next packet the parser emits.
    parser.prependListener('packet', (packet) => {
      if (door.dropping === undefined || packet.cmd !== 'publish') return;
      dropped.set(packet, door.dropping);
      door.dropping = undefined;
    });
    parser.parse = (buf: Buffer): number => {
      const refusal = door.framing.feed(buf);
      if (!refusal) return 0;
      stats.packetsRefused++;
      const who = door.loggedIn ? identityOf(client) : undefined;
      if (who) o.onRefusal?.(who, 'packet-refused');
      limited.warn(door.loggedIn ? { ...identityOf(client) } : { remote: door.remote }, refusal, { bytes: buf.length }, 'connection closed: packet refused');
      socket.destroy();
      return 0;
    };
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
    if (o.port !== null) {
      const server = createServer({ highWaterMark: PRE_LOGIN_HIGH_WATER_MARK }, (socket) => {
        if (admit(socket)) accept(socket);
      });
      port = await listen(server, o.port, 'mqtt');
    }
    if (o.tls) {
      const { cert, key, ca } = o.tls;
      // A handshake that does not finish within 10 s holds no descriptor longer (Node's default is 120 s).
      const server = createTlsServer({ cert, key, ...(ca ? { ca } : {}), highWaterMark: PRE_LOGIN_HIGH_WATER_MARK, handshakeTimeout: 10_000 }, accept);
      server.prependListener('connection', (socket: Socket) => {
        admit(socket);
      });
      // A failed handshake (an agent that does not trust our certificate) never reaches aedes.
      server.on('tlsClientError', (err, socket) => limited.warn({ remote: socket.remoteAddress }, 'TLS handshake failed', { err: err.message }, 'TLS handshake failed'));
      tlsPort = await listen(server, o.tls.port, 'mqtts');
    }
  } catch (err) {
    stopWatch();
    limited.stop();
    for (const server of servers) server.close();
    await new Promise<void>((resolve) => aedes.close(resolve));
    throw err;
  }

  return {
    port,
    tlsPort,
    aedes,
    stats,
    connections: () => admission.counts(),
    async close() {
      if (closing) return;
      closing = true;
      stopWatch();
      limited.stop();
      const stopped = Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
      await new Promise<void>((resolve) => aedes.close(resolve));
      for (const socket of sockets) socket.destroy();
      await stopped;
      log.info({ port, tlsPort }, 'MQTT broker closed');
    },
  };
}
