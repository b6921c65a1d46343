import { fork, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import mqttPacket from 'mqtt-packet';
import { agentClientId } from '../../contract/index.ts';

const CHILD = fileURLToPath(new URL('./broker-child.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));

export interface Creds {
  id: string;
  site: string;
  password: string;
}
export interface BrokerSnapshot {
  rss: number;
  heapUsed: number;
  stats: { [counter: string]: number; packetsRefused: number; connectionsRefused: number; total: number; unauthenticated: number };
  published: number;
}
export interface BrokerChild {
  child: ChildProcess;
  port: number;
  creds: Record<'north1' | 'north2' | 'south1', Creds>;
  exited: () => boolean;
  snapshot: () => Promise<BrokerSnapshot>;
  stop: () => void;
}

/** Starts broker-child.ts with startTestBroker overrides. */
export async function startBrokerChild(overrides: Record<string, unknown> = {}): Promise<BrokerChild> {
  const child = fork(CHILD, [JSON.stringify(overrides)], { cwd: REPO, execArgv: ['--expose-gc', '--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let gone = false;
  child.on('exit', () => (gone = true));
  const ready = await new Promise<{ port: number; creds: BrokerChild['creds'] }>((resolve, reject) => {
    child.once('message', (m: { port: number; creds: BrokerChild['creds'] }) => resolve(m));
    child.once('exit', (code) => reject(new Error(`broker child exited with ${code} before listening`)));
  });
  return {
    child,
    ...ready,
    exited: () => gone,
    snapshot: () =>
      new Promise((resolve, reject) => {
        if (gone) return reject(new Error('broker child is gone'));
        child.once('message', (m: BrokerSnapshot) => resolve(m));
        child.send('snapshot');
      }),
    stop: () => {
      if (!gone) child.kill();
    },
  };
}

export const encode = (packet: Record<string, unknown>): Buffer => mqttPacket.generate(packet as unknown as mqttPacket.Packet);

export function connectPacket(who: Creds | undefined, extra: Record<string, unknown> = {}): Buffer {
  return encode({
    cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, keepalive: 60,
    clientId: who ? agentClientId(who.id) : 'anon',
    ...(who ? { username: who.id, password: Buffer.from(who.password) } : {}),
    ...extra,
  });
}

/** A raw TCP connection to the broker that collects what it answers, parsed. */
export interface RawClient {
  socket: Socket;
  packets: mqttPacket.Packet[];
  closed: Promise<void>;
  isClosed: () => boolean;
  /** Resolves with the first packet matching, or rejects after `ms`. */
  next(cmd: string, ms?: number): Promise<mqttPacket.Packet>;
  write(b: Buffer): void;
}

export function rawClient(port: number, localAddress?: string): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', ...(localAddress ? { localAddress } : {}) });
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    const packets: mqttPacket.Packet[] = [];
    /** Pending next() calls; each answers whether it is settled now, and a settled one leaves the set at once. */
    const waiters = new Set<() => boolean>();
    const wake = () => {
      for (const w of [...waiters]) if (w()) waiters.delete(w);
    };
    let closed = false;
    parser.on('packet', (p) => {
      packets.push(p);
      wake();
    });
    parser.on('error', () => socket.destroy());
    socket.on('data', (d) => parser.parse(d));
    socket.on('error', () => undefined);
    const closedP = new Promise<void>((r) =>
      socket.once('close', () => {
        closed = true;
        wake();
        r();
      }),
    );
    socket.once('connect', () =>
      resolve({
        socket,
        packets,
        closed: closedP,
        isClosed: () => closed,
        write: (b) => {
          if (!socket.destroyed) socket.write(b);
        },
        next(cmd, ms = 5_000) {
          // One timer and at most one waiter per call, both gone once it settles: a finished wait that stayed
          // registered would take (and drop) a later call's packet, so one lost packet became every one after.
          return new Promise((res, rej) => {
            const look = (): boolean => {
              const i = packets.findIndex((p) => p.cmd === cmd);
              if (i !== -1) res(packets.splice(i, 1)[0]!);
              else if (closed) rej(new Error(`closed before ${cmd}`));
              else return false;
              clearTimeout(timer);
              return true;
            };
            const timer = setTimeout(() => {
              waiters.delete(look);
              rej(new Error(`no ${cmd} within ${ms} ms`));
            }, ms);
            if (!look()) waiters.add(look);
          });
        },
      }),
    );
    socket.once('error', reject);
  });
}

/** A QoS 1 PUBLISH's fixed and variable header for a payload of `length` bytes sent separately (§3.3), so a big payload is written without copying. */
export function publishHeader(topic: string, messageId: number, length: number): Buffer {
  const t = Buffer.from(topic, 'utf8');
  let remaining = 2 + t.length + 2 + length;
  const len: number[] = [];
  do {
    let byte = remaining % 128;
    remaining = Math.floor(remaining / 128);
    if (remaining > 0) byte |= 0x80;
    len.push(byte);
  } while (remaining > 0);
  return Buffer.from([0x32, ...len, t.length >> 8, t.length & 0xff, ...t, messageId >> 8, messageId & 0xff]);
}
