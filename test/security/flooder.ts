/**
 * Site north's flood, in a process of its own: `flooder.ts <port> <creds JSON> <kinds>`, kinds from
 * junk (invalid publishes as fast as TCP takes them), big (oversized publishes), deny (denied subscribes, a
 * SUBSCRIBE of 10,000 filters, publishes to another site; reconnecting at once each time). Says `{ ready }`,
 * floods until any message, then answers `{ attempts }` and exits.
 */
import { samplesTopic } from '../../contract/index.ts';
import { connectPacket, encode, publishHeader, rawClient, type RawClient } from './mqtt-wire.ts';

const [portText, credsText, kindsText] = process.argv.slice(2);
const port = Number(portText);
const creds = JSON.parse(credsText!) as Record<string, string>;
const kinds = kindsText!.split(',');
let stop = false;
let attempts = 0;

async function login(agent: string, localAddress: string): Promise<RawClient | undefined> {
  const raw = await rawClient(port, localAddress).catch(() => undefined);
  if (!raw) return undefined;
  raw.write(connectPacket({ id: agent, site: 'north', password: creds[agent]! }));
  const ack = await raw.next('connack', 3_000).catch(() => undefined);
  if ((ack as { returnCode?: number } | undefined)?.returnCode !== 0) {
    raw.socket.destroy();
    return undefined;
  }
  return raw;
}

/** QoS 1 publishes of `payload` as fast as the socket takes them; the payload is never copied. */
function pump(raw: RawClient, payload: Buffer): Promise<void> {
  let id = 0;
  return new Promise((resolve) => {
    const go = () => {
      while (!stop && !raw.isClosed()) {
        raw.packets.length = 0;
        id = (id % 65_000) + 1;
        raw.socket.write(publishHeader(samplesTopic('north'), id, payload.length));
        if (!raw.socket.write(payload)) return raw.socket.once('drain', go);
      }
      resolve();
    };
    void raw.closed.then(() => resolve());
    go();
  });
}

const junk = Buffer.from('{"v":1,"agent":"north-1","site":"north","seq":'.padEnd(900, 'x'));
const big = Buffer.alloc(4 * 2 ** 20 + 1_024, 0x7b);
const subscribeAll = encode({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: '#', qos: 1 }] });
const subscribeMany = encode({ cmd: 'subscribe', messageId: 1, subscriptions: Array.from({ length: 10_000 }, (_, i) => ({ topic: `hallmonitor/v1/south/${i}`, qos: 1 })) });
const publishSouth = encode({ cmd: 'publish', topic: samplesTopic('south'), payload: junk, qos: 1, messageId: 1 });
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

const floods: Array<Promise<void>> = [];
const streaming = (agent: string, address: string, payload: Buffer) => async () => {
  while (!stop) {
    const raw = await login(agent, address);
    if (raw) await pump(raw, payload);
    raw?.socket.destroy();
    await pause(5);
  }
};
if (kinds.includes('junk')) floods.push(streaming('north-1', '127.0.0.2', junk)());
if (kinds.includes('big')) floods.push(streaming('north-2', '127.0.0.3', big)());
if (kinds.includes('deny')) {
  floods.push((async () => {
    while (!stop) {
      attempts++;
      const raw = await login('north-3', '127.0.0.4');
      if (raw) {
        raw.write([subscribeAll, subscribeMany, publishSouth][attempts % 3]!);
        await Promise.race([raw.closed, pause(2_000)]);
        raw.socket.destroy();
      } else await pause(5);
    }
  })());
}
process.on('message', () => {
  stop = true;
  void Promise.allSettled(floods).then(() => {
    process.send?.({ attempts });
    process.exit(0);
  });
});
process.on('disconnect', () => process.exit(0));
process.send?.({ ready: true });
