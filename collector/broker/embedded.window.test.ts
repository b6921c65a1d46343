import { afterEach, describe, expect, it } from 'vitest';
import { samplesTopic } from '../../contract/index.ts';
import { startTestBroker, until, type TestBroker } from './testing.ts';

let t: TestBroker | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

describe('embedded broker: one agent\'s window of publishes', () => {
  it('hands a window of 20 replayed batches (36 KB each) to the ingest together, so they can share one commit', async () => {
    t = await startTestBroker();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let pending = 0;
    t.hook.onPublish = async () => {
      pending++;
      await held;
    };
    const client = await t.connect(t.creds.north1);
    // aedes reads a connection again only once a read's PUBLISHes are all acknowledged: the read must
    // hold the whole window, not the socket default of 64 KiB (about two such batches).
    const payload = Buffer.alloc(36_000, 'x');
    const acks = Array.from({ length: 20 }, () => client.publishAsync(samplesTopic('north'), payload, { qos: 1 }));
    await until(() => pending >= 15, 5_000);
    release();
    await Promise.all(acks);
    expect(t.published).toHaveLength(20);
  });
});
