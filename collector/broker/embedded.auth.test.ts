import type { Socket } from 'node:net';
import type { AedesPublishPacket } from 'aedes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_STATUS, samplesTopic, statusTopic } from '../../contract/index.ts';
import { revokeAgent } from '../agents/store.ts';
import { agentClientId } from '../../contract/index.ts';
import { startTestBroker, until, type TestBroker } from './testing.ts';

let t: TestBroker;
const wrongPasswords = ['not-the-password-at-all', 'Zm9vYmFyYmF6cXV4cXV1eA-typed-as-username'];
beforeAll(async () => {
  t = await startTestBroker();
});
afterAll(async () => {
  await t.stop();
});

describe('embedded broker: authentication', () => {
  it('accepts an agent, passes its QoS 1 samples to onPublish with its identity, then sends the PUBACK', async () => {
    const { north1 } = t.creds;
    let release!: () => void;
    t.hook.onPublish = () => new Promise<void>((resolve) => (release = resolve));
    const client = await t.connect(north1);
    let acked = false;
    const publishing = client.publishAsync(samplesTopic('north'), '{"v":1}', { qos: 1 }).then(() => (acked = true));
    await until(() => t.published.some((p) => p.packet.topic === samplesTopic('north')));
    const seen = t.published.find((p) => p.packet.topic === samplesTopic('north'))!;
    expect(seen.from).toEqual({ agent: 'north-1', site: 'north' });
    expect(seen.packet.payload.toString()).toBe('{"v":1}');
    await new Promise((r) => setTimeout(r, 50));
    expect(acked).toBe(false); // no PUBACK while the message is not yet durable
    release();
    await publishing;
    expect(acked).toBe(true);
    t.hook.onPublish = async () => {};
    await client.endAsync();
  });

  it('closes the connection without a PUBACK when onPublish fails', async () => {
    t.hook.onPublish = async () => {
      throw new Error('disk full');
    };
    const client = await t.connect(t.creds.north2);
    const before = t.broker.stats.publishFailed;
    let acked = false;
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.publish(samplesTopic('north'), '{}', { qos: 1 }, (err) => (acked = !err));
    await closed;
    expect(acked).toBe(false);
    expect(t.broker.stats.publishFailed).toBe(before + 1);
    t.hook.onPublish = async () => {};
  });

  it('refuses anonymous connections: not authorized (5)', async () => {
    const before = t.broker.stats.authFailures;
    await expect(t.connect(undefined, { clientId: agentClientId('north-1') })).rejects.toMatchObject({ code: 5 });
    expect(t.broker.stats.authFailures).toBe(before + 1);
  });

  it('refuses a wrong password, an unknown agent and a password typed as username: bad username or password (4)', async () => {
    const { north1 } = t.creds;
    await expect(t.connect({ id: north1.id, password: wrongPasswords[0]! })).rejects.toMatchObject({ code: 4 });
    await expect(t.connect({ id: 'east-9', password: north1.password })).rejects.toMatchObject({ code: 4 });
    await expect(
      t.connect(undefined, { clientId: 'x', username: wrongPasswords[1]!, password: 'x' }),
    ).rejects.toMatchObject({ code: 4 });
    expect(t.logLines.join('')).toContain('wrong password');
  });

  it('refuses a client id that is not the agent\'s: identifier rejected (2)', async () => {
    await expect(t.connect(t.creds.north1, { clientId: agentClientId('north-2') })).rejects.toMatchObject({ code: 2 });
  });

  it('refuses a will on another topic than the agent\'s own status: not authorized (5)', async () => {
    const will = { topic: statusTopic('north', 'north-2'), payload: Buffer.from('{}'), qos: 1 as const, retain: true };
    await expect(t.connect(t.creds.north1, { will })).rejects.toMatchObject({ code: 5 });
  });

  it('refuses a revoked agent on its next connect after reload', async () => {
    const { south1 } = t.creds;
    const client = await t.connect(south1);
    await client.endAsync();
    revokeAgent(t.file, south1.id);
    t.agents.reload();
    await expect(t.connect(south1)).rejects.toMatchObject({ code: 4 });
    expect(t.logLines.join('')).toMatch(/agent revoked at/);
  });

  it('publishes the will on the status topic when the agent\'s socket dies [MQTT-3.1.2-8]', async () => {
    const received: AedesPublishPacket[] = [];
    await new Promise<void>((done) =>
      t.broker.aedes.subscribe(ALL_STATUS, (packet, cb) => {
        received.push(packet);
        cb();
      }, done),
    );
    const topic = statusTopic('north', 'north-2');
    const will = { topic, payload: Buffer.from('{"state":"offline"}'), qos: 1 as const, retain: true };
    const client = await t.connect(t.creds.north2, { will });
    (client.stream as Socket).destroy();
    await until(() => received.some((p) => p.topic === topic));
    expect(received.find((p) => p.topic === topic)!.payload.toString()).toBe('{"state":"offline"}');
    expect(t.published.some((p) => p.packet.topic === topic && p.from.agent === 'north-2')).toBe(true);
  });

  it('wrote no password, issued or guessed, into any log line (DESIGN invariant 4)', () => {
    const logs = t.logLines.join('');
    expect(t.logLines.length).toBeGreaterThan(10);
    for (const secret of [...Object.values(t.creds).map((c) => c.password), ...wrongPasswords]) {
      expect(logs).not.toContain(secret);
    }
  });
});

describe('embedded broker: shutdown', () => {
  it('does not publish the agents\' wills when the collector itself closes the broker', async () => {
    const own = await startTestBroker();
    const topic = statusTopic('north', 'north-1');
    await own.connect(own.creds.north1, { will: { topic, payload: Buffer.from('offline'), qos: 1, retain: true } });
    await own.broker.close(); // while the agent is still connected
    await own.stop();
    expect(own.published.filter((p) => p.packet.topic === topic)).toEqual([]);
  });
});
