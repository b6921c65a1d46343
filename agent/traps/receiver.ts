import { createSocket, type RemoteInfo, type Socket, type SocketType } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { createRequire } from 'node:module';
import type { Device, Logger, Sample } from '../../contract/index.ts';
import { usmUser } from '../checks/snmp/session.ts';
import { processKeySources, type KeySources } from '../checks/snmp/credentials.ts';
import { describeTrap } from './describe.ts';
import { TrapGate, normaliseAddress } from './gate.ts';
import { normaliseTrap, type RawTrapPdu } from './normalise.ts';
import { trapSample } from './trap-sample.ts';

export interface TrapSettings {
  enabled: boolean;
  /** Where to listen: an address of the agent host on the school network (0.0.0.0: all of them). */
  address: string;
  port: number;
  /** v1/v2c communities accepted besides each device's own polling community. */
  communities: string[];
  ratePerSecond: number;
  burst: number;
}

export interface TrapReceiverOptions {
  settings: TrapSettings;
  log: Logger;
  now(): number;
  /** Each trap's sample; the caller sends it at once (through the spool, like every sample). */
  deliver(sample: Sample): void;
  keys?: KeySources;
  /** Host name → address, for devices listed by name. */
  resolve?: (host: string) => Promise<string>;
}

export interface TrapCounters {
  traps_received: number;
  traps_stored: number;
  traps_unknown_source: number;
  traps_rate_limited: number;
  traps_refused: number;
  traps_unreadable: number;
  traps_unknown_oid: number;
}

interface Authorizer {
  communities: string[];
  users: { name: string }[];
  addCommunity(community: string): void;
  addUser(user: object): void;
}
interface NetSnmpReceiver {
  getAuthorizer(): Authorizer;
  close(callback?: () => void): void;
}
interface NetSnmp {
  createReceiver(options: Record<string, unknown>, callback: (error: Error | null, data?: { pdu: RawTrapPdu; rinfo: RemoteInfo }) => void): NetSnmpReceiver;
  RequestFailedError: new (...args: never[]) => Error;
}
const snmp = createRequire(import.meta.url)('net-snmp') as NetSnmp;

function freeUdpPort(family: SocketType, address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createSocket(family);
    probe.once('error', reject);
    probe.bind(0, address, () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

interface Source {
  device: string;
  communities: ReadonlySet<string>;
  user?: string;
}

/**
 * The agent's SNMP trap and inform receiver (RFC 3416 SNMPv2-Trap/InformRequest, RFC 1157 Trap-PDU, and
 * SNMPv3 USM per device). A datagram from an address not in the site's device list, or over its source's
 * rate, is counted and dropped before it is decoded; one with a community or user that is not its device's
 * is refused and counted. Everything else becomes an `snmp_trap` sample, known traps with their meaning.
 */
export class TrapReceiver {
  readonly counters: TrapCounters = {
    traps_received: 0,
    traps_stored: 0,
    traps_unknown_source: 0,
    traps_rate_limited: 0,
    traps_refused: 0,
    traps_unreadable: 0,
    traps_unknown_oid: 0,
  };
  private readonly gate: TrapGate;
  private sources = new Map<string, Source>();
  private readonly ifNames = new Map<string, Map<number, string>>();
  private receiver: NetSnmpReceiver | undefined;
  private readonly sockets: Socket[] = [];
  private readonly logged = new Map<string, number>();
  /** Per device, the time of its last stored trap (bounded by the device list: cleared on setDevices). */
  private readonly lastStamp = new Map<string, number>();
  private generation = 0;

  constructor(private readonly o: TrapReceiverOptions) {
    this.gate = new TrapGate({ ratePerSecond: o.settings.ratePerSecond, burst: o.settings.burst, now: o.now });
  }

  /** Binds the socket; resolves with false (logged) when it cannot, so polling goes on without traps. */
  async start(): Promise<boolean> {
    const { settings, log } = this.o;
    const family: SocketType = isIP(settings.address) === 6 ? 'udp6' : 'udp4';
    const gated = { createSocket: (type: SocketType) => this.gatedSocket(type) };
    let bindError: Error | undefined;
    // net-snmp reads port 0 as "the default" (162): a free port is asked of the system first instead.
    const port = settings.port === 0 ? await freeUdpPort(family, settings.address) : settings.port;
    this.receiver = snmp.createReceiver(
      { port, address: settings.address, transport: family, includeAuthentication: true, dgramModule: gated },
      (error, data) => {
        if (error) return this.onError(error);
        if (data) this.onTrap(data.pdu, data.rinfo);
      },
    );
    const socket = this.sockets[0]!;
    await new Promise<void>((resolve) => {
      socket.once('listening', () => resolve());
      socket.once('error', (error) => {
        bindError = error;
        resolve();
      });
    });
    if (bindError !== undefined) {
      const code = (bindError as NodeJS.ErrnoException).code;
      const hint = code === 'EACCES' ? ' (ports below 1024 need CAP_NET_BIND_SERVICE; the agent unit grants it)' : '';
      log.error({ address: settings.address, port: settings.port, code }, `trap receiver not started: cannot listen on UDP ${settings.port}${hint}`);
      await this.stop();
      return false;
    }
    log.info({ address: settings.address, port: this.port() }, 'trap receiver listening');
    return true;
  }

  /** The UDP port listened on (the configured one, or the one given for port 0). */
  port(): number | undefined {
    try {
      return this.sockets[0]?.address().port;
    } catch {
      return undefined;
    }
  }

  /** The site's devices: who may send, with which community or v3 user. Host names are resolved now. */
  async setDevices(devices: readonly Device[]): Promise<void> {
    const generation = ++this.generation;
    const resolve = this.o.resolve ?? (async (host: string) => (await lookup(host)).address);
    const sources = new Map<string, Source>();
    const users: object[] = [];
    for (const device of devices) {
      let address = device.address;
      if (isIP(address) === 0) {
        try {
          address = await resolve(address);
        } catch {
          this.o.log.warn({ device: device.name, address: device.address }, 'trap receiver: cannot resolve the device, its traps will be dropped');
          continue;
        }
      }
      const snmpCheck = device.checks.snmp;
      const communities = new Set(this.o.settings.communities);
      let user: string | undefined;
      if (snmpCheck !== undefined && snmpCheck.version !== '3') communities.add(snmpCheck.community);
      if (snmpCheck?.version === '3') {
        try {
          users.push(usmUser(snmpCheck, this.o.keys ?? processKeySources));
          user = snmpCheck.user;
        } catch (error) {
          this.o.log.warn({ device: device.name, reason: (error as Error).message }, 'trap receiver: v3 keys unavailable, v3 traps from this device will be refused');
        }
      }
      sources.set(normaliseAddress(address), { device: device.name, communities, ...(user !== undefined ? { user } : {}) });
    }
    if (generation !== this.generation) return;
    this.sources = sources;
    this.gate.setSources(new Map([...sources].map(([address, s]) => [address, s.device])));
    for (const name of this.ifNames.keys()) if (!devices.some((d) => d.name === name)) this.ifNames.delete(name);
    for (const name of this.lastStamp.keys()) if (!devices.some((d) => d.name === name)) this.lastStamp.delete(name);
    const authorizer = this.receiver?.getAuthorizer();
    if (authorizer !== undefined) {
      authorizer.communities.length = 0;
      authorizer.users.length = 0;
      for (const community of new Set([...sources.values()].flatMap((s) => [...s.communities]))) authorizer.addCommunity(community);
      for (const user of users) authorizer.addUser(user);
    }
  }

  /** Learns the poller's interface names, so a linkDown's ifIndex is named as the dashboards name it. */
  observe(samples: readonly Sample[]): void {
    for (const s of samples) {
      if (s.measurement !== 'interface') continue;
      const device = s.tags.device;
      const index = Number(s.tags.if_index);
      const name = s.tags.interface;
      if (device === undefined || name === undefined || !Number.isInteger(index)) continue;
      let names = this.ifNames.get(device);
      if (names === undefined) this.ifNames.set(device, (names = new Map()));
      names.set(index, name);
    }
  }

  async stop(): Promise<void> {
    const receiver = this.receiver;
    this.receiver = undefined;
    if (receiver === undefined) return;
    // The sockets are closed here rather than through net-snmp's close(callback), which asks each socket for
    // its address and throws for one that never finished binding (a stop right after the start).
    await Promise.all(
      this.sockets.splice(0).map(
        (socket) =>
          new Promise<void>((resolve) => {
            try {
              socket.close(() => resolve());
            } catch {
              resolve(); // already closed (a failed bind)
            }
          }),
      ),
    );
  }

  private gatedSocket(type: SocketType): Socket {
    const socket = createSocket(type);
    this.sockets.push(socket);
    const on = socket.on.bind(socket);
    // net-snmp registers one 'message' listener; the gate stands in front of it, before any decoding.
    socket.on = ((event: string, listener: (...args: unknown[]) => void) => {
      if (event !== 'message') return on(event, listener);
      return on('message', (message: Buffer, rinfo: RemoteInfo) => {
        this.counters.traps_received++;
        const verdict = this.gate.admit(rinfo.address);
        if (verdict === 'pass') return listener(message, rinfo);
        if (verdict === 'unknown-source') this.counters.traps_unknown_source++;
        else this.counters.traps_rate_limited++;
        this.logOnce(`${verdict}/${rinfo.address}`, { source: rinfo.address, reason: verdict }, 'trap dropped');
      });
    }) as typeof socket.on;
    return socket;
  }

  private onTrap(pdu: RawTrapPdu, rinfo: RemoteInfo): void {
    const source = this.sources.get(normaliseAddress(rinfo.address));
    if (source === undefined) return; // gone from the list between gate and decode
    const trap = normaliseTrap(pdu);
    if (trap === undefined) {
      this.counters.traps_unreadable++;
      this.logOnce(`unreadable/${source.device}`, { device: source.device }, 'trap without a trap OID dropped');
      return;
    }
    const community = trap.credential?.community;
    const user = trap.credential?.user;
    const allowed = community !== undefined ? source.communities.has(community) : user !== undefined && user === source.user;
    if (!allowed) {
      this.counters.traps_refused++;
      this.logOnce(`refused/${source.device}`, { device: source.device, version: trap.version }, 'trap refused: not the community or user configured for this device');
      return;
    }
    const names = this.ifNames.get(source.device);
    const event = describeTrap(trap, (i) => names?.get(i));
    if (event.event === 'unknown') this.counters.traps_unknown_oid++;
    this.counters.traps_stored++;
    this.o.deliver(trapSample(source.device, trap, event, this.stamp(source.device)));
  }

  /**
   * The received-at time, one millisecond past this device's previous trap when they share one: InfluxDB
   * keeps one point per series and timestamp (the collector writes precision=ms), so two traps of a burst
   * with the same tags (two unknown OIDs, a repeated linkDown) would otherwise overwrite each other.
   */
  private stamp(device: string): number {
    const now = Math.floor(this.o.now());
    const last = this.lastStamp.get(device);
    const at = last !== undefined && now <= last ? last + 1 : now;
    this.lastStamp.set(device, at);
    return at;
  }

  private onError(error: Error & { rinfo?: RemoteInfo }): void {
    const from = error.rinfo?.address;
    if (from === undefined) {
      this.o.log.error({ reason: error.message }, 'trap receiver socket error');
      return;
    }
    const text = error.message;
    const auth = error instanceof snmp.RequestFailedError || /auth|digest|decrypt|community|user/i.test(text);
    if (auth) this.counters.traps_refused++;
    else this.counters.traps_unreadable++;
    const device = this.gate.device(from);
    this.logOnce(`${auth ? 'refused' : 'unreadable'}/${from}`, { source: from, device, reason: text.slice(0, 160) }, auth ? 'trap refused' : 'unreadable trap dropped');
  }

  /** One line per source and reason per minute: a storm must not become a log storm. */
  private logOnce(key: string, fields: Record<string, unknown>, message: string): void {
    const now = this.o.now();
    const last = this.logged.get(key);
    if (last !== undefined && now - last < 60_000) return;
    if (this.logged.size > 10_000) this.logged.clear();
    this.logged.set(key, now);
    this.o.log.warn(fields, message);
  }
}
